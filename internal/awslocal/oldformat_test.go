package awslocal

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal/store"
)

// testdata/statedir-v1 is a state directory written by awslocal before it
// was split into service packages: a snapshot holding queues, a bus, a rule
// with a target, an archive, a state machine and an execution, and a log
// (left by a crash) with every record kind on top. A test run against that
// version (commit 14e9a70) made them through its Go API, and
// statedir-v1.restored.json is the snapshot that version wrote when it
// opened the directory again.
const oldStateDir = "testdata/statedir-v1"

// copyDir copies the files of src into a new temporary directory: opening
// a state directory rewrites it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// The snapshot a restore writes is what the old version wrote from the same
// directory, member for member.
func TestRestoreOldStateDirSnapshot(t *testing.T) {
	dir := copyDir(t, oldStateDir)
	srv, err := New(Options{StateDir: dir, Clock: NewManualClock(time.Unix(1_700_000_100, 0))})
	if err != nil {
		t.Fatalf("restoring the old state directory: %v", err)
	}
	// The snapshot of the restored state is written at open; crash keeps it
	// as it is (Close would compact again after the resumed execution).
	if err := srv.crash(); err != nil {
		t.Fatal(err)
	}
	got := readSnapshot(t, filepath.Join(dir, store.SnapshotName))
	want := readSnapshot(t, oldStateDir+".restored.json")
	// The number of the next log record is new since; the old directory's
	// records were unnumbered, so the first record after the restore is 1.
	if got["nextSeq"] != float64(1) {
		t.Errorf("nextSeq = %v, want 1", got["nextSeq"])
	}
	delete(got, "nextSeq")
	// A service added since holds nothing restored from the old directory.
	for name, section := range got {
		if _, old := want[name]; !old && emptySection(section) {
			delete(got, name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.MarshalIndent(got, "", " ")
		wb, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("restored snapshot differs from the old version's\n got %s\nwant %s", gb, wb)
	}
}

// emptySection reports whether a snapshot member holds no state: every
// field of it null or empty.
func emptySection(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, f := range m {
		if l, isList := f.([]any); f != nil && !(isList && len(l) == 0) {
			return false
		}
	}
	return true
}

// readSnapshot decodes a snapshot with its unordered parts sorted: messages
// sent in the same millisecond and FIFO deduplication entries.
func readSnapshot(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	queues, _ := snap["queues"].([]any)
	for _, q := range queues {
		q := q.(map[string]any)
		for _, member := range []string{"messages", "dedup"} {
			list, _ := q[member].([]any)
			sort.Slice(list, func(i, j int) bool {
				ki, kj := sortKey(list[i]), sortKey(list[j])
				return ki < kj
			})
		}
	}
	return snap
}

func sortKey(v any) string {
	m := v.(map[string]any)
	if id, ok := m["id"].(string); ok && m["key"] == nil {
		return id
	}
	k, _ := m["key"].(string)
	return k
}

// The restored server holds what the old one had accepted and works on it.
func TestRestoreOldStateDirServes(t *testing.T) {
	clock := NewManualClock(time.Unix(1_700_000_100, 0))
	srv, err := New(Options{StateDir: copyDir(t, oldStateDir), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := ctxT(t)
	counts := func(queue string) [2]string {
		t.Helper()
		a, err := srv.GetQueueAttributes(srv.QueueURL(queue), "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
		if err != nil {
			t.Fatalf("queue %s: %v", queue, err)
		}
		return [2]string{a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]}
	}
	for queue, want := range map[string][2]string{
		"snap-work":  {"3", "1"}, // 5 sent, one deleted, one in flight
		"snap-dlq":   {"3", "0"}, // one sent, two events
		"snap.fifo":  {"2", "0"},
		"log-q":      {"3", "1"}, // 4 sent, one deleted, one in flight, one event
		"log-purged": {"0", "0"},
	} {
		if got := counts(queue); got != want {
			t.Errorf("%s: visible, in flight = %v, want %v", queue, got, want)
		}
	}
	if _, err := srv.GetQueueAttributes(srv.QueueURL("log-gone")); !isCode(err, "QueueDoesNotExist") {
		t.Errorf("deleted queue: %v", err)
	}
	attrs, _ := srv.GetQueueAttributes(srv.QueueURL("log-q"), "VisibilityTimeout")
	if attrs["VisibilityTimeout"] != "120" {
		t.Errorf("log-q attributes = %v", attrs)
	}
	// FIFO deduplication survives: f1 within its window is a duplicate.
	if _, err := srv.SendMessage(SendMessageInput{QueueURL: srv.QueueURL("snap.fifo"), MessageBody: "f1", MessageGroupID: "g"}); err != nil {
		t.Fatal(err)
	}
	if got := counts("snap.fifo"); got[0] != "2" {
		t.Errorf("snap.fifo after a duplicate: %v", got)
	}
	// The snapshot's in-flight message comes back after its timeout.
	clock.Advance(600 * time.Second)
	if got := counts("snap-work"); got != [2]string{"4", "0"} {
		t.Errorf("snap-work after the visibility timeout: %v", got)
	}

	for name, want := range map[string]int64{"snap-arc": 2, "log-arc": 1} {
		if a, err := srv.DescribeArchive(name); err != nil || a.EventCount != want {
			t.Errorf("archive %s: %+v %v", name, a, err)
		}
	}
	if _, err := srv.DescribeArchive("log-arc-gone"); !isCode(err, "ResourceNotFoundException") {
		t.Errorf("deleted archive: %v", err)
	}
	if _, err := srv.CreateEventBus("log-bus"); !isCode(err, "ResourceAlreadyExistsException") {
		t.Errorf("restored bus: %v", err)
	}
	if _, err := srv.CreateEventBus("log-bus-gone"); err != nil {
		t.Errorf("deleted bus: %v", err)
	}
	// The restored rule still routes to its remaining target.
	if _, failed, err := srv.PutEvents(PutEventsEntry{Source: "l", DetailType: "t", Detail: `{}`, EventBusName: "log-bus"}); err != nil || failed != 0 {
		t.Fatalf("PutEvents: %d %v", failed, err)
	}
	if got := counts("log-q"); got[0] != "5" {
		t.Errorf("log-q after an event: %v", got)
	}

	machine := srv.StateMachineARN("snap-m")
	for name, want := range map[string]string{"snap-exec": `{"a":1,"r":"done"}`, "log-exec": `{"b":2,"r":"done"}`} {
		e, err := srv.DescribeExecution("arn:aws:states:us-east-1:000000000000:execution:snap-m:" + name)
		if err != nil || e.Status != "SUCCEEDED" || e.Output != want || e.StateMachineARN != machine {
			t.Errorf("execution %s: %+v %v", name, e, err)
		}
	}
	// Their history, which the old version did not keep, is their start and outcome.
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:snap-m:snap-exec"}`))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.GetExecutionHistory")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var h struct {
		Events []struct {
			ID, PreviousEventID int
			Type                string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil || rec.Code != 200 || len(h.Events) != 2 ||
		h.Events[0] != (struct {
			ID, PreviousEventID int
			Type                string
		}{1, 0, "ExecutionStarted"}) || h.Events[1].Type != "ExecutionSucceeded" || h.Events[1].PreviousEventID != 1 {
		t.Errorf("old execution's history: %d %s", rec.Code, rec.Body)
	}
	// The execution that was waiting resumes and finishes.
	waiting := "arn:aws:states:us-east-1:000000000000:execution:log-m:log-waiting"
	if err := clock.WaitForSleepers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if e, err := srv.WaitExecution(ctx, waiting); err != nil || e.Status != "SUCCEEDED" || e.Output != `{"c":3}` {
		t.Errorf("resumed execution: %+v %v", e, err)
	}
	if _, err := srv.StartExecution(StartExecutionInput{StateMachineArn: srv.StateMachineARN("log-m-gone")}); !isCode(err, "StateMachineDoesNotExist") {
		t.Errorf("deleted state machine: %v", err)
	}
}

func isCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
