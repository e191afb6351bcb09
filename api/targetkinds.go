package api

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/spec"
)

// target is one target's constructs seen as its kind: everything a route's integrations need
// from it. Each kind of target implements it once (queueTarget, busTarget, machineTarget,
// functionTarget); nothing else in api/ asks what kind a target is.
type target interface {
	kind() spec.TargetKind
	// service is the AWS service a REST AwsIntegration with the target names ("sqs").
	service() string
	// attrs are the values an integration's parameters and templates name (spec.Of), as
	// tokens.
	attrs() map[spec.Attr]string
	// policyResource is the one ARN the statement allowing action (a service action such as
	// "SendMessage") names.
	policyResource(action string) string
	// httpIntegration is the HTTP API's first-class integration of a subtype with the target.
	httpIntegration(id *string, subtype awsapigatewayv2.HttpIntegrationSubtype, m awsapigatewayv2.ParameterMapping) awsapigatewayv2.HttpRouteIntegration
	// restPath is the path of a path-style AwsIntegration ("ACCOUNT/QUEUE_NAME"), false for
	// a kind without one.
	restPath() (*string, bool)
	// function is the Lambda function of a function target, nil for any other kind.
	function() awslambda.IFunction
}

// noFunction and noPath are the answers of the kinds that have neither.
type noFunction struct{}

func (noFunction) function() awslambda.IFunction { return nil }

type noPath struct{}

func (noPath) restPath() (*string, bool) { return nil, false }

// noHTTPIntegration is the answer of a kind no first-class subtype reaches.
type noHTTPIntegration struct{}

func (noHTTPIntegration) httpIntegration(*string, awsapigatewayv2.HttpIntegrationSubtype, awsapigatewayv2.ParameterMapping) awsapigatewayv2.HttpRouteIntegration {
	return nil
}

// queueTarget is an SQS queue. The aws-cdk's HttpSqsIntegration gives its role the subtype's
// one action on the queue's ARN.
type queueTarget struct {
	noFunction
	q awssqs.Queue
	k awskms.IKey // nil for SSE-SQS
}

func (t queueTarget) key() awskms.IKey { return t.k }

func (queueTarget) kind() spec.TargetKind { return spec.Queue }
func (queueTarget) service() string       { return "sqs" }
func (t queueTarget) attrs() map[spec.Attr]string {
	return map[spec.Attr]string{spec.QueueURL: *t.q.QueueUrl()}
}
func (t queueTarget) policyResource(string) string { return *t.q.QueueArn() }
func (t queueTarget) httpIntegration(id *string, st awsapigatewayv2.HttpIntegrationSubtype, m awsapigatewayv2.ParameterMapping) awsapigatewayv2.HttpRouteIntegration {
	return awsapigatewayv2integrations.NewHttpSqsIntegration(id, &awsapigatewayv2integrations.HttpSqsIntegrationProps{Queue: t.q, Subtype: st, ParameterMapping: m})
}
func (t queueTarget) restPath() (*string, bool) {
	return awscdk.Fn_Join(jsii.String("/"), jsii.Strings(*awscdk.Aws_ACCOUNT_ID(), *t.q.QueueName())), true
}

// busTarget is an EventBridge event bus.
type busTarget struct {
	noFunction
	noPath
	b awsevents.EventBus
}

func (busTarget) kind() spec.TargetKind { return spec.EventBus }
func (busTarget) service() string       { return "events" }
func (t busTarget) attrs() map[spec.Attr]string {
	return map[spec.Attr]string{spec.EventBusName: *t.b.EventBusName()}
}
func (t busTarget) policyResource(string) string { return *t.b.EventBusArn() }
func (t busTarget) httpIntegration(id *string, st awsapigatewayv2.HttpIntegrationSubtype, m awsapigatewayv2.ParameterMapping) awsapigatewayv2.HttpRouteIntegration {
	return awsapigatewayv2integrations.NewHttpEventBridgeIntegration(id, &awsapigatewayv2integrations.HttpEventBridgeIntegrationProps{EventBusRef: t.b.EventBusRef(), Subtype: st, ParameterMapping: m})
}

// machineTarget is a Step Functions state machine, STANDARD or EXPRESS.
type machineTarget struct {
	noFunction
	noPath
	m       awsstepfunctions.StateMachine
	express bool
}

func (t machineTarget) kind() spec.TargetKind {
	if t.express {
		return spec.ExpressStateMachine
	}
	return spec.StateMachine
}
func (machineTarget) service() string { return "states" }
func (t machineTarget) attrs() map[spec.Attr]string {
	return map[spec.Attr]string{spec.StateMachineArn: *t.m.StateMachineArn()}
}

// policyResource is the machine's ARN, except for StopExecution, which IAM authorizes on the
// execution: "arn:${Partition}:states:${Region}:${Account}:execution:<machine name>:*" (the
// Service Authorization Reference's execution resource type) covers every execution of this
// machine and no other's. The CDK's HttpStepFunctionsIntegration grants the same pattern.
func (t machineTarget) policyResource(action string) string {
	if action == "StopExecution" {
		return executionsOf(t.m)
	}
	return *t.m.StateMachineArn()
}

// wildcard justifies, for cdk-nag's IAM5, the one ARN pattern a role doing action is allowed
// (StopExecution's executions), as the regular expression of cdk-nag's evidence; "" for an
// action on the machine itself.
func (t machineTarget) wildcard(action string) (pattern, reason string) {
	if action != "StopExecution" {
		return "", ""
	}
	return `/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<` + logicalIDPattern(t.m) + `\.Name>:\*$/g`,
		"StopExecution is authorized on executions, named by their callers or with a UUID, so the role " +
			"may stop any execution of this one machine (" + *t.m.Node().Path() + ") and no other's: the only wildcard is the execution name."
}

// executionsOf is the ARN pattern of every execution of machine m, its name a token.
func executionsOf(m awsstepfunctions.StateMachine) string {
	return *awscdk.Stack_Of(m).FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("states"),
		Resource:     jsii.String("execution"),
		ResourceName: jsii.String(*m.StateMachineName() + ":*"),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}
func (t machineTarget) httpIntegration(id *string, st awsapigatewayv2.HttpIntegrationSubtype, m awsapigatewayv2.ParameterMapping) awsapigatewayv2.HttpRouteIntegration {
	return awsapigatewayv2integrations.NewHttpStepFunctionsIntegration(id, &awsapigatewayv2integrations.HttpStepFunctionsIntegrationProps{StateMachine: t.m, Subtype: st, ParameterMapping: m})
}

// functionTarget is a Lambda function: integrations invoke it, with no first-class subtype.
type functionTarget struct {
	noPath
	noHTTPIntegration
	fn awslambda.Function
}

func (functionTarget) kind() spec.TargetKind           { return spec.Function }
func (functionTarget) service() string                 { return "lambda" }
func (functionTarget) attrs() map[spec.Attr]string     { return nil }
func (t functionTarget) policyResource(string) string  { return *t.fn.FunctionArn() }
func (t functionTarget) function() awslambda.IFunction { return t.fn }

// lookup finds the constructs of a route's target, checking that they are of the kind the
// route table says.
func (t *Targets) lookup(s spec.Target) (target, error) {
	tg, ok := t.byName[s.Name]
	if !ok {
		return nil, fmt.Errorf("target %q is not one the stack creates; it has %v", s.Name, sortedKeys(t.byName))
	}
	if s.Kind != "" && tg.kind() != s.Kind {
		return nil, fmt.Errorf("target %q is a %s, not the %s the route table says", s.Name, tg.kind(), s.Kind)
	}
	return tg, nil
}
