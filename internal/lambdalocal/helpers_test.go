//go:build unix

package lambdalocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Fixture binaries are built once per test binary, all at once, into one temporary directory.
var (
	fixtureDir  string
	fixtureOnce sync.Once
	fixtureBins map[string]string
	fixtureErr  error
	fixturePkgs = map[string]string{
		"greeting": "./lambda/greeting",
		"behave":   "./internal/lambdalocal/testdata/behave",
		"initexit": "./internal/lambdalocal/testdata/initexit",
		"rawapi":   "./internal/lambdalocal/testdata/rawapi",
	}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdalocal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// moduleDir finds the module root by walking up to go.mod.
func moduleDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// fixture returns the binary of a fixture (or of the greeting function), building them all on
// first use.
func fixture(tb testing.TB, name string) string {
	tb.Helper()
	fixtureOnce.Do(func() {
		// One after the other: concurrent go builds would each compile the shared
		// dependencies on a cold cache, where one after the other reuse them.
		mod := moduleDir(tb)
		fixtureBins = map[string]string{}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		for name, pkg := range fixturePkgs {
			bin, err := Build(ctx, mod, pkg, filepath.Join(fixtureDir, name))
			if err != nil {
				fixtureErr = errors.Join(fixtureErr, err)
			}
			fixtureBins[name] = bin
		}
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	bin, ok := fixtureBins[name]
	if !ok {
		tb.Fatalf("no fixture %q", name)
	}
	return bin
}

// syncBuffer is a log destination tests can read while instances write to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newFunction starts a Function on a fixture and closes it when the test ends.
func newFunction(tb testing.TB, name string, cfg FunctionConfig) *Function {
	tb.Helper()
	cfg.Binary = fixture(tb, name)
	if cfg.Name == "" {
		cfg.Name = name
	}
	f, err := NewFunction(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func invoke(tb testing.TB, f *Function, payload string) Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(payload))
	if err != nil {
		tb.Fatalf("Invoke(%s): %v", payload, err)
	}
	return res
}

// behaveResponse is what the behave fixture answers.
type behaveResponse struct {
	Echo        json.RawMessage   `json:"echo"`
	Environ     map[string]string `json:"environ"`
	Cwd         string            `json:"cwd"`
	PID         int               `json:"pid"`
	ChildPID    int               `json:"childPid"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineMS  int64             `json:"deadlineMs"`
}

func decodeBehave(tb testing.TB, res Result) behaveResponse {
	tb.Helper()
	return decodeJSON[behaveResponse](tb, res)
}

// errorDocument is Lambda's error document.
type errorDocument struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func decodeError(tb testing.TB, res Result) errorDocument {
	tb.Helper()
	if res.FunctionError != FunctionErrorUnhandled {
		tb.Fatalf("FunctionError = %q, want %q; payload %s", res.FunctionError, FunctionErrorUnhandled, res.Payload)
	}
	var d errorDocument
	if err := json.Unmarshal(res.Payload, &d); err != nil {
		tb.Fatalf("decode error document %s: %v", res.Payload, err)
	}
	return d
}

// processGone reports whether pid has exited (a zombie counts as gone: it runs no code).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// The state follows the command name, which is in parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] == 'Z' || stat[i+2] == 'X'
	}
	return false
}

// eventually polls cond for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitForLog waits for the logs to match pattern: they are copied from the process's output
// asynchronously.
func waitForLog(tb testing.TB, logs *syncBuffer, pattern string) {
	tb.Helper()
	re := regexp.MustCompile(pattern)
	if !eventually(2*time.Second, func() bool { return re.MatchString(logs.String()) }) {
		tb.Errorf("logs do not match %s:\n%s", pattern, logs)
	}
}
