package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"firstclass/internal/cfn"
	"firstclass/internal/lambdalocal"
)

// The suite of real CDK apps: testdata/apps holds apps written the way AWS's examples write
// them, synthesized once (testdata/apps/synth.sh) and committed as cloud assemblies. Each test
// starts the runner on one assembly, as `firstclass local --no-synth` does, and checks that
// each route answers what AWS documents for it.

// serveApp starts the runner on testdata/apps/NAME/cdk.out. A machine without the node or
// python3 an app's functions need skips, naming what is missing.
func serveApp(t *testing.T, name string, opts Options) *served {
	t.Helper()
	return serveAppAssembly(t, loadApp(t, name), opts)
}

// serveAppAssembly starts the runner on an app's assembly, which the test may have changed.
func serveAppAssembly(t *testing.T, asm *cfn.Assembly, opts Options) *served {
	t.Helper()
	name := filepath.Base(filepath.Dir(asm.Dir))
	opts.Assembly = asm
	if opts.LogDir == "" {
		opts.LogDir = t.TempDir()
	}
	if opts.Logs == nil {
		opts.Logs = io.Discard
	}
	r, err := New(context.Background(), opts)
	var se *StartError
	if errors.As(err, &se) {
		for _, p := range se.Problems {
			if strings.Contains(p.What, " or newer") {
				t.Skipf("app %s needs an interpreter this machine lacks: %s", name, p.What)
			}
		}
	}
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	out, err := r.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	return &served{r: r, out: out, logDir: opts.LogDir}
}

// backend is a test server an app's HTTP integrations call: it records each request and
// answers with the status the test sets.
type backend struct {
	*httptest.Server
	mu     sync.Mutex
	got    []*http.Request
	bodies []string
	status int
}

func newBackend(t *testing.T) *backend {
	b := &backend{status: http.StatusTeapot}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		b.mu.Lock()
		b.got, b.bodies = append(b.got, req), append(b.bodies, string(body))
		status := b.status
		b.mu.Unlock()
		w.Header().Set("X-Backend", "yes")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"method":%q,"path":%q,"query":%q}`, req.Method, req.URL.Path, req.URL.RawQuery)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) last() (*http.Request, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.got) == 0 {
		return nil, ""
	}
	return b.got[len(b.got)-1], b.bodies[len(b.bodies)-1]
}

func jsonField(t *testing.T, body string, path ...string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func TestRESTLambdaAppServesEveryNodeAndPythonHandler(t *testing.T) {
	be := newBackend(t)
	logs := &syncWriter{}
	s := serveApp(t, "rest-lambda", Options{Parameters: map[string]string{"Greeting": "Bonjour", "BackendUrl": be.URL}, Logs: logs})
	api := s.out["ApiUrl"]
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string // the body, or with a leading ~ a part of it
		header                   map[string]string
	}{
		{"CommonJS async handler, the parameter in its environment", "GET", "/items", "", 200,
			`{"greeting":"Bonjour","items":[{"id":"1","name":"apple"},{"id":"2","name":"pear"}]}`, map[string]string{"Content-Type": "application/json"}},
		{"the same function on another method", "POST", "/items", `{"name":"fig"}`, 201, `{"created":{"name":"fig"}}`, nil},
		{"the function's own 400", "POST", "/items", `not json`, 400, `{"message":"body is not JSON"}`, nil},
		{"ES module handler with a path parameter", "GET", "/items/2", "", 200, `{"id":"2","name":"pear"}`, map[string]string{"Content-Type": "application/json"}},
		{"the function's own 404", "GET", "/items/9", "", 404, `{"message":"no item 9"}`, nil},
		{"callback handler on nodejs18.x", "GET", "/callback", "", 200, "called back by RestLambdaApp-CallbackFunctionA4FB3452", map[string]string{"Content-Type": "text/plain"}},
		{"Python handler", "GET", "/py?name=Ada", "", 200, `{"message": "Bonjour, Ada!", "function": "RestLambdaApp-PythonFunction0BCF77FD"}`, nil},
		{"HTTP proxy to the backend of the BackendUrl parameter", "GET", "/backend/a/b?q=1", "", 418, `{"method":"GET","path":"/a/b","query":"q=1"}`, map[string]string{"X-Backend": "yes"}},
		{"HTTP non-proxy integration: the response template", "GET", "/status", "", 200, `~"backend": {"method":"GET","path":"/status"`, nil},
	}
	be.status = http.StatusTeapot
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path == "/status" {
				be.mu.Lock()
				be.status = 200
				be.mu.Unlock()
				defer func() { be.mu.Lock(); be.status = http.StatusTeapot; be.mu.Unlock() }()
			}
			got := do(t, tt.method, JoinURL(api, tt.path), tt.body)
			if got.status != tt.status || !bodyMatches(got.body, tt.want) {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, got.status, got.body, tt.status, tt.want)
			}
			for k, v := range tt.header {
				if got.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.header.Get(k), v)
				}
			}
			if got.header.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
	if w := logs.String(); !strings.Contains(w, "warning: skipped 2 deploy-time custom resource(s)") ||
		!strings.Contains(w, "Custom::LogRetention ItemsFunctionLogRetentionD8C763A8") || !strings.Contains(w, "Custom::AWS DescribeStageD27261DB") ||
		strings.Count(w, "deploy-time") != 1 {
		t.Errorf("the start warning does not name both custom resources in one line:\n%s", w)
	}
}

func bodyMatches(body, want string) bool {
	if part, ok := strings.CutPrefix(want, "~"); ok {
		return strings.Contains(body, part)
	}
	return body == want
}

func TestRESTProxyEventHasEveryDocumentedField(t *testing.T) {
	s := serveApp(t, "rest-lambda", Options{Stage: "prod"})
	got := do(t, "GET", JoinURL(s.out["ApiUrl"], "/echo/a/b/?x=1&x=2&y=z"), "", "X-Custom", "v1")
	if got.status != 200 {
		t.Fatalf("GET /echo = %d %s", got.status, got.body)
	}
	if c := got.header.Values("Set-Cookie"); strings.Join(c, "|") != "a=1|b=2" {
		t.Errorf("Set-Cookie = %v, want the function's multiValueHeaders a=1 and b=2", c)
	}
	want := map[string]any{
		"resource": "/echo/{proxy+}", "path": "/echo/a/b/", "httpMethod": "GET",
		"body": nil, "isBase64Encoded": false, "stageVariables": nil,
	}
	for k, v := range want {
		if g := jsonField(t, got.body, k); fmt.Sprint(g) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
	checks := []struct {
		path []string
		want string
	}{
		{[]string{"pathParameters", "proxy"}, "a/b"},
		{[]string{"queryStringParameters", "x"}, "2"},
		{[]string{"multiValueQueryStringParameters", "x"}, "[1 2]"},
		{[]string{"queryStringParameters", "y"}, "z"},
		{[]string{"headers", "X-Custom"}, "v1"},
		{[]string{"multiValueHeaders", "X-Custom"}, "[v1]"},
		{[]string{"requestContext", "stage"}, "prod"},
		{[]string{"requestContext", "resourcePath"}, "/echo/{proxy+}"},
		{[]string{"requestContext", "path"}, "/prod/echo/a/b/"},
		{[]string{"requestContext", "httpMethod"}, "GET"},
		{[]string{"requestContext", "protocol"}, "HTTP/1.1"},
		{[]string{"requestContext", "accountId"}, "000000000000"},
		{[]string{"requestContext", "identity", "sourceIp"}, "127.0.0.1"},
		{[]string{"requestContext", "identity", "userArn"}, "<nil>"},
		{[]string{"requestContext", "requestId"}, got.header.Get("X-Amzn-Requestid")},
	}
	for _, c := range checks {
		if g := fmt.Sprint(jsonField(t, got.body, c.path...)); g != c.want {
			t.Errorf("%s = %s, want %s", strings.Join(c.path, "."), g, c.want)
		}
	}
	for _, k := range []string{"apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId", "requestTime", "requestTimeEpoch", "resourceId"} {
		if jsonField(t, got.body, "requestContext", k) == nil {
			t.Errorf("requestContext.%s is missing", k)
		}
	}
	post := do(t, "POST", JoinURL(s.out["ApiUrl"], "/echo/x"), `{"k":"v"}`)
	if b := jsonField(t, post.body, "body"); b != `{"k":"v"}` {
		t.Errorf("POST body in the event = %v", b)
	}
}

// The answers of API Gateway to each shape of proxy response, as LocalStack's snapshots
// record AWS giving them (lambdaproxy.go lists the rules and the sources).
func TestRESTProxyAnswersEachResponseShapeAsAWSDoes(t *testing.T) {
	s := serveApp(t, "rest-lambda", Options{})
	tests := []struct {
		shape  string
		status int
		body   string
		header map[string][]string
	}{
		{"no-body", 200, "", map[string][]string{"Content-Type": {"application/json"}}},
		{"status-string", 201, "", nil},
		{"status-invalid", 502, `{"message": "Internal server error"}`, nil},
		{"headers-bool", 200, "", map[string][]string{"X-Flag": {"true"}}},
		{"headers-null", 200, "", nil},
		{"multi-headers", 200, "", map[string][]string{"X-Multi": {"one", "two", "solo"}}},
		{"multi-headers-invalid", 502, `{"message": "Internal server error"}`, nil},
		{"unknown-field", 502, `{"message": "Internal server error"}`, nil},
		{"only-headers", 200, "", map[string][]string{"X-Only": {"value"}}},
		{"base64", 200, "dGVzdC1kYXRh", nil}, // no binaryMediaTypes: sent as it is
		{"string", 502, `{"message": "Internal server error"}`, nil},
		{"null", 502, `{"message": "Internal server error"}`, nil},
		{"throw", 502, `{"message": "Internal server error"}`, map[string][]string{"X-Amzn-Errortype": {"InternalServerErrorException"}}},
	}
	for _, tt := range tests {
		t.Run(tt.shape, func(t *testing.T) {
			got := do(t, "GET", JoinURL(s.out["ApiUrl"], "/shapes?shape="+tt.shape), "")
			if got.status != tt.status || got.body != tt.body {
				t.Errorf("%s = %d %q, want %d %q", tt.shape, got.status, got.body, tt.status, tt.body)
			}
			for k, v := range tt.header {
				if g := got.header.Values(k); strings.Join(g, "|") != strings.Join(v, "|") {
					t.Errorf("header %s = %v, want %v", k, g, v)
				}
			}
		})
	}
}

func TestRESTCORSPreflightIsTheTemplatesMockMethod(t *testing.T) {
	s := serveApp(t, "rest-lambda", Options{})
	tests := []struct{ origin, allow string }{
		{"https://app.example.com", "https://app.example.com"},
		{"https://admin.example.com", "https://admin.example.com"}, // the template's override wins
		{"https://evil.example.com", "https://app.example.com"},    // the CDK's template: the first origin
	}
	for _, tt := range tests {
		got := do(t, "OPTIONS", JoinURL(s.out["ApiUrl"], "/items"), "", "Origin", tt.origin, "Access-Control-Request-Method", "POST")
		if got.status != 204 || got.header.Get("Access-Control-Allow-Origin") != tt.allow ||
			got.header.Get("Access-Control-Allow-Methods") != "GET,POST,OPTIONS" || got.header.Get("Access-Control-Allow-Headers") != "Content-Type,Authorization" ||
			got.header.Get("Access-Control-Max-Age") != "600" || got.header.Get("Vary") != "Origin" {
			t.Errorf("preflight from %s = %d %v, want 204 allowing %s", tt.origin, got.status, got.header, tt.allow)
		}
	}
}

func TestRESTHTTPIntegrationsAnswerAsAPIGatewayWhenTheBackendFails(t *testing.T) {
	be := newBackend(t)
	be.status = http.StatusServiceUnavailable
	s := serveApp(t, "rest-lambda", Options{Parameters: map[string]string{"BackendUrl": be.URL}})
	got := do(t, "GET", JoinURL(s.out["ApiUrl"], "/status"), "")
	if got.status != 503 || got.body != `{"message": "backend unavailable"}` {
		t.Errorf("a 503 of the backend = %d %s, want the 5\\d{2} integration response", got.status, got.body)
	}
	// The default BackendUrl has nothing listening.
	s = serveApp(t, "rest-lambda", Options{})
	for _, path := range []string{"/backend/x", "/status"} {
		got = do(t, "GET", JoinURL(s.out["ApiUrl"], path), "")
		if got.status != 500 || got.body != `{"message": "Internal server error"}` || got.header.Get("X-Amzn-Errortype") != "InternalServerErrorException" {
			t.Errorf("%s to an unreachable backend = %d %s %v", path, got.status, got.body, got.header)
		}
	}
}

func TestLambdaRestAPIProxiesEveryPathWithAnyOriginCORS(t *testing.T) {
	s := serveApp(t, "lambda-rest-api", Options{})
	var base string
	for k, v := range s.out {
		if strings.HasPrefix(k, "Endpoint") {
			base = v
		}
	}
	for _, path := range []string{"/", "/any/path"} {
		got := do(t, "GET", JoinURL(base, path), "")
		if got.status != 200 || got.body != "Hello, CDK! You've hit "+path+"\n" {
			t.Errorf("GET %s = %d %q", path, got.status, got.body)
		}
	}
	got := do(t, "OPTIONS", JoinURL(base, "/any/path"), "", "Origin", "https://example.org", "Access-Control-Request-Method", "DELETE")
	if got.status != 204 || got.header.Get("Access-Control-Allow-Origin") != "*" || got.header.Get("Access-Control-Allow-Methods") != "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD" {
		t.Errorf("preflight = %d %v", got.status, got.header)
	}
}

func TestHTTPAPIAppServesLambdaPayloadsHTTPProxyAndCORS(t *testing.T) {
	be := newBackend(t)
	s := serveApp(t, "http-api", Options{Parameters: map[string]string{"BackendUrl": be.URL}})
	api := s.out["HttpApiUrl"]
	origin := []string{"Origin", "https://app.example.com"}
	tests := []struct {
		name, method, path string
		header             []string
		status             int
		want               string
		wantHeader         map[string]string
	}{
		{"payload 2.0: an object without statusCode is a 200 JSON body", "GET", "/hello/Ada", nil, 200,
			`{"message":"hello, Ada","routeKey":"GET /hello/{name}"}`, map[string]string{"Content-Type": "application/json"}},
		{"payload 1.0 to Python", "GET", "/v1/hello?a=1&a=2", nil, 200,
			`{"method": "GET", "path": "/v1/hello", "resource": "/v1/hello", "query": {"a": ["1", "2"]}}`, map[string]string{"X-Version": "1.0"}},
		{"HTTP proxy with the greedy path and the query string", "POST", "/backend/x/y?z=1", nil, 418,
			`{"method":"POST","path":"/x/y","query":"z=1"}`, map[string]string{"X-Backend": "yes"}},
		{"the $default route, its function's CORS header replaced by the API's", "GET", "/nowhere", origin, 404,
			`{"message":"nothing at /nowhere","routeKey":"$default"}`, map[string]string{"Access-Control-Allow-Origin": "https://app.example.com",
				"Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "x-request-id"}},
		{"no Origin: no CORS headers, the function's dropped", "GET", "/nowhere", nil, 404, `~nothing at /nowhere`, map[string]string{"Access-Control-Allow-Origin": ""}},
		{"preflight answered by the gateway", "OPTIONS", "/hello/x", append(origin, "Access-Control-Request-Method", "GET"), 204, "",
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET,POST",
				"Access-Control-Allow-Headers": "content-type,authorization", "Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true"}},
		{"preflight from an origin not allowed: no CORS headers", "OPTIONS", "/hello/x", []string{"Origin", "https://evil.example.com", "Access-Control-Request-Method", "GET"}, 204, "",
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}},
		{"OPTIONS without Access-Control-Request-Method is routed ($default)", "OPTIONS", "/hello/x", origin, 404, `~"routeKey":"$default"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.method, JoinURL(api, tt.path), "", tt.header...)
			if got.status != tt.status || !bodyMatches(got.body, tt.want) {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, got.status, got.body, tt.status, tt.want)
			}
			for k, v := range tt.wantHeader {
				if got.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.header.Get(k), v)
				}
			}
		})
	}
	if req, _ := be.last(); req == nil || req.Header.Get("X-Forwarded-For") != "127.0.0.1" {
		t.Errorf("the backend got %v, want X-Forwarded-For 127.0.0.1", req)
	}
	unreachable := serveApp(t, "http-api", Options{})
	got := do(t, "GET", JoinURL(unreachable.out["HttpApiUrl"], "/backend/x"), "")
	if got.status != 500 || got.body != `{"message":"Internal Server Error"}` {
		t.Errorf("HTTP proxy to nothing = %d %s, want 500 Internal Server Error", got.status, got.body)
	}
}

func TestNestedStackServesWithTheParentsParameters(t *testing.T) {
	for _, tt := range []struct {
		params map[string]string
		want   string
	}{
		{nil, "Hello from the nested stack"},
		{map[string]string{"NestedApp:Greeting": "Hi"}, "Hi from the nested stack"},
	} {
		s := serveApp(t, "nested", Options{Parameters: tt.params})
		url := s.out["ServiceUrl"]
		if !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Fatalf("ServiceUrl = %q, want the nested API's local URL", url)
		}
		got := do(t, "GET", JoinURL(url, "/greet"), "")
		if got.status != 200 || jsonField(t, got.body, "message") != tt.want {
			t.Errorf("with %v: GET /greet = %d %s, want %q", tt.params, got.status, got.body, tt.want)
		}
	}
}

func loadApp(t *testing.T, name string) *cfn.Assembly {
	t.Helper()
	asm, err := cfn.LoadAssembly(filepath.Join("testdata", "apps", name, "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	return asm
}

// Everything the runner cannot run is one report at start: here a parameter without a value,
// a --parameters name the template lacks, a value AllowedValues refuse, a Java function, a
// container image, layers and a missing interpreter, each with the resource that has it.
func TestStartReportsEveryProblemOfTheAppAtOnce(t *testing.T) {
	asm := loadApp(t, "rest-lambda")
	tmpl := asm.Stacks[0].Template
	tmpl.Parameters["Region"] = &cfn.Parameter{Name: "Region", Type: "String"}
	tmpl.Parameters["Size"] = &cfn.Parameter{Name: "Size", Type: "String", Default: "small", AllowedValues: []any{"small", "large"}}
	setRuntime := func(id, runtime string) { tmpl.Resources[id].Properties["Runtime"] = runtime }
	setRuntime("CallbackFunctionA4FB3452", "java21")
	tmpl.Resources["EchoFunction7EBBA557"].Properties["PackageType"] = "Image"
	tmpl.Resources["ShapesFunctionAFB02F39"].Properties["Layers"] = []any{"arn:aws:lambda:us-east-1:123456789012:layer:x:1"}
	_, err := New(context.Background(), Options{Assembly: asm, LogDir: t.TempDir(), Logs: io.Discard, Node: "/nonexistent/node",
		Parameters: map[string]string{"Size": "huge", "Colour": "red"}})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("New = %v, want a StartError", err)
	}
	want := map[string]string{
		"Region":                   "parameter Region (String) has no default and no value",
		"Size":                     `value "huge" is not one of its AllowedValues`,
		"Colour":                   "--parameters Colour: the stack RestLambdaApp has no such parameter",
		"CallbackFunctionA4FB3452": "java21",
		"EchoFunction7EBBA557":     "container image",
		"ShapesFunctionAFB02F39":   "layers are not emulated",
		"ItemsFunction736859B1":    "/nonexistent/node",
		"ItemFunctionA294B384":     "/nonexistent/node",
	}
	found := map[string]bool{}
	for _, p := range se.Problems {
		if w, ok := want[p.LogicalID]; ok && strings.Contains(p.String(), w) {
			found[p.LogicalID] = true
		}
	}
	for id, w := range want {
		if !found[id] {
			t.Errorf("no problem of %s saying %q in:\n%v", id, w, err)
		}
	}
	for _, p := range se.Problems {
		if strings.HasPrefix(p.Type, "AWS::ApiGateway::") {
			t.Errorf("a method is reported for its function's problem: %s", p)
		}
	}
}

// BenchmarkAppColdStart starts the runner on the rest-lambda app and sends one request to
// each of its five Node.js functions, each a cold start, then stops it: the time from New to
// the fifth answer. StartOnly, the baseline in the same run, starts and stops the runner
// without a request: the difference is the five functions' cold starts. Run with
// -bench AppColdStart.
func BenchmarkAppColdStart(b *testing.B) {
	asm, err := cfn.LoadAssembly(filepath.Join("testdata", "apps", "rest-lambda", "cdk.out"))
	if err != nil {
		b.Fatal(err)
	}
	nodeRoutes := []string{"/items", "/items/1", "/callback", "/echo/x", "/shapes?shape=no-body"}
	for _, bc := range []struct {
		name   string
		routes []string
	}{{"StartOnly", nil}, {"FiveNodeFunctions", nodeRoutes}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r, err := New(context.Background(), Options{Assembly: asm, LogDir: b.TempDir(), Logs: io.Discard, Port: 0})
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Start(); err != nil {
					b.Fatal(err)
				}
				out, _ := r.Outputs()
				for _, route := range bc.routes {
					resp, err := http.Get(JoinURL(out["ApiUrl"], route))
					if err != nil || resp.StatusCode != 200 {
						b.Fatalf("GET %s: %v %v", route, err, resp)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				r.Close()
			}
		})
	}
}

// A provided.al2023 or go1.x function runs its asset's own executable: here the http-api app's
// hello function with its code replaced by a bootstrap built for this host.
func TestProvidedAndGo1FunctionsRunTheirAssetsExecutable(t *testing.T) {
	code := t.TempDir()
	bin, err := lambdalocal.Build(context.Background(), moduleDir(t), "./internal/localapi/testdata/faulty", code)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(bin) != "bootstrap" {
		t.Fatalf("built %s, want a bootstrap", bin)
	}
	for _, runtime := range []string{"provided.al2023", "provided.al2", "go1.x"} {
		t.Run(runtime, func(t *testing.T) {
			asm := loadApp(t, "http-api")
			fn := asm.Stacks[0].Template.Resources["HelloFunctionD909AE8C"]
			fn.Properties["Runtime"], fn.Properties["Handler"] = runtime, "bootstrap"
			fn.Metadata["aws:asset:path"] = code
			s := serveAppAssembly(t, asm, Options{})
			got := do(t, "GET", JoinURL(s.out["HttpApiUrl"], "/hello/x"), "")
			if got.status != 200 || got.body != "ok" {
				t.Errorf("GET /hello/x on %s = %d %s, want the bootstrap's ok", runtime, got.status, got.body)
			}
		})
	}
}

// An isBase64Encoded proxy answer is decoded only for a client that accepts one of the API's
// binaryMediaTypes; a binary request body reaches the function base64-encoded.
func TestRESTProxyDecodesBinaryAnswersForBinaryMediaTypes(t *testing.T) {
	asm := loadApp(t, "rest-lambda")
	asm.Stacks[0].Template.Resources["ItemsApi3788C05C"].Properties["BinaryMediaTypes"] = []any{"application/octet-stream"}
	s := serveAppAssembly(t, asm, Options{})
	for _, tt := range []struct{ accept, want string }{{"application/octet-stream", "test-data"}, {"application/json", "dGVzdC1kYXRh"}} {
		got := do(t, "GET", JoinURL(s.out["ApiUrl"], "/shapes?shape=base64"), "", "Accept", tt.accept)
		if got.status != 200 || got.body != tt.want {
			t.Errorf("Accept %s = %d %q, want %q", tt.accept, got.status, got.body, tt.want)
		}
	}
	got := do(t, "POST", JoinURL(s.out["ApiUrl"], "/echo/bin"), "\x00\x01", "Content-Type", "application/octet-stream")
	if jsonField(t, got.body, "body") != "AAE=" || jsonField(t, got.body, "isBase64Encoded") != true {
		t.Errorf("binary body in the event = %v %v", jsonField(t, got.body, "body"), jsonField(t, got.body, "isBase64Encoded"))
	}
}
