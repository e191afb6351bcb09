package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// accessLine is a line in the stage's format (routes.AccessLogFields) with typical values.
func accessLine(kind contract.Kind, r spec.Route, at time.Time, response, integration string) string {
	v := map[string]string{
		"requestId": "id", "ip": "203.0.113.10", "requestTime": "x", "requestTimeEpoch": fmt.Sprint(at.UnixMilli()),
		"httpMethod": r.Method, "path": "/dev" + r.SamplePath(), "protocol": "HTTP/1.1", "status": "200", "responseLength": "10",
		"responseLatency": response, "integrationLatency": integration, "integrationStatus": "200",
		"integrationError": "-", "errorMessage": "-", "routeKey": r.Key(), "resourcePath": r.Path,
	}
	line := map[string]string{}
	for _, f := range contract.AccessLogFields(kind) {
		line[f.Key] = v[f.Key]
	}
	b, _ := json.Marshal(line)
	return string(b)
}

func TestParseAccessLineOfEitherKind(t *testing.T) {
	at := time.UnixMilli(1_800_000_000_123)
	for _, kind := range contract.Kinds {
		e, err := parseAccessLine([]byte(accessLine(kind, routes.PutEventRoute, at, "25", "21")))
		if err != nil {
			t.Fatal(err)
		}
		if !e.at.Equal(at) || e.response != 25 || e.integration != 21 {
			t.Errorf("%s: %+v", kind, e)
		}
		if r, ok := e.route(kind, routes.Routes); !ok || r.Name != "PutEvent" {
			t.Errorf("%s: route %v, %v", kind, r.Name, ok)
		}
		if d, ok := e.overhead(); !ok || d != 4*time.Millisecond {
			t.Errorf("%s: overhead %s, %v; want 25 − 21 ms", kind, d, ok)
		}
	}
	// A request that never reached an integration (a 429, a 404) logs "-".
	e, err := parseAccessLine([]byte(accessLine(contract.HTTP, routes.SendToQueueRoute, at, "1", "-")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.overhead(); ok {
		t.Error("a line without integrationLatency gave an overhead")
	}
	for _, bad := range []string{"not json", `{"status":"200"}`} {
		if _, err := parseAccessLine([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestAccessLineRouteFallsBackToMethodAndPath(t *testing.T) {
	e := accessEntry{method: "POST", path: "/dev/workflow/sync"}
	if r, ok := e.route(contract.REST, routes.Routes); !ok || r.Name != "RunExpressWorkflow" {
		t.Errorf("route = %v, %v", r.Name, ok)
	}
	e = accessEntry{method: "GET", path: "/dev/workflow"}
	if _, ok := e.route(contract.HTTP, routes.Routes); ok {
		t.Error("GET /workflow matched a POST route")
	}
}

func TestAccessTallyKeepsTheWindowsLinesOfEachRoute(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_000)
	windows := map[string]Window{"SendToQueue": {t0, t0.Add(time.Second)}, "Greeting": {t0, t0.Add(time.Second)}}
	tally := newAccessTally(contract.HTTP, "test", []spec.Route{routes.SendToQueueRoute, routes.GreetingRoute}, windows)
	tally.add([]byte(accessLine(contract.HTTP, routes.SendToQueueRoute, t0.Add(-time.Millisecond), "9", "1"))) // warm-up
	tally.add([]byte(accessLine(contract.HTTP, routes.SendToQueueRoute, t0, "5", "2")))
	tally.add([]byte(accessLine(contract.HTTP, routes.SendToQueueRoute, t0.Add(999*time.Millisecond), "7", "2")))
	tally.add([]byte(accessLine(contract.HTTP, routes.SendToQueueRoute, t0.Add(time.Second), "9", "1"))) // after
	tally.add([]byte(accessLine(contract.HTTP, routes.PutEventRoute, t0, "9", "1")))                     // not selected
	tally.add([]byte(accessLine(contract.HTTP, routes.GreetingRoute, t0, "2", "2")))
	tally.add([]byte("garbage"))
	if s := tally.stats["SendToQueue"]; s.Lines != 2 || tally.hists["SendToQueue"].Count() != 2 {
		t.Errorf("SendToQueue: %+v", s)
	}
	if h := tally.hists["SendToQueue"]; h.Max() < 5*time.Millisecond || h.Quantile(0) < 3*time.Millisecond {
		t.Errorf("overheads %s..%s, want 3 and 5 ms", h.Quantile(0), h.Max())
	}
	if tally.lines() != 3 || tally.bad != 1 {
		t.Errorf("lines %d, bad %d", tally.lines(), tally.bad)
	}
}

// The local runner's log is read as it grows; a line still being written waits.
func TestFileSourceReadsWhatIsNewAndWaitsForWholeLines(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_000)
	path := filepath.Join(t.TempDir(), "access.log")
	line := accessLine(contract.REST, routes.SendToQueueRoute, t0, "5", "2")
	os.WriteFile(path, []byte(line+"\n"+line[:20]), 0o644)
	src, source, err := newAccessSource("file://"+path, nil, Window{})
	if err != nil || source != path {
		t.Fatalf("source %q: %v", source, err)
	}
	tally := newAccessTally(contract.REST, source, []spec.Route{routes.SendToQueueRoute}, map[string]Window{"SendToQueue": {t0, t0.Add(time.Second)}})
	src.read(context.Background(), tally)
	if tally.lines() != 1 {
		t.Fatalf("%d lines after the first read, want 1", tally.lines())
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(line[20:] + "\n")
	f.Close()
	src.read(context.Background(), tally)
	if tally.lines() != 2 {
		t.Errorf("%d lines after the line was finished, want 2", tally.lines())
	}
	if _, _, err := newAccessSource("file://", nil, Window{}); err == nil {
		t.Error("file:// without a path was accepted")
	}
}

type fakeLogs struct {
	pages [][]string
	in    []*cloudwatchlogs.FilterLogEventsInput
}

func (f *fakeLogs) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.in = append(f.in, in)
	page := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &page)
	}
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	for _, m := range f.pages[page] {
		out.Events = append(out.Events, cwtypes.FilteredLogEvent{Message: aws.String(m)})
	}
	if page+1 < len(f.pages) {
		out.NextToken = aws.String(fmt.Sprint(page + 1))
	}
	return out, nil
}

// A CloudWatch log group is read with FilterLogEvents over the run's window, every page, and
// each read replaces the last (CloudWatch delivers late and out of order).
func TestCloudWatchSourceReadsTheWindowAgainEachTime(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_000)
	line := accessLine(contract.HTTP, routes.GreetingRoute, t0.Add(time.Millisecond), "4", "1")
	f := &fakeLogs{pages: [][]string{{line, line}, {line}}}
	w := Window{t0, t0.Add(time.Second)}
	src, source, err := newAccessSource("Firstclass-AccessLogs", f, w)
	if err != nil || source != "CloudWatch Logs Firstclass-AccessLogs" {
		t.Fatal(source, err)
	}
	tally := newAccessTally(contract.HTTP, source, []spec.Route{routes.GreetingRoute}, map[string]Window{"Greeting": w})
	if err := readAccessLog(context.Background(), src, tally, 3, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	src.read(context.Background(), tally)
	if tally.lines() != 3 {
		t.Errorf("%d lines, want the 3 of the window however often it is read", tally.lines())
	}
	in := f.in[0]
	if aws.ToString(in.LogGroupName) != "Firstclass-AccessLogs" || *in.StartTime > t0.UnixMilli() || *in.EndTime < t0.Add(time.Second).UnixMilli() {
		t.Errorf("FilterLogEvents input: group %v, %d..%d", aws.ToString(in.LogGroupName), *in.StartTime, *in.EndTime)
	}
	if _, _, err := newAccessSource("group", nil, w); err == nil {
		t.Error("a log group without a client was accepted")
	}
}
