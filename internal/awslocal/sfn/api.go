package sfn

import (
	"context"
	"time"
)

// The Go API: the operations for direct callers (awslocal.Server, tests).
// Errors are *awsproto.Error values with the codes the wire protocol
// reports.

// StateMachineARN returns the ARN of the named state machine, whether or
// not it exists.
func (svc *Service) StateMachineARN(name string) string { return svc.machineARN(name) }

// CreateStateMachine creates a state machine from a definition string and
// returns its ARN.
func (svc *Service) CreateStateMachine(in CreateStateMachineInput) (string, error) {
	m, err := svc.createStateMachine(in)
	if err != nil {
		return "", err
	}
	return m.arn, nil
}

// Execution describes a Step Functions execution.
type Execution struct {
	ARN             string
	StateMachineARN string
	Name            string
	Status          string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
	Input           string
	Output          string
	Error           string
	Cause           string
	StartDate       time.Time
	StopDate        time.Time
}

func (e *execution) info() Execution {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Execution{ARN: e.arn, StateMachineARN: e.machine.arn, Name: e.name, Status: e.status, Input: e.input,
		Output: e.output, Error: e.errName, Cause: e.cause, StartDate: e.start, StopDate: e.stop}
}

// StartExecution starts an execution in the background and returns its ARN.
func (svc *Service) StartExecution(in StartExecutionInput) (string, error) {
	e, err := svc.startExecution(in, true)
	if err != nil {
		return "", err
	}
	return e.arn, nil
}

// StartSyncExecution runs an EXPRESS execution to completion.
func (svc *Service) StartSyncExecution(ctx context.Context, in StartExecutionInput) (Execution, error) {
	e, err := svc.startSync(ctx, in)
	if err != nil {
		return Execution{}, err
	}
	return e.info(), nil
}

// DescribeExecution reports a STANDARD execution.
func (svc *Service) DescribeExecution(arn string) (Execution, error) {
	e, err := svc.execution(arn)
	if err != nil {
		return Execution{}, err
	}
	return e.info(), nil
}

// WaitExecution blocks until a STANDARD execution stops or ctx is done.
func (svc *Service) WaitExecution(ctx context.Context, arn string) (Execution, error) {
	e, err := svc.execution(arn)
	if err != nil {
		return Execution{}, err
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return e.info(), ctx.Err()
	}
	return e.info(), nil
}

// StartByARN starts an execution of the machine with this ARN on input, as
// an EventBridge target does (events.ExecutionStarter). It returns the
// durable-log record of the start, 0 when nothing started: a missing
// machine or an input it refuses drops the delivery.
func (svc *Service) StartByARN(machineARN, input string) uint64 {
	e, err := svc.startExecution(StartExecutionInput{StateMachineArn: machineARN, Input: input}, true)
	if err != nil || e == nil {
		return 0
	}
	return e.startSeq
}

// DeleteStateMachine deletes a state machine; deleting a missing one
// succeeds. Its executions stay listed, as on AWS until they expire.
func (svc *Service) DeleteStateMachine(arn string) error { return svc.deleteStateMachine(arn) }

// UpdateStateMachine replaces the definition and role of the machine
// in.Name names, as UpdateStateMachine and a CloudFormation update do:
// running executions go on with the definition they started with, new ones
// start with the new one. The type cannot change (CloudFormation replaces
// the machine instead).
func (svc *Service) UpdateStateMachine(in CreateStateMachineInput) error {
	def, derr := parseDefinition(in.Definition)
	if derr != nil {
		return derr
	}
	arn := svc.machineARN(in.Name)
	old, err := svc.machine(arn)
	if err != nil {
		return err
	}
	if in.Type == "" {
		in.Type = "STANDARD"
	}
	if in.Type != old.typ {
		return sfnErr("ValidationException", "the type of state machine '%s' is %s and cannot change to %s", arn, old.typ, in.Type)
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	m := &stateMachine{arn: arn, name: old.name, typ: old.typ, definition: in.Definition, def: def, roleArn: in.RoleArn,
		description: old.description, created: old.created, logging: old.logging, tracing: old.tracing}
	svc.machines[arn] = m
	seq := svc.store.Append(recUpdateMachine, createMachineRecord{CreateStateMachineInput: CreateStateMachineInput{Name: m.name,
		Definition: m.definition, RoleArn: m.roleArn, Type: m.typ, Description: m.description,
		LoggingConfiguration: m.logging, TracingConfiguration: m.tracing}, Created: m.created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}
