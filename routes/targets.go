package routes

import "firstclass/internal/spec"

// firstclass's targets, as routes name them. api/targets.go creates their constructs; a name
// here is the name api/ looks the constructs up by.
var (
	// Queue is a standard SQS queue with a dead-letter queue.
	Queue = spec.Target{Name: "queue", Kind: spec.Queue}
	// Jobs is a standard SQS queue with a dead-letter queue, consumed over HTTP: GET /jobs
	// receives its messages and DELETE /jobs deletes one. It is not Queue, so that a consumer
	// of the API never takes the messages the bench counts POST /queue's deliveries by.
	Jobs = spec.Target{Name: "jobs", Kind: spec.Queue}
	// Scratch is a standard SQS queue that DELETE /scratch purges: a purge deletes every
	// message of its queue, and this one holds no other route's.
	Scratch = spec.Target{Name: "scratch", Kind: spec.Queue}
	// Bus is a custom EventBridge bus: every event is archived, and the audit rule copies it
	// to the audit queue, so that deliveries can be counted.
	Bus = spec.Target{Name: "bus", Kind: spec.EventBus, Deliveries: []spec.Copy{{Via: "audit queue", Action: "sqs:SendMessage"}}, Archived: true}
	// Workflow is the STANDARD Step Functions state machine.
	Workflow = spec.Target{Name: "workflow", Kind: spec.StateMachine}
	// ExpressWorkflow is the EXPRESS Step Functions state machine.
	ExpressWorkflow = spec.Target{Name: "expressWorkflow", Kind: spec.ExpressStateMachine}
	// Greeter is the greeting Lambda function in lambda/greeting.
	Greeter = spec.Target{Name: "greeter", Kind: spec.Function}
	// Stream is the on-demand Kinesis data stream.
	Stream = spec.Target{Name: "stream", Kind: spec.Stream}
	// Settings is the AppConfig hosted JSON configuration, deployed to its one environment.
	Settings = spec.Target{Name: "settings", Kind: spec.HostedConfiguration}
)

// Targets lists firstclass's targets.
var Targets = []spec.Target{Queue, Jobs, Scratch, Bus, Workflow, ExpressWorkflow, Greeter, Stream, Settings}
