package awslocal

import (
	"context"
	"time"
)

// The Go API: the wire operations, callable directly by the local runner
// (which creates resources from the synthesized CloudFormation template)
// and by tests. Errors are *Error values with the codes the wire protocols
// report.

// QueueURL returns the URL of the named queue, whether or not it exists.
func (s *Server) QueueURL(name string) string { return s.sqs.queueURL(name) }

// QueueARN returns the ARN of the named queue, whether or not it exists.
func (s *Server) QueueARN(name string) string { return s.sqs.queueARN(name) }

// CreateQueue creates a queue with CreateQueue's attributes (VisibilityTimeout,
// RedrivePolicy as JSON, FifoQueue, ...) and returns its URL. Creating an
// existing queue with the same attributes returns its URL.
func (s *Server) CreateQueue(name string, attributes map[string]string) (string, error) {
	q, err := s.sqs.createQueue(name, attributes, nil)
	if err != nil {
		return "", err
	}
	return s.sqs.queueURL(q.name), nil
}

// DeleteQueue deletes the queue at queueURL.
func (s *Server) DeleteQueue(queueURL string) error {
	q, err := s.sqs.lookupURL(queueURL)
	if err != nil {
		return err
	}
	return s.sqs.deleteQueue(q)
}

// SendMessage sends a message to in.QueueURL.
func (s *Server) SendMessage(in SendMessageInput) (SendMessageOutput, error) {
	q, err := s.sqs.lookupURL(in.QueueURL)
	if err != nil {
		return SendMessageOutput{}, err
	}
	return s.sqs.sendMessage(q, &in)
}

// ReceiveMessage receives messages from in.QueueURL, long polling when
// in.WaitTimeSeconds (or the queue's ReceiveMessageWaitTimeSeconds) says so.
func (s *Server) ReceiveMessage(ctx context.Context, in ReceiveMessageInput) ([]Message, error) {
	q, err := s.sqs.lookupURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	return s.sqs.receiveMessage(ctx, q, &in)
}

// DeleteMessage deletes a received message.
func (s *Server) DeleteMessage(queueURL, receiptHandle string) error {
	q, err := s.sqs.lookupURL(queueURL)
	if err != nil {
		return err
	}
	return s.sqs.deleteMessage(q, receiptHandle)
}

// GetQueueAttributes returns the named attributes ("All" for every one).
func (s *Server) GetQueueAttributes(queueURL string, names ...string) (map[string]string, error) {
	q, err := s.sqs.lookupURL(queueURL)
	if err != nil {
		return nil, err
	}
	return s.sqs.getQueueAttributes(q, names)
}

// SetQueueAttributes changes queue attributes.
func (s *Server) SetQueueAttributes(queueURL string, attributes map[string]string) error {
	q, err := s.sqs.lookupURL(queueURL)
	if err != nil {
		return err
	}
	return s.sqs.setQueueAttributes(q, attributes)
}

// EventBusARN returns the ARN of the named event bus, whether or not it
// exists.
func (s *Server) EventBusARN(name string) string { return s.events.busARN(busName(name)) }

// CreateEventBus creates a custom event bus and returns its ARN. The
// "default" bus always exists.
func (s *Server) CreateEventBus(name string) (string, error) {
	return s.events.createEventBus(name, "")
}

// PutRule creates or updates a rule and returns its ARN.
func (s *Server) PutRule(in PutRuleInput) (string, error) { return s.events.putRule(in) }

// PutTargets adds or replaces targets of a rule on a bus ("" for default).
func (s *Server) PutTargets(bus, rule string, targets ...EventTarget) error {
	return s.events.putTargets(bus, rule, targets)
}

// CreateArchive creates an archive of a bus's events and returns its ARN.
func (s *Server) CreateArchive(in CreateArchiveInput) (string, error) {
	a, err := s.events.createArchive(in, s.now())
	if err != nil {
		return "", err
	}
	return a.arn, nil
}

// DescribeArchive reports an archive, with its event count and size.
func (s *Server) DescribeArchive(name string) (EventArchiveInfo, error) {
	return s.events.describeArchive(name)
}

// PutEvents puts events, returning per-entry results and the failed count.
func (s *Server) PutEvents(entries ...PutEventsEntry) ([]PutEventsResultEntry, int, error) {
	return s.events.putEvents(entries)
}

// StateMachineARN returns the ARN of the named state machine, whether or
// not it exists.
func (s *Server) StateMachineARN(name string) string { return s.sfn.machineARN(name) }

// CreateStateMachine creates a state machine from a definition string and
// returns its ARN.
func (s *Server) CreateStateMachine(in CreateStateMachineInput) (string, error) {
	m, err := s.sfn.createStateMachine(in)
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
func (s *Server) StartExecution(in StartExecutionInput) (string, error) {
	e, err := s.sfn.startExecution(in, true)
	if err != nil {
		return "", err
	}
	return e.arn, nil
}

// StartSyncExecution runs an EXPRESS execution to completion.
func (s *Server) StartSyncExecution(ctx context.Context, in StartExecutionInput) (Execution, error) {
	e, err := s.sfn.startSync(ctx, in)
	if err != nil {
		return Execution{}, err
	}
	return e.info(), nil
}

// DescribeExecution reports a STANDARD execution.
func (s *Server) DescribeExecution(arn string) (Execution, error) {
	e, err := s.sfn.execution(arn)
	if err != nil {
		return Execution{}, err
	}
	return e.info(), nil
}

// WaitExecution blocks until a STANDARD execution stops or ctx is done.
func (s *Server) WaitExecution(ctx context.Context, arn string) (Execution, error) {
	e, err := s.sfn.execution(arn)
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
