package lambdalocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults, Lambda's where Lambda has one.
const (
	DefaultTimeout     = 3 * time.Second
	DefaultMemoryMB    = 128
	DefaultInitTimeout = 10 * time.Second // Lambda's limit on an on-demand init phase
	DefaultRegion      = "us-east-1"
	DefaultHandler     = BinaryName
	// DefaultMaxConcurrency is the local runner's own default. Lambda's is the account's
	// 1000, but every instance here is a process on this machine.
	DefaultMaxConcurrency = 16

	// memoryPollInterval is how often a running instance's memory is sampled: often enough
	// to stop a runaway allocation near the limit, rarely enough to cost nothing (one pread
	// of a few µs per busy instance per tick).
	memoryPollInterval = 10 * time.Millisecond
)

// FunctionConfig describes one Lambda function as its template configures it.
type FunctionConfig struct {
	Name, ARN      string            // function name and ARN, as the template gives them
	Binary         string            // from Build; or Runtime and CodeDir instead
	Env            map[string]string // the function's Environment.Variables
	Timeout        time.Duration     // the function's timeout (Lambda default 3s)
	MemoryMB       int               // the function's memory size (default 128)
	MaxConcurrency int               // how many instances (processes) may run at once
	Region         string
	Logs           io.Writer // the function's stdout/stderr go here (the runner prefixes lines)

	// Runtime is the function's Runtime setting, as CloudFormation spells it: nodejs20.x,
	// python3.12, provided.al2023, go1.x… It says how CodeDir runs (see CheckRuntime); it is
	// empty for a Binary.
	Runtime string
	// CodeDir is the function's code: the unzipped asset directory (aws:asset:path in the
	// cloud assembly), Lambda's /var/task. Instances run in it, as LAMBDA_TASK_ROOT.
	CodeDir string
	// PackageType is the function's PackageType: "Zip" (the default, also when empty) or
	// "Image", which cannot run here.
	PackageType string
	// Interpreter is the node or python3 executable a Node.js or Python function runs on;
	// when empty, the first recent enough on PATH (for python3.N, python3.N before python3).
	Interpreter string

	// Handler is the function's Handler setting, passed as _HANDLER. When empty:
	// "index.handler" for Node.js, "lambda_function.lambda_handler" for Python (the Lambda
	// console's defaults), DefaultHandler ("bootstrap") otherwise.
	Handler string
	// InitTimeout limits an instance's init phase, from process start to its first
	// /invocation/next; DefaultInitTimeout when zero.
	InitTimeout time.Duration
	// ThrottleWhenBusy makes Invoke fail at once with ErrTooManyRequests while
	// MaxConcurrency instances are busy, as Lambda does once a function's reserved
	// concurrency is used up. By default Invoke waits for an instance instead; see Invoke.
	ThrottleWhenBusy bool
}

// Result is the outcome of one invocation, as the Lambda Invoke API reports it (Payload,
// FunctionError) plus what the REPORT line says about it.
type Result struct {
	Payload       []byte // the response, or for a function error the error document
	FunctionError string // "" on success, "Unhandled" when the runtime reported an error, crashed, timed out or ran out of memory — as the Lambda Invoke API's X-Amz-Function-Error header
	// ErrorType is the error document's type when FunctionError is set: the runtime's
	// Lambda-Runtime-Function-Error-Type or errorType, or one of the ErrorType constants for
	// what Lambda itself detects.
	ErrorType string

	RequestID       string
	ColdStart       bool          // the invocation started a new instance
	InitDuration    time.Duration // on a cold start, the instance's init phase
	Duration        time.Duration // from handing the event to the runtime to its answer
	BilledDuration  time.Duration // as the REPORT line reports it
	MaxMemoryUsedMB int           // the instance's peak resident memory so far
	PID             int           // the instance's process, for diagnostics and tests
}

// Stats is a snapshot of a Function's instances and counters.
type Stats struct {
	Instances   int   // processes starting or running
	Idle        int   // warm instances waiting for an invocation
	Waiting     int   // invocations waiting for an instance
	Invocations int64 // invocations handed to an instance so far
	ColdStarts  int64 // instances started so far
}

// Function runs the invocations of one Lambda function on a pool of instances. Its methods
// are safe for concurrent use.
type Function struct {
	cfg    FunctionConfig
	launch launcher  // how an instance's process starts
	env    []string  // the environment of every instance, before per-instance variables
	logs   *logSink  // nil when cfg.Logs is nil
	bufs   sync.Pool // *bytes.Buffer for reading responses

	mu      sync.Mutex
	closed  bool
	idle    []*instance // warm instances, most recently used last
	active  []*instance // every instance whose process is starting or running
	waiters []*waiter   // invocations waiting for an instance, oldest first
	live    int         // instances counted against MaxConcurrency, starting ones included

	invocations, coldStarts atomic.Int64

	closing     chan struct{} // closed by Close
	monitorOnce sync.Once
	monitorDone chan struct{}
}

// waiter is an invocation waiting for an instance: it receives an idle instance, or nil as
// permission to start a new one (the slot is already counted in live).
type waiter struct{ ch chan *instance }

// NewFunction validates cfg, fills in Lambda's defaults and returns a Function. It starts no
// process: the first Invoke does.
func NewFunction(cfg FunctionConfig) (*Function, error) {
	if cfg.Name == "" {
		return nil, errors.New("lambda function: a name is required")
	}
	switch {
	case cfg.Binary == "" && cfg.CodeDir == "" && cfg.Runtime == "" && cfg.PackageType != PackageTypeImage:
		return nil, fmt.Errorf("lambda function %s: a binary is required (see Build), or a Runtime and a CodeDir", cfg.Name)
	case cfg.Binary != "":
		if st, err := os.Stat(cfg.Binary); err != nil {
			return nil, fmt.Errorf("lambda function %s: %w", cfg.Name, err)
		} else if st.IsDir() {
			return nil, fmt.Errorf("lambda function %s: binary %s is a directory", cfg.Name, cfg.Binary)
		}
	}
	launch, err := planLaunch(cfg)
	if err != nil {
		return nil, fmt.Errorf("lambda function %s: %w", cfg.Name, err)
	}
	for k := range cfg.Env {
		if err := validEnvKey(k); err != nil {
			return nil, fmt.Errorf("lambda function %s: %w", cfg.Name, err)
		}
	}
	switch {
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("lambda function %s: timeout %s is negative", cfg.Name, cfg.Timeout)
	case cfg.MemoryMB < 0:
		return nil, fmt.Errorf("lambda function %s: memory size %d MB is negative", cfg.Name, cfg.MemoryMB)
	case cfg.MaxConcurrency < 0:
		return nil, fmt.Errorf("lambda function %s: maximum concurrency %d is negative", cfg.Name, cfg.MaxConcurrency)
	case cfg.InitTimeout < 0:
		return nil, fmt.Errorf("lambda function %s: init timeout %s is negative", cfg.Name, cfg.InitTimeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MemoryMB == 0 {
		cfg.MemoryMB = DefaultMemoryMB
	}
	if cfg.MaxConcurrency == 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.InitTimeout == 0 {
		cfg.InitTimeout = DefaultInitTimeout
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Handler == "" {
		cfg.Handler = launch.handler
	}
	if cfg.ARN == "" {
		cfg.ARN = "arn:aws:lambda:" + cfg.Region + ":000000000000:function:" + cfg.Name
	}
	if launch, err = launch.withClient(cfg.MemoryMB); err != nil {
		return nil, fmt.Errorf("lambda function %s: %w", cfg.Name, err)
	}
	env, ignored := baseEnv(cfg, launch)
	f := &Function{
		cfg:         cfg,
		launch:      launch,
		env:         env,
		bufs:        sync.Pool{New: func() any { return new(bytes.Buffer) }},
		closing:     make(chan struct{}),
		monitorDone: make(chan struct{}),
	}
	if cfg.Logs != nil {
		f.logs = &logSink{w: cfg.Logs}
		if len(ignored) > 0 {
			f.logs.write([]byte("lambdalocal: ignoring reserved environment variables " + strings.Join(ignored, ", ") +
				" (Lambda refuses to deploy a function that sets them)\n"))
		}
	}
	return f, nil
}

// Config returns the function's configuration with its defaults filled in.
func (f *Function) Config() FunctionConfig { return f.cfg }

// Invoke runs one invocation on a warm idle instance, or starts a new instance (a cold start)
// when none is idle and fewer than MaxConcurrency run. The payload must not be modified until
// Invoke returns.
//
// The returned error is only for the caller's problems: ctx done, the Function closed, a
// payload over MaxRequestSize, or ErrTooManyRequests. Everything the function does wrong is a
// Result with FunctionError set, exactly as the Lambda Invoke API reports it.
//
// When MaxConcurrency instances are busy, Invoke waits until one is idle or ctx is done,
// unless ThrottleWhenBusy is set. Waiting is the default because MaxConcurrency is a limit of
// this machine, not the function's: the cloud function scales to the account's concurrency,
// so a local burst that throttled would show errors the deployed API would not have. A caller
// that models API Gateway's integration timeout bounds the wait with ctx.
//
// When ctx ends during an invocation, Invoke returns at once but the invocation runs on, as it
// would in Lambda after the caller hangs up: its instance is busy until the function answers
// or times out.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Result, error) {
	if len(payload) > MaxRequestSize {
		return Result{}, fmt.Errorf("invoke %s: %d byte payload is too large for the RequestResponse invocation type (limit %d bytes): %w",
			f.cfg.Name, len(payload), MaxRequestSize, ErrRequestTooLarge)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, f.ctxError(err)
	}
	now := time.Now()
	inv := &invocation{id: newRequestID(), traceID: newTraceID(now), payload: payload, done: make(chan struct{})}
	for {
		in, cold, err := f.acquire(ctx)
		if err != nil {
			return Result{}, err
		}
		if cold {
			var res *Result
			in, res, err = f.coldStart(ctx, inv)
			if err != nil {
				return Result{}, err
			}
			if res != nil {
				return *res, nil
			}
		}
		res, err, retry := f.run(ctx, in, inv, cold)
		if !retry {
			return res, err
		}
		// The instance's process ended while it was idle, before it took this invocation
		// (say, exiting after a panic it had reported). Lambda would use another
		// environment; so does the next round.
	}
}

// Stats returns a snapshot of the function's instances and counters.
func (f *Function) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Stats{
		Instances:   len(f.active),
		Idle:        len(f.idle),
		Waiting:     len(f.waiters),
		Invocations: f.invocations.Load(),
		ColdStarts:  f.coldStarts.Load(),
	}
}

// Close stops every instance, killing its process group, and waits until they are gone.
// Invoke after Close, and any Invoke still waiting, returns an error wrapping ErrClosed.
func (f *Function) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.closing)
	instances := slices.Clone(f.active)
	f.idle, f.waiters = nil, nil
	f.mu.Unlock()

	for _, in := range instances {
		in.kill(killClose)
	}
	for _, in := range instances {
		<-in.exited
	}
	// Either the monitor never started (and never will), or wait for it to stop.
	f.monitorOnce.Do(func() { close(f.monitorDone) })
	<-f.monitorDone
	return nil
}

func (f *Function) ctxError(err error) error {
	return fmt.Errorf("invoke %s: %w", f.cfg.Name, err)
}

func (f *Function) closedError() error {
	return fmt.Errorf("invoke %s: %w", f.cfg.Name, ErrClosed)
}

// acquire returns an idle instance, or cold=true with a slot counted for a new instance.
func (f *Function) acquire(ctx context.Context) (in *instance, cold bool, err error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, false, f.closedError()
	}
	if n := len(f.idle); n > 0 {
		in = f.idle[n-1]
		f.idle[n-1] = nil
		f.idle = f.idle[:n-1]
		in.state = stateBusy
		f.mu.Unlock()
		return in, false, nil
	}
	if f.live < f.cfg.MaxConcurrency {
		f.live++
		f.mu.Unlock()
		return nil, true, nil
	}
	if f.cfg.ThrottleWhenBusy {
		f.mu.Unlock()
		return nil, false, fmt.Errorf("invoke %s: %w", f.cfg.Name, ErrTooManyRequests)
	}
	w := &waiter{ch: make(chan *instance, 1)}
	f.waiters = append(f.waiters, w)
	f.mu.Unlock()

	select {
	case in := <-w.ch:
		return in, in == nil, nil
	case <-ctx.Done():
		f.abandonWait(w)
		return nil, false, f.ctxError(ctx.Err())
	case <-f.closing:
		return nil, false, f.closedError()
	}
}

// abandonWait withdraws a waiter whose context ended, passing on whatever it was handed in
// the meantime.
func (f *Function) abandonWait(w *waiter) {
	f.mu.Lock()
	if i := slices.Index(f.waiters, w); i >= 0 {
		f.waiters = slices.Delete(f.waiters, i, i+1)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	if in := <-w.ch; in != nil {
		f.release(in)
		return
	}
	f.mu.Lock()
	f.releaseSlotLocked()
	f.mu.Unlock()
}

// release makes a busy instance available again: to the oldest waiter, or to the idle pool.
func (f *Function) release(in *instance) {
	in.watch.Store(false)
	f.mu.Lock()
	if in.state == stateDead || f.closed {
		f.mu.Unlock()
		return
	}
	if len(f.waiters) > 0 {
		w := f.popWaiterLocked()
		in.state = stateBusy
		f.mu.Unlock()
		w.ch <- in
		return
	}
	in.state = stateIdle
	f.idle = append(f.idle, in)
	f.mu.Unlock()
}

// releaseSlotLocked frees an instance's place under MaxConcurrency, or hands it to the
// oldest waiter as permission to start an instance.
func (f *Function) releaseSlotLocked() {
	if !f.closed && len(f.waiters) > 0 {
		f.popWaiterLocked().ch <- nil
		return
	}
	f.live--
}

func (f *Function) popWaiterLocked() *waiter {
	w := f.waiters[0]
	f.waiters[0] = nil
	f.waiters = f.waiters[1:]
	return w
}

// instanceExited forgets an instance whose process has ended.
func (f *Function) instanceExited(in *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.state == stateIdle {
		if i := slices.Index(f.idle, in); i >= 0 {
			f.idle = slices.Delete(f.idle, i, i+1)
		}
	}
	if i := slices.Index(f.active, in); i >= 0 {
		f.active = slices.Delete(f.active, i, i+1)
	}
	in.state = stateDead
	f.releaseSlotLocked()
}

func (f *Function) isClosed() bool {
	select {
	case <-f.closing:
		return true
	default:
		return false
	}
}

// coldStart starts an instance for inv and waits for its init phase. It returns the ready
// instance, or the Result of a failed init, or the caller's error.
func (f *Function) coldStart(ctx context.Context, inv *invocation) (*instance, *Result, error) {
	f.coldStarts.Add(1)
	in, err := f.startInstance()
	if err != nil {
		if in == nil {
			return nil, nil, fmt.Errorf("invoke %s: %w", f.cfg.Name, err)
		}
		// The binary would not start: Lambda's "Couldn't find valid bootstrap".
		res := f.initFailure(in, inv, platformDocument(ErrorTypeInvalidEntrypoint, inv.id, err.Error()), ErrorTypeInvalidEntrypoint)
		return nil, &res, nil
	}
	timer := time.NewTimer(f.cfg.InitTimeout)
	defer timer.Stop()
	select {
	case <-in.ready:
		in.sample() // the first REPORT line then has a memory figure
		return in, nil, nil
	case <-in.dead:
		reason, state, success := in.exitInfo()
		if reason == killClose {
			return nil, nil, f.closedError()
		}
		if doc, errorType, ok := in.initError(); ok {
			if errorType == "" {
				errorType = errorTypeOf(doc)
			}
			res := f.initFailure(in, inv, doc, errorType)
			return nil, &res, nil
		}
		errorType := ErrorTypeExit
		if reason == killOutOfMemory {
			errorType = ErrorTypeOutOfMemory
		}
		res := f.initFailure(in, inv, platformDocument(errorType, inv.id, exitMessage(state, success)), errorType)
		return nil, &res, nil
	case <-timer.C:
		in.kill(killTimeout)
		res := f.initFailure(in, inv, platformDocument(ErrorTypeTimeout, inv.id, timeoutMessage(f.cfg.Timeout)), ErrorTypeTimeout)
		return nil, &res, nil
	case <-ctx.Done():
		// Let the init finish in the background, as Lambda would: the instance then serves
		// the next invocation warm.
		go func() {
			select {
			case <-in.ready:
				f.release(in)
			case <-in.dead:
			case <-time.After(time.Until(in.started.Add(f.cfg.InitTimeout))):
				in.kill(killTimeout)
			}
		}()
		return nil, nil, f.ctxError(ctx.Err())
	}
}

// initFailure is the Result of an invocation whose instance failed to initialize, with the
// log lines Lambda writes for it.
func (f *Function) initFailure(in *instance, inv *invocation, doc []byte, errorType string) Result {
	initDuration := time.Since(in.started)
	res := Result{
		Payload:         doc,
		FunctionError:   FunctionErrorUnhandled,
		ErrorType:       errorType,
		RequestID:       inv.id,
		ColdStart:       true,
		InitDuration:    initDuration,
		BilledDuration:  billedDuration(0, initDuration),
		MaxMemoryUsedMB: in.maxMemoryMB(),
		PID:             in.processID(),
	}
	if f.logs != nil {
		status := "error"
		if errorType == ErrorTypeTimeout {
			status = "timeout"
		}
		in.emit(func(b []byte) []byte {
			b = appendInitReport(b, initDuration, status, errorType)
			b = appendStart(b, inv.id)
			return appendEnd(b, report{
				requestID: inv.id, initDuration: initDuration, coldStart: true,
				memoryMB: f.cfg.MemoryMB, maxMemoryMB: res.MaxMemoryUsedMB, status: status, errorType: errorType,
			}, time.Now())
		})
	}
	return res
}

// run hands inv to in and waits for the outcome. retry reports that in died before taking
// the invocation, so another instance should run it.
func (f *Function) run(ctx context.Context, in *instance, inv *invocation, cold bool) (res Result, err error, retry bool) {
	in.setCurrent(inv)
	in.watch.Store(true)
	select {
	case in.invokeCh <- inv:
	case <-in.dead:
		if cold {
			// A fresh instance that asked for an event and then died: the runtime's own
			// failure, which Lambda reports as Runtime.ExitError, not a reason to retry.
			if f.logs != nil {
				in.emit(func(b []byte) []byte { return appendStart(b, inv.id) })
			}
			res, err = f.finish(in, inv, time.Now(), cold, outcomeExit)
			return res, err, false
		}
		in.clearCurrent(inv)
		if f.isClosed() {
			return Result{}, f.closedError(), false
		}
		return Result{}, nil, true
	case <-ctx.Done():
		in.clearCurrent(inv)
		f.release(in)
		return Result{}, f.ctxError(ctx.Err()), false
	}
	start := time.Now()
	in.timer.Reset(f.cfg.Timeout)
	f.invocations.Add(1)
	if f.logs != nil {
		in.emit(func(b []byte) []byte { return appendStart(b, inv.id) })
	}
	res, err = f.await(ctx, in, inv, start, cold)
	return res, err, false
}

type outcome int

const (
	outcomeAnswered outcome = iota
	outcomeTimeout
	outcomeExit
)

// await waits for the runtime's answer, the timeout or the process's end. If ctx ends first
// the invocation is left to finish in the background.
func (f *Function) await(ctx context.Context, in *instance, inv *invocation, start time.Time, cold bool) (Result, error) {
	select {
	case <-inv.done:
		return f.finish(in, inv, start, cold, outcomeAnswered)
	case <-in.timer.C:
		return f.finish(in, inv, start, cold, outcomeTimeout)
	case <-in.dead:
		return f.finish(in, inv, start, cold, outcomeExit)
	case <-ctx.Done():
		go f.await(context.Background(), in, inv, start, cold) // rare: the caller gave up
		return Result{}, f.ctxError(ctx.Err())
	}
}

// finish turns the outcome of an invocation into its Result, writes END and REPORT, and
// releases or discards the instance.
func (f *Function) finish(in *instance, inv *invocation, start time.Time, cold bool, why outcome) (Result, error) {
	in.timer.Stop()
	duration := time.Since(start)
	answered := in.settle(inv) // an answer may have raced the timeout or the exit
	var initDuration time.Duration
	if cold {
		initDuration = in.initDuration
	}
	res := Result{RequestID: inv.id, ColdStart: cold, InitDuration: initDuration, Duration: duration, PID: in.processID()}
	rep := report{requestID: inv.id, duration: duration, initDuration: initDuration, coldStart: cold, memoryMB: f.cfg.MemoryMB}
	switch {
	case answered:
		res.Payload = inv.result
		if inv.functionError {
			res.FunctionError = FunctionErrorUnhandled
			res.ErrorType = inv.errorType
			if res.ErrorType == "" {
				res.ErrorType = errorTypeOf(inv.result)
			}
		}
	case why == outcomeTimeout:
		// Lambda stops the environment: the next invocation gets a fresh one.
		in.kill(killTimeout)
		msg := timeoutMessage(f.cfg.Timeout)
		res.Payload, res.FunctionError, res.ErrorType = platformDocument(ErrorTypeTimeout, inv.id, msg), FunctionErrorUnhandled, ErrorTypeTimeout
		rep.status, rep.timeoutReason = "timeout", msg
	default:
		reason, state, success := in.exitInfo()
		if reason == killClose {
			return Result{}, f.closedError()
		}
		errorType := ErrorTypeExit
		if reason == killOutOfMemory {
			errorType = ErrorTypeOutOfMemory
		}
		res.Payload, res.FunctionError, res.ErrorType = platformDocument(errorType, inv.id, exitMessage(state, success)), FunctionErrorUnhandled, errorType
		rep.status, rep.errorType = "error", errorType
	}
	res.MaxMemoryUsedMB = in.maxMemoryMB()
	res.BilledDuration = billedDuration(duration, initDuration)
	rep.maxMemoryMB = res.MaxMemoryUsedMB
	if f.logs != nil {
		in.emit(func(b []byte) []byte { return appendEnd(b, rep, time.Now()) })
	}
	if answered {
		f.release(in)
	}
	return res, nil
}

// monitor enforces MemoryMB on every instance that is initializing or running an
// invocation. One goroutine serves all the function's instances.
func (f *Function) monitor() {
	defer close(f.monitorDone)
	ticker := time.NewTicker(memoryPollInterval)
	defer ticker.Stop()
	limit := int64(f.cfg.MemoryMB) << 20
	var batch []*instance
	for {
		select {
		case <-f.closing:
			return
		case <-ticker.C:
		}
		f.mu.Lock()
		batch = append(batch[:0], f.active...)
		f.mu.Unlock()
		for _, in := range batch {
			if in.watch.Load() && in.sample() > limit {
				in.kill(killOutOfMemory)
			}
		}
		clear(batch)
	}
}

func (f *Function) startMonitor() {
	if !memoryWatch {
		return
	}
	f.monitorOnce.Do(func() { go f.monitor() })
}
