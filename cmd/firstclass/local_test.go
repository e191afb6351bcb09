package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/contract"
	"firstclass/routes"
)

// assembly synthesizes the app once for the CLI tests, into a temporary directory.
var assembly struct {
	once sync.Once
	dir  string
	err  string
}

func synthesized(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("synthesizes the app: not with -short")
	}
	assembly.once.Do(func() {
		dir, err := os.MkdirTemp("", "firstclass-cli-test-")
		if err != nil {
			assembly.err = err.Error()
			return
		}
		assembly.dir = filepath.Join(dir, "cdk.out")
		code, _, stderr := runCLIWithin(t, 5*time.Minute, "routes", "--app-dir", "../..", "--output", assembly.dir)
		if code != 0 {
			assembly.err = stderr
		}
	})
	if assembly.err != "" {
		t.Fatalf("synth: %s", assembly.err)
	}
	return assembly.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if assembly.dir != "" {
		os.RemoveAll(filepath.Dir(assembly.dir))
	}
	os.Exit(code)
}

func TestRoutesPrintsBothAPIsRouteTables(t *testing.T) {
	out := synthesized(t)
	code, stdout, stderr := runCLI(t, "routes", "--app-dir", "../..", "--output", out, "--no-synth")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"HTTP API (v2)  Firstclass/HttpApi/Api", "REST API (v1)  Firstclass/RestApi/Api",
		"POST /queue                          SQS-SendMessage → Firstclass-TargetsQueue",
		"MessageBody=$request.body", "GET /greeting                        Lambda custom (VTL)",
		"400 if /Missing the required greeter parameter\\..*/", "stage prod  1000 rps, burst 500, per route",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestLocalTryAnswersEveryRouteAndWritesTheOutputsFile(t *testing.T) {
	out := synthesized(t)
	outputs := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := runCLI(t, "local", "--app-dir", "../..", "--output", out, "--no-synth", "--stack", "Firstclass", "--addr", "127.0.0.1:0", "--outputs-file", outputs, "--try")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	// The jobs queue is empty, so neither DELETE /jobs sample has a message to delete, and
	// the second API kind's purge comes within a minute of the first: SQS refuses it.
	if n := len(tried200.FindAllString(stdout, -1)); n != len(routes.Routes)*len(contract.Kinds)-3 {
		t.Errorf("%d routes answered 200, want all %d but the two deletes and one purge:\n%s", n, len(routes.Routes)*len(contract.Kinds), stdout)
	}
	if n, r := strings.Count(stdout, "DELETE  /jobs                                  not sent: GET /jobs answered without ReceiptHandle"),
		strings.Count(stdout, "refused as the service documents (PurgeQueueInProgress)"); n != 2 || r != 1 {
		t.Errorf("%d deletes not sent for want of a message, %d purges refused; want 2 and 1:\n%s", n, r, stdout)
	}
	f, err := os.Open(outputs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o, err := contract.ReadOutputs(f, "Firstclass")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{contract.APIURLOutput(contract.HTTP, "dev"), contract.APIURLOutput(contract.REST, "prod"), routes.QueueURLOutput, contract.AWSEndpointOutput} {
		if _, err := o.Get(key); err != nil {
			t.Error(err)
		}
	}
}

func TestLocalTryCallsAnotherAppsRoutes(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "localapi", "testdata", "otherapp")
	code, stdout, stderr := runCLI(t, "local", "--app-dir", dir, "--output", dir, "--no-synth", "--addr", "127.0.0.1:0", "--try")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	if n := len(tried200.FindAllString(stdout, -1)); n != 4 {
		t.Errorf("%d routes answered 200, want the 3 of its HTTP API and GET /health:\n%s", n, stdout)
	}
	for _, want := range []string{"/files/sample/proxy", "/orders/orderId", "rest POST    /echo?lang=sample", " 201 "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--try output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, " /queue ") || strings.Contains(stdout, " /greeting") {
		t.Errorf("--try sent firstclass's own routes to another app:\n%s", stdout)
	}
}

// tried200 matches one line of --try's report with a 200: "  http POST   /queue   200 …".
var tried200 = regexp.MustCompile(`(?m)^  (http|rest) +[A-Z]+ +/\S* +200 `)

// Ctrl-C (the context ending) stops the runner and the command returns without an error.
func TestLocalStopsCleanlyWhenInterrupted(t *testing.T) {
	out := synthesized(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"local", "--app-dir", "../..", "--output", out, "--no-synth", "--stack", "Firstclass", "--addr", "127.0.0.1:0"}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Ctrl-C stops.") {
		if time.Now().After(deadline) {
			t.Fatalf("the runner did not come up:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after the interrupt:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the runner did not stop after the interrupt")
	}
}

func TestLocalFlagErrorsSayWhatIsWrong(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"local", "--addr", "localhost"}, `--addr "localhost"`},
		{[]string{"local", "--addr", "127.0.0.1:http"}, `port "http" is not a number`},
		{[]string{"local", "extra"}, `unexpected argument "extra"`},
		{[]string{"local", "--app-dir", "/", "--no-synth"}, "synthesize first"},
		{[]string{"routes", "--no-synth", "--output", "/nonexistent"}, "synthesize first"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to say %q", c.args, code, stderr, c.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the runner's goroutines and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Another CDK app (TypeScript, no Go module of its own) runs with a --parameters value, on both
// commands that load an app.
func TestLocalRunsACDKAppWithItsParameters(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "localapi", "testdata", "apps", "nested")
	code, stdout, stderr := runCLI(t, "routes", "--app-dir", dir, "--no-synth", "--parameters", "Greeting=Hi")
	if code != 0 || !strings.Contains(stdout, "GET /greet") {
		t.Fatalf("routes: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "local", "--app-dir", dir, "--no-synth", "--addr", "127.0.0.1:0", "--try", "--parameters", "NestedApp:Greeting=Hi")
	if code == 0 && !strings.Contains(stdout, `{"message":"Hi from the nested stack","path":"/greet"}`) {
		t.Errorf("--try did not show the parameter's value:\n%s", stdout)
	}
	if code != 0 && !strings.Contains(stderr, " or newer") { // no node on this machine: said at start
		t.Errorf("local: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "routes", "--app-dir", dir, "--no-synth", "--parameters", "Nope=1")
	if code == 0 || !strings.Contains(stderr, "--parameters Nope: the stack NestedApp has no such parameter") {
		t.Errorf("an unknown parameter: exit %d, %s", code, stderr)
	}
}
