//go:build linux

package lambdalocal

import (
	"regexp"
	"testing"
	"time"
)

func TestNodeHandlers(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyNode)
	tests := []struct {
		name, dir, handler, payload string
		want                        string
	}{
		{"runs an async CommonJS handler", "node/cjs", "app.sleeps", `{"ms":1}`, `"woke"`},
		{"loads file.export from the task root", "node/cjs", "index.handler", `{}`, `"from index"`},
		{"loads dir/file.export from the task root", "node/cjs", "lib/deep.handler", `{}`, `"from lib/deep"`},
		{"resolves a nested export", "node/cjs", "app.nested.handler", `{}`, `"nested"`},
		{"imports an .mjs ES module", "node/esm-mjs", "app.handler", `{"a":1}`, `{"module":"esm","file":"app.mjs","event":{"a":1}}`},
		{"imports a .js ES module under a package.json of type module", "node/esm-type", "app.handler", `{}`, `{"module":"esm","typeModule":true}`},
		{"answers a callback handler once the event loop is empty", "node/cjs", "callback.waits", `{}`, `{"timerFired":0}`},
		{"answers a callback handler at once without callbackWaitsForEmptyEventLoop", "node/cjs", "callback.doesNotWait", `{}`, `{"timerFired":0}`},
		{"answers context.succeed", "node/cjs", "callback.succeeds", `{}`, `{"via":"succeed"}`},
		{"answers null for a handler that never calls back", "node/cjs", "callback.neverCallsBack", `{}`, `null`},
		{"answers null for a non-async handler whose promise never settles", "node/cjs", "app.syncNeverSettles", `{}`, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newCodeFunction(t, runtime, tt.dir, tt.handler, FunctionConfig{Name: "node-handlers"})
			res := invoke(t, f, tt.payload)
			if res.FunctionError != "" || string(res.Payload) != tt.want {
				t.Errorf("got %q %s, want %s", res.FunctionError, res.Payload, tt.want)
			}
		})
	}
}

func TestNodeCallbackWaitsForEmptyEventLoop(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyNode)
	tests := []struct {
		name, handler    string
		atLeast, atMost  time.Duration
		timerFiredBefore bool // the handler's 150 ms timer ran before the next invocation
	}{
		{"waits for the handler's timer before answering", "callback.waits", 140 * time.Millisecond, 2 * time.Second, true},
		{"answers without waiting when told not to", "callback.doesNotWait", 0, 100 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newCodeFunction(t, runtime, "node/cjs", tt.handler, FunctionConfig{Name: "node-callback"})
			invoke(t, f, `{}`) // cold
			res := invoke(t, f, `{}`)
			if res.FunctionError != "" || res.Duration < tt.atLeast || res.Duration > tt.atMost {
				t.Errorf("got %q %s after %v, want an answer within [%v, %v]", res.FunctionError, res.Payload, res.Duration, tt.atLeast, tt.atMost)
			}
		})
	}
}

func TestNodeFunctionErrors(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyNode)
	tests := []struct {
		name, handler string
		wantType      string
		wantMessage   string
		wantTrace     string // the first trace line; "" for none
		newInstance   bool
	}{
		{"a thrown Error is reported with its name, message and stack", "app.throwsError", "Error", "boom", "Error: boom", false},
		{"a TypeError keeps its name", "app.throwsTypeError", "TypeError", "Cannot read properties of null (reading 'property')", "TypeError: Cannot read properties of null (reading 'property')", false},
		{"a thrown string is reported by its type, without a trace", "app.throwsString", "string", "a plain string", "", false},
		{"a synchronous handler's throw is reported", "app.syncThrows", "RangeError", "out of range", "RangeError: out of range", false},
		{"an error passed to the callback is reported", "callback.fails", "Error", "callback failure", "Error: callback failure", false},
		{"a result JSON cannot hold is an error", "app.unserializable", "Error", "Unable to stringify response body", "Error: Unable to stringify response body", false},
		{"a promise that never settles ends the invocation once the event loop is empty", "app.neverSettles", "Runtime.NodeJsExit",
			"The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes",
			"Runtime.NodeJsExit: The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			f := newCodeFunction(t, runtime, "node/cjs", tt.handler, FunctionConfig{Name: "node-errors", Logs: logs})
			res := invoke(t, f, `{}`)
			doc := decodeJSON[codeErrorDocument](t, Result{Payload: res.Payload})
			if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != tt.wantType || doc.ErrorType != tt.wantType || doc.ErrorMessage != tt.wantMessage {
				t.Errorf("got %q %q %s, want Unhandled %s %q", res.FunctionError, res.ErrorType, res.Payload, tt.wantType, tt.wantMessage)
			}
			if doc.Trace == nil {
				t.Errorf("the document has no trace array: %s", res.Payload)
			}
			if tt.wantTrace == "" && len(doc.Trace) != 0 || tt.wantTrace != "" && (len(doc.Trace) == 0 || doc.Trace[0] != tt.wantTrace) {
				t.Errorf("trace %q, want it to start with %q", doc.Trace, tt.wantTrace)
			}
			logType := tt.wantType
			if logType == "string" {
				logType = "Error" // the log shows what was thrown as an Error, as Lambda's does
			}
			waitForLog(t, logs, `(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t`+res.RequestID+`\tERROR\tInvoke Error \t\{"errorType":"`+regexp.QuoteMeta(logType)+`","errorMessage":"`+regexp.QuoteMeta(tt.wantMessage)+`"`)
			next := invoke(t, f, `{}`)
			if next.ColdStart || next.PID != res.PID {
				t.Errorf("after the error: cold=%v pid %d, want the instance %d kept", next.ColdStart, next.PID, res.PID)
			}
		})
	}
}

func TestNodeLogs(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyNode)
	logs := &syncBuffer{}
	f := newCodeFunction(t, runtime, "node/cjs", "app.logs", FunctionConfig{Name: "node-logs", Logs: logs})
	res := invoke(t, f, `{}`)
	if string(res.Payload) != `"logged"` {
		t.Fatalf("got %s", res.Payload)
	}
	stamp := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	waitForLog(t, logs, `(?m)^INIT_START Runtime Version: nodejs:\d+ \(local node v[\d.]+\)\n`+
		`START RequestId: `+res.RequestID+` Version: \$LATEST\n`+
		stamp+`\t`+res.RequestID+`\tINFO\thello from node \{ n: 1 \}\n`+
		stamp+`\t`+res.RequestID+`\tERROR\tline one\rline two\n`+
		`END RequestId: `+res.RequestID+`\n`+
		`REPORT RequestId: `+res.RequestID+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\n`)
}

func TestNodeJSONLogs(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	f := newCodeFunction(t, hostRuntime(t, familyNode), "node/cjs", "app.logs",
		FunctionConfig{Name: "node-json-logs", Logs: logs, Env: map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON"}})
	res := invoke(t, f, `{}`)
	stamp := `"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`
	waitForLog(t, logs, `(?m)^\{`+stamp+`,"level":"INFO","requestId":"`+res.RequestID+`","message":"hello from node \{ n: 1 \}"\}\n`+
		`\{`+stamp+`,"level":"ERROR","requestId":"`+res.RequestID+`","message":"line one\\nline two"\}\n`)
}

func TestNodeUncaughtExceptionAfterAnswer(t *testing.T) {
	t.Parallel()
	runtime := hostRuntime(t, familyNode)
	f := newCodeFunction(t, runtime, "node/cjs", "app.crashesLater", FunctionConfig{Name: "node-crash", MaxConcurrency: 1})
	first := invoke(t, f, `{}`)
	if string(first.Payload) != `"answered first"` {
		t.Fatalf("got %q %s", first.FunctionError, first.Payload)
	}
	// The timer's exception ends the process, as it ends Lambda's environment. (An invocation
	// that comes before the Function has seen the exit gets Runtime.ExitError, much as Lambda,
	// which would thaw the environment and meet the exception during that invocation.)
	if !eventually(2*time.Second, func() bool { return f.Stats().Instances == 0 }) {
		t.Fatalf("the instance (pid %d) survived an uncaught exception: %+v", first.PID, f.Stats())
	}
	if next := invoke(t, f, `{}`); !next.ColdStart || next.PID == first.PID || string(next.Payload) != `"answered first"` {
		t.Errorf("next invocation: cold=%v pid %d %s, want a fresh instance", next.ColdStart, next.PID, next.Payload)
	}
}
