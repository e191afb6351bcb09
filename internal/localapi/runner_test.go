package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/routes"
)

// The tests serve the golden template of test/ (the app as it synthesizes, refreshed with
// go test ./test -update), so they need no jsii synth; test/ runs the runner on a fresh synth.
const goldenTemplate = "test/testdata/Firstclass.template.json"

func moduleDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for ; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod above the test")
		}
	}
}

// golden returns a fresh copy of the golden template, which a test may change.
func golden(t testing.TB) *cfn.Template {
	t.Helper()
	tmpl, err := cfn.LoadTemplate(filepath.Join(moduleDir(t), goldenTemplate))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// served is a started runner and its outputs.
type served struct {
	r      *Runner
	out    contract.Outputs
	logDir string
}

// serve starts a runner on tmpl with opts (Assembly, ModuleDir, Port and LogDir filled in).
func serve(t testing.TB, tmpl *cfn.Template, opts Options) *served {
	t.Helper()
	opts.Assembly = &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}}
	opts.ModuleDir = moduleDir(t)
	if opts.LogDir == "" {
		opts.LogDir = t.TempDir()
	}
	if opts.Logs == nil {
		opts.Logs = io.Discard
	}
	r, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	out, err := r.Outputs()
	if err != nil {
		t.Fatalf("Outputs: %v", err)
	}
	return &served{r: r, out: out, logDir: opts.LogDir}
}

var (
	sharedOnce sync.Once
	sharedRun  *served
	untilExit  []*served // runners that outlive their tests, closed by TestMain
)

// shared is one runner on the golden template for the tests that only send requests; tests
// that need a fresh state or another template start their own.
func shared(t *testing.T) *served {
	t.Helper()
	sharedOnce.Do(func() {
		// Not t.Cleanup: the runner outlives the first test that asks for it.
		tmpl := golden(t)
		dir, err := os.MkdirTemp("", "localapi-test-")
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(context.Background(), Options{
			Assembly:  &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}},
			ModuleDir: moduleDir(t), LogDir: dir, Logs: io.Discard, NoThrottle: true,
		})
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
		sharedRun = &served{r: r, out: out, logDir: dir}
	})
	if sharedRun == nil {
		t.Fatal("the shared runner did not start")
	}
	return sharedRun
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedRun != nil {
		sharedRun.r.Close()
		os.RemoveAll(sharedRun.logDir)
	}
	for _, s := range untilExit {
		s.r.Close()
		os.RemoveAll(s.logDir)
	}
	os.Exit(code)
}

// response is what a client got.
type response struct {
	status int
	header http.Header
	body   string
}

func (s *served) url(kind contract.Kind, stage, path string) string {
	return JoinURL(s.out[contract.APIURLOutput(kind, stage)], path)
}

func do(t testing.TB, method, url, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func TestOutputsHaveTheKeysOfTheTemplateAndPointAtTheRunner(t *testing.T) {
	s := shared(t)
	tmpl := golden(t)
	for key := range tmpl.Outputs {
		v, ok := s.out[key]
		if !ok || v == "" {
			t.Errorf("output %s is missing", key)
			continue
		}
		if strings.Contains(v, "amazonaws.com") {
			t.Errorf("output %s = %s still points at AWS", key, v)
		}
	}
	if len(s.out) != len(tmpl.Outputs)+1 || s.out[contract.AWSEndpointOutput] != s.r.AWSEndpoint() {
		t.Errorf("want the template's %d outputs plus %s, got %d: %v", len(tmpl.Outputs), contract.AWSEndpointOutput, len(s.out), s.out)
	}
	for _, kind := range contract.Kinds {
		for _, stage := range []string{"dev", "prod"} {
			u := s.out[contract.APIURLOutput(kind, stage)]
			if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.Contains(u, "/"+stage) {
				t.Errorf("%s %s base URL = %q, want a local URL with the stage", kind, stage, u)
			}
			if log := s.out[contract.AccessLogGroupOutput(kind, stage)]; !strings.HasPrefix(log, "file://") {
				t.Errorf("%s %s access log = %q, want a file:// URL", kind, stage, log)
			}
		}
	}
	var buf bytes.Buffer
	if err := contract.WriteOutputs(&buf, s.r.StackName(), s.out); err != nil {
		t.Fatal(err)
	}
	back, err := contract.ReadOutputs(&buf, "")
	if err != nil || len(back) != len(s.out) {
		t.Errorf("outputs do not round-trip through the outputs file: %v %v", back, err)
	}
}

func TestUnknownRoutesGetTheStatusAPIGatewayGives(t *testing.T) {
	s := shared(t)
	cases := []struct {
		name         string
		kind         contract.Kind
		method, path string
		status       int
		message      string
	}{
		{"HTTP API unknown path", contract.HTTP, "POST", "/nowhere", 404, "Not Found"},
		{"HTTP API wrong method", contract.HTTP, "GET", "/queue", 404, "Not Found"},
		{"HTTP API unknown stage", contract.HTTP, "POST", "../staging/queue", 404, "Not Found"},
		{"REST API unknown path", contract.REST, "POST", "/nowhere", 403, "Missing Authentication Token"},
		{"REST API wrong method", contract.REST, "DELETE", "/queue", 403, "Missing Authentication Token"},
		{"REST API path too deep", contract.REST, "POST", "/events/a/b/c", 403, "Missing Authentication Token"},
		{"REST API unknown stage", contract.REST, "POST", "../staging/queue", 403, "Forbidden"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := s.url(c.kind, "dev", c.path)
			u = strings.Replace(u, "/dev/../", "/", 1)
			got := do(t, c.method, u, `{}`)
			if got.status != c.status || got.json(t)["message"] != c.message {
				t.Errorf("%s %s = %d %s, want %d {\"message\":%q}", c.method, u, got.status, got.body, c.status, c.message)
			}
		})
	}
}

func TestEveryStageServesEveryRoute(t *testing.T) {
	s := shared(t)
	for _, stage := range []string{"dev", "prod"} {
		for _, tr := range TryRoutes(context.Background(), s.out, routes.Routes, stage) {
			if tr.Failed() {
				t.Errorf("%s %s %s: %v", stage, tr.Kind, tr.Key, tr)
			}
		}
	}
}

func TestHTTPAPIPassesTheServicesOwnAnswer(t *testing.T) {
	s := shared(t)
	got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`)
	if got.status != 200 || !strings.HasPrefix(got.body, `<?xml version="1.0"?><SendMessageResponse`) {
		t.Errorf("HTTP API SQS-SendMessage = %d %s, want SQS's query-protocol XML", got.status, got.body)
	}
	got = do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`)
	if got.status != 200 || !strings.HasPrefix(got.body, `{"SendMessageResponse":{`) {
		t.Errorf("REST API SQS = %d %s, want SQS's answer as JSON", got.status, got.body)
	}
	got = do(t, "POST", s.url(contract.HTTP, "dev", "/workflow"), `{"a":1}`)
	if got.status != 200 || !strings.Contains(got.body, `"startDate":1.`) || !strings.Contains(got.body, "E9") {
		t.Errorf("StartExecution = %d %s, want startDate as an E-notation number", got.status, got.body)
	}
}

func TestRESTValidatorRejectsABodyThatIsNotAJSONObject(t *testing.T) {
	s := shared(t)
	for _, body := range []string{`not json`, `[1,2]`, `"text"`} {
		got := do(t, "POST", s.url(contract.REST, "dev", "/events/src/Type"), body)
		if got.status != 400 || got.json(t)["message"] != "Invalid request body" {
			t.Errorf("body %s: %d %s, want 400 Invalid request body", body, got.status, got.body)
		}
	}
}

func TestEventBridgeRejectsMalformedDetailWithA200OnHTTPAndA500OnREST(t *testing.T) {
	s := shared(t)
	// The HTTP API's first-class route hands back PutEvents' own 200, whose entry failed:
	// that is AWS's behaviour, and why the REST route's response template turns it into a 500.
	got := do(t, "POST", s.url(contract.HTTP, "dev", "/events/src/Type"), `not json`)
	if got.status != 200 || got.json(t)["FailedEntryCount"] != float64(1) {
		t.Errorf("HTTP API malformed detail = %d %s, want 200 with FailedEntryCount 1", got.status, got.body)
	}
}

func TestThrottledStageAnswers429PerRoute(t *testing.T) {
	// The dev stage allows each route a burst of 50: 80 requests at once to each of two
	// routes cannot all pass, but each route gets its own 50. Its rate is lowered to 1 a
	// second so that a busy machine straggling the 80 over a second or more cannot refill
	// the bucket.
	tmpl := golden(t)
	for _, st := range tmpl.OfType("AWS::ApiGatewayV2::Stage") {
		if rs, ok := st.Properties["DefaultRouteSettings"].(map[string]any); ok {
			rs["ThrottlingRateLimit"] = 1.0
		}
	}
	for _, st := range tmpl.OfType("AWS::ApiGateway::Stage") {
		for _, m := range st.Properties["MethodSettings"].([]any) {
			if ms := m.(map[string]any); ms["ThrottlingRateLimit"] != nil {
				ms["ThrottlingRateLimit"] = 1.0
			}
		}
	}
	s := serve(t, tmpl, Options{})
	for _, kind := range contract.Kinds {
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]map[int]int{"/queue": {}, "/workflow": {}}
		for i := 0; i < 80; i++ {
			for path := range counts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := do(t, "POST", s.url(kind, "dev", path), `{"n":1}`)
					mu.Lock()
					counts[path][got.status]++
					mu.Unlock()
					if got.status == 429 && got.json(t)["message"] != "Too Many Requests" {
						t.Errorf("429 body = %s", got.body)
					}
				}()
			}
		}
		wg.Wait()
		for path, c := range counts {
			if c[429] == 0 || c[200] < 50 || c[200]+c[429] != 80 {
				t.Errorf("%s %s statuses %v: want the route's own burst (50) to pass and the rest 429", kind, path, c)
			}
		}
		if kind == contract.HTTP {
			// What was accepted is in the queue, no more, no less.
			attrs, err := s.r.AWS().GetQueueAttributes(s.out[routes.QueueURLOutput], "ApproximateNumberOfMessages")
			if err != nil || attrs["ApproximateNumberOfMessages"] != itoa(counts["/queue"][200]) {
				t.Errorf("queue holds %v (%v), want %d", attrs, err, counts["/queue"][200])
			}
		}
	}
}

func TestRESTMethodSettingsThrottleOneMethod(t *testing.T) {
	tmpl := golden(t)
	for _, st := range tmpl.OfType("AWS::ApiGateway::Stage") {
		ms := st.Properties["MethodSettings"].([]any)
		st.Properties["MethodSettings"] = append(ms, map[string]any{"ResourcePath": "/~1workflow~1sync", "HttpMethod": "POST", "ThrottlingRateLimit": 1.0, "ThrottlingBurstLimit": 2.0})
	}
	s := serve(t, tmpl, Options{})
	statuses := []int{}
	for i := 0; i < 4; i++ {
		statuses = append(statuses, do(t, "POST", s.url(contract.REST, "dev", "/workflow/sync"), `{}`).status)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[3] != 429 {
		t.Errorf("4 quick requests to a method with burst 2: %v, want 200 200 … 429", statuses)
	}
	if got := do(t, "POST", s.url(contract.REST, "dev", "/workflow"), `{}`); got.status != 200 {
		t.Errorf("another method is throttled too: %d", got.status)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestMissingQueueGivesTheServiceErrorNotASuccess(t *testing.T) {
	s := serve(t, golden(t), Options{})
	if err := s.r.AWS().DeleteQueue(s.out[routes.QueueURLOutput]); err != nil {
		t.Fatal(err)
	}
	got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`)
	if got.status != 400 || !strings.Contains(got.body, "NonExistentQueue") {
		t.Errorf("HTTP API to a deleted queue = %d %s, want SQS's 400 NonExistentQueue", got.status, got.body)
	}
	got = do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`)
	if got.status != 400 || !strings.Contains(got.body, "NonExistentQueue") {
		t.Errorf("REST API to a deleted queue = %d %s, want 400 (selection pattern 4\\d{2}) with SQS's error", got.status, got.body)
	}
}

func TestRESTAnswersAContentTypeWithoutATemplate415(t *testing.T) {
	// firstclass's REST integrations pass nothing through (NEVER): a body of a type they have
	// no template for is refused by the gateway; the HTTP API has no such check.
	s := shared(t)
	got := do(t, "POST", s.url(contract.REST, "dev", "/queue"), `plain`, "Content-Type", "text/plain")
	if got.status != 415 || got.json(t)["message"] != "Unsupported Media Type" || got.header.Get("x-amzn-ErrorType") != "BadRequestException" {
		t.Errorf("REST text/plain body = %d %s %v, want 415 Unsupported Media Type, BadRequestException", got.status, got.body, got.header)
	}
	if got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `plain`, "Content-Type", "text/plain"); got.status != 200 {
		t.Errorf("HTTP API text/plain body = %d %s, want 200", got.status, got.body)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	s := shared(t)
	big := `{"pad":"` + strings.Repeat("x", maxPayload) + `"}`
	for _, kind := range contract.Kinds {
		got := do(t, "POST", s.url(kind, "dev", "/queue"), big)
		if got.status != 413 {
			t.Errorf("%s: %d %s, want 413", kind, got.status, got.body)
		}
	}
}

func TestAccessLogLinesAreJSONWithIntegrationFields(t *testing.T) {
	s := serve(t, golden(t), Options{})
	do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`)
	do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`)
	do(t, "POST", s.url(contract.HTTP, "dev", "/nowhere"), `{}`)
	if err := s.r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, kind := range contract.Kinds {
		file := strings.TrimPrefix(s.out[contract.AccessLogGroupOutput(kind, "dev")], "file://")
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for _, line := range lines {
			var rec map[string]string
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%s: line is not JSON: %v\n%s", kind, err, line)
			}
			for _, f := range contract.AccessLogFields(kind) {
				if _, ok := rec[f.Key]; !ok {
					t.Errorf("%s: line lacks %s: %s", kind, f.Key, line)
				}
			}
		}
		first := map[string]string{}
		json.Unmarshal([]byte(lines[0]), &first)
		if first["status"] != "200" || first["integrationStatus"] != "200" || first["integrationLatency"] == "-" || first["path"] != "/dev/queue" {
			t.Errorf("%s: first line %v, want status 200, integration status 200 and a latency", kind, first)
		}
		if kind == contract.HTTP {
			if len(lines) != 2 {
				t.Fatalf("HTTP dev log has %d lines, want 2:\n%s", len(lines), b)
			}
			miss := map[string]string{}
			json.Unmarshal([]byte(lines[1]), &miss)
			if miss["status"] != "404" || miss["routeKey"] != "-" || miss["integrationLatency"] != "-" {
				t.Errorf("unrouted request logged as %v, want 404 with no route and no integration", miss)
			}
		}
	}
}

func TestOnlyTheChosenStageIsServed(t *testing.T) {
	s := serve(t, golden(t), Options{Stage: "prod"})
	if _, ok := s.out[contract.APIURLOutput(contract.HTTP, "prod")]; !ok {
		t.Fatal("prod is not served")
	}
	for _, a := range s.r.APIs() {
		if len(a.Stages) != 1 || a.Stages[0].Name != "prod" {
			t.Errorf("%s serves %v, want prod only", a.LogicalID, a.Stages)
		}
	}
	got := do(t, "POST", s.url(contract.HTTP, "prod", "../dev/queue"), `{}`)
	if got.status != 404 {
		t.Errorf("dev on a prod-only runner = %d, want 404", got.status)
	}
	_, err := New(context.Background(), Options{Assembly: &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: golden(t)}}}, ModuleDir: moduleDir(t), Stage: "qa", LogDir: t.TempDir(), Logs: io.Discard})
	if err == nil || !strings.Contains(err.Error(), `no stage to serve named "qa"`) {
		t.Errorf("unknown --stage: %v", err)
	}
}

func TestResourcesItCannotEmulateStopItAtStartNamingThem(t *testing.T) {
	cases := []struct {
		name   string
		change func(*cfn.Template)
		want   string
	}{
		{"unknown resource type", func(t *cfn.Template) {
			t.Resources["Bucket83908E77"] = &cfn.Resource{LogicalID: "Bucket83908E77", Type: "AWS::S3::Bucket", Properties: map[string]any{"WebsiteConfiguration": map[string]any{"IndexDocument": "index.html"}}, Metadata: map[string]any{"aws:cdk:path": "Firstclass/Bucket/Resource"}}
		}, "cannot emulate AWS::S3::Bucket Bucket83908E77 (Firstclass/Bucket/Resource)"},
		{"malformed mapping", func(t *cfn.Template) {
			in := t.Resources["HttpApiRouteSendToQueueSendToQueueIntegration03FAB186"]
			in.Properties["RequestParameters"].(map[string]any)["MessageBody"] = "$request.body..x"
		}, `parameter "MessageBody"`},
		{"broken VTL", func(t *cfn.Template) {
			m := t.Resources["RestApiqueuePOST0C412432"].Properties["Integration"].(map[string]any)
			m["RequestTemplates"] = map[string]any{"application/json": "#if($x"}
		}, "request template application/json"},
		{"scheduled rule", func(t *cfn.Template) {
			for _, r := range t.OfType("AWS::Events::Rule") {
				r.Properties["ScheduleExpression"] = "rate(1 minute)"
			}
		}, "scheduled rules are not emulated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl := golden(t)
			c.change(tmpl)
			_, err := New(context.Background(), Options{Assembly: &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}}, ModuleDir: moduleDir(t), LogDir: t.TempDir(), Logs: io.Discard})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// Every service of AWS's subtype catalogue has a local emulator now; one taken out of the
// registry stands for a service that has none.
func TestASubtypeOfAServiceWithoutAnEmulatorStopsItAtStart(t *testing.T) {
	delete(localServices, "kinesis")
	t.Cleanup(func() { localServices["kinesis"] = true })
	tmpl := golden(t)
	in := tmpl.Resources["HttpApiRouteSendToQueueSendToQueueIntegration03FAB186"]
	in.Properties["IntegrationSubtype"] = "Kinesis-PutRecord"
	in.Properties["RequestParameters"] = map[string]any{"StreamName": "s", "Data": "$request.body", "PartitionKey": "$context.requestId"}
	_, err := New(context.Background(), Options{Assembly: &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}}, ModuleDir: moduleDir(t), LogDir: t.TempDir(), Logs: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "Kinesis-PutRecord calls kinesis") {
		t.Errorf("New = %v, want an error naming Kinesis-PutRecord and kinesis", err)
	}
}

func TestAcceptedMessagesSurviveARestartWithAStateDir(t *testing.T) {
	state := t.TempDir()
	s := serve(t, golden(t), Options{StateDir: state})
	for i := 0; i < 5; i++ {
		if got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"n":1}`); got.status != 200 {
			t.Fatalf("send: %d %s", got.status, got.body)
		}
	}
	if err := s.r.Close(); err != nil {
		t.Fatal(err)
	}
	s = serve(t, golden(t), Options{StateDir: state})
	attrs, err := s.r.AWS().GetQueueAttributes(s.out[routes.QueueURLOutput], "ApproximateNumberOfMessages")
	if err != nil || attrs["ApproximateNumberOfMessages"] != "5" {
		t.Errorf("after a restart the queue holds %v (%v), want 5", attrs, err)
	}
}

func TestCloseStopsListening(t *testing.T) {
	s := serve(t, golden(t), Options{})
	u := s.url(contract.HTTP, "dev", "/queue")
	if err := s.r.Close(); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	_, err := client.Post(u, "application/json", strings.NewReader(`{}`))
	if err == nil {
		t.Error("the API still answers after Close")
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Errorf("after Close a request hangs instead of being refused: %v", err)
	}
}

// faultyTemplate serves the golden template with the greeting function replaced by the faulty
// fixture, whose request the REST method passes through, and the given timeouts.
func faultyTemplate(t *testing.T, functionTimeoutSec, integrationTimeoutMS float64) *cfn.Template {
	tmpl := golden(t)
	for _, fn := range tmpl.OfType("AWS::Lambda::Function") {
		fn.Metadata[contract.GoPackageMetadata] = "./internal/localapi/testdata/faulty"
		fn.Properties["Timeout"] = functionTimeoutSec
	}
	for _, in := range tmpl.OfType("AWS::ApiGatewayV2::Integration") {
		if in.Properties["IntegrationSubtype"] == nil {
			in.Properties["TimeoutInMillis"] = integrationTimeoutMS
		}
	}
	for _, m := range tmpl.OfType("AWS::ApiGateway::Method") {
		if m.Properties["HttpMethod"] != "GET" {
			continue
		}
		m.Properties["HttpMethod"] = "POST"
		in := m.Properties["Integration"].(map[string]any)
		in["RequestTemplates"] = map[string]any{"application/json": "$input.body"}
		in["TimeoutInMillis"] = integrationTimeoutMS
	}
	for _, r := range tmpl.OfType("AWS::ApiGatewayV2::Route") {
		if r.Properties["RouteKey"] == "GET /greeting" {
			r.Properties["RouteKey"] = "POST /greeting"
		}
	}
	return tmpl
}

func TestFailingLambdaGetsTheStatusEachAPIKindGives(t *testing.T) {
	s := serve(t, faultyTemplate(t, 1, 1500), Options{})
	cases := []struct {
		name        string
		instruction string
		kind        contract.Kind
		status      int
		body        string
	}{
		{"HTTP API, works", `{}`, contract.HTTP, 200, `ok`},
		{"HTTP API, function error", `{"error":"boom"}`, contract.HTTP, 500, `{"message":"Internal Server Error"}`},
		{"HTTP API, panic", `{"panic":true}`, contract.HTTP, 500, `{"message":"Internal Server Error"}`},
		{"HTTP API, crash", `{"exit":3}`, contract.HTTP, 500, `{"message":"Internal Server Error"}`},
		{"HTTP API, recovers after a crash", `{}`, contract.HTTP, 200, `ok`},
		{"HTTP API, function timeout", `{"sleepMs":1200}`, contract.HTTP, 500, `{"message":"Internal Server Error"}`},
		{"REST API, works", `{}`, contract.REST, 200, `ok`},
		// A Lambda custom integration tells an error from a result by its errorMessage only:
		// one no selection pattern matches comes back as the default 200 (DESIGN.md).
		{"REST API, unmapped function error", `{"error":"boom"}`, contract.REST, 200, ``},
		{"REST API, mapped function error", `{"error":"Missing the required greeter parameter. (faulty)"}`, contract.REST, 400, `{"message":"Missing the required greeter parameter. (faulty)"}`},
		{"REST API, crash", `{"exit":3}`, contract.REST, 200, ``},
		{"REST API, recovers after a crash", `{}`, contract.REST, 200, `ok`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := do(t, "POST", s.url(c.kind, "dev", "/greeting"), c.instruction)
			if got.status != c.status || strings.TrimSpace(got.body) != c.body {
				t.Errorf("%s = %d %q, want %d %q", c.instruction, got.status, got.body, c.status, c.body)
			}
		})
	}
}

func TestIntegrationTimeoutsGiveEachAPIKindsStatus(t *testing.T) {
	// The function may run 3 s, the integration waits 300 ms.
	s := serve(t, faultyTemplate(t, 3, 300), Options{})
	got := do(t, "POST", s.url(contract.HTTP, "dev", "/greeting"), `{"sleepMs":1000}`)
	if got.status != 503 || got.json(t)["message"] != "Service Unavailable" {
		t.Errorf("HTTP API integration timeout = %d %s, want 503 Service Unavailable", got.status, got.body)
	}
	got = do(t, "POST", s.url(contract.REST, "dev", "/greeting"), `{"sleepMs":1000}`)
	if got.status != 504 || got.json(t)["message"] != "Endpoint request timed out" {
		t.Errorf("REST API integration timeout = %d %s, want 504 Endpoint request timed out", got.status, got.body)
	}
}

func TestEveryProblemOfTheTemplateIsReportedAtOnce(t *testing.T) {
	tmpl := golden(t)
	tmpl.Resources["Bucket83908E77"] = &cfn.Resource{LogicalID: "Bucket83908E77", Type: "AWS::S3::Bucket", Properties: map[string]any{"WebsiteConfiguration": map[string]any{"IndexDocument": "index.html"}}, Metadata: map[string]any{"aws:cdk:path": "Firstclass/Bucket/Resource"}}
	tmpl.Resources["Table1"] = &cfn.Resource{LogicalID: "Table1", Type: "AWS::DynamoDB::Table", Properties: map[string]any{}}
	for _, r := range tmpl.OfType("AWS::Events::Rule") {
		r.Properties["ScheduleExpression"] = "rate(1 minute)"
	}
	q := tmpl.Resources["TargetsQueue4E5D0920"]
	q.Properties["MysteryKnob"] = 3
	_, err := New(context.Background(), Options{Assembly: &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}}, ModuleDir: moduleDir(t), LogDir: t.TempDir(), Logs: io.Discard})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("New = %v, want a *StartError", err)
	}
	for _, want := range []string{
		"cannot emulate AWS::S3::Bucket Bucket83908E77 (Firstclass/Bucket/Resource): property WebsiteConfiguration is not emulated",
		"cannot emulate AWS::DynamoDB::Table Table1 (Table1)",
		"scheduled rules are not emulated",
		"cannot emulate AWS::SQS::Queue TargetsQueue4E5D0920 (Firstclass/Targets/Queue/Resource): property MysteryKnob is not emulated",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(se.Problems) < 4 {
		t.Errorf("%d problems, want at least 4:\n%v", len(se.Problems), err)
	}
}
