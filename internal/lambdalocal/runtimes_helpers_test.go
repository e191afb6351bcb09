//go:build unix

package lambdalocal

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostRuntime returns the Runtime the tests give Node.js or Python functions: the one this
// machine's node or python3 runs, or skips the test when there is none. Node.js is capped at
// nodejs22.x, the last runtime with callback handlers, which the tests use.
func hostRuntime(tb testing.TB, family runtimeFamily) string {
	tb.Helper()
	command := map[runtimeFamily]string{familyNode: "node", familyPython: "python3"}[family]
	path, err := exec.LookPath(command)
	if err != nil {
		tb.Skipf("%s is not on PATH: the tests of that runtime need it", command)
	}
	interp, err := probeInterpreter(family, path)
	if err != nil {
		tb.Skipf("%s cannot be used: %v", command, err)
	}
	if family == familyNode {
		if interp.version[0] < minNodeMajor {
			tb.Skipf("node %s is older than the client's minimum, Node.js %d", interp.version, minNodeMajor)
		}
		return "nodejs" + strconv.Itoa(min(interp.version[0], 22)) + ".x"
	}
	if interp.version[0] != 3 || interp.version[1] < minPythonMinor {
		tb.Skipf("python3 %s is older than the client's minimum, Python 3.%d", interp.version, minPythonMinor)
	}
	return "python3." + strconv.Itoa(interp.version[1])
}

// newCodeFunction starts a Function on a code directory under testdata and closes it when the
// test ends.
func newCodeFunction(tb testing.TB, runtime, dir, handler string, cfg FunctionConfig) *Function {
	tb.Helper()
	cfg.Runtime, cfg.Handler = runtime, handler
	cfg.CodeDir = filepath.Join("testdata", dir)
	if cfg.Name == "" {
		cfg.Name = filepath.Base(dir)
	}
	f, err := NewFunction(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// decodeJSON decodes a successful invocation's payload.
func decodeJSON[T any](tb testing.TB, res Result) T {
	tb.Helper()
	var v T
	if res.FunctionError != "" {
		tb.Fatalf("function error %s: %s", res.FunctionError, res.Payload)
	}
	if err := json.Unmarshal(res.Payload, &v); err != nil {
		tb.Fatalf("decode %s: %v", res.Payload, err)
	}
	return v
}

// codeErrorDocument is the error document of Lambda's Node.js runtime ({errorType,
// errorMessage, trace}) or Python runtime ({errorMessage, errorType, requestId, stackTrace}).
type codeErrorDocument struct {
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	Trace        []string `json:"trace"`
	RequestID    string   `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
}

// matchMessage compares an error message with an exact want, or a prefix ending in "…".
func matchMessage(got, want string) bool {
	if prefix, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, prefix)
	}
	return got == want
}

// checkInitError checks the Result of an invocation whose instance failed its init, and the
// log lines around it: INIT_START (initStart, a pattern), the runtime's own account of the
// error (errorLine), INIT_REPORT. It returns the error document.
func checkInitError(t *testing.T, res Result, logs *syncBuffer, initStart, errorLine, wantType, wantMessage string) codeErrorDocument {
	t.Helper()
	doc := decodeJSON[codeErrorDocument](t, Result{Payload: res.Payload})
	if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != wantType || doc.ErrorType != wantType || !res.ColdStart {
		t.Errorf("got %q %q cold=%v %s, want an Unhandled %s cold start", res.FunctionError, res.ErrorType, res.ColdStart, res.Payload, wantType)
	}
	if !matchMessage(doc.ErrorMessage, wantMessage) {
		t.Errorf("errorMessage %q, want %q", doc.ErrorMessage, wantMessage)
	}
	waitForLog(t, logs, `(?m)^INIT_START Runtime Version: `+initStart+`
`+errorLine+`.*
`+
		`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: `+regexp.QuoteMeta(wantType)+`\n`)
	if !eventually(2*time.Second, func() bool { return processGone(res.PID) }) {
		t.Errorf("the instance that failed its init (pid %d) still runs", res.PID)
	}
	return doc
}

// codeEcho is what the echo handlers of the Node.js and Python fixtures answer.
type codeEcho struct {
	Event              map[string]any    `json:"event"`
	RequestID          string            `json:"requestId"`
	FunctionName       string            `json:"functionName"`
	FunctionVersion    string            `json:"functionVersion"`
	InvokedFunctionArn string            `json:"invokedFunctionArn"`
	MemoryLimitInMB    string            `json:"memoryLimitInMB"`
	LogGroupName       string            `json:"logGroupName"`
	LogStreamName      string            `json:"logStreamName"`
	RemainingMs        int64             `json:"remainingMs"`
	PID                int               `json:"pid"`
	Cwd                string            `json:"cwd"`
	TaskRootFirst      string            `json:"taskRootFirst"` // Python's sys.path[0]
	Env                map[string]string `json:"env"`
}

// check is one named comparison of a table of them.
type check struct {
	name      string
	got, want any
}

func runChecks(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

// echoContext invokes an echo handler with {"env":true} (a cold start), then again (warm), and
// returns the checks every interpreted runtime passes: the context object's fields and the
// environment Lambda sets. The function is configured with 256 MB, a 5 s timeout and the
// variable TABLE=orders.
func echoContext(t *testing.T, f *Function, contextNames map[string]string) (codeEcho, []check) {
	t.Helper()
	cold := invoke(t, f, `{"env":true}`)
	got := decodeJSON[codeEcho](t, cold)
	warm := invoke(t, f, `{}`)
	cfg := f.Config()
	codeDir, _ := filepath.Abs(cfg.CodeDir)
	checks := []check{
		{"context." + contextNames["requestId"] + " is the request ID", got.RequestID, cold.RequestID},
		{"context." + contextNames["functionName"], got.FunctionName, cfg.Name},
		{"context." + contextNames["functionVersion"], got.FunctionVersion, "$LATEST"},
		{"context." + contextNames["invokedFunctionArn"], got.InvokedFunctionArn, cfg.ARN},
		{"context." + contextNames["memoryLimitInMB"] + " is a string, as in Lambda", got.MemoryLimitInMB, "256"},
		{"context." + contextNames["logGroupName"], got.LogGroupName, "/aws/lambda/" + cfg.Name},
		{"context." + contextNames["logStreamName"] + " is the instance's", got.LogStreamName, got.Env["AWS_LAMBDA_LOG_STREAM_NAME"]},
		{"context." + contextNames["remainingMs"] + " counts down from the timeout", got.RemainingMs > 4000 && got.RemainingMs <= 5000, true},
		{"the process runs in the code directory", got.Cwd, codeDir},
		{"the warm instance is reused", warm.PID == cold.PID && !warm.ColdStart && cold.ColdStart, true},
		{"the Result names the process", got.PID, cold.PID},
		{"LAMBDA_TASK_ROOT is the code directory", got.Env["LAMBDA_TASK_ROOT"], codeDir},
		{"AWS_EXECUTION_ENV names the runtime", got.Env["AWS_EXECUTION_ENV"], "AWS_Lambda_" + cfg.Runtime},
		{"_HANDLER is the handler", got.Env["_HANDLER"], cfg.Handler},
		{"AWS_REGION is the function's", got.Env["AWS_REGION"], cfg.Region},
		{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", got.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256"},
		{"TZ is UTC", got.Env["TZ"], ":UTC"},
		{"the function's variables are set", got.Env["TABLE"], "orders"},
		{"_X_AMZN_TRACE_ID is the invocation's trace header", strings.HasPrefix(got.Env["_X_AMZN_TRACE_ID"], "Root=1-"), true},
		{"HOME is not passed on", got.Env["HOME"], ""},
	}
	return got, checks
}

// echoConfig is the configuration echoContext expects.
func echoConfig(name string) FunctionConfig {
	return FunctionConfig{Name: name, MemoryMB: 256, Timeout: 5 * time.Second, Region: "eu-west-1", Env: map[string]string{"TABLE": "orders"}}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
