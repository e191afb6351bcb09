package api

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// StackProps configures the firstclass stack.
type StackProps struct {
	Config    Config
	Routes    spec.Table
	ModuleDir string
}

// Stack is everything firstclass deploys: the targets and both APIs in front of them.
type Stack struct {
	awscdk.Stack
	Targets *Targets
	HTTP    *HTTPAPI
	REST    *RESTAPI
	Auth    *Auth
}

// NewStack builds the stack. It is environment-agnostic (no account or region), so it
// synthesizes offline; `cdk deploy` picks the environment.
func NewStack(scope constructs.Construct, props *StackProps) *Stack {
	s := &Stack{Stack: awscdk.NewStack(scope, jsii.String(props.Config.StackName), &awscdk.StackProps{
		Description: jsii.String("firstclass: the same SQS, EventBridge and Step Functions targets behind an HTTP API (first-class integrations) and a REST API (VTL)"),
	})}
	for name := range props.Config.RouteAuth {
		if _, ok := props.Routes.Lookup(name); !ok {
			fail(s.Stack, fmt.Errorf("context %q names route %q, which is not in the route table; routes: %v", ContextAuthMode, name, props.Routes.Names()))
		}
	}
	targetsProps := &TargetsProps{Config: props.Config, ModuleDir: props.ModuleDir}
	s.Targets = NewTargets(s.Stack, "Targets", targetsProps)
	s.Auth = NewAuth(s.Stack, "Auth", targetsProps, props.Routes)
	s.HTTP = NewHTTPAPI(s.Stack, "HttpApi", &HTTPAPIProps{Routes: props.Routes, Targets: s.Targets, Config: props.Config, Auth: s.Auth})
	s.REST = NewRESTAPI(s.Stack, "RestApi", &RESTAPIProps{Routes: props.Routes, Targets: s.Targets, Config: props.Config, Auth: s.Auth})
	s.outputs(props.Config)
	suppressNagFindings(s, props.Config, props.Routes)
	return s
}

// outputs are the stack outputs the bench reads from `cdk deploy --outputs-file`. Their keys
// come from routes and are a public contract.
func (s *Stack) outputs(c Config) {
	out := func(key, value, description string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(key), &awscdk.CfnOutputProps{Value: jsii.String(value), Description: jsii.String(description)})
	}
	for _, st := range c.Stages {
		out(contract.APIURLOutput(contract.HTTP, st.Name), *s.HTTP.Stages[st.Name].Url(), "HTTP API base URL, stage "+st.Name)
		out(contract.APIURLOutput(contract.REST, st.Name), *s.REST.Stages[st.Name].UrlForPath(jsii.String("/")), "REST API base URL, stage "+st.Name)
		out(contract.AccessLogGroupOutput(contract.HTTP, st.Name), *s.HTTP.AccessLogs[st.Name].LogGroupName(), "HTTP API access log group, stage "+st.Name)
		out(contract.AccessLogGroupOutput(contract.REST, st.Name), *s.REST.AccessLogs[st.Name].LogGroupName(), "REST API access log group, stage "+st.Name)
	}
	t := s.Targets
	out(routes.QueueURLOutput, *t.Queue.QueueUrl(), "queue both POST /queue routes send to")
	out(routes.DeadLetterQueueURLOutput, *t.DeadLetterQueue.QueueUrl(), "the queue's dead-letter queue")
	out(routes.JobsQueueURLOutput, *t.Jobs.QueueUrl(), "queue both GET /jobs routes receive from and both DELETE /jobs routes delete from")
	out(routes.JobsDeadLetterQueueURLOutput, *t.JobsDeadLetterQueue.QueueUrl(), "the jobs queue's dead-letter queue")
	out(routes.ScratchQueueURLOutput, *t.Scratch.QueueUrl(), "queue both DELETE /scratch routes purge")
	out(routes.EventBusNameOutput, *t.Bus.EventBusName(), "bus both POST /events routes put to")
	out(routes.AuditQueueURLOutput, *t.AuditQueue.QueueUrl(), "queue receiving a copy of every event on the bus")
	out(routes.WorkflowStateMachineArnOutput, *t.Workflow.StateMachineArn(), "STANDARD state machine both POST /workflow routes start")
	out(routes.ExpressStateMachineArnOutput, *t.ExpressWorkflow.StateMachineArn(), "EXPRESS state machine both POST /workflow/sync routes run")
	out(routes.GreetingFunctionNameOutput, *t.Greeting.FunctionName(), "function behind both GET /greeting routes")
	out(routes.StreamNameOutput, *t.Stream.StreamName(), "stream both POST /stream routes put records to")
	out(routes.SettingsConfigurationOutput, *awscdk.Fn_Join(jsii.String("/"), jsii.Strings(*t.Settings.Application.ApplicationId(),
		*t.Settings.Environment.EnvironmentId(), *t.Settings.Configuration.ConfigurationProfileId())),
		"application/environment/profile IDs of the AppConfig configuration both GET /config routes answer with")
	out(contract.RegionOutput, *awscdk.Aws_REGION(), "region the stack is deployed in")
	if a := s.Auth; a.Pool != nil {
		out(contract.UserPoolIDOutput, *a.Pool.UserPoolId(), "user pool whose access tokens the jwt and lambda modes accept")
		out(contract.UserPoolClientIDOutput, *a.Client.UserPoolClientId(), "app client of the client-credentials flow (its secret: aws cognito-idp describe-user-pool-client)")
		out(contract.TokenURLOutput, *a.TokenURL(), "token endpoint of the client-credentials flow")
		out(contract.IssuerOutput, *a.Pool.UserPoolProviderUrl(), "issuer (iss) of the access tokens")
		out(contract.OAuthScopeOutput, Scope, "the scope every route requires")
	}
	if s.REST.APIKey != nil {
		out(contract.APIKeyIDOutput, *s.REST.APIKey.KeyId(), "REST API key (its value: aws apigateway get-api-key --include-value --api-key ID)")
	}
}
