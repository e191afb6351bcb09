package awslocal

import (
	"context"
	"time"

	"firstclass/internal/awslocal/appconfig"
	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/events"
	"firstclass/internal/awslocal/kinesis"
	"firstclass/internal/awslocal/lambdahook"
	"firstclass/internal/awslocal/sfn"
	"firstclass/internal/awslocal/sqs"
)

// The Go API: the wire operations, callable directly by the local runner
// (which creates resources from the synthesized CloudFormation template)
// and by tests. Errors are *Error values with the codes the wire protocols
// report. The types are the service packages' own, under the names this
// package has always given them.

// Error is an AWS service error; see awsproto.Error.
type Error = awsproto.Error

// The clock a Server runs on (Options.Clock).
type (
	Clock       = clock.Clock
	RealClock   = clock.Real
	ManualClock = clock.Manual
)

// NewManualClock returns a clock stopped at start.
func NewManualClock(start time.Time) *ManualClock { return clock.NewManual(start) }

// SQS shapes.
type (
	MessageAttribute            = sqs.MessageAttribute
	SendMessageInput            = sqs.SendMessageInput
	SendMessageOutput           = sqs.SendMessageOutput
	ReceiveMessageInput         = sqs.ReceiveMessageInput
	Message                     = sqs.Message
	BatchResultErrorEntry       = sqs.BatchResultErrorEntry
	SendMessageBatchEntry       = sqs.SendMessageBatchEntry
	SendMessageBatchResultEntry = sqs.SendMessageBatchResultEntry
	DeleteMessageBatchEntry     = sqs.DeleteMessageBatchEntry
	ChangeVisibilityBatchEntry  = sqs.ChangeVisibilityBatchEntry
)

// EventBridge shapes.
type (
	EventTarget           = events.EventTarget
	EventInputTransformer = events.EventInputTransformer
	PutRuleInput          = events.PutRuleInput
	CreateArchiveInput    = events.CreateArchiveInput
	EventArchiveInfo      = events.EventArchiveInfo
	PutEventsEntry        = events.PutEventsEntry
	PutEventsResultEntry  = events.PutEventsResultEntry
)

// The Lambda hook (Options.Lambda) and its result.
type (
	LambdaInvoker = lambdahook.Invoker
	LambdaResult  = lambdahook.Result
)

// Step Functions shapes.
type (
	UnsupportedTask         = sfn.UnsupportedTask
	CreateStateMachineInput = sfn.CreateStateMachineInput
	StartExecutionInput     = sfn.StartExecutionInput
	Execution               = sfn.Execution
)

// QueueURL returns the URL of the named queue, whether or not it exists.
func (s *Server) QueueURL(name string) string { return s.sqs.QueueURL(name) }

// QueueARN returns the ARN of the named queue, whether or not it exists.
func (s *Server) QueueARN(name string) string { return s.sqs.QueueARN(name) }

// CreateQueue creates a queue with CreateQueue's attributes (VisibilityTimeout,
// RedrivePolicy as JSON, FifoQueue, ...) and returns its URL. Creating an
// existing queue with the same attributes returns its URL.
func (s *Server) CreateQueue(name string, attributes map[string]string) (string, error) {
	return s.sqs.CreateQueue(name, attributes)
}

// DeleteQueue deletes the queue at queueURL.
func (s *Server) DeleteQueue(queueURL string) error { return s.sqs.DeleteQueue(queueURL) }

// SendMessage sends a message to in.QueueURL.
func (s *Server) SendMessage(in SendMessageInput) (SendMessageOutput, error) {
	return s.sqs.SendMessage(in)
}

// ReceiveMessage receives messages from in.QueueURL, long polling when
// in.WaitTimeSeconds (or the queue's ReceiveMessageWaitTimeSeconds) says so.
func (s *Server) ReceiveMessage(ctx context.Context, in ReceiveMessageInput) ([]Message, error) {
	return s.sqs.ReceiveMessage(ctx, in)
}

// DeleteMessage deletes a received message.
func (s *Server) DeleteMessage(queueURL, receiptHandle string) error {
	return s.sqs.DeleteMessage(queueURL, receiptHandle)
}

// GetQueueAttributes returns the named attributes ("All" for every one).
func (s *Server) GetQueueAttributes(queueURL string, names ...string) (map[string]string, error) {
	return s.sqs.GetQueueAttributes(queueURL, names...)
}

// SetQueueAttributes changes queue attributes.
func (s *Server) SetQueueAttributes(queueURL string, attributes map[string]string) error {
	return s.sqs.SetQueueAttributes(queueURL, attributes)
}

// EventBusARN returns the ARN of the named event bus, whether or not it
// exists.
func (s *Server) EventBusARN(name string) string { return s.events.EventBusARN(name) }

// CreateEventBus creates a custom event bus and returns its ARN. The
// "default" bus always exists.
func (s *Server) CreateEventBus(name string) (string, error) { return s.events.CreateEventBus(name) }

// PutRule creates or updates a rule and returns its ARN.
func (s *Server) PutRule(in PutRuleInput) (string, error) { return s.events.PutRule(in) }

// PutTargets adds or replaces targets of a rule on a bus ("" for default).
func (s *Server) PutTargets(bus, rule string, targets ...EventTarget) error {
	return s.events.PutTargets(bus, rule, targets...)
}

// CreateArchive creates an archive of a bus's events and returns its ARN.
func (s *Server) CreateArchive(in CreateArchiveInput) (string, error) {
	return s.events.CreateArchive(in)
}

// DescribeArchive reports an archive, with its event count and size.
func (s *Server) DescribeArchive(name string) (EventArchiveInfo, error) {
	return s.events.DescribeArchive(name)
}

// PutEvents puts events, returning per-entry results and the failed count.
func (s *Server) PutEvents(entries ...PutEventsEntry) ([]PutEventsResultEntry, int, error) {
	return s.events.PutEvents(entries...)
}

// StateMachineARN returns the ARN of the named state machine, whether or
// not it exists.
func (s *Server) StateMachineARN(name string) string { return s.sfn.StateMachineARN(name) }

// CreateStateMachine creates a state machine from a definition string and
// returns its ARN.
func (s *Server) CreateStateMachine(in CreateStateMachineInput) (string, error) {
	return s.sfn.CreateStateMachine(in)
}

// StartExecution starts an execution in the background and returns its ARN.
func (s *Server) StartExecution(in StartExecutionInput) (string, error) {
	return s.sfn.StartExecution(in)
}

// StartSyncExecution runs an EXPRESS execution to completion.
func (s *Server) StartSyncExecution(ctx context.Context, in StartExecutionInput) (Execution, error) {
	return s.sfn.StartSyncExecution(ctx, in)
}

// DescribeExecution reports a STANDARD execution.
func (s *Server) DescribeExecution(arn string) (Execution, error) {
	return s.sfn.DescribeExecution(arn)
}

// WaitExecution blocks until a STANDARD execution stops or ctx is done.
func (s *Server) WaitExecution(ctx context.Context, arn string) (Execution, error) {
	return s.sfn.WaitExecution(ctx, arn)
}

// UnsupportedTasks lists the Task states of a definition the local Step
// Functions cannot run (in every Parallel branch and Map iterator).
func (s *Server) UnsupportedTasks(definition string) ([]UnsupportedTask, error) {
	return s.sfn.UnsupportedTasks(definition)
}

// SendTaskSuccess ends the .waitForTaskToken task waiting on token.
func (s *Server) SendTaskSuccess(token, output string) error {
	return s.sfn.SendTaskSuccess(token, output)
}

// SendTaskFailure fails the .waitForTaskToken task waiting on token.
func (s *Server) SendTaskFailure(token, errName, cause string) error {
	return s.sfn.SendTaskFailure(token, errName, cause)
}

// CheckEventTarget reports whether EventBridge can deliver to a rule
// target with this ARN (a kind it delivers to, a function or log group
// that exists).
func (s *Server) CheckEventTarget(arn string) error { return s.events.CheckTarget(arn) }

// CreateLogGroup creates a CloudWatch Logs log group.
func (s *Server) CreateLogGroup(name string, retentionDays int) error {
	return s.logs.CreateLogGroup(name, retentionDays)
}

// DeleteEventBus deletes a custom event bus; deleting a missing one succeeds.
func (s *Server) DeleteEventBus(name string) error { return s.events.DeleteEventBus(name) }

// DeleteRule removes a rule's targets, then the rule.
func (s *Server) DeleteRule(bus, name string) error { return s.events.DeleteRule(bus, name) }

// DeleteStateMachine deletes a state machine.
func (s *Server) DeleteStateMachine(arn string) error { return s.sfn.DeleteStateMachine(arn) }

// UpdateStateMachine replaces a state machine's definition and role; new
// executions use them, running ones finish on the old definition.
func (s *Server) UpdateStateMachine(in CreateStateMachineInput) error {
	return s.sfn.UpdateStateMachine(in)
}

// Kinesis shapes.
type (
	CreateStreamInput     = kinesis.CreateStreamInput
	StreamModeDetails     = kinesis.StreamModeDetails
	PutRecordInput        = kinesis.PutRecordInput
	PutRecordOutput       = kinesis.PutRecordOutput
	GetShardIteratorInput = kinesis.GetShardIteratorInput
	GetRecordsOutput      = kinesis.GetRecordsOutput
	KinesisShard          = kinesis.Shard
	KinesisRecord         = kinesis.Record
)

// StreamARN returns the ARN of the named Kinesis stream, whether or not it
// exists.
func (s *Server) StreamARN(name string) string { return s.kinesis.StreamARN(name) }

// CreateStream creates a Kinesis stream (with the retention and encryption
// AWS::Kinesis::Stream sets) and returns its ARN.
func (s *Server) CreateStream(in CreateStreamInput) (string, error) {
	return s.kinesis.CreateStream(in)
}

// PutRecord puts one record on a stream.
func (s *Server) PutRecord(in PutRecordInput) (PutRecordOutput, error) {
	return s.kinesis.PutRecord(in)
}

// ListShards lists a stream's shards.
func (s *Server) ListShards(stream string) ([]KinesisShard, error) {
	return s.kinesis.ListShards(stream)
}

// GetShardIterator returns an iterator for a shard of a stream.
func (s *Server) GetShardIterator(in GetShardIteratorInput) (string, error) {
	return s.kinesis.GetShardIterator(in)
}

// GetRecords reads up to limit records (0: 10,000) at an iterator.
func (s *Server) GetRecords(shardIterator string, limit int) (GetRecordsOutput, error) {
	return s.kinesis.GetRecords(shardIterator, limit)
}

// Inspection views: read-only, for the local runner's inspector page.
type (
	QueueView     = sqs.QueueView
	MessageView   = sqs.MessageView
	BusView       = events.BusView
	EventView     = events.EventView
	MachineView   = sfn.MachineView
	ExecutionView = sfn.ExecutionView
	HistoryEvent  = sfn.HistoryEvent
)

// KeepForInspection makes the services keep what they otherwise do not: the last events of
// each bus (up to events per bus). STANDARD executions always keep their history
// (GetExecutionHistory).
func (s *Server) KeepForInspection(events int) {
	s.events.KeepRecent(events)
}

// InspectQueues returns every queue with up to limit of its messages, changing nothing.
func (s *Server) InspectQueues(limit int) []QueueView { return s.sqs.Inspect(limit) }

// InspectBuses returns every event bus with its rules and recent events (KeepForInspection).
func (s *Server) InspectBuses() []BusView { return s.events.Inspect() }

// InspectStateMachines returns every state machine with up to limit of its most recent
// executions and their state-by-state history.
func (s *Server) InspectStateMachines(limit int) []MachineView { return s.sfn.Inspect(limit) }

// AppConfig shapes.
type (
	AppConfigApplication   = appconfig.Application
	AppConfigEnvironment   = appconfig.Environment
	AppConfigProfile       = appconfig.Profile
	AppConfigHostedVersion = appconfig.HostedVersion
	AppConfigStrategy      = appconfig.Strategy
	AppConfigDeployment    = appconfig.Deployment
	AppConfigConfiguration = appconfig.Configuration
)

// AppConfig is the AppConfig and AppConfig Data service: its Create
// operations make the resources of a template, its ARNs name them.
func (s *Server) AppConfig() *appconfig.Service { return s.appconfig }

// CreateBucket creates an empty S3 bucket.
func (s *Server) CreateBucket(name string) error { return s.s3.CreateBucket(name) }

// PutObject stores an S3 object and returns its ETag.
func (s *Server) PutObject(bucket, key string, body []byte, contentType string) (string, error) {
	return s.s3.PutObject(bucket, key, body, contentType)
}

// GetObject returns an S3 object's body.
func (s *Server) GetObject(bucket, key string) ([]byte, error) {
	b, _, _, err := s.s3.GetObject(bucket, key)
	return b, err
}

// TopicARN returns the ARN of the named SNS topic, whether or not it exists.
func (s *Server) TopicARN(name string) string { return s.sns.TopicARN(name) }

// CreateTopic creates an SNS topic with CreateTopic's attributes and returns its ARN.
func (s *Server) CreateTopic(name string, attributes map[string]string) (string, error) {
	return s.sns.CreateTopic(name, attributes)
}

// CheckSubscription reports whether SNS can deliver to a subscription of protocol to
// endpoint with these attributes.
func (s *Server) CheckSubscription(protocol, endpoint string, attributes map[string]string) error {
	return s.sns.CheckSubscription(protocol, endpoint, attributes)
}

// Subscribe subscribes endpoint to an SNS topic and returns the subscription's ARN.
func (s *Server) Subscribe(topicARN, protocol, endpoint string, attributes map[string]string) (string, error) {
	return s.sns.Subscribe(topicARN, protocol, endpoint, attributes)
}
