package mapping

import "slices"

// Subtype is an HTTP API first-class integration subtype: an AWS_PROXY
// integration that calls one AWS service action, with the action's input
// filled from the integration's RequestParameters.
type Subtype struct {
	// Name is the IntegrationSubtype, e.g. "SQS-SendMessage".
	Name string
	// Version is the only payload format version AWS documents for it.
	Version string
	// Doc is AWS's one-line description.
	Doc string
	// Parameters are the RequestParameters names it accepts, in AWS's order.
	Parameters []Parameter

	// The call API Gateway makes. Service is the SDK service name (as in
	// "aws sqs ..."), Action the API operation, IAMAction what the
	// integration's role must allow.
	Service   string
	Action    string
	IAMAction string
	// Protocol is the service's wire protocol (Smithy protocol names:
	// "awsQuery", "awsJson1_0", "awsJson1_1", "restJson1"). For SQS it is the
	// query protocol: an HTTP API SQS-SendMessage route answers the client
	// with SQS's XML <SendMessageResponse> (see DESIGN.md, "Observed on real
	// AWS").
	Protocol string
	// Target is the X-Amz-Target header of a JSON-protocol call.
	Target string
	// EndpointPrefix is the host prefix of the service endpoint, e.g.
	// "sync-states" for StartSyncExecution.
	EndpointPrefix string
	// Reference is the action's page in the service API reference.
	Reference string
	// Resource is the parameter naming the resource the action acts on (for StopExecution
	// the execution, in its machine), which the integration's role is granted the action on.
	Resource string
}

// Parameter is one RequestParameters name of a subtype.
type Parameter struct {
	// Name is the parameter name exactly as AWS spells it.
	Name     string
	Required bool
	// Member is the member of the service action's input that the value
	// fills, as named in the service API reference (lowerCamel for Step
	// Functions, Entries[0].X for PutEvents). It is empty for Region, which
	// only selects the endpoint's Region.
	Member string
}

// The catalogue follows AWS "Integration subtype reference" for HTTP APIs
// (developerguide/http-api-develop-integrations-aws-services-reference.html),
// current version. Two names changed since the archived GitHub copy of that
// page (awsdocs/amazon-api-gateway-developer-guide, 2023): SQS-ReceiveMessage
// lists AttributeNames (was AttributeName) and EventBridge-PutEvents gained
// TraceHeader. Members, protocols and targets come from each service's API
// reference.
var subtypes = []*Subtype{
	{
		Name: "EventBridge-PutEvents", Version: "1.0",
		Doc:     "Sends custom events to Amazon EventBridge so that they can be matched to rules.",
		Service: "events", Action: "PutEvents", IAMAction: "events:PutEvents",
		Protocol: "awsJson1_1", Target: "AWSEvents.PutEvents", EndpointPrefix: "events",
		Reference: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html",
		Resource:  "EventBusName",
		Parameters: []Parameter{
			{Name: "Detail", Required: true, Member: "Entries[0].Detail"},
			{Name: "DetailType", Required: true, Member: "Entries[0].DetailType"},
			{Name: "Source", Required: true, Member: "Entries[0].Source"},
			{Name: "Time", Member: "Entries[0].Time"},
			{Name: "EventBusName", Member: "Entries[0].EventBusName"},
			{Name: "Resources", Member: "Entries[0].Resources"},
			{Name: "Region"},
			{Name: "TraceHeader", Member: "Entries[0].TraceHeader"},
		},
	},
	{
		Name: "SQS-SendMessage", Version: "1.0",
		Doc:     "Delivers a message to the specified queue.",
		Service: "sqs", Action: "SendMessage", IAMAction: "sqs:SendMessage",
		Protocol: "awsQuery", EndpointPrefix: "sqs",
		Reference: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html",
		Resource:  "QueueUrl",
		Parameters: []Parameter{
			{Name: "QueueUrl", Required: true, Member: "QueueUrl"},
			{Name: "MessageBody", Required: true, Member: "MessageBody"},
			{Name: "DelaySeconds", Member: "DelaySeconds"},
			{Name: "MessageAttributes", Member: "MessageAttributes"},
			{Name: "MessageDeduplicationId", Member: "MessageDeduplicationId"},
			{Name: "MessageGroupId", Member: "MessageGroupId"},
			{Name: "MessageSystemAttributes", Member: "MessageSystemAttributes"},
			{Name: "Region"},
		},
	},
	{
		Name: "SQS-ReceiveMessage", Version: "1.0",
		Doc:     "Retrieves one or more messages (up to 10), from the specified queue.",
		Service: "sqs", Action: "ReceiveMessage", IAMAction: "sqs:ReceiveMessage",
		Protocol: "awsQuery", EndpointPrefix: "sqs",
		Reference: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html",
		Resource:  "QueueUrl",
		Parameters: []Parameter{
			{Name: "QueueUrl", Required: true, Member: "QueueUrl"},
			{Name: "AttributeNames", Member: "AttributeNames"},
			{Name: "MaxNumberOfMessages", Member: "MaxNumberOfMessages"},
			{Name: "MessageAttributeNames", Member: "MessageAttributeNames"},
			{Name: "ReceiveRequestAttemptId", Member: "ReceiveRequestAttemptId"},
			{Name: "VisibilityTimeout", Member: "VisibilityTimeout"},
			{Name: "WaitTimeSeconds", Member: "WaitTimeSeconds"},
			{Name: "Region"},
		},
	},
	{
		Name: "SQS-DeleteMessage", Version: "1.0",
		Doc:     "Deletes the specified message from the specified queue.",
		Service: "sqs", Action: "DeleteMessage", IAMAction: "sqs:DeleteMessage",
		Protocol: "awsQuery", EndpointPrefix: "sqs",
		Reference: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html",
		Resource:  "QueueUrl",
		Parameters: []Parameter{
			{Name: "ReceiptHandle", Required: true, Member: "ReceiptHandle"},
			{Name: "QueueUrl", Required: true, Member: "QueueUrl"},
			{Name: "Region"},
		},
	},
	{
		Name: "SQS-PurgeQueue", Version: "1.0",
		Doc:     "Deletes all messages in the specified queue.",
		Service: "sqs", Action: "PurgeQueue", IAMAction: "sqs:PurgeQueue",
		Protocol: "awsQuery", EndpointPrefix: "sqs",
		Reference: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html",
		Resource:  "QueueUrl",
		Parameters: []Parameter{
			{Name: "QueueUrl", Required: true, Member: "QueueUrl"},
			{Name: "Region"},
		},
	},
	{
		Name: "AppConfig-GetConfiguration", Version: "1.0",
		Doc:     "Receive information about a configuration.",
		Service: "appconfig", Action: "GetConfiguration", IAMAction: "appconfig:GetConfiguration",
		// GET /applications/{Application}/environments/{Environment}/configurations/{Configuration}
		//     ?client_id=ClientId&client_configuration_version=ClientConfigurationVersion
		Protocol: "restJson1", EndpointPrefix: "appconfig",
		Reference: "https://docs.aws.amazon.com/appconfig/2019-10-09/APIReference/API_GetConfiguration.html",
		Resource:  "Configuration",
		Parameters: []Parameter{
			{Name: "Application", Required: true, Member: "Application"},
			{Name: "Environment", Required: true, Member: "Environment"},
			{Name: "Configuration", Required: true, Member: "Configuration"},
			{Name: "ClientId", Required: true, Member: "ClientId"},
			{Name: "ClientConfigurationVersion", Member: "ClientConfigurationVersion"},
			{Name: "Region"},
		},
	},
	{
		Name: "Kinesis-PutRecord", Version: "1.0",
		Doc:     "Writes a single data record into an Amazon Kinesis data stream.",
		Service: "kinesis", Action: "PutRecord", IAMAction: "kinesis:PutRecord",
		Protocol: "awsJson1_1", Target: "Kinesis_20131202.PutRecord", EndpointPrefix: "kinesis",
		Reference: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html",
		Resource:  "StreamName",
		Parameters: []Parameter{
			{Name: "StreamName", Required: true, Member: "StreamName"},
			{Name: "Data", Required: true, Member: "Data"},
			{Name: "PartitionKey", Required: true, Member: "PartitionKey"},
			{Name: "SequenceNumberForOrdering", Member: "SequenceNumberForOrdering"},
			{Name: "ExplicitHashKey", Member: "ExplicitHashKey"},
			{Name: "Region"},
		},
	},
	{
		Name: "StepFunctions-StartExecution", Version: "1.0",
		Doc:     "Starts a state machine execution.",
		Service: "stepfunctions", Action: "StartExecution", IAMAction: "states:StartExecution",
		Protocol: "awsJson1_0", Target: "AWSStepFunctions.StartExecution", EndpointPrefix: "states",
		Reference: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html",
		Resource:  "StateMachineArn",
		Parameters: []Parameter{
			{Name: "StateMachineArn", Required: true, Member: "stateMachineArn"},
			{Name: "Name", Member: "name"},
			{Name: "Input", Member: "input"},
			{Name: "Region"},
		},
	},
	{
		Name: "StepFunctions-StartSyncExecution", Version: "1.0",
		Doc:     "Starts a synchronous state machine execution.",
		Service: "stepfunctions", Action: "StartSyncExecution", IAMAction: "states:StartSyncExecution",
		// Express workflows only; served from the sync-states endpoint.
		Protocol: "awsJson1_0", Target: "AWSStepFunctions.StartSyncExecution", EndpointPrefix: "sync-states",
		Reference: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html",
		Resource:  "StateMachineArn",
		Parameters: []Parameter{
			{Name: "StateMachineArn", Required: true, Member: "stateMachineArn"},
			{Name: "Name", Member: "name"},
			{Name: "Input", Member: "input"},
			{Name: "Region"},
			{Name: "TraceHeader", Member: "traceHeader"},
		},
	},
	{
		Name: "StepFunctions-StopExecution", Version: "1.0",
		Doc:     "Stops an execution.",
		Service: "stepfunctions", Action: "StopExecution", IAMAction: "states:StopExecution",
		Protocol: "awsJson1_0", Target: "AWSStepFunctions.StopExecution", EndpointPrefix: "states",
		Reference: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html",
		Resource:  "ExecutionArn",
		Parameters: []Parameter{
			{Name: "ExecutionArn", Required: true, Member: "executionArn"},
			{Name: "Cause", Member: "cause"},
			{Name: "Error", Member: "error"},
			{Name: "Region"},
		},
	},
}

// Subtypes returns the catalogue of HTTP API integration subtypes in AWS's
// order. The entries are shared: callers must not modify them.
func Subtypes() []*Subtype { return slices.Clone(subtypes) }

// LookupSubtype finds a subtype by its exact IntegrationSubtype name.
func LookupSubtype(name string) (*Subtype, bool) {
	for _, s := range subtypes {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// SubtypeNames returns the names of all subtypes.
func SubtypeNames() []string {
	out := make([]string, len(subtypes))
	for i, s := range subtypes {
		out[i] = s.Name
	}
	return out
}

// Parameter finds a parameter by its exact name.
func (s *Subtype) Parameter(name string) (Parameter, bool) {
	for _, p := range s.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}

// Required returns the names of the required parameters.
func (s *Subtype) Required() []string {
	var out []string
	for _, p := range s.Parameters {
		if p.Required {
			out = append(out, p.Name)
		}
	}
	return out
}

// ParameterNames returns all parameter names in AWS's order.
func (s *Subtype) ParameterNames() []string {
	out := make([]string, len(s.Parameters))
	for i, p := range s.Parameters {
		out[i] = p.Name
	}
	return out
}
