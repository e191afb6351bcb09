package localapi

import (
	"context"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
	"firstclass/internal/contract"
)

// The runner serves any app's template, not only firstclass's: testdata/otherapp is a cloud
// assembly written as the CDK writes one, with an HTTP API on its $default stage (a greedy
// route, a route with a JSONPath mapping, the $default route) and a REST API with MOCK
// methods, a request validator and gateway responses.
func serveOtherApp(t *testing.T) *Runner {
	t.Helper()
	asm, err := cfn.LoadAssembly(filepath.Join("testdata", "otherapp"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(context.Background(), Options{Assembly: asm, ModuleDir: moduleDir(t), LogDir: t.TempDir(), Logs: io.Discard})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTryCallsEveryRouteOfAnotherAppWithSamplesFromItsTemplate(t *testing.T) {
	r := serveOtherApp(t)
	targets := r.Targets("", nil)
	var keys []string
	for _, tg := range targets {
		keys = append(keys, string(tg.Kind)+" "+tg.Key)
	}
	sort.Strings(keys)
	want := []string{"http $default", "http ANY /files/{proxy+}", "http POST /orders/{orderId}", "rest GET /health", "rest POST /echo"}
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Fatalf("targets = %v, want %v", keys, want)
	}
	for _, tr := range TryAll(context.Background(), targets) {
		if !tr.OK() {
			t.Errorf("%s %s: %v", tr.Kind, tr.Key, tr)
		}
	}
	// What the first-class routes sent: the greedy path, the body's JSONPath, the request path.
	out, err := r.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := r.AWS().ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: out["JobsQueueUrl"], MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, m.Body)
	}
	sort.Strings(bodies)
	if strings.Join(bodies, "|") != "/|sample|sample/proxy" {
		t.Errorf("queue holds %q, want the $default route's path, the orders item and the greedy proxy", bodies)
	}
	if !strings.HasPrefix(out["HttpApiUrl"], "http://127.0.0.1:") || strings.Contains(out["HttpApiUrl"], "$default") {
		t.Errorf("HttpApiUrl = %q, want the listener itself ($default stage)", out["HttpApiUrl"])
	}
}

func TestGatewayResponsesOfTheTemplateOverrideTheDefaults(t *testing.T) {
	r := serveOtherApp(t)
	out, _ := r.Outputs()
	rest := out["RestApiLiveUrl"]
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		wantBody                 string
		wantHeader               map[string]string
	}{
		{"its own override: status, headers from static text and the request, template", "GET", "/nowhere", "", []string{"X-Trace", "t-1"},
			404, `{"error":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN","stage":"live"}`,
			map[string]string{"X-Reason": "no-such-route", "X-Asked": "t-1", "X-Amzn-Errortype": "MissingAuthenticationTokenException"}},
		{"DEFAULT_4XX adds its header to a 4xx without an override of its own", "POST", "/echo?lang=en", `{"name":"x"}`, nil,
			400, `{"message":"Invalid request body"}`,
			map[string]string{"Access-Control-Allow-Origin": "*", "X-Amzn-Errortype": "BadRequestException"}},
		{"a missing required parameter is BAD_REQUEST_PARAMETERS", "POST", "/echo", `{"name":"xy"}`, nil,
			400, `{"message":"Missing required request parameters: [lang]"}`, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"a valid request reaches the MOCK", "POST", "/echo?lang=en", `{"name":"xy"}`, nil, 201, `{"created":true}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.method, JoinURL(rest, tt.path), tt.body, tt.header...)
			if got.status != tt.status || got.body != tt.wantBody {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, got.status, got.body, tt.status, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.header.Get(k), v)
				}
			}
		})
	}
}

func TestRESTErrorsCarryAWSsErrorTypeAndSpacing(t *testing.T) {
	s := shared(t)
	got := do(t, "DELETE", s.url(contract.REST, "dev", "/queue"), "")
	if got.status != 403 || got.body != `{"message":"Missing Authentication Token"}` || got.header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("unknown method = %d %s %v", got.status, got.body, got.header)
	}
	got = do(t, "POST", strings.Replace(s.url(contract.REST, "dev", "/queue"), "/dev/", "/staging/", 1), "{}")
	if got.status != 403 || got.body != `{"message":"Forbidden"}` || got.header.Get("X-Amzn-Errortype") != "ForbiddenException" {
		t.Errorf("unknown stage = %d %s %v", got.status, got.body, got.header)
	}
	got = do(t, "GET", s.url(contract.HTTP, "dev", "/nowhere"), "")
	if got.status != 404 || got.body != `{"message":"Not Found"}` || got.header.Get("X-Amzn-Errortype") != "" || got.header.Get("Apigw-Requestid") == "" {
		t.Errorf("HTTP API no route = %d %s %v, want 404 Not Found with apigw-requestid and no error type", got.status, got.body, got.header)
	}
}

func TestRESTIntegrationErrorsAreSpacedAsAWSsAre(t *testing.T) {
	s := serve(t, faultyTemplate(t, 3, 300), Options{})
	got := do(t, "POST", s.url(contract.REST, "dev", "/greeting"), `{"sleepMs":1000}`)
	if got.status != 504 || got.body != `{"message": "Endpoint request timed out"}` || got.header.Get("X-Amzn-Errortype") != "InternalServerErrorException" {
		t.Errorf("REST integration timeout = %d %q %v", got.status, got.body, got.header)
	}
	got = do(t, "POST", s.url(contract.HTTP, "dev", "/greeting"), `{"sleepMs":1000}`)
	if got.status != 503 || got.body != `{"message":"Service Unavailable"}` || got.header.Get("Content-Type") != "" {
		t.Errorf("HTTP API integration timeout = %d %q %v, want 503 with no Content-Type", got.status, got.body, got.header)
	}
}
