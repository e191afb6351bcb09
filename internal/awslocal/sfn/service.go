package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/jsonvalue"
	"firstclass/internal/awslocal/lambdahook"
	"firstclass/internal/awslocal/store"
)

// Step Functions on its JSON 1.0 protocol (X-Amz-Target:
// AWSStepFunctions.<Action>). STANDARD executions run in the background and
// are listed and described; EXPRESS machines run StartSyncExecution inline
// and StartExecution in the background without history, as on AWS. Shapes
// follow the Step Functions API reference and responses recorded against
// AWS in LocalStack's tests/aws/services/stepfunctions snapshots (e.g.
// express/test_express_sync.snapshot.json for StartSyncExecution).

const (
	maxPayload      = 256 * 1024
	expressMaxRun   = 5 * time.Minute
	listDefaultSize = 100
)

// Options configures a Service. The zero value is an in-memory service for
// us-east-1 and account 000000000000 on the real clock.
type Options struct {
	// Identity appears in every ARN.
	Identity awsproto.Identity
	// Clock drives Wait states, timeouts and timestamps.
	Clock clock.Clock
	// Store, when not nil, keeps every mutation durable; the caller opens
	// it with Section after New, then calls ResumeRunning.
	Store *store.Store
	// Lambda, when set, invokes the functions of Lambda Task states;
	// without it they are unsupported.
	Lambda lambdahook.Invoker
}

// Service is an in-memory Step Functions. All methods are safe for
// concurrent use.
type Service struct {
	region  string
	account string
	clock   clock.Clock
	store   *store.Store

	// integrations run Task states, by resource key (task.go); tokens are
	// the waiting .waitForTaskToken tasks; lambda is Options.Lambda.
	integrations map[string]Integration
	tokens       *tokenTable
	lambda       lambdahook.Invoker

	// bg counts running executions; ctx is cancelled (with
	// errServerClosing) when the service closes.
	bg        sync.WaitGroup
	ctx       context.Context
	cancelCtx context.CancelCauseFunc

	mu         sync.RWMutex
	machines   map[string]*stateMachine // by ARN
	executions map[string]*execution    // STANDARD executions by ARN
	byMachine  map[string][]*execution  // STANDARD executions in start order
	running    map[*execution]struct{}  // everything running, EXPRESS too
	stopping   bool
}

type stateMachine struct {
	arn, name   string
	typ         string
	definition  string
	def         *machineDef
	roleArn     string
	description string
	created     time.Time
	logging     json.RawMessage
	tracing     json.RawMessage
}

type execution struct {
	arn, name string
	machine   *stateMachine
	express   bool
	input     string
	start     time.Time

	mu      sync.Mutex
	status  string
	output  string
	errName string
	cause   string
	stop    time.Time
	cancel  context.CancelCauseFunc
	done    chan struct{}

	startSeq uint64
	hist     *historyLog // STANDARD executions' history, under mu (a resumed run starts a new one)
}

// New returns a service with no state machines.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	svc := &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store,
		machines: map[string]*stateMachine{}, executions: map[string]*execution{},
		byMachine: map[string][]*execution{}, running: map[*execution]struct{}{},
		integrations: map[string]Integration{}, tokens: newTokenTable()}
	svc.ctx, svc.cancelCtx = context.WithCancelCause(context.Background())
	svc.registerStartExecution()
	if opts.Lambda != nil {
		svc.registerLambda(opts.Lambda)
	}
	return svc
}

func (svc *Service) now() time.Time { return svc.clock.Now() }

// Close refuses new executions and stops the running ones, waiting for
// them; they stay RUNNING in the durable state and resume when a service
// opens the same directory (ResumeRunning).
func (svc *Service) Close() {
	svc.stopAll()
	svc.bg.Wait()
}

func (svc *Service) machineARN(name string) string {
	return "arn:aws:states:" + svc.region + ":" + svc.account + ":stateMachine:" + name
}

func sfnErr(code, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// validSFNName applies the naming rules for state machines and executions:
// 1-80 characters without whitespace, brackets, wildcards, special
// characters or control characters.
func validSFNName(name string) bool {
	if name == "" || len([]rune(name)) > 80 {
		return false
	}
	for _, r := range name {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

// CreateStateMachineInput is a CreateStateMachine request.
type CreateStateMachineInput struct {
	Name                 string          `json:"name"`
	Definition           string          `json:"definition"`
	RoleArn              string          `json:"roleArn,omitempty"`
	Type                 string          `json:"type,omitempty"`
	Description          string          `json:"description,omitempty"`
	LoggingConfiguration json.RawMessage `json:"loggingConfiguration,omitempty"`
	TracingConfiguration json.RawMessage `json:"tracingConfiguration,omitempty"`
}

func (svc *Service) createStateMachine(in CreateStateMachineInput) (*stateMachine, error) {
	if !validSFNName(in.Name) {
		return nil, sfnErr("InvalidName", "Invalid Name: '%s'", in.Name)
	}
	if in.Definition == "" {
		return nil, sfnErr("MissingRequiredParameter", "Missing required parameter: definition")
	}
	if in.Type == "" {
		in.Type = "STANDARD"
	}
	if in.Type != "STANDARD" && in.Type != "EXPRESS" {
		return nil, sfnErr("ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	def, derr := parseDefinition(in.Definition)
	if derr != nil {
		return nil, derr
	}
	arn := svc.machineARN(in.Name)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if old := svc.machines[arn]; old != nil {
		svc.mu.Unlock()
		unlock()
		if old.definition == in.Definition && old.roleArn == in.RoleArn && old.typ == in.Type {
			return old, nil // CreateStateMachine is idempotent
		}
		return nil, sfnErr("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn)
	}
	m := &stateMachine{arn: arn, name: in.Name, typ: in.Type, definition: in.Definition, def: def, roleArn: in.RoleArn,
		description: in.Description, created: svc.now(), logging: in.LoggingConfiguration, tracing: in.TracingConfiguration}
	svc.machines[arn] = m
	seq := svc.store.Append(recCreateMachine, createMachineRecord{CreateStateMachineInput: in, Created: m.created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return m, svc.store.Wait(seq)
}

// machine finds a state machine by ARN.
func (svc *Service) machine(arn string) (*stateMachine, *awsproto.Error) {
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":stateMachine:") {
		return nil, invalidArn(arn)
	}
	svc.mu.RLock()
	m := svc.machines[arn]
	svc.mu.RUnlock()
	if m == nil {
		return nil, sfnErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
}

// invalidArn is Step Functions' answer to an ARN it cannot use: one that does not start with
// "arn:" says so ("Invalid Arn: 'Invalid ARN prefix: not-an-arn'", as AWS answered
// DescribeStateMachine and ListExecutions for "abc"), any other one names its resource type.
func invalidArn(arn string) *awsproto.Error {
	if !strings.HasPrefix(arn, "arn:") {
		return sfnErr("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %s'", arn)
	}
	return sfnErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arnResourceType(arn))
}

func arnResourceType(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 5 {
		return parts[5]
	}
	return arn
}

// StartExecutionInput is a StartExecution or StartSyncExecution request.
type StartExecutionInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name,omitempty"`
	Input           string `json:"input,omitempty"`
	TraceHeader     string `json:"traceHeader,omitempty"`
}

func checkInput(input string) (string, any, *awsproto.Error) {
	if input == "" {
		input = "{}"
	}
	if len(input) > maxPayload {
		return "", nil, sfnErr("InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input exceeds the maximum size of 262144 bytes'")
	}
	v, err := jsonvalue.Decode([]byte(input))
	if err != nil {
		return "", nil, sfnErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	return input, v, nil
}

// startExecution starts an execution in the background. With async false
// it is StartSyncExecution's preparation: the caller runs it.
func (svc *Service) startExecution(in StartExecutionInput, async bool) (*execution, error) {
	m, err := svc.machine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if in.Name != "" && !validSFNName(in.Name) {
		return nil, sfnErr("InvalidName", "Invalid Name: '%s'", in.Name)
	}
	input, decoded, ierr := checkInput(in.Input)
	if ierr != nil {
		return nil, ierr
	}
	if !async && m.typ != "EXPRESS" {
		return nil, sfnErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	name := in.Name
	if name == "" {
		name = awsproto.NewUUID()
	}
	e := &execution{name: name, machine: m, input: input, start: svc.now(), status: "RUNNING", done: make(chan struct{})}
	if m.typ == "EXPRESS" {
		e.express = true
		e.arn = "arn:aws:states:" + svc.region + ":" + svc.account + ":express:" + m.name + ":" + name + ":" + awsproto.NewUUID()
		if async {
			svc.mu.Lock()
			if svc.stopping {
				svc.mu.Unlock()
				return nil, sfnErr("ServiceUnavailable", "the server is shutting down")
			}
			svc.running[e] = struct{}{}
			svc.bg.Add(1)
			svc.mu.Unlock()
			go svc.runAsync(e, decoded)
		}
		return e, nil
	}
	e.arn = "arn:aws:states:" + svc.region + ":" + svc.account + ":execution:" + m.name + ":" + name
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if old := svc.executions[e.arn]; old != nil {
		svc.mu.Unlock()
		unlock()
		// StartExecution is idempotent for a STANDARD execution that is
		// still running with the same input; otherwise the name is taken
		// (API reference, StartExecution).
		old.mu.Lock()
		same := old.status == "RUNNING" && old.input == input
		old.mu.Unlock()
		if same {
			return old, nil
		}
		return nil, sfnErr("ExecutionAlreadyExists", "Execution Already Exists: '%s'", e.arn)
	}
	if svc.stopping {
		svc.mu.Unlock()
		unlock()
		return nil, sfnErr("ServiceUnavailable", "the server is shutting down")
	}
	// The history exists before the execution runs, so that a stop that
	// comes first is in it.
	e.hist = e.newHistory()
	svc.executions[e.arn] = e
	svc.byMachine[m.arn] = append(svc.byMachine[m.arn], e)
	svc.running[e] = struct{}{}
	svc.bg.Add(1)
	e.startSeq = svc.store.Append(recStartExecution, startRecord{Arn: e.arn, Name: name, Machine: m.arn, Input: input, Start: e.start.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	go svc.runAsync(e, decoded)
	if async {
		if err := svc.store.Wait(e.startSeq); err != nil {
			return nil, err
		}
	}
	return e, nil
}

var errServerClosing = fmt.Errorf("awslocal: server closing")

func (svc *Service) runAsync(e *execution, input any) {
	defer svc.bg.Done()
	// Derived from the server's context: Close cancels it with
	// errServerClosing, which leaves the execution RUNNING.
	ctx, cancel := context.WithCancelCause(svc.ctx)
	e.mu.Lock()
	e.cancel = cancel
	stopped := e.status != "RUNNING"
	e.mu.Unlock()
	defer cancel(nil)
	if !stopped {
		svc.execute(ctx, e, input)
	}
	svc.mu.Lock()
	delete(svc.running, e)
	svc.mu.Unlock()
	close(e.done)
}

// execute runs the interpreter and records the outcome, unless the server
// is closing (the execution then stays RUNNING and resumes on restart).
func (svc *Service) execute(ctx context.Context, e *execution, input any) {
	m := e.machine
	if m.def.TimeoutSeconds > 0 || e.express {
		limit := time.Duration(m.def.TimeoutSeconds) * time.Second
		if e.express && (limit == 0 || limit > expressMaxRun) {
			limit = expressMaxRun
		}
		tctx, tcancel := context.WithCancelCause(ctx)
		defer tcancel(nil)
		go func() {
			if svc.clock.Sleep(tctx, limit) == nil {
				tcancel(errExecutionTimeout)
			}
		}()
		ctx = tctx
	}
	var top *histThread
	if !e.express {
		e.mu.Lock()
		if e.hist == nil {
			// A resumed execution starts again from its first state, and
			// so does its history.
			e.hist = e.newHistory()
		}
		log := e.hist
		e.mu.Unlock()
		hctx, hcancel := context.WithCancelCause(ctx)
		defer hcancel(nil)
		log.setOverflow(func() { hcancel(errHistoryLimit) })
		ctx = hctx
		top = &histThread{log: log}
	}
	in := &interp{
		ctx:   ctx,
		clock: svc.clock,
		svc:   svc,
		execution: map[string]any{
			"Id": e.arn, "Input": input, "Name": e.name, "RoleArn": m.roleArn,
			"StartTime": e.start.UTC().Format("2006-01-02T15:04:05.000Z"), "RedriveCount": json.Number("0"),
		},
		stateMachine: map[string]any{"Id": m.arn, "Name": m.name},
		hist:         top,
	}
	out, f := in.run(m.def, input, nil)
	cause := context.Cause(ctx)
	if cause == errServerClosing {
		return
	}
	status, output, errName, errCause := "SUCCEEDED", "", "", ""
	switch {
	case cause == errHistoryLimit:
		status, errName, errCause = "FAILED", errStatesRuntime, fmt.Sprintf("The execution reached the maximum number of events in its history (%d).", maxHistoryEvents)
	case cause == errExecutionTimeout:
		status, errName, errCause = "TIMED_OUT", errStatesTimeout, "The execution timed out"
	case cause != nil && f != nil:
		if sc, ok := cause.(*stopCause); ok {
			status, errName, errCause = "ABORTED", sc.err, sc.cause
		} else {
			status = "ABORTED"
		}
	case f != nil:
		status, errName, errCause = "FAILED", f.Error, f.Cause
	default:
		output = jsonvalue.Text(out)
		if len(output) > maxPayload {
			status, output, errName, errCause = "FAILED", "", "States.DataLimitExceeded",
				"The state/task returned a result with a size exceeding the maximum number of bytes service limit."
		}
	}
	var prev int32
	if top != nil {
		prev = top.last
	}
	svc.finish(e, status, output, errName, errCause, prev)
}

var (
	errExecutionTimeout = fmt.Errorf("awslocal: execution timed out")
	errHistoryLimit     = fmt.Errorf("awslocal: execution history quota reached")
)

type stopCause struct{ err, cause string }

func (s *stopCause) Error() string { return "stopped: " + s.err }

// endEvents are the history event types of an execution's outcome.
var endEvents = map[string]string{"SUCCEEDED": "ExecutionSucceeded", "FAILED": "ExecutionFailed", "TIMED_OUT": "ExecutionTimedOut", "ABORTED": "ExecutionAborted"}

// finish records an execution's outcome; prev is the id of the history event
// its outcome's event follows.
func (svc *Service) finish(e *execution, status, output, errName, cause string, prev int32) {
	unlock := svc.store.Gate()
	e.mu.Lock()
	if e.status != "RUNNING" {
		e.mu.Unlock()
		unlock()
		return
	}
	e.status, e.output, e.errName, e.cause, e.stop = status, output, errName, cause, svc.now()
	var seq uint64
	if !e.express {
		var events []eventRecord
		if e.hist != nil {
			ev := histEvent{typ: endEvents[status], data: errName, cause: cause}
			if status == "SUCCEEDED" {
				ev.data = output
			}
			e.hist.append(ev, prev, e.stop, true)
			events = eventRecords(e.hist.snapshot())
		}
		seq = svc.store.Append(recEndExecution, endRecord{Arn: e.arn, Status: status, Output: output, Error: errName, Cause: cause,
			Stop: e.stop.UnixMilli(), History: events})
	}
	e.mu.Unlock()
	unlock()
	svc.store.Wait(seq)
}

// startSync runs an EXPRESS execution to completion in the caller.
func (svc *Service) startSync(ctx context.Context, in StartExecutionInput) (*execution, error) {
	e, err := svc.startExecution(in, false)
	if err != nil {
		return nil, err
	}
	_, decoded, _ := checkInput(e.input)
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(svc.ctx, func() { cancel(errServerClosing) })
	defer stop()
	svc.execute(cctx, e, decoded)
	e.mu.Lock()
	if e.status == "RUNNING" { // server closed mid-run
		e.status, e.errName, e.cause, e.stop = "FAILED", errStatesRuntime, "the local server shut down", svc.now()
	}
	e.mu.Unlock()
	return e, nil
}

func (svc *Service) execution(arn string) (*execution, *awsproto.Error) {
	if strings.Contains(arn, ":express:") {
		return nil, sfnErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
	}
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":execution:") {
		return nil, invalidArn(arn)
	}
	svc.mu.RLock()
	e := svc.executions[arn]
	svc.mu.RUnlock()
	if e == nil {
		return nil, sfnErr("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return e, nil
}

// stopExecution aborts a RUNNING execution with the caller's error and cause (either may be
// empty: DescribeExecution then leaves them out). Stopping one that has already ended
// changes nothing and answers 200 with the date it ended: AWS documents no error for it (the
// API reference lists ExecutionDoesNotExist, InvalidArn, ValidationException and the KMS
// errors only) and no recording of AWS's answer was found; LocalStack, whose snapshots are
// recorded against AWS, answers it 200 as well.
func (svc *Service) stopExecution(arn, errName, cause string) (time.Time, error) {
	e, err := svc.execution(arn)
	if err != nil {
		return time.Time{}, err
	}
	e.mu.Lock()
	if e.status != "RUNNING" {
		stop := e.stop
		e.mu.Unlock()
		return stop, nil
	}
	cancel := e.cancel
	e.mu.Unlock()
	// StopExecution's ExecutionAborted follows no event (previousEventId 0,
	// as AWS answers it).
	svc.finish(e, "ABORTED", "", errName, cause, 0)
	if cancel != nil {
		cancel(&stopCause{errName, cause})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stop, nil
}

// stopAll refuses new executions and stops the running ones for Close
// (the service context is cancelled with errServerClosing); they stay
// RUNNING in the durable state and resume when a service opens the same
// directory. Close then waits for them through svc.bg.
func (svc *Service) stopAll() {
	svc.mu.Lock()
	svc.stopping = true
	svc.mu.Unlock()
	svc.cancelCtx(errServerClosing)
}

// deleteStateMachine deletes a machine; deleting a missing one succeeds.
func (svc *Service) deleteStateMachine(arn string) error {
	if _, err := svc.machine(arn); err != nil {
		if err.Code == "StateMachineDoesNotExist" {
			return nil
		}
		return err
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	delete(svc.machines, arn)
	seq := svc.store.Append(recDeleteMachine, store.NameRecord{Name: arn})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// ResumeRunning restarts executions a previous server left RUNNING, from
// their first state with their original input and start time. The root
// package calls it once the store has restored the state.
func (svc *Service) ResumeRunning() {
	svc.mu.Lock()
	var list []*execution
	for _, e := range svc.executions {
		if e.status == "RUNNING" && !svc.stopping {
			list = append(list, e)
			svc.running[e] = struct{}{}
			svc.bg.Add(1)
		}
	}
	svc.mu.Unlock()
	for _, e := range list {
		_, decoded, err := checkInput(e.input)
		if err != nil {
			decoded = map[string]any{}
		}
		go svc.runAsync(e, decoded)
	}
}
