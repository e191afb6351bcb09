package events

import (
	"fmt"
	"strings"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Rule targets. PutEvents hands each matching event to the Target
// registered for the service part of the target's ARN
// (arn:aws:SERVICE:...): the root package registers SQS queues ("sqs") and
// Step Functions state machines ("states"), the service itself other event
// buses ("events"). A new kind of target (Lambda, CloudWatch Logs,
// Kinesis) is one RegisterTarget call with its Target; ARNs of kinds that
// nothing delivers to are accepted by PutTargets and ignored.

// Target delivers events to one kind of resource.
type Target interface {
	// Deliver hands one event to the resource d.Target.Arn names. It
	// returns the durable-log record PutEvents waits for before it answers
	// (0 for none). A target that cannot take the event drops it.
	Deliver(d *Delivery) uint64
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
