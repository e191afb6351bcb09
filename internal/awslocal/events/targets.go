package events

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Rule targets. PutEvents hands each matching event to the Target
// registered for the service part of the target's ARN
// (arn:aws:SERVICE:...): the root package registers SQS queues ("sqs") and
// Step Functions state machines ("states"), Lambda functions ("lambda")
// and CloudWatch Logs log groups ("logs"), the service itself other event
// buses ("events"). A new kind of target (Kinesis, SNS) is one
// RegisterTarget call with its Target. PutTargets refuses an ARN of a kind
// nothing delivers to, and CheckTarget says so before anything runs, so
// that no event is accepted for a target that silently drops it.

// Target delivers events to one kind of resource.
type Target interface {
	// Deliver hands one event to the resource d.Target.Arn names. It
	// returns the durable-log record PutEvents waits for before it answers
	// (0 for none). A target that cannot take the event drops it.
	Deliver(d *Delivery) uint64
}

// Checker is implemented by a Target that can tell, before any event
// arrives, that it cannot deliver to a target ARN (a function that does not
// exist).
type Checker interface {
	CheckTarget(arn string) error
}

// CheckTarget reports whether events can be delivered to the target with
// this ARN: an error naming what is missing when no registered Target
// delivers to its kind, or the Target says it cannot.
func (svc *Service) CheckTarget(arn string) error {
	kind := arnService(arn)
	t := svc.targets[kind]
	if t == nil {
		return fmt.Errorf("EventBridge targets of kind %q are not emulated locally (the local EventBridge delivers to %s)", kind, strings.Join(slices.Sorted(maps.Keys(svc.targets)), ", "))
	}
	if c, ok := t.(Checker); ok {
		return c.CheckTarget(arn)
	}
	return nil
}

// TargetFunc adapts a function to Target.
type TargetFunc func(d *Delivery) uint64

// Deliver calls f(d).
func (f TargetFunc) Deliver(d *Delivery) uint64 { return f(d) }

// Delivery is one event on its way to one rule target.
type Delivery struct {
	// Target is the rule target: its ARN and parameters.
	Target *EventTarget
	// Payload is the event after the target's input transformation.
	Payload string
	// EventID is the event's ID.
	EventID string

	event *event
	depth int // bus-to-bus hops so far
}

// RegisterTarget makes PutEvents deliver to targets whose ARN names
// service (the "sqs" of arn:aws:sqs:...) through t, replacing any target
// registered for it. Call it before the service is shared.
func (svc *Service) RegisterTarget(service string, t Target) { svc.targets[service] = t }

// arnService returns the service part of an arn:aws: ARN, "" for anything
// else.
func arnService(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:")
	if !ok {
		return ""
	}
	service, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return service
}

// QueueSender is what a queue target needs of SQS: send body to the queue
// with this ARN, using groupID and dedupID when it is a FIFO queue, and
// return the log record to wait for (0 when nothing was sent).
type QueueSender interface {
	SendToARN(queueARN, body, groupID, dedupID string) uint64
}

// QueueTarget delivers to SQS queues: the payload is the message body; on
// a FIFO queue the message group is the target's
// SqsParameters.MessageGroupId and the event ID deduplicates, as
// EventBridge does.
func QueueTarget(sqs QueueSender) Target {
	return TargetFunc(func(d *Delivery) uint64 {
		group := ""
		if d.Target.SqsParameters != nil {
			group = d.Target.SqsParameters.MessageGroupId
		}
		return sqs.SendToARN(d.Target.Arn, d.Payload, group, d.EventID)
	})
}

// ExecutionStarter is what a state machine target needs of Step
// Functions: start an execution of the machine with this ARN on input and
// return the log record of the start (0 when nothing started).
type ExecutionStarter interface {
	StartByARN(machineARN, input string) uint64
}

// StateMachineTarget delivers to Step Functions state machines: each event
// starts an execution with the payload as its input.
func StateMachineTarget(sfn ExecutionStarter) Target {
	return TargetFunc(func(d *Delivery) uint64 { return sfn.StartByARN(d.Target.Arn, d.Payload) })
}

// busTarget delivers to another event bus: the event keeps its source,
// detail type, detail, resources and time there and goes through that
// bus's rules. More than 5 hops stop.
type busTarget struct{ svc *Service }

func (b busTarget) Deliver(d *Delivery) uint64 {
	arn := d.Target.Arn
	if !strings.Contains(arn, ":event-bus/") || d.depth >= 5 {
		return 0
	}
	ev := d.event
	entry := PutEventsEntry{Source: fmt.Sprint(ev.decoded["source"]), DetailType: fmt.Sprint(ev.decoded["detail-type"]),
		Detail: jsonvalue.Text(ev.decoded["detail"]), EventBusName: arn}
	tt := awsproto.EpochTime(ev.time)
	entry.Time = &tt
	for _, x := range ev.decoded["resources"].([]any) {
		entry.Resources = append(entry.Resources, fmt.Sprint(x))
	}
	_, seq := b.svc.putEvent(&entry, d.depth+1)
	return seq
}

// FunctionInvoker is what a Lambda target needs: queue an asynchronous
// (Event) invocation, and tell whether a function exists
// (lambdahook.Invoker has both).
type FunctionInvoker interface {
	InvokeAsync(function string, payload []byte) error
	Exists(function string) bool
}

// FunctionTarget delivers to Lambda functions: each event is one
// asynchronous invocation with the payload as its event, as EventBridge
// invokes a function.
func FunctionTarget(l FunctionInvoker) Target { return functionTarget{l} }

type functionTarget struct{ l FunctionInvoker }

func (f functionTarget) Deliver(d *Delivery) uint64 {
	f.l.InvokeAsync(d.Target.Arn, []byte(d.Payload))
	return 0
}

func (f functionTarget) CheckTarget(arn string) error {
	if !f.l.Exists(arn) {
		return fmt.Errorf("Lambda function %s does not exist locally", arn)
	}
	return nil
}

// LogWriter is what a CloudWatch Logs target needs: write one log event to
// a stream of a log group (created when missing) and return the log record
// to wait for; GroupExists tells whether the group exists.
type LogWriter interface {
	WriteEvent(group, stream string, timestamp int64, message string) uint64
	GroupExists(group string) bool
}

// LogGroupTarget delivers to CloudWatch Logs log groups: each event is one
// log event in a stream named by the event's ID, its message the payload.
// A payload that is a JSON object with exactly "timestamp" and "message"
// (the form AWS asks an input transformer to produce for a log group) sets
// both.
func LogGroupTarget(w LogWriter) Target { return logTarget{w} }

type logTarget struct{ w LogWriter }

// logGroupName is the group of a target ARN,
// arn:aws:logs:REGION:ACCOUNT:log-group:NAME (with or without ":*").
func logGroupName(arn string) string {
	_, name, _ := strings.Cut(arn, ":log-group:")
	return strings.TrimSuffix(name, ":*")
}

func (l logTarget) Deliver(d *Delivery) uint64 {
	ts, msg := d.event.time.UnixMilli(), d.Payload
	if v, err := jsonvalue.Decode([]byte(d.Payload)); err == nil {
		if o, ok := v.(map[string]any); ok && len(o) == 2 && o["message"] != nil && o["timestamp"] != nil {
			msg = jsonvalue.PlainText(o["message"])
			if n, ok := jsonvalue.Number(o["timestamp"]); ok {
				ts = int64(n)
			} else if t, err := time.Parse(time.RFC3339, jsonvalue.PlainText(o["timestamp"])); err == nil {
				ts = t.UnixMilli()
			}
		}
	}
	return l.w.WriteEvent(logGroupName(d.Target.Arn), d.EventID, ts, msg)
}

func (l logTarget) CheckTarget(arn string) error {
	if !strings.Contains(arn, ":log-group:") {
		return fmt.Errorf("target %s is not a CloudWatch Logs log group", arn)
	}
	if g := logGroupName(arn); !l.w.GroupExists(g) {
		return fmt.Errorf("CloudWatch Logs log group %s does not exist locally", g)
	}
	return nil
}
