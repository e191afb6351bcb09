package routes

import "firstclass/internal/spec"

// Routes is firstclass's route table. Both APIs serve every route on the same path.
var Routes = spec.Table{
	SendToQueueRoute,
	PutEventRoute,
	StartWorkflowRoute,
	RunExpressWorkflowRoute,
	GreetingRoute,
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
