//go:build unix

package lambdalocal

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestReportLine(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    report
		want string
	}{
		{"warm success", report{requestID: "r1", duration: 1234567 * time.Nanosecond, memoryMB: 128, maxMemoryMB: 20},
			"END RequestId: r1\nREPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\n"},
		{"cold start bills the init", report{requestID: "r2", duration: 3 * time.Millisecond, initDuration: 45670 * time.Microsecond, coldStart: true, memoryMB: 256, maxMemoryMB: 30},
			"END RequestId: r2\nREPORT RequestId: r2\tDuration: 3.00 ms\tBilled Duration: 49 ms\tMemory Size: 256 MB\tMax Memory Used: 30 MB\tInit Duration: 45.67 ms\n"},
		{"timeout", report{requestID: "r3", duration: 3 * time.Second, memoryMB: 128, maxMemoryMB: 9, status: "timeout", timeoutReason: "Task timed out after 3.00 seconds"},
			"2026-12-01T12:00:00.000Z r3 Task timed out after 3.00 seconds\nEND RequestId: r3\nREPORT RequestId: r3\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tStatus: timeout\n"},
		{"out of memory", report{requestID: "r4", duration: 800 * time.Millisecond, memoryMB: 128, maxMemoryMB: 128, status: "error", errorType: ErrorTypeOutOfMemory},
			"END RequestId: r4\nREPORT RequestId: r4\tDuration: 800.00 ms\tBilled Duration: 800 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendEnd(nil, tt.r, now)); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestBilledDuration(t *testing.T) {
	tests := []struct {
		name               string
		duration, initTime time.Duration
		want               time.Duration
	}{
		{"rounds up to the millisecond", 1100 * time.Microsecond, 0, 2 * time.Millisecond},
		{"bills at least a millisecond", 10 * time.Microsecond, 0, time.Millisecond},
		{"adds the init of a cold start", 3000 * time.Millisecond, 402040 * time.Microsecond, 3403 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := billedDuration(tt.duration, tt.initTime); got != tt.want {
				t.Errorf("billedDuration(%v, %v) = %v, want %v", tt.duration, tt.initTime, got, tt.want)
			}
		})
	}
}

func TestErrorDocuments(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"timeout", string(platformDocument(ErrorTypeTimeout, "id-1", timeoutMessage(3*time.Second))),
			`{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: id-1 Error: Task timed out after 3.00 seconds"}`},
		{"timeout under a second", timeoutMessage(1500 * time.Millisecond), "Task timed out after 1.50 seconds"},
		{"exit status", string(platformDocument(ErrorTypeExit, "id-2", exitMessage("exit status 2", false))),
			`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: id-2 Error: Runtime exited with error: exit status 2"}`},
		{"clean exit", exitMessage("exit status 0", true), "Runtime exited without providing a reason"},
		{"out of memory", string(platformDocument(ErrorTypeOutOfMemory, "id-3", exitMessage("signal: killed", false))),
			`{"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: id-3 Error: Runtime exited with error: signal: killed"}`},
		{"response too large", string(responseTooLarge(7340060)),
			`{"errorMessage":"Response payload size (7340060 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`},
		{"runtime API refuses a large response", strings.TrimSpace(string(requestEntityTooLarge)),
			`{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}

func TestIdentifiers(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		if !uuid.MatchString(id) || seen[id] {
			t.Fatalf("request ID %q is not a fresh UUIDv4", id)
		}
		seen[id] = true
	}
	trace := newTraceID(time.Unix(0x5bef4de7, 0))
	if !regexp.MustCompile(`^Root=1-5bef4de7-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(trace) {
		t.Errorf("trace ID %q", trace)
	}
}

func TestCopyLinesKeepsLinesWhole(t *testing.T) {
	var out syncBuffer
	sink := &logSink{w: &out}
	long := strings.Repeat("y", 70<<10)
	sink.copyLines(strings.NewReader("one\ntwo\n" + long + "\nno newline at the end"))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if lines[0] != "one" || lines[1] != "two" || lines[len(lines)-1] != "no newline at the end" {
		t.Errorf("lines %q…", lines[:2])
	}
	if got := strings.Join(lines[2:len(lines)-1], ""); got != long {
		t.Errorf("the long line came out as %d bytes, want %d", len(got), len(long))
	}
}
