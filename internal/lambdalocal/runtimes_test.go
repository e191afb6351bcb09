//go:build linux

package lambdalocal

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestOSOnlyRuntimesRunTheAssetsExecutable(t *testing.T) {
	t.Parallel()
	behave := fixture(t, "behave") // built by the test, for this host, as a bootstrap
	goDir := t.TempDir()
	if err := os.Symlink(behave, filepath.Join(goDir, "main")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, runtime, codeDir, handler string
		wantExecutionEnv                string
		wantInitStart                   string
	}{
		{"provided.al2023 runs bootstrap", "provided.al2023", filepath.Dir(behave), "", "", "provided:al2023 (local process)"},
		{"provided.al2 runs bootstrap", "provided.al2", filepath.Dir(behave), "not.used", "", "provided:al2 (local process)"},
		{"go1.x runs the executable the handler names", "go1.x", goDir, "main", "AWS_Lambda_go1.x", "go:1 (local process)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			f, err := NewFunction(FunctionConfig{Name: "os-only", Runtime: tt.runtime, CodeDir: tt.codeDir, Handler: tt.handler, Logs: logs})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := decodeBehave(t, invoke(t, f, `{"environ":true}`))
			wantHandler := tt.handler
			if wantHandler == "" {
				wantHandler = DefaultHandler
			}
			if got.Cwd != tt.codeDir || got.Environ["LAMBDA_TASK_ROOT"] != tt.codeDir || got.Environ["_HANDLER"] != wantHandler {
				t.Errorf("ran in %s with LAMBDA_TASK_ROOT %s and _HANDLER %s, want %s and %s", got.Cwd, got.Environ["LAMBDA_TASK_ROOT"], got.Environ["_HANDLER"], tt.codeDir, wantHandler)
			}
			if env, ok := got.Environ["AWS_EXECUTION_ENV"]; env != tt.wantExecutionEnv || ok != (tt.wantExecutionEnv != "") {
				t.Errorf("AWS_EXECUTION_ENV = %q (set: %v), want %q", env, ok, tt.wantExecutionEnv)
			}
			waitForLog(t, logs, `(?m)^INIT_START Runtime Version: `+regexp.QuoteMeta(tt.wantInitStart)+`$`)
		})
	}
	t.Run("a missing bootstrap is Runtime.InvalidEntrypoint at the first invocation", func(t *testing.T) {
		t.Parallel()
		f, err := NewFunction(FunctionConfig{Name: "no-bootstrap", Runtime: "provided.al2023", CodeDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if doc := decodeError(t, invoke(t, f, `{}`)); doc.ErrorType != ErrorTypeInvalidEntrypoint {
			t.Errorf("error document %+v, want %s", doc, ErrorTypeInvalidEntrypoint)
		}
	})
}

// writeELFHeader writes the 64-byte header of an ELF executable for machine and osabi: all
// CheckRuntime reads.
func writeELFHeader(t *testing.T, path string, machine elf.Machine, osabi elf.OSABI) {
	t.Helper()
	h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT), Ehsize: 64}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION], h.Ident[elf.EI_OSABI] =
		byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT), byte(osabi)
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, h); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestContextAndEnvironment checks the context object and the environment of Node.js and
// Python functions: what every runtime sets (echoContext), then each one's own.
func TestContextAndEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dir    string
		family       runtimeFamily
		contextNames map[string]string // the context's names for echoContext's fields
		own          func(got codeEcho, codeDir string) []check
	}{
		{"Node.js", "node/cjs", familyNode, map[string]string{
			"requestId": "awsRequestId", "functionName": "functionName", "functionVersion": "functionVersion",
			"invokedFunctionArn": "invokedFunctionArn", "memoryLimitInMB": "memoryLimitInMB", "logGroupName": "logGroupName",
			"logStreamName": "logStreamName", "remainingMs": "getRemainingTimeInMillis()",
		}, func(got codeEcho, codeDir string) []check {
			return []check{
				{"NODE_PATH ends with the task root", strings.HasSuffix(got.Env["NODE_PATH"], ":"+codeDir), true},
				{"LAMBDA_RUNTIME_DIR holds the runtime client", fileExists(filepath.Join(got.Env["LAMBDA_RUNTIME_DIR"], "index.mjs")), true},
			}
		}},
		{"Python", "python/app", familyPython, map[string]string{
			"requestId": "aws_request_id", "functionName": "function_name", "functionVersion": "function_version",
			"invokedFunctionArn": "invoked_function_arn", "memoryLimitInMB": "memory_limit_in_mb", "logGroupName": "log_group_name",
			"logStreamName": "log_stream_name", "remainingMs": "get_remaining_time_in_millis()",
		}, func(got codeEcho, codeDir string) []check {
			return []check{
				{"the code directory comes first on sys.path", got.TaskRootFirst, codeDir},
				{"PYTHONPATH is the runtime directory", got.Env["PYTHONPATH"], got.Env["LAMBDA_RUNTIME_DIR"]},
				{"LAMBDA_RUNTIME_DIR holds the runtime client", fileExists(filepath.Join(got.Env["LAMBDA_RUNTIME_DIR"], "bootstrap.py")), true},
				{"compiled modules stay out of the code directory", got.Env["PYTHONPYCACHEPREFIX"] != "" && !fileExists(filepath.Join(codeDir, "__pycache__")), true},
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newCodeFunction(t, hostRuntime(t, tt.family), tt.dir, "app.echo", echoConfig("context-"+strings.ToLower(strings.TrimSuffix(tt.name, ".js"))))
			got, checks := echoContext(t, f, tt.contextNames)
			codeDir, _ := filepath.Abs(f.Config().CodeDir)
			runChecks(t, append(checks, tt.own(got, codeDir)...))
		})
	}
}

// TestInitErrors fails the init of Node.js and Python functions in every way their runtimes
// name, and checks Lambda's account of it: the error document, the runtime's log line, and
// INIT_REPORT.
func TestInitErrors(t *testing.T) {
	t.Parallel()
	runtimes := map[runtimeFamily]struct {
		initStart string                        // INIT_START's runtime version, a pattern
		errorLine func(errorType string) string // the runtime's log line, a pattern
		document  func(t *testing.T, doc codeErrorDocument, errorType string)
	}{
		familyNode: {`nodejs:\d+ \(local node v[\d.]+\)`, func(errorType string) string {
			return `\S+\tundefined\tERROR\tUncaught Exception \t\{"errorType":"` + regexp.QuoteMeta(errorType) + `"`
		}, func(t *testing.T, doc codeErrorDocument, errorType string) {
			if len(doc.Trace) == 0 || !strings.HasPrefix(doc.Trace[0], errorType+": ") {
				t.Errorf("trace %q, want the error's stack", doc.Trace)
			}
		}},
		familyPython: {`python:3\.\d+ \(local python [\d.]+\)`, func(errorType string) string {
			return `\[ERROR\] ` + regexp.QuoteMeta(errorType) + `: `
		}, func(t *testing.T, doc codeErrorDocument, _ string) {
			if doc.RequestID != "" {
				t.Errorf("requestId %q, want none for an init error, as in Lambda", doc.RequestID)
			}
		}},
	}
	tests := []struct {
		family             runtimeFamily
		name, dir, handler string
		wantType           string
		wantMessage        string // a prefix ending in "…", or exact
	}{
		{familyNode, "Node.js: a missing export is Runtime.HandlerNotFound", "node/cjs", "app.nope", "Runtime.HandlerNotFound", "app.nope is undefined or not exported"},
		{familyNode, "Node.js: an export that is no function is Runtime.HandlerNotFound", "node/cjs", "app.notAFunction", "Runtime.HandlerNotFound", "app.notAFunction is not a function"},
		{familyNode, "Node.js: a missing module is Runtime.ImportModuleError", "node/cjs", "nosuch.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nosuch'\nRequire stack:\n- …"},
		{familyNode, "Node.js: a missing dependency is Runtime.ImportModuleError", "node/cjs", "needsmissing.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'a-package-that-is-not-installed'\nRequire stack:\n- …"},
		{familyNode, "Node.js: a syntax error is Runtime.UserCodeSyntaxError", "node/syntax", "broken.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token…"},
		{familyNode, "Node.js: a handler without a dot is Runtime.MalformedHandlerName", "node/cjs", "app", "Runtime.MalformedHandlerName", "Bad handler"},
		{familyNode, "Node.js: a streaming handler is refused, saying so", "node/cjs", "app.streams", "Runtime.StreamingNotSupported",
			"app.streams streams its response (awslambda.streamifyResponse), which lambdalocal does not support"},
		{familyNode, "Node.js: a handler that climbs out of the task root is Runtime.MalformedHandlerName", "node/cjs", "../cjs/app.echo", "Runtime.MalformedHandlerName",
			"'../cjs/app.echo' is not a valid handler name. Use absolute paths when specifying root directories in handler names."},
		{familyPython, "Python: a missing module is Runtime.ImportModuleError", "python/app", "nosuch.handler", "Runtime.ImportModuleError", "Unable to import module 'nosuch': No module named 'nosuch'"},
		{familyPython, "Python: a missing dependency is Runtime.ImportModuleError", "python/app", "needsmissing.handler", "Runtime.ImportModuleError",
			"Unable to import module 'needsmissing': No module named 'a_module_that_is_not_installed'"},
		{familyPython, "Python: a missing function is Runtime.HandlerNotFound", "python/app", "app.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'"},
		{familyPython, "Python: a syntax error is Runtime.UserCodeSyntaxError", "python/syntax", "broken.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'broken': …"},
		{familyPython, "Python: a handler without a dot is Runtime.MalformedHandlerName", "python/app", "app", "Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack (expected 2, got 1)"},
		{familyPython, "Python: a handler in a built-in module is Runtime.BuiltInModuleConflict", "python/app", "sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"},
		{familyPython, "Python: an exception at import is reported by its type", "python/app", "raises_at_import.handler", "RuntimeError", "configuration missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			f := newCodeFunction(t, hostRuntime(t, tt.family), tt.dir, tt.handler, FunctionConfig{Name: "init-errors", Logs: logs, MaxConcurrency: 1})
			res := invoke(t, f, `{}`)
			rt := runtimes[tt.family]
			rt.document(t, checkInitError(t, res, logs, rt.initStart, rt.errorLine(tt.wantType), tt.wantType, tt.wantMessage), tt.wantType)
		})
	}
}

// TestInterpretedPlatformErrors runs what Lambda itself detects on Node.js and Python
// functions: the instance machinery is the one Go functions use.
func TestInterpretedPlatformErrors(t *testing.T) {
	t.Parallel()
	runtimes := []struct {
		name   string
		family runtimeFamily
		dir    string
	}{
		{"Node.js", familyNode, "node/cjs"},
		{"Python", familyPython, "python/app"},
	}
	behaviours := []struct {
		name, handler, payload string
		cfg                    FunctionConfig
		wantType               string
		wantMessage            string // with %s for the request ID; or a prefix ending in "…"
		newInstance            bool
	}{
		{"a timeout is Sandbox.Timedout", "app.sleeps", `{"ms":5000}`, FunctionConfig{Timeout: 500 * time.Millisecond},
			ErrorTypeTimeout, "RequestId: %s Error: Task timed out after 0.50 seconds", true},
		{"running out of memory is Runtime.OutOfMemory", "app.hungry", `{"mb":256}`, FunctionConfig{MemoryMB: 128, Timeout: 10 * time.Second},
			ErrorTypeOutOfMemory, "RequestId: %s Error: Runtime exited with error: signal: killed", true},
		{"a response over 6 MB is Function.ResponseSizeTooLarge", "app.big", fmt.Sprintf(`{"bytes":%d}`, 7<<20), FunctionConfig{},
			ErrorTypeResponseSizeTooBig, "Response payload size (…", false},
	}
	for _, rt := range runtimes {
		for _, tt := range behaviours {
			t.Run(rt.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				cfg := tt.cfg
				cfg.Name, cfg.MaxConcurrency = "platform-errors", 1
				f := newCodeFunction(t, hostRuntime(t, rt.family), rt.dir, tt.handler, cfg)
				res := invoke(t, f, tt.payload)
				doc := decodeError(t, res)
				if res.ErrorType != tt.wantType || doc.ErrorType != tt.wantType || !matchMessage(doc.ErrorMessage, strings.ReplaceAll(tt.wantMessage, "%s", res.RequestID)) {
					t.Errorf("got %s %s, want %s %q", res.ErrorType, res.Payload, tt.wantType, tt.wantMessage)
				}
				if tt.newInstance && !eventually(2*time.Second, func() bool { return processGone(res.PID) }) {
					t.Errorf("the instance (pid %d) still runs", res.PID)
				}
				next := invoke(t, f, tt.payload)
				if next.ErrorType != tt.wantType || next.ColdStart != tt.newInstance {
					t.Errorf("next invocation: %s cold=%v, want %s again, cold=%v", next.ErrorType, next.ColdStart, tt.wantType, tt.newInstance)
				}
			})
		}
	}
}

func TestCheckRuntime(t *testing.T) {
	t.Parallel()
	otherMachine, otherArch := elf.EM_AARCH64, "arm64"
	if runtime.GOARCH == "arm64" {
		otherMachine, otherArch = elf.EM_X86_64, "amd64"
	}
	foreignArch, foreignOS, script := t.TempDir(), t.TempDir(), t.TempDir()
	writeELFHeader(t, filepath.Join(foreignArch, "bootstrap"), otherMachine, elf.ELFOSABI_NONE)
	writeELFHeader(t, filepath.Join(foreignArch, "main"), otherMachine, elf.ELFOSABI_NONE)
	writeELFHeader(t, filepath.Join(foreignOS, "bootstrap"), elf.EM_X86_64, elf.ELFOSABI_FREEBSD)
	if err := os.WriteFile(filepath.Join(script, "bootstrap"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	behave := fixture(t, "behave")
	codeDir := filepath.Join("testdata", "node", "cjs")
	host := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name string
		cfg  FunctionConfig
		want string // "" for no error
	}{
		{"runs a provided.al2023 bootstrap built for this host", FunctionConfig{Runtime: "provided.al2023", CodeDir: filepath.Dir(behave)}, ""},
		{"leaves a script bootstrap to the invocation", FunctionConfig{Runtime: "provided.al2", CodeDir: script}, ""},
		{"runs a Binary from Build", FunctionConfig{Binary: behave}, ""},
		{"refuses a bootstrap for another architecture, saying what to build",
			FunctionConfig{Runtime: "provided.al2023", CodeDir: foreignArch},
			"lambda function check: provided.al2023: " + filepath.Join(foreignArch, "bootstrap") + " is a linux/" + otherArch + " executable, and this host is " + host + ": lambdalocal runs the code as it was built, so build a " + host + " copy to run it here (for Go: GOOS=" + runtime.GOOS + " GOARCH=" + runtime.GOARCH + ")"},
		{"refuses a go1.x executable for another architecture", FunctionConfig{Runtime: "go1.x", CodeDir: foreignArch, Handler: "main"}, "go1.x: " + filepath.Join(foreignArch, "main") + " is a linux/" + otherArch + " executable"},
		{"refuses an executable for another OS", FunctionConfig{Runtime: "provided.al2023", CodeDir: foreignOS}, "is a freebsd/amd64 executable"},
		{"refuses a container image", FunctionConfig{PackageType: "Image"}, "lambda function check: a container image function (PackageType Image) cannot run locally: lambdalocal starts processes, not containers"},
		{"refuses Java, naming what runs", FunctionConfig{Runtime: "java21", CodeDir: codeDir},
			"lambda function check: runtime java21 cannot run locally: lambdalocal runs nodejsN.x (on node), python3.N (on python3) and OS-only (provided.al2, provided.al2023, go1.x) functions, not Java; deploy it to try it"},
		{"refuses .NET", FunctionConfig{Runtime: "dotnet8", CodeDir: codeDir}, "runtime dotnet8 cannot run locally: lambdalocal runs"},
		{"refuses Ruby", FunctionConfig{Runtime: "ruby3.3", CodeDir: codeDir}, "runtime ruby3.3 cannot run locally"},
		{"refuses a runtime it does not know", FunctionConfig{Runtime: "cobol1.x", CodeDir: codeDir}, "runtime cobol1.x is not one lambdalocal knows"},
		{"requires a runtime with a code directory", FunctionConfig{CodeDir: codeDir}, "no runtime is set"},
		{"requires a code directory with a runtime", FunctionConfig{Runtime: "nodejs20.x"}, "runtime nodejs20.x: a code directory (CodeDir) is required"},
		{"requires the code directory to exist", FunctionConfig{Runtime: "nodejs20.x", CodeDir: codeDir + ".missing"}, "no such file or directory"},
		{"refuses a Binary with a Runtime", FunctionConfig{Binary: behave, Runtime: "provided.al2023"}, "set either Binary (from Build) or Runtime and CodeDir, not both"},
		{"refuses an interpreter that is not there", FunctionConfig{Runtime: "nodejs20.x", CodeDir: codeDir, Interpreter: "/nonexistent/node"},
			"lambda function check: runtime nodejs20.x needs Node.js 20 or newer, but exec: \"/nonexistent/node\""},
		{"refuses an interpreter of the wrong kind", FunctionConfig{Runtime: "python3.11", CodeDir: codeDir, Interpreter: "/bin/false"},
			"runtime python3.11 needs Python 3.11 or newer, but /bin/false does not run: exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Name = "check"
			err := CheckRuntime(tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckRuntime: %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckRuntime: %v, want an error containing %q", err, tt.want)
			}
			if tt.want == "" {
				return
			}
			if _, err := NewFunction(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewFunction: %v, want CheckRuntime's error", err)
			}
		})
	}
}

func TestCheckRuntimeInterpreterVersions(t *testing.T) {
	t.Parallel()
	for _, family := range []runtimeFamily{familyNode, familyPython} {
		hostRuntime := hostRuntime(t, family)
		path, _ := findInterpreter(runtimeSpec{family: family, name: hostRuntime}, "")
		newer, language, command := "nodejs99.x", "Node.js 99", "node"
		if family == familyPython {
			newer, language, command = "python3.99", "Python 3.99", "python3"
		}
		t.Run("accepts the "+command+" on PATH for "+hostRuntime, func(t *testing.T) {
			if err := CheckRuntime(FunctionConfig{Name: "v", Runtime: hostRuntime, CodeDir: "testdata"}); err != nil {
				t.Errorf("CheckRuntime: %v", err)
			}
		})
		t.Run("refuses a "+command+" older than the runtime, saying which", func(t *testing.T) {
			err := CheckRuntime(FunctionConfig{Name: "v", Runtime: newer, CodeDir: "testdata"})
			want := "lambda function v: runtime " + newer + " needs " + language + " or newer, but "
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), path.version.String()) ||
				!strings.HasSuffix(err.Error(), ": install "+language+" or newer and put it first on PATH") {
				t.Errorf("CheckRuntime: %v, want %q… naming %s %s", err, want, command, path.version)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want version
	}{
		{"v20.20.2", version{20, 20, 2}},
		{"3.11.7", version{3, 11, 7}},
		{"3.14.0rc1", version{3, 14, 0}},
		{"v23.0.0-nightly2024", version{23, 0, 0}},
		{"22", version{22, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, err := parseVersion(tt.in); err != nil || got != tt.want {
				t.Errorf("parseVersion(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestWriteClient(t *testing.T) {
	client := runtimeClient{name: "index.mjs", content: []byte("// a client\n")}
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cacheHome string
		wantCache       bool // the client lands in the cache, not the temporary directory
	}{
		{"writes into the user's cache", t.TempDir(), true},
		{"falls back to the temporary directory when the cache cannot be written", notADir, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", tt.cacheHome)
			t.Setenv("TMPDIR", tmp)
			want := tmp
			if tt.wantCache {
				want = tt.cacheHome
			}
			dir, err := writeClient(client)
			if err != nil || !strings.HasPrefix(dir, want+string(filepath.Separator)) {
				t.Fatalf("writeClient = %s, %v; want a directory under %s", dir, err, want)
			}
			path := filepath.Join(dir, client.name)
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, client.content) {
				t.Errorf("%s holds %q, %v", path, got, err)
			}
			before, _ := os.Stat(path)
			again, err := writeClient(client)
			after, _ := os.Stat(path)
			if err != nil || again != dir || !after.ModTime().Equal(before.ModTime()) {
				t.Errorf("a second writeClient = %s, %v, modified %v → %v; want the same file left alone", again, err, before.ModTime(), after.ModTime())
			}
		})
	}
}

func TestParseRuntime(t *testing.T) {
	tests := []struct {
		name       string
		wantFamily runtimeFamily
		wantN      int
		wantErr    string
	}{
		{"nodejs20.x", familyNode, 20, ""},
		{"nodejs24.x", familyNode, 24, ""},
		{"python3.13", familyPython, 13, ""},
		{"python3.9", familyPython, 9, ""},
		{"provided.al2023", familyOSOnly, 0, ""},
		{"go1.x", familyGo1, 0, ""},
		{"nodejs20", 0, 0, "runtime nodejs20 cannot run locally"},
		{"nodejs+20.x", 0, 0, "runtime nodejs+20.x cannot run locally"},
		{"python3.x", 0, 0, "runtime python3.x cannot run locally"},
		{"python2.7", 0, 0, "runtime python2.7 cannot run locally"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseRuntime(tt.name)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("parseRuntime: %v, want %q…", err, tt.wantErr)
				}
				return
			}
			if err != nil || spec.family != tt.wantFamily || spec.version != tt.wantN {
				t.Errorf("parseRuntime = %+v, %v; want family %d, version %d", spec, err, tt.wantFamily, tt.wantN)
			}
		})
	}
}
