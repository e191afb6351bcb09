package api

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/contract"
	subtypeCatalogue "firstclass/internal/mapping"
	"firstclass/internal/spec"
)

// HTTPAPIProps configures the HTTP API.
type HTTPAPIProps struct {
	Routes  spec.Table
	Targets *Targets
	Config  Config
	Auth    *Auth
}

// HTTPAPI is the API Gateway v2 HTTP API: every route a first-class AWS_PROXY integration
// shaped by parameter mapping (or a Lambda proxy integration), with the stable
// awsapigatewayv2 constructs, an explicit stage per configured stage and no $default stage.
type HTTPAPI struct {
	constructs.Construct
	API        awsapigatewayv2.HttpApi
	Stages     map[string]awsapigatewayv2.HttpStage
	AccessLogs map[string]awslogs.LogGroup
	Routes     map[string]awsapigatewayv2.HttpRoute // by route name
}

// httpSubtypes maps the subtype names AWS and the route table use to the CDK's enum.
var httpSubtypes = map[string]awsapigatewayv2.HttpIntegrationSubtype{
	"SQS-SendMessage":                  awsapigatewayv2.HttpIntegrationSubtype_SQS_SEND_MESSAGE,
	"SQS-ReceiveMessage":               awsapigatewayv2.HttpIntegrationSubtype_SQS_RECEIVE_MESSAGE,
	"SQS-DeleteMessage":                awsapigatewayv2.HttpIntegrationSubtype_SQS_DELETE_MESSAGE,
	"SQS-PurgeQueue":                   awsapigatewayv2.HttpIntegrationSubtype_SQS_PURGE_QUEUE,
	"EventBridge-PutEvents":            awsapigatewayv2.HttpIntegrationSubtype_EVENTBRIDGE_PUT_EVENTS,
	"StepFunctions-StartExecution":     awsapigatewayv2.HttpIntegrationSubtype_STEPFUNCTIONS_START_EXECUTION,
	"StepFunctions-StartSyncExecution": awsapigatewayv2.HttpIntegrationSubtype_STEPFUNCTIONS_START_SYNC_EXECUTION,
	"StepFunctions-StopExecution":      awsapigatewayv2.HttpIntegrationSubtype_STEPFUNCTIONS_STOP_EXECUTION,
	"Kinesis-PutRecord":                awsapigatewayv2.HttpIntegrationSubtype_KINESIS_PUT_RECORD,
	"AppConfig-GetConfiguration":       awsapigatewayv2.HttpIntegrationSubtype_APPCONFIG_GET_CONFIGURATION,
}

// NewHTTPAPI builds the HTTP API from the route table. A route the table gets wrong stops
// the synth here, with the construct path, before anything reaches CloudFormation.
func NewHTTPAPI(scope constructs.Construct, id string, props *HTTPAPIProps) *HTTPAPI {
	h := &HTTPAPI{
		Construct:  constructs.NewConstruct(scope, jsii.String(id)),
		Stages:     map[string]awsapigatewayv2.HttpStage{},
		AccessLogs: map[string]awslogs.LogGroup{},
		Routes:     map[string]awsapigatewayv2.HttpRoute{},
	}
	h.API = awsapigatewayv2.NewHttpApi(h.Construct, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("firstclass: first-class integrations with parameter mapping"),
		CreateDefaultStage: jsii.Bool(false),
	})
	if err := ValidateHTTPRoutes(props.Routes, props.Config); err != nil {
		fail(h.Construct, err)
	}
	for _, r := range props.Routes {
		authorizer, scopes := props.Auth.httpRoute(props.Config.RouteAuthMode(r.Name))
		integration, err := h.integration(r, props.Targets)
		if err != nil {
			fail(h.Construct, fmt.Errorf("route %q (%s): %w", r.Name, r.Key(), err))
		}
		h.Routes[r.Name] = awsapigatewayv2.NewHttpRoute(h.Construct, jsii.String("Route"+r.Name), &awsapigatewayv2.HttpRouteProps{
			HttpApi:             h.API,
			RouteKey:            awsapigatewayv2.HttpRouteKey_With(jsii.String(r.Path), awsapigatewayv2.HttpMethod(r.Method)),
			Integration:         integration,
			Authorizer:          authorizer,
			AuthorizationScopes: scopes,
		})
	}
	for _, s := range props.Config.Stages {
		logs := newAccessLogGroup(h.Construct, s.Name, props.Config)
		h.AccessLogs[s.Name] = logs
		h.Stages[s.Name] = awsapigatewayv2.NewHttpStage(h.Construct, jsii.String("Stage"+title(s.Name)), &awsapigatewayv2.HttpStageProps{
			HttpApi:    h.API,
			StageName:  jsii.String(s.Name),
			AutoDeploy: jsii.Bool(true),
			Throttle: &awsapigatewayv2.ThrottleSettings{
				RateLimit:  jsii.Number(s.ThrottleRateLimit),
				BurstLimit: jsii.Number(s.ThrottleBurstLimit),
			},
			AccessLogSettings: &httpAccessLogSettings{
				destination: awsapigatewayv2.NewLogGroupLogDestination(logs),
				format:      accessLogFormat(contract.HTTP),
			},
			StageVariables: stageVariables(s),
		})
	}
	return h
}

// integration makes a route's integration: a Lambda proxy integration for a function target,
// otherwise the target kind's first-class integration. The aws-cdk integrations create one
// role per integration with the subtype's one action on the target's ARN.
func (h *HTTPAPI) integration(r spec.Route, t *Targets) (awsapigatewayv2.HttpRouteIntegration, error) {
	id := jsii.String(r.Name + "Integration")
	tg, err := t.lookup(r.Target)
	if err != nil {
		return nil, err
	}
	if r.HTTP.Subtype == "" {
		fn := tg.function()
		if fn == nil {
			return nil, fmt.Errorf("a Lambda proxy integration (no subtype) needs a function target, not %q", r.Target)
		}
		return awsapigatewayv2integrations.NewHttpLambdaIntegration(id, fn, &awsapigatewayv2integrations.HttpLambdaIntegrationProps{
			PayloadFormatVersion:   awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			ScopePermissionToRoute: jsii.Bool(true),
		}), nil
	}
	subtype, ok := httpSubtypes[r.HTTP.Subtype]
	if !ok {
		return nil, fmt.Errorf("subtype %q has no aws-cdk integration here; use one of %v", r.HTTP.Subtype, sortedKeys(httpSubtypes))
	}
	mapping, err := parameterMapping(r, tg.attrs())
	if err != nil {
		return nil, err
	}
	key := keyOf(tg)
	if key == nil {
		if in := tg.httpIntegration(id, subtype, mapping); in != nil {
			return in, nil
		}
	}
	// No CDK integration for the subtype, or one that would forget the target's key.
	st, _ := subtypeCatalogue.LookupSubtype(r.HTTP.Subtype)
	service, action, _ := strings.Cut(st.IAMAction, ":")
	if service != tg.service() {
		return nil, fmt.Errorf("subtype %s cannot reach target %q, a %s", r.HTTP.Subtype, r.Target, tg.kind())
	}
	return newServiceIntegration(id, &serviceIntegration{subtype: subtype, mapping: mapping, action: st.IAMAction,
		resources: policyResources(tg, action), key: key}), nil
}

// parameterMapping builds the route's custom mapping. It replaces every default of the CDK
// integration, so the table names the target's own parameter (QueueUrl, …) too.
func parameterMapping(r spec.Route, attrs map[spec.Attr]string) (awsapigatewayv2.ParameterMapping, error) {
	m := awsapigatewayv2.NewParameterMapping()
	for _, name := range sortedKeys(r.HTTP.Parameters) {
		v := r.HTTP.Parameters[name]
		value := v.Expr
		if v.Attr != "" {
			token, ok := attrs[v.Attr]
			if !ok {
				return nil, fmt.Errorf("parameter %q: target %q has no %s", name, r.Target, v.Attr)
			}
			value = token
		}
		m.Custom(jsii.String(name), jsii.String(value))
	}
	return m, nil
}
