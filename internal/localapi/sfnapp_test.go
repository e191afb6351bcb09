package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
)

// testdata/sfnapp is a cloud assembly written as the CDK writes one: a Go Lambda function, a
// state machine whose Task states invoke it (lambda:invoke with the CDK's retry on Lambda's
// service exceptions and a Catch, a function-ARN task with a Retry on the function's own
// error type, an SQS .waitForTaskToken approval, a Lambda .waitForTaskToken callback and an
// inline Map of Lambda tasks), a rule to a CloudWatch Logs log group and a rule to the
// function through an input transformer, and one to an SNS topic with a raw SQS subscription.

// syncWriter collects the runner's output, which functions write from their own goroutines.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func loadAssembly(t testing.TB, dir string) *cfn.Assembly {
	t.Helper()
	asm, err := cfn.LoadAssembly(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	return asm
}

func serveSfnApp(t *testing.T) (*Runner, *syncWriter) {
	t.Helper()
	logs := &syncWriter{}
	r, err := New(context.Background(), Options{Assembly: loadAssembly(t, "sfnapp"), ModuleDir: moduleDir(t), LogDir: t.TempDir(), Logs: logs})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	return r, logs
}

func TestStateMachineWithLambdaTasksRunsOnTheRealFunction(t *testing.T) {
	r, _ := serveSfnApp(t)
	out, err := r.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	input := func(op string) string {
		b, _ := json.Marshal(map[string]any{"op": op, "n": 21, "endpoint": r.AWSEndpoint(), "lines": []int{1, 2, 3}})
		return string(b)
	}

	t.Run("a rejected order is caught by its error type", func(t *testing.T) {
		arn, err := r.AWS().StartExecution(awslocal.StartExecutionInput{StateMachineArn: out["OrderFlowArn"], Name: "rejected", Input: input("reject")})
		if err != nil {
			t.Fatal(err)
		}
		e, err := r.AWS().WaitExecution(ctx, arn)
		if err != nil || e.Status != "SUCCEEDED" {
			t.Fatalf("%v %+v", err, e)
		}
		var o struct{ Error struct{ Error, Cause string } }
		json.Unmarshal([]byte(e.Output), &o)
		if o.Error.Error != "OrderRejected" || !strings.Contains(o.Error.Cause, `"errorMessage":"the order is over the limit"`) || !strings.Contains(o.Error.Cause, `"errorType":"OrderRejected"`) {
			t.Errorf("caught %+v", o.Error)
		}
	})

	t.Run("an accepted order retries, waits for both tokens and maps its lines", func(t *testing.T) {
		arn, err := r.AWS().StartExecution(awslocal.StartExecutionInput{StateMachineArn: out["OrderFlowArn"], Name: "accepted", Input: input("double")})
		if err != nil {
			t.Fatal(err)
		}
		// The approval waits for a token sent with the order to the queue.
		wait := 20
		msgs, err := r.AWS().ReceiveMessage(ctx, awslocal.ReceiveMessageInput{QueueURL: out["ApprovalsQueueUrl"], WaitTimeSeconds: &wait})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("approval message: %v %d", err, len(msgs))
		}
		var approval struct {
			Token string
			Order struct{ N int }
		}
		json.Unmarshal([]byte(msgs[0].Body), &approval)
		if approval.Order.N != 42 || approval.Token == "" {
			t.Fatalf("approval message %s", msgs[0].Body)
		}
		if err := r.AWS().SendTaskSuccess(approval.Token, `{"approved":true}`); err != nil {
			t.Fatal(err)
		}
		e, err := r.AWS().WaitExecution(ctx, arn)
		if err != nil || e.Status != "SUCCEEDED" {
			t.Fatalf("%v %+v", err, e)
		}
		var o struct {
			Validated struct{ N int }
			Flaky     map[string]string
			Approval  map[string]bool
			Callback  map[string]string
			Doubled   []int
		}
		if err := json.Unmarshal([]byte(e.Output), &o); err != nil {
			t.Fatal(err)
		}
		if o.Validated.N != 42 || o.Flaky["attempt"] != "second" || !o.Approval["approved"] || o.Callback["approvedBy"] != "worker" ||
			len(o.Doubled) != 3 || o.Doubled[2] != 6 {
			t.Errorf("output %s", e.Output)
		}
	})
}

func TestRuleTargetsReachTheLogGroupAndTheFunction(t *testing.T) {
	r, logs := serveSfnApp(t)
	out, _ := r.Outputs()
	if _, failed, err := r.AWS().PutEvents(awslocal.PutEventsEntry{Source: "shop", DetailType: "order placed", Detail: `{"id":"o-9"}`}); err != nil || failed != 0 {
		t.Fatalf("PutEvents: %v %d", err, failed)
	}
	// The log group holds the event, as filter-log-events reads it on the endpoint.
	body := `{"logGroupName":"` + out["OrderEventsLogGroupName"] + `"}`
	res := awsCall(t, r.AWSEndpoint(), "Logs_20140328.FilterLogEvents", body)
	if !strings.Contains(res, `\"detail\":{\"id\":\"o-9\"}`) || !strings.Contains(res, `"logStreamName":"`) {
		t.Errorf("FilterLogEvents = %s", res)
	}
	// The topic's raw subscription holds the event's detail.
	msgs, err := r.AWS().ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: out["NotifiedQueueUrl"]})
	if err != nil || len(msgs) != 1 || msgs[0].Body != `{"id":"o-9"}` {
		t.Errorf("the topic's queue holds %+v (%v)", msgs, err)
	}
	// The function ran asynchronously on the transformed event.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), `recorded "o-9"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the function did not record the event; its output:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awsCall posts a JSON-protocol request to the local endpoint and returns the answer.
func awsCall(t testing.TB, endpoint, target, body string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", target, res.StatusCode, b)
	}
	return string(b)
}

func TestEveryUnsupportedTaskAndTargetIsReportedAtStart(t *testing.T) {
	_, err := New(context.Background(), Options{Assembly: loadAssembly(t, "sfnunsupported"), ModuleDir: moduleDir(t), LogDir: t.TempDir(), Logs: io.Discard})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("New = %v, want a StartError", err)
	}
	want := []string{
		`OrdersTable12345678 (Unsupported/Orders/Resource): no local behaviour for this resource type`,
		`ImportFlowFEEDBEEF (Unsupported/ImportFlow/Resource): Task state "Crawl" in branch 2 of Parallel "Fan": resource arn:aws:states:::glue:startJobRun.sync: no local integration runs this resource; the local Step Functions runs Lambda function ARNs, arn:aws:states:::events:putEvents`,
		`ImportFlowFEEDBEEF (Unsupported/ImportFlow/Resource): Task state "Save": resource arn:aws:states:::dynamodb:putItem: no local integration runs this resource`,
		`ImportFlowFEEDBEEF (Unsupported/ImportFlow/Resource): Task state "Submit" in the iterator of Map "Each": resource arn:aws:states:::batch:submitJob.sync: no local integration runs this resource`,
		`AlertsTopic0C0C0C0C (Unsupported/Alerts/Resource): subscription email → ops@example.com: SNS subscriptions of protocol "email" are not emulated locally (the local SNS delivers to lambda, sqs)`,
		`ToFirehoseRule0BADF00D (Unsupported/ToFirehose/Resource): target Target0 (arn:aws:firehose:us-east-1:000000000000:deliverystream/orders): EventBridge targets of kind "firehose" are not emulated locally`,
		`ToFirehoseRule0BADF00D (Unsupported/ToFirehose/Resource): target Target1 (arn:aws:lambda:us-east-1:000000000000:function:not-in-this-stack): Lambda function arn:aws:lambda:us-east-1:000000000000:function:not-in-this-stack does not exist locally`,
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("start report lacks\n  %s\nreport:\n%s", w, msg)
		}
	}
	if len(se.Problems) != len(want) || strings.Contains(msg, `"Notify"`) {
		t.Errorf("%d problems, want %d (the supported sqs:sendMessage task is not one):\n%s", len(se.Problems), len(want), msg)
	}
}
