package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/contract"
)

func TestInspectorStateHasTheRoutesTheirTracesAndTheTargets(t *testing.T) {
	s := serve(t, golden(t), Options{Inspector: true, NoThrottle: true})
	page := do(t, "GET", s.r.InspectorURL(), "")
	if page.status != 200 || !strings.Contains(page.body, "<title>firstclass local") {
		t.Fatalf("the inspector page: %d %.200s", page.status, page.body)
	}
	sent := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"inspected":true}`)
	do(t, "POST", s.url(contract.HTTP, "dev", "/workflow"), `{"orderId":"o-9"}`, "X-Execution-Name", "inspected-1")
	var st inspectorState
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp := do(t, "GET", s.r.InspectorURL()+"api/state", "")
		if err := json.Unmarshal([]byte(resp.body), &st); err != nil {
			t.Fatalf("state: %v\n%.300s", err, resp.body)
		}
		if executionsOf(st, "inspected-1") > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(st.APIs) != 2 || len(st.APIs[0].Routes) == 0 {
		t.Errorf("APIs %+v, want both APIs with their routes", st.APIs)
	}
	id := sent.header.Get("Apigw-Requestid")
	if !slices.ContainsFunc(st.Traces, func(tr *Trace) bool { return tr.RequestID == id && tr.Route == "POST /queue" }) {
		t.Errorf("no trace of request %s on route POST /queue among %d", id, len(st.Traces))
	}
	if !slices.ContainsFunc(st.Queues, func(q awslocal.QueueView) bool {
		return slices.ContainsFunc(q.Messages, func(m awslocal.MessageView) bool { return m.Body == `{"inspected":true}` })
	}) {
		t.Errorf("no queue shows the message sent")
	}
	if executionsOf(st, "inspected-1") != 1 {
		t.Errorf("no state machine lists execution inspected-1")
	}
	for _, m := range st.Machines {
		for _, x := range m.Executions {
			if x.Name == "inspected-1" && len(x.History) == 0 {
				t.Errorf("execution inspected-1 has no history")
			}
		}
	}
}

func executionsOf(st inspectorState, name string) int {
	n := 0
	for _, m := range st.Machines {
		for _, x := range m.Executions {
			if x.Name == name && x.Status != "RUNNING" {
				n++
			}
		}
	}
	return n
}

// chromium finds a Chromium for the browser tests, or skips them.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (Debian: apt-get install chromium): the inspector page is not tested in a browser")
	return ""
}

func chromiumFlags(dataDir string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + dataDir}
}

// pageReport is what the inspector page last reported it shows.
type pageReport struct {
	Generation int      `json:"generation"`
	Requests   []string `json:"requests"`
	Routes     int      `json:"routes"`
}

func seen(t *testing.T, s *served) *pageReport {
	t.Helper()
	resp := do(t, "GET", s.r.InspectorURL()+"api/seen", "")
	var r *pageReport
	if err := json.Unmarshal([]byte(resp.body), &r); err != nil {
		t.Fatalf("api/seen: %v: %s", err, resp.body)
	}
	return r
}

func TestInspectorRendersInChromiumAndShowsARequestMadeAfterItOpened(t *testing.T) {
	browser := chromium(t)
	s := serve(t, golden(t), Options{Inspector: true, NoThrottle: true})
	do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"before":"the page opened"}`)

	// The page as a screenshot: FIRSTCLASS_SCREENSHOT=path keeps it to look at.
	shot := os.Getenv("FIRSTCLASS_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "inspector.png")
	}
	// WaitDelay: Chromium's helper processes may hold its output open after it exits.
	shotCmd := exec.Command(browser, append(chromiumFlags(t.TempDir()), "--screenshot="+shot, "--window-size=1280,2000",
		"--virtual-time-budget=5000", s.r.InspectorURL())...)
	shotCmd.WaitDelay = 5 * time.Second
	t.Logf("screenshot of %s", s.r.InspectorURL())
	out, err := shotCmd.CombinedOutput()
	t.Logf("screenshot taken: %v", err)
	if err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 20000 {
		t.Fatalf("the screenshot %s is not a rendered page (%d bytes, %v)\n%s", shot, len(png), err, out)
	}

	// The page open in a browser that stays: it reports what it shows to api/seen.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, append(chromiumFlags(t.TempDir()), "--remote-debugging-port=0", s.r.InspectorURL())...)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
	}()
	t.Log("browser started")
	waitFor(t, 30*time.Second, "the page to render the routes", func() bool { r := seen(t, s); return r != nil && r.Routes > 0 })
	after := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"after":"the page opened"}`)
	id := after.header.Get("Apigw-Requestid")
	waitFor(t, 15*time.Second, "the page to show request "+id, func() bool { return slices.Contains(seen(t, s).Requests, id) })
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
