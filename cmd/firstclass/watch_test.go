package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fakeApp is a CDK app without the CDK: its "synth" copies a template from src/ into the
// cloud assembly, and fails with a TypeScript-style error while src/broken exists. It is
// another app's template (localapi's otherapp fixture: a REST API of MOCK integrations), so
// that the watcher's tests need no jsii synth.
func fakeApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	fixture := filepath.Join("..", "..", "internal", "localapi", "testdata", "otherapp")
	files := map[string]string{
		"go.mod":   "module fakeapp\n\ngo 1.26\n",
		"cdk.json": `{"app": "sh synth.sh"}`,
		"synth.sh": `set -e
if [ -e src/broken ]; then echo "src/stack.ts:7:3 - error TS2304: Cannot find name 'oops'." >&2; exit 1; fi
cp src/manifest.json src/OtherApp.template.json "$CDK_OUTDIR/"
`,
	}
	for _, name := range []string{"manifest.json", "OtherApp.template.json"} {
		b, err := os.ReadFile(filepath.Join(fixture, name))
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join("src", name)] = string(b)
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// eventually waits for ok, failing with what after limit.
func eventually(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWatchReloadsAChangedTemplateAndKeepsServingThroughASynthError(t *testing.T) {
	dir := fakeApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"local", "--app-dir", dir, "--addr", "127.0.0.1:0", "--watch",
			"--watch-interval", "50ms", "--watch-debounce", "100ms", "--inspector=false"}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		<-done
	}()
	stageURL := regexp.MustCompile(`stage live\s+(http://\S+)`)
	eventually(t, 30*time.Second, "the runner to start", func() bool {
		return stageURL.MatchString(stdout.String()) && strings.Contains(stderr.String(), "watching ")
	})
	health := stageURL.FindStringSubmatch(stdout.String())[1] + "health"
	if code, body := get(t, health); code != 200 || body != `{"status":"ok"}` {
		t.Fatalf("before any change: %d %s", code, body)
	}

	tmpl := filepath.Join(dir, "src", "OtherApp.template.json")
	b, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), `{\"status\":\"ok\"}`, `{\"status\":\"reloaded\"}`, 1)
	if changed == string(b) {
		t.Fatal("the fixture's health template is not the one the test changes")
	}
	if err := os.WriteFile(tmpl, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the reload", func() bool { return strings.Contains(stderr.String(), "reloaded in") })
	want := "~ REST API RestApi0C43BF4B GET /health: Integration.IntegrationResponses changed"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
	}
	if code, body := get(t, health); code != 200 || body != `{"status":"reloaded"}` {
		t.Errorf("after the reload: %d %s, want the new template's answer", code, body)
	}

	if err := os.WriteFile(filepath.Join(dir, "src", "broken"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the failed synth", func() bool {
		return strings.Contains(stderr.String(), "reload failed; still serving the last assembly")
	})
	if !strings.Contains(stderr.String(), "src/stack.ts:7:3 - error TS2304") {
		t.Errorf("the synth error is printed without its location:\n%s", stderr.String())
	}
	if code, body := get(t, health); code != 200 || body != `{"status":"reloaded"}` {
		t.Errorf("after the failed synth: %d %s, want the last assembly still serving", code, body)
	}
}

func TestWatcherSeesAddedChangedAndRemovedSourcesButNotBuildOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app.go", "package main")
	write("api/templates/a.vtl", "$input.body")
	w := newWatcher([]string{dir})
	for _, c := range []struct {
		name   string
		change func()
		want   []string
	}{
		{"nothing", func() {}, nil},
		{"a template edited", func() { write("api/templates/a.vtl", "$input.json('$')") }, []string{"api/templates/a.vtl"}},
		{"a file added", func() { write("lambda/handler.py", "def handler(e, c): pass") }, []string{"lambda/handler.py"}},
		{"a file removed", func() { os.Remove(filepath.Join(dir, "app.go")) }, []string{"app.go"}},
		{"build output, installed packages, editor files", func() {
			write("cdk.out/manifest.json", "{}")
			write("node_modules/x/index.js", "")
			write("api/.a.vtl.swp", "")
			write("api/templates/a.vtl~", "")
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.change()
			got := w.changes()
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("changes %q, want %q", got, c.want)
			}
		})
	}
}

func TestInvokeAnswersOneRouteWithItsTraceAndFailsOnAnError(t *testing.T) {
	dir := fakeApp(t)
	code, stdout, stderr := runCLI(t, "invoke", "--app-dir", dir, "--api", "rest", "GET /health")
	if code != 0 || strings.TrimSpace(stdout) != `{"status":"ok"}` {
		t.Errorf("GET /health: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	for _, line := range []string{"Starting execution for request: ", "HTTP Method: GET, Resource Path: /health", "Method completed with status: 200"} {
		if !strings.Contains(stderr, line) {
			t.Errorf("the trace on stderr has no line %q:\n%s", line, stderr)
		}
	}
	code, _, stderr = runCLI(t, "invoke", "--app-dir", dir, "--no-synth", "--api", "rest", "POST /echo", "--body", `{}`)
	if code == 0 || !strings.Contains(stderr, "POST /echo answered 400") {
		t.Errorf("POST /echo without its required query parameter: exit %d, want 1 saying it answered 400:\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "invoke", "--app-dir", dir, "--no-synth", "--api", "soap", "GET /health")
	if code == 0 || !strings.Contains(stderr, `--api "soap": want http or rest`) {
		t.Errorf("--api soap: exit %d: %s", code, stderr)
	}
}
