package awslocal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Step Functions on its JSON 1.0 protocol (X-Amz-Target:
// AWSStepFunctions.<Action>). STANDARD executions run in the background and
// are listed and described; EXPRESS machines run StartSyncExecution inline
// and StartExecution in the background without history, as on AWS. Shapes
// follow the Step Functions API reference and responses recorded against
// AWS in LocalStack's tests/aws/services/stepfunctions snapshots (e.g.
// express/test_express_sync.snapshot.json for StartSyncExecution).

const (
	sfnMaxPayload      = 256 * 1024
	sfnExpressMaxRun   = 5 * time.Minute
	sfnListDefaultSize = 100
)

type sfnService struct {
	srv *Server

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
}

func newSFNService(srv *Server) *sfnService {
	return &sfnService{srv: srv, machines: map[string]*stateMachine{}, executions: map[string]*execution{},
		byMachine: map[string][]*execution{}, running: map[*execution]struct{}{}}
}

func (svc *sfnService) machineARN(name string) string {
	return "arn:aws:states:" + svc.srv.region + ":" + svc.srv.account + ":stateMachine:" + name
}

func sfnErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
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

type createMachineRecord struct {
	CreateStateMachineInput
	Created int64 `json:"created"`
}

func (svc *sfnService) createStateMachine(in CreateStateMachineInput) (*stateMachine, error) {
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
	unlock := svc.srv.store.gate()
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
		description: in.Description, created: svc.srv.now(), logging: in.LoggingConfiguration, tracing: in.TracingConfiguration}
	svc.machines[arn] = m
	seq := svc.srv.store.append(recCreateMachine, createMachineRecord{CreateStateMachineInput: in, Created: m.created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return m, svc.srv.store.wait(seq)
}

// machine finds a state machine by ARN.
func (svc *sfnService) machine(arn string) (*stateMachine, *Error) {
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":stateMachine:") {
		return nil, sfnErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arnResourceType(arn))
	}
	svc.mu.RLock()
	m := svc.machines[arn]
	svc.mu.RUnlock()
	if m == nil {
		return nil, sfnErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
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

type startRecord struct {
	Arn     string `json:"arn"`
	Name    string `json:"name"`
	Machine string `json:"machine"`
	Input   string `json:"input"`
	Start   int64  `json:"start"`
}

type endRecord struct {
	Arn    string `json:"arn"`
	Status string `json:"status"`
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
	Stop   int64  `json:"stop"`
}

func checkInput(input string) (string, any, *Error) {
	if input == "" {
		input = "{}"
	}
	if len(input) > sfnMaxPayload {
		return "", nil, sfnErr("InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input exceeds the maximum size of 262144 bytes'")
	}
	v, err := decodeJSONValue([]byte(input))
	if err != nil {
		return "", nil, sfnErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	return input, v, nil
}

// startExecution starts an execution in the background. With async false
// it is StartSyncExecution's preparation: the caller runs it.
func (svc *sfnService) startExecution(in StartExecutionInput, async bool) (*execution, error) {
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
		name = newUUID()
	}
	e := &execution{name: name, machine: m, input: input, start: svc.srv.now(), status: "RUNNING", done: make(chan struct{})}
	if m.typ == "EXPRESS" {
		e.express = true
		e.arn = "arn:aws:states:" + svc.srv.region + ":" + svc.srv.account + ":express:" + m.name + ":" + name + ":" + newUUID()
		if async {
			svc.mu.Lock()
			if svc.stopping {
				svc.mu.Unlock()
				return nil, sfnErr("ServiceUnavailable", "the server is shutting down")
			}
			svc.running[e] = struct{}{}
			svc.srv.bg.Add(1)
			svc.mu.Unlock()
			go svc.runAsync(e, decoded)
		}
		return e, nil
	}
	e.arn = "arn:aws:states:" + svc.srv.region + ":" + svc.srv.account + ":execution:" + m.name + ":" + name
	unlock := svc.srv.store.gate()
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
	svc.executions[e.arn] = e
	svc.byMachine[m.arn] = append(svc.byMachine[m.arn], e)
	svc.running[e] = struct{}{}
	svc.srv.bg.Add(1)
	e.startSeq = svc.srv.store.append(recStartExecution, startRecord{Arn: e.arn, Name: name, Machine: m.arn, Input: input, Start: e.start.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	go svc.runAsync(e, decoded)
	if async {
		if err := svc.srv.store.wait(e.startSeq); err != nil {
			return nil, err
		}
	}
	return e, nil
}

var errServerClosing = fmt.Errorf("awslocal: server closing")

func (svc *sfnService) runAsync(e *execution, input any) {
	defer svc.srv.bg.Done()
	// Derived from the server's context: Close cancels it with
	// errServerClosing, which leaves the execution RUNNING.
	ctx, cancel := context.WithCancelCause(svc.srv.ctx)
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
func (svc *sfnService) execute(ctx context.Context, e *execution, input any) {
	m := e.machine
	if m.def.TimeoutSeconds > 0 || e.express {
		limit := time.Duration(m.def.TimeoutSeconds) * time.Second
		if e.express && (limit == 0 || limit > sfnExpressMaxRun) {
			limit = sfnExpressMaxRun
		}
		tctx, tcancel := context.WithCancelCause(ctx)
		defer tcancel(nil)
		go func() {
			if svc.srv.clock.Sleep(tctx, limit) == nil {
				tcancel(errExecutionTimeout)
			}
		}()
		ctx = tctx
	}
	in := &interp{
		ctx:   ctx,
		clock: svc.srv.clock,
		execution: map[string]any{
			"Id": e.arn, "Input": input, "Name": e.name, "RoleArn": m.roleArn,
			"StartTime": e.start.UTC().Format("2006-01-02T15:04:05.000Z"), "RedriveCount": json.Number("0"),
		},
		stateMachine: map[string]any{"Id": m.arn, "Name": m.name},
	}
	out, f := in.run(m.def, input, nil)
	cause := context.Cause(ctx)
	if cause == errServerClosing {
		return
	}
	status, output, errName, errCause := "SUCCEEDED", "", "", ""
	switch {
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
		output = jsonText(out)
		if len(output) > sfnMaxPayload {
			status, output, errName, errCause = "FAILED", "", "States.DataLimitExceeded",
				"The state/task returned a result with a size exceeding the maximum number of bytes service limit."
		}
	}
	svc.finish(e, status, output, errName, errCause)
}

var errExecutionTimeout = fmt.Errorf("awslocal: execution timed out")

type stopCause struct{ err, cause string }

func (s *stopCause) Error() string { return "stopped: " + s.err }

func (svc *sfnService) finish(e *execution, status, output, errName, cause string) {
	unlock := svc.srv.store.gate()
	e.mu.Lock()
	if e.status != "RUNNING" {
		e.mu.Unlock()
		unlock()
		return
	}
	e.status, e.output, e.errName, e.cause, e.stop = status, output, errName, cause, svc.srv.now()
	var seq uint64
	if !e.express {
		seq = svc.srv.store.append(recEndExecution, endRecord{Arn: e.arn, Status: status, Output: output, Error: errName, Cause: cause, Stop: e.stop.UnixMilli()})
	}
	e.mu.Unlock()
	unlock()
	svc.srv.store.wait(seq)
}

// startSync runs an EXPRESS execution to completion in the caller.
func (svc *sfnService) startSync(ctx context.Context, in StartExecutionInput) (*execution, error) {
	e, err := svc.startExecution(in, false)
	if err != nil {
		return nil, err
	}
	_, decoded, _ := checkInput(e.input)
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(svc.srv.ctx, func() { cancel(errServerClosing) })
	defer stop()
	svc.execute(cctx, e, decoded)
	e.mu.Lock()
	if e.status == "RUNNING" { // server closed mid-run
		e.status, e.errName, e.cause, e.stop = "FAILED", errStatesRuntime, "the local server shut down", svc.srv.now()
	}
	e.mu.Unlock()
	return e, nil
}

func (svc *sfnService) execution(arn string) (*execution, *Error) {
	if strings.Contains(arn, ":express:") {
		return nil, sfnErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
	}
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":execution:") {
		return nil, sfnErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arnResourceType(arn))
	}
	svc.mu.RLock()
	e := svc.executions[arn]
	svc.mu.RUnlock()
	if e == nil {
		return nil, sfnErr("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return e, nil
}

func (svc *sfnService) stopExecution(arn, errName, cause string) (time.Time, error) {
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
	svc.finish(e, "ABORTED", "", errName, cause)
	if cancel != nil {
		cancel(&stopCause{errName, cause})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stop, nil
}

// stopAll refuses new executions and stops the running ones for Close
// (the server context is cancelled with errServerClosing); they stay
// RUNNING in the durable state and resume when a server opens the same
// directory. Close then waits for them through srv.bg.
func (svc *sfnService) stopAll() {
	svc.mu.Lock()
	svc.stopping = true
	svc.mu.Unlock()
	svc.srv.cancelCtx(errServerClosing)
}

// resumeRunning restarts executions a previous server left RUNNING, from
// their first state with their original input and start time.
func (svc *sfnService) resumeRunning() {
	svc.mu.Lock()
	var list []*execution
	for _, e := range svc.executions {
		if e.status == "RUNNING" && !svc.stopping {
			list = append(list, e)
			svc.running[e] = struct{}{}
			svc.srv.bg.Add(1)
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

// ---- wire protocol ----

type execDescription struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	StartDate       epochTime       `json:"startDate"`
	StopDate        *epochTime      `json:"stopDate,omitempty"`
	Input           string          `json:"input"`
	InputDetails    map[string]bool `json:"inputDetails"`
	Output          *string         `json:"output,omitempty"`
	OutputDetails   map[string]bool `json:"outputDetails,omitempty"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	RedriveCount    *int            `json:"redriveCount,omitempty"`
	BillingDetails  *billing        `json:"billingDetails,omitempty"`
}

type billing struct {
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
}

func (e *execution) describe() execDescription {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := execDescription{ExecutionArn: e.arn, StateMachineArn: e.machine.arn, Name: e.name, Status: e.status,
		StartDate: epochTime(e.start), Input: e.input, InputDetails: map[string]bool{"included": true},
		Error: e.errName, Cause: e.cause}
	if !e.stop.IsZero() {
		st := epochTime(e.stop)
		d.StopDate = &st
	}
	if e.status == "SUCCEEDED" {
		out := e.output
		d.Output = &out
	}
	if e.status != "RUNNING" {
		d.OutputDetails = map[string]bool{"included": true}
	}
	return d
}

func (svc *sfnService) serveJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	rid := newRequestID()
	out, err := svc.dispatch(r.Context(), action, body)
	if err != nil {
		writeJSONError(w, "1.0", rid, asAWSError(err))
		return
	}
	writeJSON(w, "1.0", rid, out)
}

func (svc *sfnService) dispatch(ctx context.Context, action string, body []byte) (any, error) {
	switch action {
	case "CreateStateMachine":
		var in CreateStateMachineInput
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		m, err := svc.createStateMachine(in)
		if err != nil {
			return nil, err
		}
		return struct {
			StateMachineArn string    `json:"stateMachineArn"`
			CreationDate    epochTime `json:"creationDate"`
		}{m.arn, epochTime(m.created)}, nil

	case "DescribeStateMachine":
		var in struct {
			StateMachineArn string `json:"stateMachineArn"`
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		m, err := svc.machine(in.StateMachineArn)
		if err != nil {
			return nil, err
		}
		logging := m.logging
		if len(logging) == 0 {
			logging = json.RawMessage(`{"level":"OFF","includeExecutionData":false}`)
		}
		tracing := m.tracing
		if len(tracing) == 0 {
			tracing = json.RawMessage(`{"enabled":false}`)
		}
		return struct {
			StateMachineArn      string          `json:"stateMachineArn"`
			Name                 string          `json:"name"`
			Status               string          `json:"status"`
			Definition           string          `json:"definition"`
			RoleArn              string          `json:"roleArn"`
			Type                 string          `json:"type"`
			Description          string          `json:"description,omitempty"`
			CreationDate         epochTime       `json:"creationDate"`
			LoggingConfiguration json.RawMessage `json:"loggingConfiguration"`
			TracingConfiguration json.RawMessage `json:"tracingConfiguration"`
		}{m.arn, m.name, "ACTIVE", m.definition, m.roleArn, m.typ, m.description, epochTime(m.created), logging, tracing}, nil

	case "ListStateMachines":
		type item struct {
			StateMachineArn string    `json:"stateMachineArn"`
			Name            string    `json:"name"`
			Type            string    `json:"type"`
			CreationDate    epochTime `json:"creationDate"`
		}
		out := []item{}
		svc.mu.RLock()
		for _, m := range svc.machines {
			out = append(out, item{m.arn, m.name, m.typ, epochTime(m.created)})
		}
		svc.mu.RUnlock()
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return struct {
			StateMachines []item `json:"stateMachines"`
		}{out}, nil

	case "DeleteStateMachine":
		var in struct {
			StateMachineArn string `json:"stateMachineArn"`
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		if _, err := svc.machine(in.StateMachineArn); err != nil {
			if err.Code == "StateMachineDoesNotExist" {
				return struct{}{}, nil
			}
			return nil, err
		}
		unlock := svc.srv.store.gate()
		svc.mu.Lock()
		delete(svc.machines, in.StateMachineArn)
		seq := svc.srv.store.append(recDeleteMachine, nameRecord{Name: in.StateMachineArn})
		svc.mu.Unlock()
		unlock()
		return struct{}{}, svc.srv.store.wait(seq)

	case "StartExecution":
		var in StartExecutionInput
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		e, err := svc.startExecution(in, true)
		if err != nil {
			return nil, err
		}
		return struct {
			ExecutionArn string    `json:"executionArn"`
			StartDate    epochTime `json:"startDate"`
		}{e.arn, epochTime(e.start)}, nil

	case "StartSyncExecution":
		var in StartExecutionInput
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		e, err := svc.startSync(ctx, in)
		if err != nil {
			return nil, err
		}
		d := e.describe()
		ms := e.stop.Sub(e.start).Milliseconds()
		d.BillingDetails = &billing{BilledDurationInMilliseconds: max(100, (ms+99)/100*100), BilledMemoryUsedInMB: 64}
		return d, nil

	case "DescribeExecution":
		var in struct {
			ExecutionArn string `json:"executionArn"`
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		e, err := svc.execution(in.ExecutionArn)
		if err != nil {
			return nil, err
		}
		d := e.describe()
		zero := 0
		d.RedriveCount = &zero
		return d, nil

	case "ListExecutions":
		var in struct {
			StateMachineArn string `json:"stateMachineArn"`
			StatusFilter    string `json:"statusFilter"`
			MaxResults      int    `json:"maxResults"`
			NextToken       string `json:"nextToken"`
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		return svc.listExecutions(in.StateMachineArn, in.StatusFilter, in.MaxResults, in.NextToken)

	case "StopExecution":
		var in struct {
			ExecutionArn string `json:"executionArn"`
			Error        string `json:"error"`
			Cause        string `json:"cause"`
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		stop, err := svc.stopExecution(in.ExecutionArn, in.Error, in.Cause)
		if err != nil {
			return nil, err
		}
		return struct {
			StopDate epochTime `json:"stopDate"`
		}{epochTime(stop)}, nil
	}
	return nil, sfnErr("UnknownOperationException", "The action %s is not supported by awslocal's Step Functions.", action)
}

type execListItem struct {
	ExecutionArn    string     `json:"executionArn"`
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	StartDate       epochTime  `json:"startDate"`
	StopDate        *epochTime `json:"stopDate,omitempty"`
}

func (svc *sfnService) listExecutions(machineArn, status string, max int, token string) (any, error) {
	m, err := svc.machine(machineArn)
	if err != nil {
		return nil, err
	}
	if m.typ == "EXPRESS" {
		return nil, sfnErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	switch status {
	case "", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE":
	default:
		return nil, sfnErr("ValidationException", "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]", status)
	}
	if max < 0 || max > 1000 {
		return nil, sfnErr("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", max)
	}
	if max == 0 {
		max = sfnListDefaultSize
	}
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		n, _ := strconv.Atoi(strings.TrimPrefix(string(b), machineArn+"|"))
		if err != nil || !strings.HasPrefix(string(b), machineArn+"|") || n < 0 {
			return nil, sfnErr("InvalidToken", "Invalid Token: '%s'", token)
		}
		start = n
	}
	svc.mu.RLock()
	all := svc.byMachine[machineArn]
	list := make([]*execution, len(all))
	copy(list, all)
	svc.mu.RUnlock()
	var items []execListItem
	for i := len(list) - 1; i >= 0; i-- { // newest first
		d := list[i].describe()
		if status != "" && d.Status != status {
			continue
		}
		items = append(items, execListItem{d.ExecutionArn, d.StateMachineArn, d.Name, d.Status, d.StartDate, d.StopDate})
	}
	if start > len(items) {
		start = len(items)
	}
	items = items[start:]
	next := ""
	if len(items) > max {
		items = items[:max]
		next = base64.RawURLEncoding.EncodeToString([]byte(machineArn + "|" + strconv.Itoa(start+max)))
	}
	if items == nil {
		items = []execListItem{}
	}
	return struct {
		Executions []execListItem `json:"executions"`
		NextToken  string         `json:"nextToken,omitempty"`
	}{items, next}, nil
}

// ---- persistence ----

type sfnSnapshot struct {
	Machines   []createMachineRecord `json:"machines"`
	Executions []execSnap            `json:"executions"`
}

type execSnap struct {
	startRecord
	Status string `json:"status"`
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
	Stop   int64  `json:"stop,omitempty"`
}

func (svc *sfnService) snapshot() sfnSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s sfnSnapshot
	for _, m := range svc.machines {
		s.Machines = append(s.Machines, createMachineRecord{CreateStateMachineInput: CreateStateMachineInput{Name: m.name,
			Definition: m.definition, RoleArn: m.roleArn, Type: m.typ, Description: m.description,
			LoggingConfiguration: m.logging, TracingConfiguration: m.tracing}, Created: m.created.UnixMilli()})
	}
	sort.Slice(s.Machines, func(i, j int) bool { return s.Machines[i].Name < s.Machines[j].Name })
	var arns []string
	for arn := range svc.byMachine {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		for _, e := range svc.byMachine[arn] {
			e.mu.Lock()
			es := execSnap{startRecord: startRecord{Arn: e.arn, Name: e.name, Machine: e.machine.arn, Input: e.input, Start: e.start.UnixMilli()},
				Status: e.status, Output: e.output, Error: e.errName, Cause: e.cause}
			if !e.stop.IsZero() {
				es.Stop = e.stop.UnixMilli()
			}
			e.mu.Unlock()
			s.Executions = append(s.Executions, es)
		}
	}
	return s
}

func (svc *sfnService) restore(s *sfnSnapshot) {
	for _, m := range s.Machines {
		svc.applyMachine(m)
	}
	for _, es := range s.Executions {
		e := svc.applyStart(es.startRecord)
		if e != nil && es.Status != "RUNNING" {
			e.status, e.output, e.errName, e.cause = es.Status, es.Output, es.Error, es.Cause
			e.stop = time.UnixMilli(es.Stop)
		}
	}
}

func (svc *sfnService) applyMachine(r createMachineRecord) {
	def, err := parseDefinition(r.Definition)
	if err != nil {
		return
	}
	arn := svc.machineARN(r.Name)
	svc.machines[arn] = &stateMachine{arn: arn, name: r.Name, typ: r.Type, definition: r.Definition, def: def, roleArn: r.RoleArn,
		description: r.Description, created: time.UnixMilli(r.Created), logging: r.LoggingConfiguration, tracing: r.TracingConfiguration}
}

func (svc *sfnService) applyStart(r startRecord) *execution {
	m := svc.machines[r.Machine]
	if m == nil {
		return nil
	}
	e := &execution{arn: r.Arn, name: r.Name, machine: m, input: r.Input, start: time.UnixMilli(r.Start), status: "RUNNING", done: make(chan struct{})}
	if _, dup := svc.executions[e.arn]; !dup {
		svc.byMachine[m.arn] = append(svc.byMachine[m.arn], e)
	}
	svc.executions[e.arn] = e
	return e
}

func (svc *sfnService) apply(op string, data json.RawMessage) error {
	switch op {
	case recCreateMachine:
		var r createMachineRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		svc.applyMachine(r)
	case recDeleteMachine:
		var r nameRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		delete(svc.machines, r.Name)
	case recStartExecution:
		var r startRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		svc.applyStart(r)
	case recEndExecution:
		var r endRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if e := svc.executions[r.Arn]; e != nil {
			e.status, e.output, e.errName, e.cause, e.stop = r.Status, r.Output, r.Error, r.Cause, time.UnixMilli(r.Stop)
		}
	default:
		return fmt.Errorf("unknown record %q", op)
	}
	return nil
}
