//go:build linux

package lambdalocal

import (
	"regexp"
	"strings"
	"testing"
)

func TestPythonHandlers(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyPython)
	tests := []struct {
		name, handler, payload string
		want                   string
	}{
		{"answers with json's encoding, spaces included", "pkg/mod.handler", `{}`, `"from pkg/mod"`},
		{"imports pkg.mod the same way", "pkg.mod.handler", `{}`, `"from pkg/mod"`},
		{"encodes a Decimal as a number", "app.decimals", `{}`, decimalsWant(runtime)},
		{"answers bytes as they are", "app.returns_bytes", `{}`, `raw bytes`},
		{"answers None as null", "app.returns_none", `{}`, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newCodeFunction(t, runtime, "python/app", tt.handler, FunctionConfig{Name: "python-handlers"})
			res := invoke(t, f, tt.payload)
			if res.FunctionError != "" || string(res.Payload) != tt.want {
				t.Errorf("got %q %s, want %s", res.FunctionError, res.Payload, tt.want)
			}
		})
	}
}

// decimalsWant is app.decimals's answer: Lambda's encoder keeps non-ASCII text from
// python3.12 on, and escapes it before.
func decimalsWant(runtime string) string {
	text := `"caf\u00e9"`
	if runtime >= "python3.12" && len(runtime) == len("python3.12") {
		text = `"café"`
	}
	return `{"whole": 3, "fraction": 1.5, "text": ` + text + `}`
}

func TestPythonFunctionErrors(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyPython)
	tests := []struct {
		name, handler string
		wantType      string
		wantMessage   string
		wantTrace     string // in the last frame; "" for no trace
	}{
		{"an exception is reported with its type, message and traceback", "app.fails", "ValueError", "boom", `app.py", line 37, in fails`},
		{"a result JSON cannot hold is Runtime.MarshalError", "app.not_serializable", "Runtime.MarshalError", "Unable to marshal response: Object of type set is not JSON serializable", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			f := newCodeFunction(t, runtime, "python/app", tt.handler, FunctionConfig{Name: "python-errors", Logs: logs})
			res := invoke(t, f, `{}`)
			doc := decodeJSON[codeErrorDocument](t, Result{Payload: res.Payload})
			if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != tt.wantType || doc.ErrorType != tt.wantType || doc.ErrorMessage != tt.wantMessage || doc.RequestID != res.RequestID {
				t.Errorf("got %q %q %s, want Unhandled %s %q for request %s", res.FunctionError, res.ErrorType, res.Payload, tt.wantType, tt.wantMessage, res.RequestID)
			}
			if !strings.HasPrefix(string(res.Payload), `{"errorMessage": `) {
				t.Errorf("payload %s, want Python's key order and separators", res.Payload)
			}
			if tt.wantTrace == "" && len(doc.StackTrace) != 0 || tt.wantTrace != "" && (len(doc.StackTrace) != 1 || !strings.Contains(doc.StackTrace[0], tt.wantTrace)) {
				t.Errorf("stackTrace %q, want the handler's frame only, %q", doc.StackTrace, tt.wantTrace)
			}
			waitForLog(t, logs, `(?m)^\[ERROR\] `+regexp.QuoteMeta(tt.wantType+": "+tt.wantMessage)+`\rTraceback \(most recent call last\):`)
			if next := invoke(t, f, `{}`); next.ColdStart || next.PID != res.PID {
				t.Errorf("after the error: cold=%v pid %d, want the instance %d kept", next.ColdStart, next.PID, res.PID)
			}
		})
	}
	t.Run("sys.exit in the handler is Runtime.ExitError", func(t *testing.T) {
		t.Parallel()
		f := newCodeFunction(t, runtime, "python/app", "app.exits", FunctionConfig{Name: "python-exit"})
		res := invoke(t, f, `{}`)
		if doc := decodeError(t, res); doc.ErrorType != ErrorTypeExit || doc.ErrorMessage != "RequestId: "+res.RequestID+" Error: Runtime exited with error: exit status 3" {
			t.Errorf("error document %+v, want %s with exit status 3", doc, ErrorTypeExit)
		}
	})
}

func TestPythonLogs(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyPython)
	logs := &syncBuffer{}
	f := newCodeFunction(t, runtime, "python/app", "app.logs", FunctionConfig{Name: "python-logs", Logs: logs})
	res := invoke(t, f, `{}`)
	if string(res.Payload) != `"logged"` {
		t.Fatalf("got %s", res.Payload)
	}
	waitForLog(t, logs, `(?m)^START RequestId: `+res.RequestID+` Version: \$LATEST\n`+
		`hello from python\n`+
		`to stderr\n`+
		`\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t`+res.RequestID+`\ta warning\n`+
		`END RequestId: `+res.RequestID+`\n`)
}
