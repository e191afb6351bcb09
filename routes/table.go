package routes

// Routes is firstclass's route table. Both APIs serve every route on the same path.
var Routes = Table{
	SendToQueueRoute,
	PutEventRoute,
	StartWorkflowRoute,
	RunExpressWorkflowRoute,
	GreetingRoute,
}

// defaultErrors maps an AWS service's 4xx and 5xx to the same status on a REST route, with the
// service's error body passed through. Without them every service error would reach the
// client as the default 200.
var defaultErrors = []ErrorResponse{
	{SelectionPattern: `4\d{2}`, StatusCode: 400},
	{SelectionPattern: `5\d{2}`, StatusCode: 500},
}

// SendToQueueRoute sends the request body as one SQS message.
var SendToQueueRoute = Route{
	Name:   "SendToQueue",
	Method: "POST",
	Path:   "/queue",
	Target: Queue,
	HTTP: HTTPIntegration{
		Subtype: "SQS-SendMessage",
		Parameters: map[string]Value{
			"QueueUrl":    Of(QueueURL),
			"MessageBody": Expr("$request.body"),
			// A missing header drops the parameter: the queue's own delay applies.
			"DelaySeconds": Expr("$request.header.X-Delay-Seconds"),
		},
	},
	REST: RESTIntegration{
		Service:         "sqs",
		Action:          "SendMessage",
		QueueInPath:     true,
		Headers:         map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		RequestTemplate: "sqs-send-message.vtl",
		Errors:          defaultErrors,
	},
	Sample: Sample{Body: `{"orderId":"o-1","amount":42}`},
}

// PutEventRoute puts the request body as the detail of one event on the bus, with its source
// and detail type taken from the path.
var PutEventRoute = Route{
	Name:   "PutEvent",
	Method: "POST",
	Path:   "/events/{source}/{detailType}",
	Target: Bus,
	HTTP: HTTPIntegration{
		Subtype: "EventBridge-PutEvents",
		Parameters: map[string]Value{
			"EventBusName": Of(EventBusName),
			"Source":       Expr("$request.path.source"),
			"DetailType":   Expr("$request.path.detailType"),
			"Detail":       Expr("$request.body"),
		},
	},
	REST: RESTIntegration{
		Service:          "events",
		Action:           "PutEvents",
		Headers:          map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutEvents"},
		RequestTemplate:  "events-put-events.vtl",
		ResponseTemplate: "events-put-events-response.vtl",
		Errors:           defaultErrors,
		ValidateBody:     true,
	},
	Sample: Sample{
		PathParams: map[string]string{"source": "firstclass.orders", "detailType": "OrderPlaced"},
		Body:       `{"orderId":"o-1","amount":42}`,
	},
}

// StartWorkflowRoute starts an execution of the STANDARD state machine with the request body
// as its input.
var StartWorkflowRoute = Route{
	Name:   "StartWorkflow",
	Method: "POST",
	Path:   "/workflow",
	Target: Workflow,
	HTTP: HTTPIntegration{
		Subtype: "StepFunctions-StartExecution",
		Parameters: map[string]Value{
			"StateMachineArn": Of(StateMachineArn),
			"Input":           Expr("$request.body"),
			// A missing header drops the parameter and Step Functions names the
			// execution with a UUID; a client that names it can find it again.
			"Name": Expr("$request.header.X-Execution-Name"),
		},
	},
	REST: RESTIntegration{
		Service:         "states",
		Action:          "StartExecution",
		Headers:         map[string]string{"Content-Type": "application/x-amz-json-1.0"},
		RequestTemplate: "states-start-execution.vtl",
		Errors:          defaultErrors,
		ValidateBody:    true,
	},
	Sample: Sample{Body: `{"orderId":"o-1","amount":42}`},
}

// RunExpressWorkflowRoute runs the EXPRESS state machine synchronously and answers with the
// execution's result.
var RunExpressWorkflowRoute = Route{
	Name:   "RunExpressWorkflow",
	Method: "POST",
	Path:   "/workflow/sync",
	Target: ExpressWorkflow,
	HTTP: HTTPIntegration{
		Subtype: "StepFunctions-StartSyncExecution",
		Parameters: map[string]Value{
			"StateMachineArn": Of(StateMachineArn),
			"Input":           Expr("$request.body"),
		},
	},
	REST: RESTIntegration{
		Service:          "states",
		Action:           "StartSyncExecution",
		Headers:          map[string]string{"Content-Type": "application/x-amz-json-1.0"},
		RequestTemplate:  "states-start-sync-execution.vtl",
		ResponseTemplate: "states-start-sync-execution-response.vtl",
		Errors:           defaultErrors,
		ValidateBody:     true,
	},
	Sample: Sample{Body: `{"orderId":"o-1","amount":42}`},
}

// GreetingRoute is seed 003's GET /greeting?greeter=NAME: a Lambda custom integration on the
// REST API, a Lambda proxy integration on the HTTP API.
var GreetingRoute = Route{
	Name:   "Greeting",
	Method: "GET",
	Path:   "/greeting",
	Target: Greeter,
	REST: RESTIntegration{
		Service:           "lambda",
		RequestTemplate:   "greeting-request.vtl",
		ResponseTemplate:  "greeting-response.vtl",
		RequestParameters: map[string]bool{"method.request.querystring.greeter": false},
		Errors: []ErrorResponse{
			// Matches the Lambda's errorMessage, which for a custom integration is how an
			// error is told apart from a result (seed 003).
			{SelectionPattern: `Missing the required greeter parameter\..*`, StatusCode: 400, Template: "greeting-error.vtl"},
		},
	},
	Sample: Sample{Query: "greeter=firstclass"},
}
