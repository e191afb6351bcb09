package routes

// DefaultStackName is the stack's name unless cdk.json's context says otherwise.
const DefaultStackName = "Firstclass"

// Output keys of firstclass's targets, besides the ones every API stack writes
// (internal/contract). `cdk deploy --outputs-file` and `firstclass local --outputs-file` both
// write them. They are a public contract: renaming one breaks every saved outputs file.
const (
	QueueURLOutput                = "QueueUrl"
	DeadLetterQueueURLOutput      = "DeadLetterQueueUrl"
	JobsQueueURLOutput            = "JobsQueueUrl"
	JobsDeadLetterQueueURLOutput  = "JobsDeadLetterQueueUrl"
	ScratchQueueURLOutput         = "ScratchQueueUrl"
	EventBusNameOutput            = "EventBusName"
	AuditQueueURLOutput           = "AuditQueueUrl"
	WorkflowStateMachineArnOutput = "WorkflowStateMachineArn"
	ExpressStateMachineArnOutput  = "ExpressWorkflowStateMachineArn"
	GreetingFunctionNameOutput    = "GreetingFunctionName"
	StreamNameOutput              = "StreamName"
	// SettingsConfigurationOutput is APPLICATION_ID/ENVIRONMENT_ID/PROFILE_ID of the hosted
	// configuration GET /config answers with.
	SettingsConfigurationOutput = "SettingsConfiguration"
)
