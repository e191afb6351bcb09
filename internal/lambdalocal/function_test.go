//go:build linux

package lambdalocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGreetingFunction(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "greeting", FunctionConfig{})
	tests := []struct {
		name        string
		payload     string
		wantPayload string // on success
		wantMessage string // on a function error
	}{
		{"greets a named caller", `{"greeter":"Ann"}`, `{"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, Ann!"}`, ""},
		{"greets the world for an empty name", `{"greeter":""}`, `{"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, World"}`, ""},
		{"reports a missing greeter as an unhandled function error", `{}`, "", "Missing the required greeter parameter."},
		{"answers a proxy event without a greeter with a 400", `{"version":"2.0","rawPath":"/greeting"}`,
			`{"statusCode":400,"headers":{"Content-Type":"application/json"},"body":"{\"message\":\"Missing the required greeter parameter.\"}"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, f, tt.payload)
			if tt.wantMessage != "" {
				doc := decodeError(t, res)
				if doc.ErrorMessage != tt.wantMessage {
					t.Errorf("errorMessage = %q, want %q", doc.ErrorMessage, tt.wantMessage)
				}
				if res.ErrorType != "errorString" { // aws-lambda-go names the error's Go type
					t.Errorf("ErrorType = %q, want errorString", res.ErrorType)
				}
				return
			}
			if res.FunctionError != "" || string(res.Payload) != tt.wantPayload {
				t.Errorf("got %q %s, want %s", res.FunctionError, res.Payload, tt.wantPayload)
			}
		})
	}
}

func TestWarmInstanceIsReused(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "behave", FunctionConfig{})
	first := invoke(t, f, `{}`)
	second := invoke(t, f, `{}`)
	if !first.ColdStart || first.InitDuration <= 0 {
		t.Errorf("first invocation: ColdStart %v, InitDuration %v; want a cold start with its init duration", first.ColdStart, first.InitDuration)
	}
	if second.ColdStart || second.InitDuration != 0 {
		t.Errorf("second invocation: ColdStart %v, InitDuration %v; want a warm start", second.ColdStart, second.InitDuration)
	}
	if first.PID != second.PID || first.PID == 0 {
		t.Errorf("PIDs %d then %d, want the same process", first.PID, second.PID)
	}
	if got := decodeBehave(t, second).PID; got != second.PID {
		t.Errorf("the function ran in process %d, the Result says %d", got, second.PID)
	}
	if s := f.Stats(); s.ColdStarts != 1 || s.Invocations != 2 || s.Instances != 1 || s.Idle != 1 {
		t.Errorf("Stats = %+v, want one instance, idle, after 1 cold start and 2 invocations", s)
	}
	if first.MaxMemoryUsedMB <= 0 || first.MaxMemoryUsedMB > 128 {
		t.Errorf("MaxMemoryUsedMB = %d, want a plausible figure", first.MaxMemoryUsedMB)
	}
}

func TestInvocationContext(t *testing.T) {
	t.Parallel()
	cfg := FunctionConfig{Name: "context-fn", ARN: "arn:aws:lambda:eu-west-1:123456789012:function:context-fn", Timeout: 5 * time.Second}
	f := newFunction(t, "behave", cfg)
	before := time.Now()
	res := invoke(t, f, `{"echo":{"a":[1,2]}}`)
	r := decodeBehave(t, res)
	if string(r.Echo) != `{"a":[1,2]}` {
		t.Errorf("echo = %s, want the event's", r.Echo)
	}
	if r.RequestID != res.RequestID || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(r.RequestID) {
		t.Errorf("request ID %q (Result %q), want the same UUID", r.RequestID, res.RequestID)
	}
	if r.FunctionARN != cfg.ARN {
		t.Errorf("invoked function ARN = %q, want %q", r.FunctionARN, cfg.ARN)
	}
	if d := time.UnixMilli(r.DeadlineMS).Sub(before); d < 4*time.Second || d > 6*time.Second {
		t.Errorf("deadline %v after the call, want the 5 s timeout", d)
	}
	if want := filepath.Dir(f.Config().Binary); r.Cwd != want {
		t.Errorf("working directory %q, want the binary's %q", r.Cwd, want)
	}
}

func TestEnvironment(t *testing.T) {
	t.Setenv("LAMBDALOCAL_PARENT_ONLY", "leaked")
	logs := &syncBuffer{}
	f := newFunction(t, "behave", FunctionConfig{
		Name:     "env-fn",
		MemoryMB: 256,
		Region:   "eu-central-1",
		Logs:     logs,
		Env:      map[string]string{"TABLE": "orders", "TZ": "Europe/Paris", "AWS_REGION": "us-west-2", "LANG": "C.UTF-8"},
	})
	env := decodeBehave(t, invoke(t, f, `{"environ":true}`)).Environ
	dir := filepath.Dir(f.Config().Binary)
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "env-fn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/env-fn",
		"AWS_REGION":                      "eu-central-1", // reserved: the configuration cannot override it
		"AWS_DEFAULT_REGION":              "eu-central-1",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                dir,
		"LAMBDA_RUNTIME_DIR":              dir,
		"AWS_ACCESS_KEY_ID":               fakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           fakeSecretAccessKey,
		"AWS_SESSION_TOKEN":               fakeSessionToken,
		"TABLE":                           "orders",
		"TZ":                              "Europe/Paris", // unreserved: the configuration wins
		"LANG":                            "C.UTF-8",
		"PATH":                            os.Getenv("PATH"),
	}
	for k, v := range want {
		t.Run("sets "+k, func(t *testing.T) {
			if env[k] != v {
				t.Errorf("%s = %q, want %q", k, env[k], v)
			}
		})
	}
	t.Run("points the runtime at a loopback port", func(t *testing.T) {
		if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
			t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", env["AWS_LAMBDA_RUNTIME_API"])
		}
	})
	t.Run("names a log stream like Lambda", func(t *testing.T) {
		if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
			t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
		}
	})
	for _, k := range []string{"LAMBDALOCAL_PARENT_ONLY", "HOME", "AWS_EXECUTION_ENV", "AWS_PROFILE"} {
		t.Run("does not set "+k, func(t *testing.T) {
			if v, ok := env[k]; ok {
				t.Errorf("%s = %q, want it unset", k, v)
			}
		})
	}
	t.Run("warns about the reserved variable it ignores", func(t *testing.T) {
		if !strings.Contains(logs.String(), "ignoring reserved environment variables AWS_REGION") {
			t.Errorf("logs lack the warning:\n%s", logs)
		}
	})
}

func TestRuntimeAPIProtocol(t *testing.T) {
	t.Parallel()
	cfg := FunctionConfig{ARN: "arn:aws:lambda:us-east-1:000000000000:function:rawapi", Timeout: 2 * time.Second}
	f := newFunction(t, "rawapi", cfg)
	type probe struct {
		RequestID, DeadlineMS, FunctionARN, TraceID, ContentType, Body string
		WrongIDStatus                                                  int
		WrongIDBody                                                    string
		EarlyNextStatus, InitErrorStatus, SecondAnswerStatus           int
		SecondAnswerBody                                               string
	}
	before := time.Now()
	first := invoke(t, f, `{"n":1}`)
	second := invoke(t, f, `{"n":2}`)
	var p1, p2 probe
	for _, x := range []struct {
		res Result
		p   *probe
	}{{first, &p1}, {second, &p2}} {
		if x.res.FunctionError != "" {
			t.Fatalf("function error: %s", x.res.Payload)
		}
		if err := json.Unmarshal(x.res.Payload, x.p); err != nil {
			t.Fatalf("decode %s: %v", x.res.Payload, err)
		}
	}
	ms, err := strconv.ParseInt(p1.DeadlineMS, 10, 64)
	if err != nil {
		t.Fatalf("deadline %q: %v", p1.DeadlineMS, err)
	}
	deadline := time.UnixMilli(ms)
	tests := []struct {
		name      string
		got, want any
	}{
		{"next carries the request ID", p1.RequestID, first.RequestID},
		{"next carries the invoked function's ARN", p1.FunctionARN, cfg.ARN},
		{"next carries the event as its body", p1.Body, `{"n":1}`},
		{"next says the event is JSON", p1.ContentType, "application/json"},
		{"next carries the deadline in epoch milliseconds", deadline.Sub(before).Round(time.Second), 2 * time.Second},
		{"next carries an X-Ray trace header", regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(p1.TraceID), true},
		{"a response for another request ID is a 400", p1.WrongIDStatus, 400},
		{"a wrong request ID is named InvalidRequestID", p1.WrongIDBody, string(invalidRequestIDBody)},
		{"next before answering is refused", p1.EarlyNextStatus, 403},
		{"init error after init is refused", p1.InitErrorStatus, 403},
		{"a second response to the same invocation is a 400", p2.SecondAnswerStatus, 400},
		{"a second response is named InvalidRequestID", p2.SecondAnswerBody, string(invalidRequestIDBody)},
		{"each invocation has its own request ID", p1.RequestID != p2.RequestID, true},
		{"the instance is reused", second.PID == first.PID && !second.ColdStart, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}

	t.Run("an error posted to /error is the function error", func(t *testing.T) {
		res := invoke(t, f, `"fail"`)
		if want := `{"errorMessage":"rawapi failed as asked","errorType":"Raw.Failure"}`; string(res.Payload) != want || res.FunctionError != "Unhandled" || res.ErrorType != "Raw.Failure" {
			t.Errorf("got %q %q %s, want Unhandled Raw.Failure %s", res.FunctionError, res.ErrorType, res.Payload, want)
		}
	})
	t.Run("an error posted to /init/error fails the invocation with its document", func(t *testing.T) {
		g := newFunction(t, "rawapi", FunctionConfig{Name: "rawapi-init", Env: map[string]string{"RAWAPI_INIT_ERROR": "1"}})
		res := invoke(t, g, `{}`)
		want := `{"errorMessage":"rawapi: RAWAPI_INIT_ERROR is set","errorType":"Runtime.InitError"}`
		if string(res.Payload) != want || res.FunctionError != "Unhandled" || res.ErrorType != "Runtime.InitError" || !res.ColdStart {
			t.Errorf("got %q %q cold=%v %s, want Unhandled Runtime.InitError %s", res.FunctionError, res.ErrorType, res.ColdStart, res.Payload, want)
		}
		if !eventually(2*time.Second, func() bool { return processGone(res.PID) }) {
			t.Errorf("the instance that failed its init (pid %d) still runs", res.PID)
		}
	})
}

func TestFunctionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		payload     string
		wantType    string
		wantMessage string // exact, with %s for the request ID; or a prefix ending in "…"
		newInstance bool   // the instance is gone afterwards
	}{
		{"a returned error is reported and keeps the instance", `{"error":"boom"}`, "errorString", "boom", false},
		{"a panic is reported by the runtime, which then exits", `{"panic":"kaboom"}`, "string", "kaboom", true},
		{"an exit with a status is Runtime.ExitError", `{"exit":2}`, ErrorTypeExit, "RequestId: %s Error: Runtime exited with error: exit status 2", true},
		{"a clean exit is Runtime.ExitError without a reason", `{"exit":0}`, ErrorTypeExit, "RequestId: %s Error: Runtime exited without providing a reason", true},
		// aws-lambda-go exits when the Runtime API refuses its response with a 413.
		{"a response over 6 MB is Function.ResponseSizeTooLarge", fmt.Sprintf(`{"responseBytes":%d}`, 7<<20), ErrorTypeResponseSizeTooBig,
			"Response payload size (…", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFunction(t, "behave", FunctionConfig{Name: "errors", MaxConcurrency: 1})
			warm := invoke(t, f, `{}`)
			res := invoke(t, f, tt.payload)
			doc := decodeError(t, res)
			if res.ErrorType != tt.wantType || doc.ErrorType != tt.wantType {
				t.Errorf("ErrorType %q, document's %q; want %q", res.ErrorType, doc.ErrorType, tt.wantType)
			}
			if prefix, ok := strings.CutSuffix(tt.wantMessage, "…"); ok {
				if !strings.HasPrefix(doc.ErrorMessage, prefix) {
					t.Errorf("errorMessage = %q, want it to start with %q", doc.ErrorMessage, prefix)
				}
			} else if want := strings.ReplaceAll(tt.wantMessage, "%s", res.RequestID); doc.ErrorMessage != want {
				t.Errorf("errorMessage = %q, want %q", doc.ErrorMessage, want)
			}
			if res.PID != warm.PID {
				t.Errorf("ran in process %d, want the warm instance %d", res.PID, warm.PID)
			}
			// The Function stays usable; a dead instance is replaced by a cold start.
			next := invoke(t, f, `{}`)
			decodeBehave(t, next)
			if tt.newInstance && (!next.ColdStart || next.PID == warm.PID) {
				t.Errorf("next invocation: cold=%v pid %d, want a fresh instance (old %d)", next.ColdStart, next.PID, warm.PID)
			}
			if !tt.newInstance && next.ColdStart {
				t.Errorf("next invocation was a cold start, want the instance kept")
			}
		})
	}
}

func TestResponseTooLargeMessage(t *testing.T) {
	// The message names the size the runtime sent and Lambda's limit.
	got := string(responseTooLarge(7340060))
	want := `{"errorMessage":"Response payload size (7340060 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestTimeoutThenRecovery(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	f := newFunction(t, "behave", FunctionConfig{Name: "slow", Timeout: 300 * time.Millisecond, MaxConcurrency: 1, Logs: logs})
	warm := invoke(t, f, `{}`)
	began := time.Now()
	res := invoke(t, f, `{"sleepMs":5000}`)
	elapsed := time.Since(began)
	doc := decodeError(t, res)
	if want := "RequestId: " + res.RequestID + " Error: Task timed out after 0.30 seconds"; doc.ErrorMessage != want || doc.ErrorType != ErrorTypeTimeout {
		t.Errorf("error document %+v, want %s %q", doc, ErrorTypeTimeout, want)
	}
	if elapsed < 300*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("timed out after %v, want about 300ms", elapsed)
	}
	if res.Duration < 300*time.Millisecond {
		t.Errorf("Duration = %v, want at least the timeout", res.Duration)
	}
	if !eventually(2*time.Second, func() bool { return processGone(warm.PID) }) {
		t.Errorf("the timed-out instance (pid %d) still runs", warm.PID)
	}
	next := invoke(t, f, `{}`)
	decodeBehave(t, next)
	if !next.ColdStart || next.PID == warm.PID {
		t.Errorf("after a timeout: cold=%v pid %d, want a fresh instance", next.ColdStart, next.PID)
	}
	waitForLog(t, logs, `(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z `+res.RequestID+` Task timed out after 0.30 seconds\n`+
		`END RequestId: `+res.RequestID+`\n`+
		`REPORT RequestId: `+res.RequestID+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: timeout$`)
}

func TestOutOfMemory(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	f := newFunction(t, "behave", FunctionConfig{Name: "hungry", MemoryMB: 64, MaxConcurrency: 1, Timeout: 10 * time.Second, Logs: logs})
	warm := invoke(t, f, `{}`)
	res := invoke(t, f, `{"allocMb":256}`)
	doc := decodeError(t, res)
	if want := "RequestId: " + res.RequestID + " Error: Runtime exited with error: signal: killed"; doc.ErrorMessage != want || doc.ErrorType != ErrorTypeOutOfMemory {
		t.Errorf("error document %+v, want %s %q", doc, ErrorTypeOutOfMemory, want)
	}
	if res.MaxMemoryUsedMB < 64 {
		t.Errorf("MaxMemoryUsedMB = %d, want at least the 64 MB limit", res.MaxMemoryUsedMB)
	}
	if res.Duration > 5*time.Second {
		t.Errorf("killed after %v, want as soon as the limit was crossed", res.Duration)
	}
	waitForLog(t, logs, `(?m)^REPORT RequestId: `+res.RequestID+`\t.*\tStatus: error\tError Type: Runtime.OutOfMemory$`)
	next := invoke(t, f, `{}`)
	decodeBehave(t, next)
	if !next.ColdStart || next.PID == warm.PID {
		t.Errorf("after running out of memory: cold=%v pid %d, want a fresh instance", next.ColdStart, next.PID)
	}
}

func TestInitFailure(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	f := newFunction(t, "initexit", FunctionConfig{Logs: logs, MaxConcurrency: 1})
	for i := range 2 { // every invocation tries a fresh instance, as Lambda does
		res := invoke(t, f, `{}`)
		doc := decodeError(t, res)
		if want := "RequestId: " + res.RequestID + " Error: Runtime exited with error: exit status 3"; doc.ErrorMessage != want || doc.ErrorType != ErrorTypeExit {
			t.Errorf("invocation %d: error document %+v, want %s %q", i, doc, ErrorTypeExit, want)
		}
		if !res.ColdStart {
			t.Errorf("invocation %d: not a cold start", i)
		}
	}
	// The function's own complaint comes first, then Lambda's account of the failed init.
	waitForLog(t, logs, `(?m)^INIT_START .*\ninitexit: INITEXIT_OK is not set\n`+
		`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n`+
		`START RequestId: \S+ Version: \$LATEST\nEND RequestId: \S+\n`+
		`REPORT RequestId: \S+\tDuration: 0.00 ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\tStatus: error\tError Type: Runtime.ExitError$`)
	if !eventually(2*time.Second, func() bool { return f.Stats().Instances == 0 }) {
		t.Errorf("Stats = %+v, want no instance left", f.Stats())
	}
	// The same binary initializes once its configuration is there.
	g := newFunction(t, "initexit", FunctionConfig{Name: "initexit-ok", Env: map[string]string{"INITEXIT_OK": "1"}})
	if res := invoke(t, g, `{}`); string(res.Payload) != `"ok"` {
		t.Errorf("got %s, want \"ok\"", res.Payload)
	}
}

func TestInvalidEntrypoint(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(bin, []byte("not an executable"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := NewFunction(FunctionConfig{Name: "noexec", Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res := invoke(t, f, `{}`)
	if doc := decodeError(t, res); doc.ErrorType != ErrorTypeInvalidEntrypoint || !strings.HasPrefix(doc.ErrorMessage, "RequestId: "+res.RequestID+" Error: ") {
		t.Errorf("error document %+v, want %s", doc, ErrorTypeInvalidEntrypoint)
	}
	if s := f.Stats(); s.Instances != 0 {
		t.Errorf("Stats = %+v, want no instance", s)
	}
}

func TestConcurrencyIsCapped(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "behave", FunctionConfig{Name: "capped", MaxConcurrency: 2})
	const calls, sleep = 6, 150 * time.Millisecond
	began := time.Now()
	var wg sync.WaitGroup
	results := make([]Result, calls)
	for i := range calls {
		wg.Go(func() { results[i] = invoke(t, f, fmt.Sprintf(`{"sleepMs":%d}`, sleep.Milliseconds())) })
	}
	wg.Wait()
	elapsed := time.Since(began)
	pids := map[int]bool{}
	for _, res := range results {
		decodeBehave(t, res)
		pids[res.PID] = true
	}
	if len(pids) != 2 {
		t.Errorf("%d processes served %d concurrent calls, want MaxConcurrency = 2", len(pids), calls)
	}
	if min := calls / 2 * sleep; elapsed < min {
		t.Errorf("%d calls of %v on 2 instances took %v, want at least %v", calls, sleep, elapsed, min)
	}
	if s := f.Stats(); s.ColdStarts != 2 || s.Waiting != 0 {
		t.Errorf("Stats = %+v, want 2 cold starts and nobody waiting", s)
	}
}

func TestThrottleWhenBusy(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "behave", FunctionConfig{Name: "throttled", MaxConcurrency: 1, ThrottleWhenBusy: true})
	busy := make(chan Result)
	go func() { busy <- invoke(t, f, `{"sleepMs":500}`) }()
	if !eventually(5*time.Second, func() bool { return f.Stats().Instances == 1 }) {
		t.Fatal("the first invocation never started an instance")
	}
	_, err := f.Invoke(context.Background(), []byte(`{}`))
	if !errors.Is(err, ErrTooManyRequests) {
		t.Errorf("Invoke while busy: %v, want ErrTooManyRequests", err)
	}
	decodeBehave(t, <-busy)
}

func TestContextEnds(t *testing.T) {
	t.Parallel()
	t.Run("while waiting for an instance", func(t *testing.T) {
		t.Parallel()
		f := newFunction(t, "behave", FunctionConfig{Name: "waiting", MaxConcurrency: 1})
		warm := invoke(t, f, `{}`)
		busy := make(chan Result)
		go func() { busy <- invoke(t, f, `{"sleepMs":600}`) }()
		if !eventually(5*time.Second, func() bool { return f.Stats().Idle == 0 }) {
			t.Fatal("the first invocation never took the instance")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		began := time.Now()
		_, err := f.Invoke(ctx, []byte(`{}`))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Invoke: %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(began); d > 400*time.Millisecond {
			t.Errorf("returned after %v, want when the context ended", d)
		}
		if s := f.Stats(); s.Waiting != 0 {
			t.Errorf("Stats = %+v, want the waiter withdrawn", s)
		}
		decodeBehave(t, <-busy)
		if res := invoke(t, f, `{}`); res.PID != warm.PID || res.ColdStart {
			t.Errorf("after the wait: pid %d cold=%v, want the warm instance %d", res.PID, res.ColdStart, warm.PID)
		}
	})
	t.Run("during an invocation, which runs on", func(t *testing.T) {
		t.Parallel()
		f := newFunction(t, "behave", FunctionConfig{Name: "abandoned", MaxConcurrency: 1})
		warm := invoke(t, f, `{}`)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := f.Invoke(ctx, []byte(`{"sleepMs":400}`))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Invoke: %v, want context.DeadlineExceeded", err)
		}
		// The instance finishes the abandoned invocation, then serves the next one warm.
		res := invoke(t, f, `{}`)
		if res.PID != warm.PID || res.ColdStart {
			t.Errorf("next invocation: pid %d cold=%v, want the warm instance %d", res.PID, res.ColdStart, warm.PID)
		}
	})
	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		f := newFunction(t, "behave", FunctionConfig{Name: "cancelled"})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := f.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.Canceled) {
			t.Errorf("Invoke: %v, want context.Canceled", err)
		}
		if s := f.Stats(); s.ColdStarts != 0 {
			t.Errorf("Stats = %+v, want nothing started", s)
		}
	})
}

func TestCloseStopsEverything(t *testing.T) {
	// Not parallel: it counts goroutines.
	baseline := runtime.NumGoroutine()
	f := newFunction(t, "behave", FunctionConfig{Name: "closing", MaxConcurrency: 3, Logs: &syncBuffer{}})
	var wg sync.WaitGroup
	results := make([]Result, 3)
	for i := range 3 {
		wg.Go(func() { results[i] = invoke(t, f, `{"spawn":true,"sleepMs":100}`) })
	}
	wg.Wait()
	var pids []int
	for _, res := range results {
		r := decodeBehave(t, res)
		pids = append(pids, r.PID, r.ChildPID)
	}
	// One invocation still running when Close comes.
	running := make(chan error, 1)
	go func() {
		_, err := f.Invoke(context.Background(), []byte(`{"sleepMs":5000}`))
		running <- err
	}()
	if !eventually(5*time.Second, func() bool { return f.Stats().Invocations == 4 }) {
		t.Fatal("the last invocation never started")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// The instances are reaped before Close returns; what they started was killed with
	// their process group and goes a moment later.
	for _, pid := range pids {
		if !eventually(time.Second, func() bool { return processGone(pid) }) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	if err := <-running; !errors.Is(err, ErrClosed) {
		t.Errorf("the invocation Close interrupted: %v, want ErrClosed", err)
	}
	if _, err := f.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !eventually(2*time.Second, func() bool { return runtime.NumGoroutine() <= baseline }) {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
	}
}

func TestLogs(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	f := newFunction(t, "behave", FunctionConfig{Name: "chatty", Logs: logs})
	cold := invoke(t, f, `{"log":"hello from the handler"}`)
	warm := invoke(t, f, `{}`)
	// In order: Lambda's lines around what the handler printed before it answered.
	waitForLog(t, logs, `(?m)^INIT_START Runtime Version: provided:al2023.*\n`+
		`START RequestId: `+cold.RequestID+` Version: \$LATEST\n`+
		`hello from the handler\n`+
		`hello from the handler \(stderr\)\n`+
		`END RequestId: `+cold.RequestID+`\n`+
		`REPORT RequestId: `+cold.RequestID+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\n`+
		`START RequestId: `+warm.RequestID+` Version: \$LATEST\n`+
		`END RequestId: `+warm.RequestID+`\n`+
		`REPORT RequestId: `+warm.RequestID+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB$`)
	if cold.BilledDuration < cold.InitDuration {
		t.Errorf("cold start billed %v for an init of %v, want the init included", cold.BilledDuration, cold.InitDuration)
	}
}

func TestRequestTooLarge(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "behave", FunctionConfig{Name: "big-request"})
	_, err := f.Invoke(context.Background(), make([]byte, MaxRequestSize+1))
	if !errors.Is(err, ErrRequestTooLarge) || !strings.Contains(err.Error(), "6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)") {
		t.Errorf("Invoke: %v, want ErrRequestTooLarge with Lambda's message", err)
	}
}

func TestConcurrentInvokes(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "greeting", FunctionConfig{Name: "stress", MaxConcurrency: 3})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				payload, want := fmt.Sprintf(`{"greeter":"g%d-%d"}`, g, i), fmt.Sprintf(`"body":"Hello, g%d-%d!"`, g, i)
				if i%5 == 0 {
					payload, want = `{}`, `Missing the required greeter parameter.`
				}
				res, err := f.Invoke(context.Background(), []byte(payload))
				if err != nil || !strings.Contains(string(res.Payload), want) {
					t.Errorf("Invoke(%s) = %s, %v; want %s", payload, res.Payload, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if s := f.Stats(); s.Instances > 3 || s.ColdStarts > 3 || s.Invocations != 200 {
		t.Errorf("Stats = %+v, want at most 3 instances for 200 invocations", s)
	}
}

func TestNewFunctionValidates(t *testing.T) {
	t.Parallel()
	bin := fixture(t, "behave")
	tests := []struct {
		name string
		cfg  FunctionConfig
		want string
	}{
		{"requires a name", FunctionConfig{Binary: bin}, "a name is required"},
		{"requires a binary", FunctionConfig{Name: "f"}, "a binary is required"},
		{"requires the binary to exist", FunctionConfig{Name: "f", Binary: bin + ".missing"}, "no such file"},
		{"refuses a directory", FunctionConfig{Name: "f", Binary: filepath.Dir(bin)}, "is a directory"},
		{"refuses a negative timeout", FunctionConfig{Name: "f", Binary: bin, Timeout: -time.Second}, "timeout -1s is negative"},
		{"refuses a negative memory size", FunctionConfig{Name: "f", Binary: bin, MemoryMB: -1}, "memory size -1 MB is negative"},
		{"refuses a negative concurrency", FunctionConfig{Name: "f", Binary: bin, MaxConcurrency: -1}, "maximum concurrency -1 is negative"},
		{"refuses a variable name with =", FunctionConfig{Name: "f", Binary: bin, Env: map[string]string{"A=B": "c"}}, `"A=B" is not valid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFunction(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewFunction: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("fills in Lambda's defaults", func(t *testing.T) {
		f, err := NewFunction(FunctionConfig{Name: "f", Binary: bin})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got := f.Config()
		if got.Timeout != 3*time.Second || got.MemoryMB != 128 || got.Region != "us-east-1" || got.Handler != "bootstrap" ||
			got.InitTimeout != 10*time.Second || got.MaxConcurrency != DefaultMaxConcurrency || got.ARN != "arn:aws:lambda:us-east-1:000000000000:function:f" {
			t.Errorf("Config() = %+v", got)
		}
	})
}

func TestRuntimeAPIEndpoint(t *testing.T) {
	t.Parallel()
	f := newFunction(t, "behave", FunctionConfig{Name: "endpoint"})
	api := "http://" + decodeBehave(t, invoke(t, f, `{"environ":true}`)).Environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           string
	}{
		{"an unknown path is a 404", http.MethodGet, "/unknown", 404, string(unknownEndpointResponse)},
		{"next must be a GET", http.MethodPost, "/invocation/next", 404, string(unknownEndpointResponse)},
		{"an answer must be a POST", http.MethodGet, "/invocation/some-id/response", 404, string(unknownEndpointResponse)},
		{"an answer with no invocation in flight is a 400", http.MethodPost, "/invocation/some-id/response", 400, string(invalidRequestIDBody)},
		{"an error with no invocation in flight is a 400", http.MethodPost, "/invocation/some-id/error", 400, string(invalidRequestIDBody)},
		{"an init error after init is a 403", http.MethodPost, "/init/error", 403, `{"errorMessage":"State transition from Ready to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, api+tt.path, strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("got %d %s %q, want %d application/json %q", resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	// None of that disturbed the instance.
	if res := invoke(t, f, `{}`); res.ColdStart {
		t.Error("the instance was replaced")
	}
}
