package localapi

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
)

var (
	tracedOnce sync.Once
	tracedRun  *served
)

// traced is one runner on the golden template that traces every request.
func traced(t *testing.T) *served {
	t.Helper()
	tracedOnce.Do(func() {
		tracedRun = serveUntilExit(t, Options{Trace: true, NoThrottle: true})
	})
	if tracedRun == nil {
		t.Fatal("the traced runner did not start")
	}
	return tracedRun
}

// traceOf is the trace of the request whose answer carried id in header.
func traceOf(t *testing.T, r *Runner, id string) *Trace {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, tr := range r.Traces(0) {
			if tr.RequestID == id {
				return tr
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no trace of request %s", id)
	return nil
}

func TestFirstClassTraceListsEveryMappedParameterWithItsValue(t *testing.T) {
	s := traced(t)
	body := `{"orderId":"o-1"}`
	for _, tc := range []struct {
		name, path string
		header     []string
		want       map[string]string // parameter → the value the trace must show
	}{
		{"SQS-SendMessage", "/queue", []string{"X-Delay-Seconds", "2"},
			map[string]string{"MessageBody": body, "DelaySeconds": "2", "QueueUrl": s.r.AWS().QueueURL("Firstclass-TargetsQueue4E5D0920")}},
		{"EventBridge-PutEvents", "/events/shop.orders/OrderPlaced", nil,
			map[string]string{"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": body}},
		{"StepFunctions-StartExecution", "/workflow", []string{"X-Execution-Name", "traced-1"},
			map[string]string{"Input": body, "Name": "traced-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, "POST", s.url(contract.HTTP, "dev", tc.path), body, tc.header...)
			if resp.status != 200 {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			tr := traceOf(t, s.r, resp.header.Get("Apigw-Requestid"))
			route := s.r.httpRouteOf("POST " + routePath(tc.path))
			f, ok := route.integ.(*firstClass)
			if !ok {
				t.Fatalf("route %s is not a first-class integration", route.key)
			}
			for name, src := range f.params {
				prefix := "Parameter mapping: " + name + " = " + src + " → "
				if !tr.Has(prefix) {
					t.Errorf("no line %q…\n%s", prefix, tr)
				}
				if want, ok := tc.want[name]; ok && !tr.Has(prefix+want) {
					t.Errorf("parameter %s: want the value %q\n%s", name, want, tr)
				}
			}
			for _, line := range []string{"Starting execution for request: " + tr.RequestID, "Route key: " + route.key + ", Stage: dev",
				"Endpoint request URI: " + s.r.AWSEndpoint(), "Received response. Status: 200", "Method completed with status: 200"} {
				if !tr.Has(line) {
					t.Errorf("no line %q\n%s", line, tr)
				}
			}
		})
	}
}

// routePath is the route key's path of a request path of the golden template's routes.
func routePath(path string) string {
	if strings.HasPrefix(path, "/events/") {
		return "/events/{source}/{detailType}"
	}
	return path
}

func TestRESTTraceShowsTheRenderedTemplateAndTheSelectedResponse(t *testing.T) {
	s := traced(t)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     []string
	}{
		{"Lambda custom, default response", "GET", "/greeting?greeter=Ada", "", 200, []string{
			`Endpoint request body after transformations: {"greeter":"Ada"}`,
			`Integration response selected: 200, the default`,
			`Method response body after transformations: Hello, Ada!`,
		}},
		{"Lambda custom, response selected by its pattern", "GET", "/greeting", "", 400, []string{
			`Endpoint request body after transformations: {}`,
			`Lambda execution failed with status 200 due to customer function error: `,
			`Integration response selected: 400, its selectionPattern`,
			`Method completed with status: 400`,
		}},
		{"SQS, form-encoded template", "POST", "/queue", `{"orderId":"o-2"}`, 200, []string{
			`Endpoint request body after transformations: Action=SendMessage`,
			`Endpoint response body before transformations: {"SendMessageResponse"`,
			`Integration response selected: 200`,
		}},
		{"validator refuses a body", "POST", "/events/a/b", `[1]`, 400, []string{
			`Request body does not match model schema for content type application/json: `,
			`Gateway response type: BAD_REQUEST_BODY with status code: 400`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, tc.method, s.url(contract.REST, "dev", tc.path), tc.body)
			if resp.status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.status, tc.status, resp.body)
			}
			tr := traceOf(t, s.r, resp.header.Get("X-Amzn-Requestid"))
			for _, line := range append(tc.want, "HTTP Method: "+tc.method+", Resource Path: ") {
				if !tr.Has(line) {
					t.Errorf("no line %q\n%s", line, tr)
				}
			}
		})
	}
}

func TestUntracedRunnerKeepsNoTraces(t *testing.T) {
	s := shared(t)
	do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{}`)
	if got := s.r.Traces(0); got != nil {
		t.Errorf("a runner without Options.Trace kept %d traces", len(got))
	}
}

// httpRouteOf finds a served HTTP API route by its key.
func (r *Runner) httpRouteOf(key string) *httpRoute {
	for _, a := range r.httpAPIs {
		for _, rt := range a.routes {
			if rt.key == key {
				return rt
			}
		}
	}
	return nil
}

// serveUntilExit starts a runner on the golden template that outlives the test asking for it;
// TestMain closes it.
func serveUntilExit(t *testing.T, opts Options) *served {
	t.Helper()
	dir, err := os.MkdirTemp("", "localapi-test-")
	if err != nil {
		t.Fatal(err)
	}
	opts.Assembly = &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: golden(t)}}}
	opts.ModuleDir, opts.LogDir, opts.Logs = moduleDir(t), dir, io.Discard
	r, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := r.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	out, err := r.Outputs()
	if err != nil {
		t.Fatalf("Outputs: %v", err)
	}
	s := &served{r: r, out: out, logDir: dir}
	untilExit = append(untilExit, s)
	return s
}
