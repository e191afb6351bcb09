package mapping

import (
	"errors"
	"strings"
	"testing"
)

var stages = map[string][]string{
	"dev":  {"logLevel", "busName"},
	"prod": {"logLevel", "busName", "alarmTopic"},
}

func TestValidateAcceptsTheRouteTable(t *testing.T) {
	tests := []struct {
		name string
		in   Integration
	}{
		{"queue", Integration{
			RouteKey: "POST /queue", Subtype: "SQS-SendMessage",
			Parameters: map[string]string{
				"MessageBody":       "$request.body",
				"MessageAttributes": `{"traceId":{"DataType":"String","StringValue":"${request.header.x-trace-id}"}}`,
			},
			TokenParameters: []string{"QueueUrl"},
		}},
		{"events", Integration{
			RouteKey: "POST /events/{source}/{detailType}", Subtype: "EventBridge-PutEvents",
			Parameters: map[string]string{
				"Source":       "$request.path.source",
				"DetailType":   "$request.path.detailType",
				"Detail":       "$request.body",
				"EventBusName": "${Token[TOKEN.123]}", // not parsed: a token
			},
			TokenParameters: []string{"EventBusName"},
			StageVariables:  stages,
		}},
		{"workflow", Integration{
			RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution",
			Parameters: map[string]string{
				"Input": "$request.body",
				"Name":  "$context.requestId",
			},
			TokenParameters: []string{"StateMachineArn"},
		}},
		{"greedy path and stage variable", Integration{
			RouteKey: "ANY /files/{proxy+}", Subtype: "Kinesis-PutRecord",
			Parameters: map[string]string{
				"StreamName":   "logs-${stageVariables.logLevel}",
				"Data":         "$request.body",
				"PartitionKey": "$request.path.proxy",
			},
			StageVariables: stages,
		}},
		{"default route", Integration{
			RouteKey: "$default", Subtype: "SQS-PurgeQueue",
			Parameters: map[string]string{"QueueUrl": "$request.header.queue-url"},
		}},
		{"jwt claim and lambda authorizer key", Integration{
			RouteKey: "POST /stop", Subtype: "StepFunctions-StopExecution",
			Parameters: map[string]string{
				"ExecutionArn": "$request.body.executionArn",
				"Cause":        "stopped by ${context.authorizer.claims.sub} via ${context.authorizer.tenant}",
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.in); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateReportsEachMistake(t *testing.T) {
	tests := []struct {
		name string
		in   Integration
		want []string // the exact problem messages, in order
	}{
		{
			name: "misspelt parameter",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage",
				Parameters: map[string]string{"MesageBody": "$request.body"}, TokenParameters: []string{"QueueUrl"}},
			want: []string{
				`route "POST /queue": parameter "MesageBody": unknown for SQS-SendMessage; did you mean "MessageBody"?`,
				`route "POST /queue": parameter "MessageBody": required by SQS-SendMessage but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token`,
			},
		},
		{
			name: "parameter in the wrong case",
			in: Integration{RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution",
				Parameters: map[string]string{"input": "$request.body"}, TokenParameters: []string{"StateMachineArn"}},
			want: []string{`route "POST /workflow": parameter "input": unknown for StepFunctions-StartExecution; did you mean "Input"?`},
		},
		{
			name: "parameter of another subtype",
			in: Integration{RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution",
				Parameters: map[string]string{"MessageGroupId": "g"}, TokenParameters: []string{"StateMachineArn"}},
			want: []string{`route "POST /workflow": parameter "MessageGroupId": unknown for StepFunctions-StartExecution; its parameters are StateMachineArn, Name, Input, Region`},
		},
		{
			name: "archived doc spelling AttributeName",
			in: Integration{RouteKey: "GET /queue", Subtype: "SQS-ReceiveMessage",
				Parameters: map[string]string{"QueueUrl": "q", "AttributeName": "All"}},
			want: []string{`route "GET /queue": parameter "AttributeName": unknown for SQS-ReceiveMessage; did you mean "AttributeNames"?`},
		},
		{
			name: "all required parameters missing",
			in:   Integration{RouteKey: "POST /events", Subtype: "EventBridge-PutEvents"},
			want: []string{
				`route "POST /events": parameter "Detail": required by EventBridge-PutEvents but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token`,
				`route "POST /events": parameter "DetailType": required by EventBridge-PutEvents but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token`,
				`route "POST /events": parameter "Source": required by EventBridge-PutEvents but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token`,
			},
		},
		{
			name: "malformed expression",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage",
				Parameters: map[string]string{"QueueUrl": "q", "MessageBody": "$request.hedaer.x"}},
			want: []string{`route "POST /queue": parameter "MessageBody": value "$request.hedaer.x": offset 9: unknown request source "hedaer"; did you mean "header"?`},
		},
		{
			name: "invalid body JSONPath",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage",
				Parameters: map[string]string{"QueueUrl": "q", "MessageBody": "$request.body..message"}},
			want: []string{`route "POST /queue": parameter "MessageBody": value "$request.body..message": offset 13: recursive descent (..) isn't supported in a body JSONPath`},
		},
		{
			name: "bare expression inside JSON text",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage",
				Parameters: map[string]string{"QueueUrl": "q", "MessageBody": `{"id":"$request.path.id"}`}},
			want: []string{`route "POST /queue": parameter "MessageBody": value "{\"id\":\"$request.path.id\"}": offset 23: invalid character '"' in path parameter name; to mix an expression with text, write ${request.path.id}`},
		},
		{
			name: "path parameter the route lacks",
			in: Integration{RouteKey: "POST /events/{source}/{detailType}", Subtype: "EventBridge-PutEvents",
				Parameters: map[string]string{"Source": "$request.path.sorce", "DetailType": "$request.path.detailtype", "Detail": "$request.body"}},
			want: []string{
				`route "POST /events/{source}/{detailType}": parameter "DetailType": $request.path.detailtype: route has no path parameter "detailtype"; did you mean "detailType"?`,
				`route "POST /events/{source}/{detailType}": parameter "Source": $request.path.sorce: route has no path parameter "sorce"; did you mean "source"?`,
			},
		},
		{
			name: "path parameter on a route without any",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage",
				Parameters: map[string]string{"QueueUrl": "q", "MessageBody": "$request.path.id"}},
			want: []string{`route "POST /queue": parameter "MessageBody": $request.path.id: route "POST /queue" has no path parameters; add {id} to its path or map another value`},
		},
		{
			name: "path parameter far from any",
			in: Integration{RouteKey: "POST /orders/{orderId}", Subtype: "SQS-SendMessage",
				Parameters: map[string]string{"QueueUrl": "q", "MessageBody": "${request.path.customer}"}},
			want: []string{`route "POST /orders/{orderId}": parameter "MessageBody": ${request.path.customer}: route has no path parameter "customer"; its path parameters are orderId`},
		},
		{
			name: "stage variable no stage defines",
			in: Integration{RouteKey: "POST /events", Subtype: "EventBridge-PutEvents", StageVariables: stages,
				Parameters: map[string]string{"Source": "s", "DetailType": "d", "Detail": "$request.body", "EventBusName": "$stageVariables.busname"}},
			want: []string{`route "POST /events": parameter "EventBusName": $stageVariables.busname: no stage defines stage variable "busname"; define it on every stage (dev, prod) or map another value; did you mean "busName"?`},
		},
		{
			name: "stage variable some stage lacks",
			in: Integration{RouteKey: "POST /events", Subtype: "EventBridge-PutEvents", StageVariables: stages,
				Parameters: map[string]string{"Source": "s", "DetailType": "d", "Detail": "$request.body", "Resources": "$stageVariables.alarmTopic"}},
			want: []string{`route "POST /events": parameter "Resources": $stageVariables.alarmTopic: stage variable "alarmTopic" is not defined on stage dev, where the parameter is dropped; define it on every stage`},
		},
		{
			name: "stage variable without stages",
			in: Integration{RouteKey: "POST /events", Subtype: "EventBridge-PutEvents",
				Parameters: map[string]string{"Source": "s", "DetailType": "d", "Detail": "$request.body", "EventBusName": "$stageVariables.busName"}},
			want: []string{`route "POST /events": parameter "EventBusName": $stageVariables.busName: no stage defines stage variable "busName"; define it on every stage or map another value`},
		},
		{
			name: "unknown context variable",
			in: Integration{RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution", TokenParameters: []string{"StateMachineArn"},
				Parameters: map[string]string{"Name": "$context.requstId"}},
			want: []string{`route "POST /workflow": parameter "Name": $context.requstId: unknown HTTP API context variable; did you mean "requestId"?`},
		},
		{
			name: "unknown nested context variable",
			in: Integration{RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution", TokenParameters: []string{"StateMachineArn"},
				Parameters: map[string]string{"Input": "${context.identity.sourceIP}"}},
			want: []string{`route "POST /workflow": parameter "Input": ${context.identity.sourceIP}: unknown HTTP API context variable; did you mean "identity.sourceIp"?`},
		},
		{
			name: "context variable known only after the integration",
			in: Integration{RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution", TokenParameters: []string{"StateMachineArn"},
				Parameters: map[string]string{"Input": "$context.integrationLatency"}},
			want: []string{`route "POST /workflow": parameter "Input": $context.integrationLatency is not known when the request is mapped (it is the integration latency in ms), so the parameter is always dropped; map a request-time value instead`},
		},
		{
			name: "claims object",
			in: Integration{RouteKey: "POST /workflow", Subtype: "StepFunctions-StartExecution", TokenParameters: []string{"StateMachineArn"},
				Parameters: map[string]string{"Input": "$context.authorizer.claims"}},
			want: []string{`route "POST /workflow": parameter "Input": $context.authorizer.claims returns null, so the parameter is always dropped; name a claim, e.g. $context.authorizer.claims.sub`},
		},
		{
			name: "empty value",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage", TokenParameters: []string{"QueueUrl"},
				Parameters: map[string]string{"MessageBody": ""}},
			want: []string{`route "POST /queue": parameter "MessageBody": empty value; map it to a request value or a non-empty static value, or leave the parameter out`},
		},
		{
			name: "unknown subtype still checks values",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMesage",
				Parameters: map[string]string{"MessageBody": "$request.body..x"}},
			want: []string{
				`route "POST /queue": integration subtype "SQS-SendMesage" is unknown; did you mean "SQS-SendMessage"?`,
				`route "POST /queue": parameter "MessageBody": value "$request.body..x": offset 13: recursive descent (..) isn't supported in a body JSONPath`,
			},
		},
		{
			name: "unknown subtype far from any",
			in: Integration{RouteKey: "POST /x", Subtype: "Lambda-Invoke",
				Parameters: map[string]string{"Payload": "$request.body"}},
			want: []string{`route "POST /x": integration subtype "Lambda-Invoke" is unknown; known subtypes are EventBridge-PutEvents, SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue, AppConfig-GetConfiguration, Kinesis-PutRecord, StepFunctions-StartExecution, StepFunctions-StartSyncExecution, StepFunctions-StopExecution`},
		},
		{
			name: "token listed twice",
			in:   Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage", TokenParameters: []string{"QueueUrl", "QueueUrl", "MesageBody"}},
			want: []string{
				`route "POST /queue": parameter "MesageBody": unknown for SQS-SendMessage; did you mean "MessageBody"?`,
				`route "POST /queue": parameter "MessageBody": required by SQS-SendMessage but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token`,
			},
		},
		{
			name: "unknown token parameter",
			in: Integration{RouteKey: "POST /queue", Subtype: "SQS-SendMessage", TokenParameters: []string{"QueueURL"},
				Parameters: map[string]string{"MessageBody": "$request.body"}},
			want: []string{
				`route "POST /queue": parameter "QueueURL": unknown for SQS-SendMessage; did you mean "QueueUrl"?`,
				`route "POST /queue": parameter "QueueUrl": required by SQS-SendMessage but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token`,
			},
		},
		{
			name: "malformed route key",
			in: Integration{RouteKey: "POTS /queue", Subtype: "SQS-PurgeQueue",
				Parameters: map[string]string{"QueueUrl": "$request.path.q"}},
			want: []string{`route "POTS /queue": route key "POTS /queue" has unknown method "POTS"; did you mean "POST"?`},
		},
		{
			name: "route key without method",
			in: Integration{RouteKey: "/queue", Subtype: "SQS-PurgeQueue",
				Parameters: map[string]string{"QueueUrl": "q"}},
			want: []string{`route "/queue": route key "/queue" is malformed; write "METHOD /path" or "$default"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.in)
			if err == nil {
				t.Fatal("Validate returned nil")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate error is %T, want *ValidationError", err)
			}
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err.Error() != strings.Join(got, "\n") {
				t.Errorf("Error() does not list the problems one per line:\n%s", err)
			}
		})
	}
}

func TestValidateReturnsAllProblemsAtOnce(t *testing.T) {
	err := Validate(Integration{
		RouteKey: "POST /events/{source}", Subtype: "EventBridge-PutEvents",
		Parameters: map[string]string{
			"Sourse":     "$request.path.source",
			"DetailType": "$request.path.type",
			"Detail":     "${request.body",
			"Time":       "$context.requestTimeEpoc",
			"Region":     "$stageVariables.region",
		},
	})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v, want *ValidationError", err)
	}
	wantParams := []string{"Detail", "DetailType", "Region", "Sourse", "Time", "Source"}
	if len(ve.Problems) != len(wantParams) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ve.Problems), len(wantParams), err)
	}
	for i, p := range ve.Problems {
		if p.Parameter != wantParams[i] {
			t.Errorf("problem %d is about %q, want %q: %v", i, p.Parameter, wantParams[i], p)
		}
		if p.Route != "POST /events/{source}" || p.Subtype != "EventBridge-PutEvents" {
			t.Errorf("problem %d lacks route or subtype: %+v", i, p)
		}
	}
	// errors.As reaches an individual problem through Unwrap.
	var p *Problem
	if !errors.As(err, &p) || p.Parameter != "Detail" || p.Offset != 0 {
		t.Errorf("errors.As(*Problem) = %+v", p)
	}
}

func TestValidateRouteKeys(t *testing.T) {
	tests := []struct {
		key    string
		params []string
		err    string
	}{
		{"$default", nil, ""},
		{"GET /", nil, ""},
		{"POST /events/{source}/{detailType}", []string{"source", "detailType"}, ""},
		{"ANY /{proxy+}", []string{"proxy"}, ""},
		{"GET /a/{x}/b/{y}", []string{"x", "y"}, ""},
		{"GET /{proxy+}/x", nil, "must be the last segment"},
		{"GET /a{x}", nil, "must be a whole {param}"},
		{"GET /{}", nil, "must be a whole {param}"},
		{"GET /{a}/{a}", nil, "appears twice"},
		{"GET /{a b}", nil, "invalid character"},
		{"get /x", nil, "unknown method"},
		{"GET x", nil, "must start with"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			params, err := routeParams(tt.key)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("routeParams(%q) error = %v, want %q", tt.key, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("routeParams(%q): %v", tt.key, err)
			}
			if strings.Join(params, ",") != strings.Join(tt.params, ",") {
				t.Errorf("routeParams(%q) = %v, want %v", tt.key, params, tt.params)
			}
		})
	}
}

func TestSuggestFindsNearMisses(t *testing.T) {
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"MesageBody", []string{"QueueUrl", "MessageBody"}, "MessageBody"},
		{"messagebody", []string{"QueueUrl", "MessageBody"}, "MessageBody"},
		{"QueueURL", []string{"QueueUrl", "MessageBody"}, "QueueUrl"},
		{"Zebra", []string{"QueueUrl", "MessageBody"}, ""},
		{"x", []string{"y"}, "y"},
		{"ab", []string{"xy"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := suggest(tt.name, tt.candidates)
			if got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}
