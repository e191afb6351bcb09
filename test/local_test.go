package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"firstclass/internal/bench"
	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/localapi"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// local is the app served by the local runner, once per test binary: synthesized from
// cdk.json as `cdk synth` runs it (not the in-process synth the other tests share), with the
// Lambda function built for this host.
var local struct {
	once sync.Once
	r    *localapi.Runner
	out  contract.Outputs
	dir  string
	err  error
}

func localRunner(t *testing.T) (*localapi.Runner, contract.Outputs) {
	t.Helper()
	if testing.Short() {
		t.Skip("synthesizes the app and builds the Lambda function: not with -short")
	}
	local.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if local.dir, local.err = os.MkdirTemp("", "firstclass-local-test-"); local.err != nil {
			return
		}
		asm, err := cfn.Synth(ctx, cfn.SynthOptions{AppDir: "..", OutDir: filepath.Join(local.dir, "cdk.out")})
		if err != nil {
			local.err = err
			return
		}
		mod, _ := filepath.Abs("..")
		r, err := localapi.New(ctx, localapi.Options{Assembly: asm, StackName: "Firstclass", ModuleDir: mod, LogDir: local.dir, Logs: io.Discard})
		if err != nil {
			local.err = err
			return
		}
		if local.err = r.Start(); local.err != nil {
			r.Close()
			return
		}
		local.r = r
		local.out, local.err = r.Outputs()
	})
	if local.err != nil {
		t.Fatalf("local runner: %v", local.err)
	}
	return local.r, local.out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if local.r != nil {
		local.r.Close()
	}
	if local.dir != "" {
		os.RemoveAll(local.dir)
	}
	os.Exit(code)
}

// TestLocalRunnerDeliversEveryRouteOfBothAPIs is `firstclass local` end to end: every route
// of both APIs is called over HTTP, then the AWS SDK for Go, pointed at the local endpoint
// with the bench's own configuration, finds each message, event and execution where the
// route put it.
func TestLocalRunnerDeliversEveryRouteOfBothAPIs(t *testing.T) {
	e := localEndToEnd(t)
	ctx, out := e.ctx, e.out
	q, states := sqs.NewFromConfig(e.cfg), sfn.NewFromConfig(e.cfg)

	call := func(t *testing.T, kind contract.Kind, rt spec.Route, query, body string, header ...string) (int, string) {
		t.Helper()
		if body != "" {
			header = append([]string{"Content-Type", "application/json"}, header...)
		}
		return e.call(t, kind, rt.Method, rt.SamplePath(), query, body, header...)
	}
	// drain receives and deletes every message of a queue that arrives within a short wait.
	drain := func(t *testing.T, queueURL string, want int) []string {
		t.Helper()
		var bodies []string
		deadline := time.Now().Add(10 * time.Second)
		for len(bodies) < want && time.Now().Before(deadline) {
			res, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			if err != nil {
				t.Fatalf("ReceiveMessage: %v", err)
			}
			for _, m := range res.Messages {
				bodies = append(bodies, aws.ToString(m.Body))
				if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
					t.Fatalf("DeleteMessage: %v", err)
				}
			}
		}
		return bodies
	}

	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			id := fmt.Sprintf("e2e-%s-%d", kind, time.Now().UnixNano())
			body := fmt.Sprintf(`{"orderId":%q,"note":"it's \"quoted\" & spaced"}`, id)

			t.Run("SendToQueue", func(t *testing.T) {
				status, resp := call(t, kind, routes.SendToQueueRoute, "", body)
				if status != 200 {
					t.Fatalf("%d %s", status, resp)
				}
				got := drain(t, out[routes.QueueURLOutput], 1)
				if len(got) != 1 || got[0] != body {
					t.Errorf("queue holds %q, want exactly the request body %q", got, body)
				}
			})
			t.Run("PutEvent", func(t *testing.T) {
				status, resp := call(t, kind, routes.PutEventRoute, "", body)
				if status != 200 || !strings.Contains(resp, `"FailedEntryCount":0`) {
					t.Fatalf("%d %s", status, resp)
				}
				got := drain(t, out[routes.AuditQueueURLOutput], 1)
				if len(got) != 1 {
					t.Fatalf("audit queue holds %d events, want 1: %q", len(got), got)
				}
				var ev struct {
					Source     string          `json:"source"`
					DetailType string          `json:"detail-type"`
					Detail     json.RawMessage `json:"detail"`
				}
				if err := json.Unmarshal([]byte(got[0]), &ev); err != nil {
					t.Fatal(err)
				}
				sample := routes.PutEventRoute.Sample.PathParams
				if ev.Source != sample["source"] || ev.DetailType != sample["detailType"] || !jsonEqual(ev.Detail, body) {
					t.Errorf("event %s, want source %s, detail-type %s and the body as detail", got[0], sample["source"], sample["detailType"])
				}
			})
			t.Run("StartWorkflow", func(t *testing.T) {
				status, resp := call(t, kind, routes.StartWorkflowRoute, "", body, "X-Execution-Name", id)
				if status != 200 {
					t.Fatalf("%d %s", status, resp)
				}
				var started struct{ ExecutionArn string }
				json.Unmarshal([]byte(resp), &started)
				ex, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(started.ExecutionArn)})
				if err != nil {
					t.Fatalf("DescribeExecution %s: %v", started.ExecutionArn, err)
				}
				if aws.ToString(ex.Name) != id || !jsonEqual(json.RawMessage(aws.ToString(ex.Input)), body) {
					t.Errorf("execution %s has input %s, want name %s and the body", aws.ToString(ex.Name), aws.ToString(ex.Input), id)
				}
				list, err := states.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(out[routes.WorkflowStateMachineArnOutput])})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, e := range list.Executions {
					found = found || aws.ToString(e.Name) == id
				}
				if !found {
					t.Errorf("ListExecutions does not list %s", id)
				}
			})
			t.Run("RunExpressWorkflow", func(t *testing.T) {
				status, resp := call(t, kind, routes.RunExpressWorkflowRoute, "", body)
				var res struct{ Status, Output string }
				if err := json.Unmarshal([]byte(resp), &res); err != nil || status != 200 || res.Status != "SUCCEEDED" {
					t.Fatalf("%d %s", status, resp)
				}
				if !strings.Contains(res.Output, id) {
					t.Errorf("express output %s does not carry the input", res.Output)
				}
			})
			t.Run("Greeting", func(t *testing.T) {
				// Seed 003's three behaviours, on both APIs.
				cases := []struct {
					query      string
					wantStatus int
					wantBody   string
				}{
					{"greeter=Ada", 200, "Hello, Ada!"},
					{"greeter=", 200, "Hello, World"},
					{"", 400, `{"message":"Missing the required greeter parameter."}`},
				}
				for _, c := range cases {
					status, resp := call(t, kind, routes.GreetingRoute, c.query, "")
					if status != c.wantStatus || resp != c.wantBody {
						t.Errorf("GET /greeting?%s = %d %q, want %d %q", c.query, status, resp, c.wantStatus, c.wantBody)
					}
				}
			})
		})
	}
}

func jsonEqual(a json.RawMessage, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// TestBenchAgainstTheLocalRunnerFindsEveryDelivery is `firstclass bench` on `firstclass local`:
// every route on both API kinds under load, then every accepted request found downstream, the
// gateway overhead read from the runner's access logs, and the three reports written.
func TestBenchAgainstTheLocalRunnerFindsEveryDelivery(t *testing.T) {
	_, out := localRunner(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := bench.Run(ctx, bench.Config{Outputs: out, Stage: "prod", Rate: 25, Warmup: 500 * time.Millisecond, Duration: 2 * time.Second, Routes: routes.Routes})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Failed(); len(f) > 0 {
		t.Errorf("bench failed: %v", f)
	}
	if len(rep.Results) != len(routes.Routes)*len(contract.Kinds) {
		t.Errorf("%d results, want every route on both kinds", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Requests < 40 || r.Delivery.Missing != 0 || r.Delivery.Duplicated != 0 {
			t.Errorf("%s: %d requests, delivery %+v", r.Key(), r.Requests, r.Delivery)
		}
	}
	dir := t.TempDir()
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSONFile(filepath.Join(dir, "run.json")); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTMLFile(filepath.Join(dir, "run.html")); err != nil {
		t.Fatal(err)
	}
	back, err := bench.ReadReportFile(filepath.Join(dir, "run.json"), bench.Pricing{Prices: cost.Default(), Routes: routes.Routes})
	if err != nil || len(back.Results) != len(rep.Results) {
		t.Errorf("the JSON report does not read back: %v", err)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "run.html"))
	for _, want := range []string{"<svg", "SendToQueue", "REST API", "HTTP API"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if strings.Contains(string(html), "http://") && strings.Contains(string(html), "<script src=") {
		t.Error("the HTML report loads a script from elsewhere")
	}
	t.Log("\n" + table.String())
}
