package routes

import "firstclass/internal/spec"

// Routes is firstclass's route table. Both APIs serve every route on the same path.
var Routes = spec.Table{
	SendToQueueRoute,
	ReceiveJobsRoute,
	DeleteJobRoute,
	PurgeScratchRoute,
	PutEventRoute,
	StartWorkflowRoute,
	StopWorkflowRoute,
	RunExpressWorkflowRoute,
	GreetingRoute,
	PutRecordRoute,
	GetConfigRoute,
}

// defaultErrors maps an AWS service's 4xx and 5xx to the same status on a REST route, with the
// service's error body passed through. Without them every service error would reach the
// client as the default 200.
var defaultErrors = []spec.ErrorResponse{
	{SelectionPattern: `4\d{2}`, StatusCode: 400},
	{SelectionPattern: `5\d{2}`, StatusCode: 500},
}

// SendToQueueRoute sends the request body as one SQS message.
var SendToQueueRoute = spec.Route{
	Name:   "SendToQueue",
	Method: "POST",
	Path:   "/queue",
	Target: Queue,
	HTTP: spec.HTTPIntegration{
		Subtype: "SQS-SendMessage",
		Parameters: map[string]spec.Value{
			"QueueUrl":    spec.Of(spec.QueueURL),
			"MessageBody": spec.Expr("$request.body"),
			// A missing header drops the parameter: the queue's own delay applies.
			"DelaySeconds": spec.Expr("$request.header.X-Delay-Seconds"),
		},
	},
	REST: spec.RESTIntegration{
		Service:         "sqs",
		Action:          "SendMessage",
		QueueInPath:     true,
		Headers:         map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		RequestTemplate: "sqs-send-message.vtl",
		Errors:          defaultErrors,
	},
	Sample:   spec.Sample{Body: `{"orderId":"o-1","amount":42}`},
	Delivery: spec.Delivery{Probe: spec.ProbeQueue, Output: QueueURLOutput},
}

// ReceiveJobsRoute receives messages of the jobs queue: up to max (1-10, else SQS's 1) for
// visibility seconds (else the queue's 30), waiting up to wait seconds (0-20, else the
// queue's 0) for one to arrive, from the query string. Each parameter is optional on both
// APIs: the HTTP API leaves out a parameter whose mapping finds nothing, and the REST
// template writes only the given ones. SQS validates them (max 0 or 11 is its 400
// InvalidParameterValue). The answer is SQS's own: the messages with their receipt handles,
// which DELETE /jobs takes.
var ReceiveJobsRoute = spec.Route{
	Name:   "ReceiveJobs",
	Method: "GET",
	Path:   "/jobs",
	Target: Jobs,
	HTTP: spec.HTTPIntegration{
		Subtype: "SQS-ReceiveMessage",
		Parameters: map[string]spec.Value{
			"QueueUrl":            spec.Of(spec.QueueURL),
			"MaxNumberOfMessages": spec.Expr("$request.querystring.max"),
			"VisibilityTimeout":   spec.Expr("$request.querystring.visibility"),
			"WaitTimeSeconds":     spec.Expr("$request.querystring.wait"),
		},
	},
	REST: spec.RESTIntegration{
		Service:         "sqs",
		Action:          "ReceiveMessage",
		QueueInPath:     true,
		Headers:         map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		RequestTemplate: "sqs-receive-message.vtl",
		Errors:          defaultErrors,
		RequestParameters: map[string]bool{
			"method.request.querystring.max":        false,
			"method.request.querystring.visibility": false,
			"method.request.querystring.wait":       false,
		},
	},
	// The sample looks at up to 10 messages without taking them from their consumers
	// (visibility 0: visible again at once); on an empty queue it is a 200 with none.
	Sample:   spec.Sample{Query: "max=10&visibility=0"},
	Delivery: spec.Delivery{Probe: spec.ProbeReceivedMessages, Output: JobsQueueURLOutput},
}

// DeleteJobRoute deletes a message of the jobs queue by its receipt handle, in the
// X-Receipt-Handle header on both APIs: a handle is long (AWS: up to 1,024 characters) and
// base64 with "+", "/" and "=" in it, so it cannot be a path segment, and in a query string
// every client would have to URL-encode it ("+" would otherwise arrive as a space); a header
// carries it as it is. Without the header the gateway refuses the request before SQS is
// called (HTTP API: a required parameter that maps to nothing is 400 Bad Request; REST: the
// method requires the header). SQS answers a malformed handle with ReceiptHandleIsInvalid and
// a well-formed stale one (the message already deleted) with success.
var DeleteJobRoute = spec.Route{
	Name:   "DeleteJob",
	Method: "DELETE",
	Path:   "/jobs",
	Target: Jobs,
	HTTP: spec.HTTPIntegration{
		Subtype: "SQS-DeleteMessage",
		Parameters: map[string]spec.Value{
			"QueueUrl":      spec.Of(spec.QueueURL),
			"ReceiptHandle": spec.Expr("$request.header.X-Receipt-Handle"),
		},
	},
	REST: spec.RESTIntegration{
		Service:           "sqs",
		Action:            "DeleteMessage",
		QueueInPath:       true,
		Headers:           map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		RequestTemplate:   "sqs-delete-message.vtl",
		Errors:            defaultErrors,
		RequestParameters: map[string]bool{"method.request.header.X-Receipt-Handle": true},
	},
	Sample: spec.Sample{
		// The sample deletes the message a ReceiveJobs request received first. No route
		// sends to the jobs queue (its producers are yours), so on an empty queue there is
		// nothing to delete, and the sample says so instead of failing.
		Needs: &spec.SampleNeed{Route: ReceiveJobsRoute.Name, Query: "max=1", Field: "ReceiptHandle", Header: "X-Receipt-Handle",
			WhenMissing: "the jobs queue has no message to delete; send it one (aws sqs send-message --queue-url <JobsQueueUrl> --message-body '{}') and try again"},
	},
	// The bench sends and receives one message of the jobs queue per request before the load
	// and passes its receipt handle.
	Delivery: spec.Delivery{Probe: spec.ProbeDeletedMessages, Output: JobsQueueURLOutput, InputHeader: "X-Receipt-Handle"},
}

// PurgeScratchRoute purges the scratch queue: SQS deletes every message in it (within 60
// seconds) and refuses another purge of the queue for 60 seconds with PurgeQueueInProgress.
// It is a queue of its own so that a purge never deletes another route's messages.
var PurgeScratchRoute = spec.Route{
	Name:   "PurgeScratch",
	Method: "DELETE",
	Path:   "/scratch",
	Target: Scratch,
	HTTP: spec.HTTPIntegration{
		Subtype:    "SQS-PurgeQueue",
		Parameters: map[string]spec.Value{"QueueUrl": spec.Of(spec.QueueURL)},
	},
	REST: spec.RESTIntegration{
		Service:         "sqs",
		Action:          "PurgeQueue",
		QueueInPath:     true,
		Headers:         map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		RequestTemplate: "sqs-purge-queue.vtl",
		Errors:          defaultErrors,
	},
	Delivery: spec.Delivery{Probe: spec.ProbePurges, Output: ScratchQueueURLOutput},
	// SQS allows one purge a minute per queue: both API kinds' samples purge the same queue,
	// so the second is refused, and a purge route under load is nearly all refusals (the HTTP
	// API passes SQS's 403 on; the REST route's error response makes it a 400).
	Refusal: "PurgeQueueInProgress",
}

// PutEventRoute puts the request body as the detail of one event on the bus, with its source
// and detail type taken from the path.
var PutEventRoute = spec.Route{
	Name:   "PutEvent",
	Method: "POST",
	Path:   "/events/{source}/{detailType}",
	Target: Bus,
	HTTP: spec.HTTPIntegration{
		Subtype: "EventBridge-PutEvents",
		Parameters: map[string]spec.Value{
			"EventBusName": spec.Of(spec.EventBusName),
			"Source":       spec.Expr("$request.path.source"),
			"DetailType":   spec.Expr("$request.path.detailType"),
			"Detail":       spec.Expr("$request.body"),
		},
	},
	REST: spec.RESTIntegration{
		Service:          "events",
		Action:           "PutEvents",
		Headers:          map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutEvents"},
		RequestTemplate:  "events-put-events.vtl",
		ResponseTemplate: "events-put-events-response.vtl",
		Errors:           defaultErrors,
		ValidateBody:     true,
	},
	Sample: spec.Sample{
		PathParams: map[string]string{"source": "firstclass.orders", "detailType": "OrderPlaced"},
		Body:       `{"orderId":"o-1","amount":42}`,
	},
	Delivery: spec.Delivery{Probe: spec.ProbeQueue, Output: AuditQueueURLOutput, Via: "EventBridge events"},
}

// StartWorkflowRoute starts an execution of the STANDARD state machine with the request body
// as its input.
var StartWorkflowRoute = spec.Route{
	Name:   "StartWorkflow",
	Method: "POST",
	Path:   "/workflow",
	Target: Workflow,
	HTTP: spec.HTTPIntegration{
		Subtype: "StepFunctions-StartExecution",
		Parameters: map[string]spec.Value{
			"StateMachineArn": spec.Of(spec.StateMachineArn),
			"Input":           spec.Expr("$request.body"),
			// A missing header drops the parameter and Step Functions names the
			// execution with a UUID; a client that names it can find it again.
			"Name": spec.Expr("$request.header.X-Execution-Name"),
		},
	},
	REST: spec.RESTIntegration{
		Service:         "states",
		Action:          "StartExecution",
		Headers:         map[string]string{"Content-Type": "application/x-amz-json-1.0"},
		RequestTemplate: "states-start-execution.vtl",
		Errors:          defaultErrors,
		ValidateBody:    true,
	},
	Sample:   spec.Sample{Body: `{"orderId":"o-1","amount":42}`},
	Delivery: spec.Delivery{Probe: spec.ProbeExecutions, Output: WorkflowStateMachineArnOutput, IDHeader: "X-Execution-Name"},
}

// StopWorkflowRoute stops a running execution of the STANDARD state machine: the execution's
// ARN in the X-Execution-Arn header, the optional error and cause in the body. The ARN is a
// header on both APIs because a stop needs no body (a bare POST stops), both API kinds read a
// header the same way, and a missing one is refused by the gateway before Step Functions is
// called (HTTP API: a required parameter that maps to nothing is 400 Bad Request; REST: the
// method requires the header). Error and cause stay in the body: a cause may be 32,768
// characters, more than API Gateway's 10,240 bytes of request line and headers.
var StopWorkflowRoute = spec.Route{
	Name:   "StopWorkflow",
	Method: "POST",
	Path:   "/workflow/stop",
	Target: Workflow,
	HTTP: spec.HTTPIntegration{
		Subtype: "StepFunctions-StopExecution",
		Parameters: map[string]spec.Value{
			"ExecutionArn": spec.Expr("$request.header.X-Execution-Arn"),
			// A body without them (or no body) drops them: the execution is ABORTED with
			// neither.
			"Error": spec.Expr("$request.body.error"),
			"Cause": spec.Expr("$request.body.cause"),
		},
	},
	REST: spec.RESTIntegration{
		Service:           "states",
		Action:            "StopExecution",
		Headers:           map[string]string{"Content-Type": "application/x-amz-json-1.0"},
		RequestTemplate:   "states-stop-execution.vtl",
		Errors:            defaultErrors,
		RequestParameters: map[string]bool{"method.request.header.X-Execution-Arn": true},
	},
	Sample: spec.Sample{
		Body: `{"error":"Sample","cause":"stopped by the route's sample request"}`,
		// The sample stops an execution its own StartWorkflow request started, held in the
		// machine's Hold state long enough to be stopped while RUNNING.
		Needs: &spec.SampleNeed{Route: StartWorkflowRoute.Name, Body: `{"orderId":"o-1","holdSeconds":60}`, Field: "executionArn", Header: "X-Execution-Arn"},
	},
	// The bench starts one held execution per request before the load and passes its ARN.
	Delivery: spec.Delivery{Probe: spec.ProbeStoppedExecutions, Output: WorkflowStateMachineArnOutput, InputHeader: "X-Execution-Arn"},
}

// RunExpressWorkflowRoute runs the EXPRESS state machine synchronously and answers with the
// execution's result.
var RunExpressWorkflowRoute = spec.Route{
	Name:   "RunExpressWorkflow",
	Method: "POST",
	Path:   "/workflow/sync",
	Target: ExpressWorkflow,
	HTTP: spec.HTTPIntegration{
		Subtype: "StepFunctions-StartSyncExecution",
		Parameters: map[string]spec.Value{
			"StateMachineArn": spec.Of(spec.StateMachineArn),
			"Input":           spec.Expr("$request.body"),
		},
	},
	REST: spec.RESTIntegration{
		Service:          "states",
		Action:           "StartSyncExecution",
		Headers:          map[string]string{"Content-Type": "application/x-amz-json-1.0"},
		RequestTemplate:  "states-start-sync-execution.vtl",
		ResponseTemplate: "states-start-sync-execution-response.vtl",
		Errors:           defaultErrors,
		ValidateBody:     true,
	},
	Sample:   spec.Sample{Body: `{"orderId":"o-1","amount":42}`},
	Delivery: spec.Delivery{Probe: spec.ProbeSyncExecution},
}

// GreetingRoute is seed 003's GET /greeting?greeter=NAME: a Lambda custom integration on the
// REST API, a Lambda proxy integration on the HTTP API.
var GreetingRoute = spec.Route{
	Name:   "Greeting",
	Method: "GET",
	Path:   "/greeting",
	Target: Greeter,
	REST: spec.RESTIntegration{
		Service:           "lambda",
		RequestTemplate:   "greeting-request.vtl",
		ResponseTemplate:  "greeting-response.vtl",
		RequestParameters: map[string]bool{"method.request.querystring.greeter": false},
		Errors: []spec.ErrorResponse{
			// Matches the Lambda's errorMessage, which for a custom integration is how an
			// error is told apart from a result (seed 003).
			{SelectionPattern: `Missing the required greeter parameter\..*`, StatusCode: 400, Template: "greeting-error.vtl"},
		},
	},
	Sample:   spec.Sample{Query: "greeter=firstclass"},
	Delivery: spec.Delivery{Probe: spec.ProbeResponse, IDQuery: "greeter"}, // "Hello, ID!" comes back
}

// PutRecordRoute puts the request body as one record on the Kinesis stream. The HTTP API
// passes Data verbatim into Kinesis's JSON, where it is a base64 blob, and has no function to
// encode it: its clients send the record base64-encoded, and the partition key in the
// X-Partition-Key header, without which the HTTP API answers 400 (a required parameter that
// evaluates to nothing). The REST twin encodes the raw body itself and falls back to the
// request ID for the key.
var PutRecordRoute = spec.Route{
	Name:   "PutRecord",
	Method: "POST",
	Path:   "/stream",
	Target: Stream,
	HTTP: spec.HTTPIntegration{
		Subtype: "Kinesis-PutRecord",
		Parameters: map[string]spec.Value{
			"StreamName":   spec.Of(spec.StreamName),
			"Data":         spec.Expr("$request.body"),
			"PartitionKey": spec.Expr("$request.header.X-Partition-Key"),
		},
		Base64Body: true,
	},
	REST: spec.RESTIntegration{
		Service:         "kinesis",
		Action:          "PutRecord",
		Headers:         map[string]string{"Content-Type": "application/x-amz-json-1.1"},
		RequestTemplate: "kinesis-put-record.vtl",
		Errors:          defaultErrors,
	},
	Sample: spec.Sample{Body: `{"orderId":"o-1","amount":42}`, Headers: map[string]string{"X-Partition-Key": "o-1"}},
	// The bench's id is each record's partition key too, which spreads its load over every
	// shard as distinct clients' keys would.
	Delivery: spec.Delivery{Probe: spec.ProbeStream, Output: StreamNameOutput, IDHeader: "X-Partition-Key"},
}

// GetConfigRoute answers with the AppConfig hosted configuration deployed to the stack's
// environment. The HTTP API names the client by the request ID (a mapping has no fallback);
// the REST twin by the X-Client-Id header, else the request ID.
var GetConfigRoute = spec.Route{
	Name:   "GetConfig",
	Method: "GET",
	Path:   "/config",
	Target: Settings,
	HTTP: spec.HTTPIntegration{
		Subtype: "AppConfig-GetConfiguration",
		Parameters: map[string]spec.Value{
			"Application":   spec.Of(spec.ApplicationID),
			"Environment":   spec.Of(spec.EnvironmentID),
			"Configuration": spec.Of(spec.ConfigurationProfileID),
			"ClientId":      spec.Expr("$context.requestId"),
		},
	},
	REST: spec.RESTIntegration{
		Service:   "appconfig",
		Action:    "GetConfiguration",
		PathStyle: true,
		Method:    "GET",
		// The template renders "{}", which is not sent on a GET: the header says what it is.
		Headers:         map[string]string{"Content-Type": "application/json"},
		RequestTemplate: "appconfig-get-configuration.vtl",
		Errors:          defaultErrors,
	},
	Delivery: spec.Delivery{Probe: spec.ProbeConfiguration, Output: SettingsConfigurationOutput},
}
