package lambdalocal

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// Instance states, guarded by Function.mu.
const (
	stateBusy = iota // starting, or running an invocation
	stateIdle
	stateDead
)

// killReason says why this package killed an instance's process.
type killReason int

const (
	killNone killReason = iota
	killTimeout
	killOutOfMemory
	killInitError
	killClose
)

// instance is one execution environment: a process and the Runtime API endpoint it talks to.
// It runs one invocation at a time.
type instance struct {
	f       *Function
	started time.Time
	ln      net.Listener
	cmd     *exec.Cmd
	logR    *os.File // read end of the process's stdout and stderr, nil without Logs

	// Lambda's own lines for the instance (START, END, REPORT…) are written into the same
	// pipe as the function's output, through this process's copy of the write end: they
	// then come out in order, after whatever the function printed before it answered.
	logMu  sync.Mutex
	logW   *os.File // nil once the process has exited
	logBuf []byte

	invokeCh chan *invocation // hands an invocation to the runtime's pending /next
	ready    chan struct{}    // closed at the first /next: init is done
	dead     chan struct{}    // closed once the process has exited
	exited   chan struct{}    // closed once everything about the instance is cleaned up
	logDone  chan struct{}    // closed when the output copier stops
	serving  sync.WaitGroup   // the Runtime API's accept loop and connections

	readySignaled atomic.Bool
	initDuration  time.Duration // set before ready is closed
	timer         *time.Timer   // the invocation timeout, owned by whoever awaits the invocation
	watch         atomic.Bool   // memory is enforced while true: initializing or busy
	peak          atomic.Int64  // highest VmHWM seen, bytes
	mem           atomic.Pointer[memReader]

	state int // guarded by f.mu

	mu          sync.Mutex
	conns       map[net.Conn]struct{} // the runtime's open connections
	connsClosed bool
	pid         int
	current     *invocation // the invocation handed to (or about to be handed to) the runtime
	reason      killReason
	initErr     []byte // the document posted to /init/error
	initErrType string
	initFailed  bool
	exitState   string // os.ProcessState's description, set before dead is closed
	exitSuccess bool
}

// invocation is one event on its way through an instance.
type invocation struct {
	id, traceID string
	payload     []byte
	done        chan struct{} // closed when the runtime answered

	// Guarded by the instance's mu.
	delivered     bool // the runtime received it from /next
	completed     bool // the runtime answered
	result        []byte
	functionError bool
	errorType     string
}

// startInstance starts a process for the function. On failure it returns a nil instance for
// a problem of this machine (no loopback port), or the instance and the start error when the
// binary itself would not run; either way the instance's slot is released.
func (f *Function) startInstance() (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.mu.Lock()
		f.releaseSlotLocked()
		f.mu.Unlock()
		return nil, fmt.Errorf("listen for the runtime API: %w", err)
	}
	in := &instance{
		f:        f,
		started:  time.Now(),
		ln:       ln,
		invokeCh: make(chan *invocation),
		ready:    make(chan struct{}),
		dead:     make(chan struct{}),
		exited:   make(chan struct{}),
		logDone:  make(chan struct{}),
		timer:    time.NewTimer(time.Hour),
		state:    stateBusy,
	}
	in.timer.Stop()
	in.watch.Store(true)
	in.conns = map[net.Conn]struct{}{}

	f.mu.Lock()
	if f.closed {
		f.releaseSlotLocked()
		f.mu.Unlock()
		ln.Close()
		return nil, ErrClosed
	}
	f.active = append(f.active, in)
	f.mu.Unlock()
	f.startMonitor()

	in.serving.Add(1)
	go in.serve()

	cmd := exec.Command(f.launch.program, f.launch.args...)
	cmd.Dir = f.launch.taskRoot
	cmd.Env = instanceEnv(f.env, ln.Addr().String(), in.started)
	setProcessGroup(cmd)
	if f.logs != nil {
		if in.logR, in.logW, err = os.Pipe(); err != nil {
			in.abandon()
			return nil, fmt.Errorf("pipe for the function's output: %w", err)
		}
		// One pipe for both: Lambda sends stdout and stderr to the same log stream, and a
		// write of a line shorter than PIPE_BUF is atomic, so lines stay whole.
		cmd.Stdout, cmd.Stderr = in.logW, in.logW
		go func() {
			defer close(in.logDone)
			f.logs.copyLines(in.logR)
		}()
		in.emit(func(b []byte) []byte { return appendInitStart(b, f.launch.version) })
	} else {
		close(in.logDone)
	}
	in.cmd = cmd
	if err := cmd.Start(); err != nil {
		in.abandon()
		return in, err
	}
	in.mu.Lock()
	in.pid = cmd.Process.Pid
	reason := in.reason
	in.mu.Unlock()
	if reason != killNone { // Close came while the process was starting
		killGroup(in.pid)
	}
	in.mem.Store(openMemReader(in.pid))
	go in.wait()
	return in, nil
}

// abandon cleans up an instance whose process never started.
func (in *instance) abandon() {
	in.mu.Lock()
	in.exitState = "the process did not start"
	in.mu.Unlock()
	close(in.dead)
	in.stopServing()
	in.closeLogs()
	in.f.instanceExited(in)
	close(in.exited)
}

// wait reaps the process and cleans up after it.
func (in *instance) wait() {
	in.cmd.Wait()
	state := in.cmd.ProcessState
	in.mu.Lock()
	in.exitState, in.exitSuccess = state.String(), state.Success()
	in.mu.Unlock()
	// Lambda tears down the whole environment: whatever the function started goes too. The
	// group cannot have been reused yet: its members, if any, keep its ID taken.
	killGroup(in.pid)
	close(in.dead)

	in.stopServing()
	in.closeLogs()
	if m := in.mem.Load(); m != nil {
		m.close()
	}
	in.f.instanceExited(in)
	close(in.exited)
}

// emit writes Lambda's own lines for the instance, in order with the function's output:
// through the pipe while the process runs, straight to the sink once the pipe has drained.
func (in *instance) emit(format func([]byte) []byte) {
	in.logMu.Lock()
	if in.logW != nil {
		in.logBuf = format(in.logBuf[:0])
		in.logW.Write(in.logBuf)
		in.logMu.Unlock()
		return
	}
	in.logMu.Unlock()
	<-in.logDone
	in.f.logs.lines(format)
}

// closeLogs closes this process's write end of the output pipe and waits for the copier to
// drain it. EOF comes once the whole process group has exited.
func (in *instance) closeLogs() {
	in.logMu.Lock()
	if in.logW != nil {
		in.logW.Close()
		in.logW = nil
	}
	in.logMu.Unlock()
	if in.logR == nil {
		return
	}
	select {
	case <-in.logDone:
	case <-time.After(time.Second):
		// Something outside the process group still holds the pipe open.
	}
	in.logR.Close()
	<-in.logDone
}

// kill kills the instance's process group, remembering the first reason.
func (in *instance) kill(reason killReason) {
	in.mu.Lock()
	if in.reason == killNone {
		in.reason = reason
	}
	pid := in.pid
	in.mu.Unlock()
	select {
	case <-in.dead:
		return // already reaped: its ID may belong to another process by now
	default:
	}
	if pid > 0 {
		killGroup(pid)
	}
}

// exitInfo says why the process ended. Valid once dead is closed.
func (in *instance) exitInfo() (reason killReason, state string, success bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.reason, in.exitState, in.exitSuccess
}

func (in *instance) initError() (doc []byte, errorType string, ok bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.initErr, in.initErrType, in.initFailed
}

func (in *instance) processID() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.pid
}

func (in *instance) setCurrent(inv *invocation) {
	in.mu.Lock()
	in.current = inv
	in.mu.Unlock()
}

func (in *instance) clearCurrent(inv *invocation) {
	in.mu.Lock()
	if in.current == inv {
		in.current = nil
	}
	in.mu.Unlock()
}

// complete records the runtime's answer to inv. It reports false when inv is no longer the
// instance's invocation (it timed out, or was already answered).
func (in *instance) complete(inv *invocation, result []byte, functionError bool, errorType string) bool {
	in.mu.Lock()
	if in.current != inv || inv.completed {
		in.mu.Unlock()
		return false
	}
	inv.completed = true
	inv.result, inv.functionError, inv.errorType = result, functionError, errorType
	in.current = nil
	in.mu.Unlock()
	close(inv.done)
	return true
}

// settle ends inv's time on the instance. It reports whether the runtime answered; if not,
// a late answer is refused from now on.
func (in *instance) settle(inv *invocation) (answered bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !inv.completed && in.current == inv {
		in.current = nil
	}
	return inv.completed
}

// sample reads the process's peak memory and returns the highest seen, in bytes.
func (in *instance) sample() int64 {
	m := in.mem.Load()
	if m == nil {
		return in.peak.Load()
	}
	p, ok := m.peak()
	if !ok {
		return in.peak.Load()
	}
	for {
		old := in.peak.Load()
		if p <= old || in.peak.CompareAndSwap(old, p) {
			return max(p, old)
		}
	}
}

func (in *instance) maxMemoryMB() int {
	const mb = 1 << 20
	return int((in.peak.Load() + mb - 1) / mb)
}
