package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// RESTAPIProps configures the REST API.
type RESTAPIProps struct {
	Routes  spec.Table
	Targets *Targets
	Config  Config
	Auth    *Auth
}

// RESTAPI is the API Gateway v1 REST API companion: AwsIntegration with VTL for the AWS
// targets and a Lambda custom (non-proxy) integration for the greeting, deployed explicitly
// (deploy: false) to one stage per configured stage.
type RESTAPI struct {
	constructs.Construct
	API        awsapigateway.RestApi
	Deployment awsapigateway.Deployment
	Stages     map[string]awsapigateway.Stage
	AccessLogs map[string]awslogs.LogGroup
	Methods    map[string]awsapigateway.Method // by route name
	// Roles are the AwsIntegrations' roles, by route name.
	Roles map[string]awsiam.Role
	// APIKey is the key every method requires with firstclass:apiKeys; nil without.
	APIKey awsapigateway.ApiKey
}

// NewRESTAPI builds the REST API from the route table. Every template is filled, parsed and
// rendered against a sample request first; one that fails stops the synth with the
// construct path, the method and the template's line and column.
func NewRESTAPI(scope constructs.Construct, id string, props *RESTAPIProps) *RESTAPI {
	r := &RESTAPI{
		Construct:  constructs.NewConstruct(scope, jsii.String(id)),
		Stages:     map[string]awsapigateway.Stage{},
		AccessLogs: map[string]awslogs.LogGroup{},
		Methods:    map[string]awsapigateway.Method{},
		Roles:      map[string]awsiam.Role{},
	}
	r.API = awsapigateway.NewRestApi(r.Construct, jsii.String("Api"), &awsapigateway.RestApiProps{
		Description:    jsii.String("firstclass: AWS and Lambda custom integrations with VTL"),
		Deploy:         jsii.Bool(false),
		CloudWatchRole: jsii.Bool(false),
		EndpointTypes:  &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
	})
	validator := r.API.AddRequestValidator(jsii.String("Validator"), &awsapigateway.RequestValidatorOptions{
		ValidateRequestBody:       jsii.Bool(true),
		ValidateRequestParameters: jsii.Bool(true),
	})
	jsonObject := r.API.AddModel(jsii.String("JsonObject"), &awsapigateway.ModelOptions{
		ContentType: jsii.String("application/json"),
		ModelName:   jsii.String("JsonObject"),
		Description: jsii.String("a JSON object, the only body the bus and the state machines accept"),
		Schema: &awsapigateway.JsonSchema{
			Schema: awsapigateway.JsonSchemaVersion_DRAFT4,
			Title:  jsii.String("JsonObject"),
			Type:   awsapigateway.JsonSchemaType_OBJECT,
		},
	})

	fingerprint := sha256.New()
	for _, route := range props.Routes {
		if err := CheckRESTTemplates(route); err != nil {
			fail(r.Construct, fmt.Errorf("route %q (%s): %w", route.Name, route.Key(), err))
		}
		tg, err := props.Targets.lookup(route.Target)
		if err != nil {
			fail(r.Construct, fmt.Errorf("route %q (%s): %w", route.Name, route.Key(), err))
		}
		templates, err := restTemplates(route, tg.attrs())
		if err != nil {
			fail(r.Construct, fmt.Errorf("route %q (%s): %w", route.Name, route.Key(), err))
		}
		integration, err := r.integration(route, tg, templates)
		if err != nil {
			fail(r.Construct, fmt.Errorf("route %q (%s): %w", route.Name, route.Key(), err))
		}
		options := &awsapigateway.MethodOptions{
			MethodResponses:  methodResponses(route),
			RequestValidator: validator,
			OperationName:    jsii.String(route.Name),
			ApiKeyRequired:   jsii.Bool(props.Config.APIKeys),
		}
		props.Auth.restMethod(r.Construct, props.Config.RouteAuthMode(route.Name), options)
		if route.REST.ValidateBody {
			options.RequestModels = &map[string]awsapigateway.IModel{"application/json": jsonObject}
		}
		if len(route.REST.RequestParameters) > 0 {
			params := map[string]*bool{}
			for k, required := range route.REST.RequestParameters {
				params[k] = jsii.Bool(required)
			}
			options.RequestParameters = &params
		}
		r.Methods[route.Name] = r.API.Root().ResourceForPath(jsii.String(route.Path)).AddMethod(jsii.String(route.Method), integration, options)
		fmt.Fprintf(fingerprint, "%+v\n", fingerprinted(route))
		if mode := props.Config.RouteAuthMode(route.Name); mode != AuthNone || props.Config.APIKeys {
			// Only when set, so that the open stack's deployment keeps its logical ID.
			fmt.Fprintf(fingerprint, "auth %s api keys %v\n", mode, props.Config.APIKeys)
		}
		for _, name := range sortedKeys(templates.raw) {
			fmt.Fprintf(fingerprint, "%s\n%s\n", name, templates.raw[name])
		}
	}

	// deploy: false leaves deployments to us. The deployment's logical ID carries a hash of
	// the routes and templates, so a changed template makes a new deployment and the stages
	// move to it on the next cdk deploy.
	r.Deployment = awsapigateway.NewDeployment(r.Construct, jsii.String("Deployment"), &awsapigateway.DeploymentProps{
		Api:         r.API,
		Description: jsii.String("firstclass routes " + hex.EncodeToString(fingerprint.Sum(nil))[:12]),
	})
	r.Deployment.AddToLogicalId(hex.EncodeToString(fingerprint.Sum(nil)))
	for _, s := range props.Config.Stages {
		logs := newAccessLogGroup(r.Construct, s.Name, props.Config)
		r.AccessLogs[s.Name] = logs
		r.Stages[s.Name] = awsapigateway.NewStage(r.Construct, jsii.String("Stage"+title(s.Name)), &awsapigateway.StageProps{
			Deployment:           r.Deployment,
			StageName:            jsii.String(s.Name),
			ThrottlingRateLimit:  jsii.Number(s.ThrottleRateLimit),
			ThrottlingBurstLimit: jsii.Number(s.ThrottleBurstLimit),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(logs),
			AccessLogFormat:      accessLogFormat(contract.REST),
			Variables:            stageVariables(s),
			MetricsEnabled:       jsii.Bool(true),
		})
	}
	if props.Config.APIKeys {
		r.usagePlans(props.Config)
	}
	return r
}

// usagePlans makes the API key every method requires and one usage plan per stage, with the
// stage's throttle and its daily quota; the key belongs to every plan.
func (r *RESTAPI) usagePlans(c Config) {
	r.APIKey = awsapigateway.NewApiKey(r.Construct, jsii.String("ApiKey"), &awsapigateway.ApiKeyProps{
		Enabled:     jsii.Bool(true),
		Description: jsii.String("firstclass: the key the bench and curl send as x-api-key"),
	})
	for _, s := range c.Stages {
		plan := awsapigateway.NewUsagePlan(r.Construct, jsii.String("UsagePlan"+title(s.Name)), &awsapigateway.UsagePlanProps{
			Description: jsii.String("firstclass: stage " + s.Name),
			ApiStages:   &[]*awsapigateway.UsagePlanPerApiStage{{Api: r.API, Stage: r.Stages[s.Name]}},
			Throttle:    &awsapigateway.ThrottleSettings{RateLimit: jsii.Number(s.ThrottleRateLimit), BurstLimit: jsii.Number(s.ThrottleBurstLimit)},
			Quota:       &awsapigateway.QuotaSettings{Limit: jsii.Number(float64(s.QuotaPerDay)), Period: awsapigateway.Period_DAY},
		})
		plan.AddApiKey(r.APIKey, nil)
	}
}

// restRouteTemplates are a route's templates, filled with its target's attributes (tokens),
// keyed by their role: "request", "response", and "error <status>".
type restRouteTemplates struct {
	filled map[string]string
	raw    map[string]string // before filling, for the deployment fingerprint
}

func restTemplates(r spec.Route, attrs map[spec.Attr]string) (restRouteTemplates, error) {
	out := restRouteTemplates{filled: map[string]string{}, raw: map[string]string{}}
	add := func(role, name string) error {
		if name == "" {
			return nil
		}
		text, err := TemplateText(name)
		if err != nil {
			return err
		}
		filled, err := FillTemplate(name, text, attrs)
		if err != nil {
			return err
		}
		out.raw[role] = text
		out.filled[role] = filled
		return nil
	}
	if err := add("request", r.REST.RequestTemplate); err != nil {
		return out, err
	}
	if err := add("response", r.REST.ResponseTemplate); err != nil {
		return out, err
	}
	for _, e := range r.REST.Errors {
		if err := add("error "+strconv.Itoa(e.StatusCode), e.Template); err != nil {
			return out, err
		}
	}
	if out.filled["request"] == "" {
		return out, fmt.Errorf("the REST integration needs a request template")
	}
	return out, nil
}

// integration makes a route's REST integration: a Lambda custom integration for a function
// target, otherwise an AwsIntegration whose role may do the one action on the one target.
func (r *RESTAPI) integration(route spec.Route, tg target, templates restRouteTemplates) (awsapigateway.Integration, error) {
	responses := integrationResponses(route, templates)
	requestTemplates := &map[string]*string{"application/json": jsii.String(templates.filled["request"])}
	if route.REST.Service == "lambda" {
		fn := tg.function()
		if fn == nil {
			return nil, fmt.Errorf("a Lambda custom integration needs a function target, not %q", route.Target)
		}
		return awsapigateway.NewLambdaIntegration(fn, &awsapigateway.LambdaIntegrationOptions{
			Proxy:                jsii.Bool(false),
			AllowTestInvoke:      jsii.Bool(false),
			PassthroughBehavior:  awsapigateway.PassthroughBehavior_NEVER,
			RequestTemplates:     requestTemplates,
			IntegrationResponses: responses,
		}), nil
	}

	action, resources, err := restPermission(route, tg)
	if err != nil {
		return nil, err
	}
	role := awsiam.NewRole(r.Construct, jsii.String(route.Name+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String("firstclass: REST " + route.Key() + " may " + action + " on its target only"),
	})
	allowTargetUse(role, action, resources, keyOf(tg))
	r.Roles[route.Name] = role
	headers := map[string]*string{}
	for k, v := range route.REST.Headers {
		headers["integration.request.header."+k] = jsii.String("'" + v + "'")
	}
	method := route.REST.Method
	if method == "" {
		method = "POST"
	}
	props := &awsapigateway.AwsIntegrationProps{
		Service:               jsii.String(route.REST.Service),
		IntegrationHttpMethod: jsii.String(method),
		Options: &awsapigateway.IntegrationOptions{
			CredentialsRole:      role,
			PassthroughBehavior:  awsapigateway.PassthroughBehavior_NEVER,
			RequestParameters:    &headers,
			RequestTemplates:     requestTemplates,
			IntegrationResponses: responses,
		},
	}
	if route.REST.QueueInPath || route.REST.PathStyle {
		path, ok := tg.restPath()
		if !ok {
			return nil, fmt.Errorf("a path-style integration: target %q, a %s, has no REST path", route.Target, tg.kind())
		}
		props.Path = path
	} else {
		props.Action = jsii.String(route.REST.Action)
	}
	return awsapigateway.NewAwsIntegration(props), nil
}

// restServices are the services a REST AwsIntegration reaches, by the prefix of their IAM
// actions.
var restServices = map[string]string{"sqs": "sqs", "events": "events", "states": "states", "kinesis": "kinesis", "appconfig": "appconfig"}

// restPermission is the one IAM action and the resources a REST route's role needs.
func restPermission(route spec.Route, tg target) (action string, resources []string, err error) {
	prefix := restServices[route.REST.Service]
	if prefix == "" {
		return "", nil, fmt.Errorf("REST service %q is not one firstclass integrates; use one of %v or lambda", route.REST.Service, sortedKeys(restServices))
	}
	if route.REST.Action == "" {
		return "", nil, fmt.Errorf("the REST integration needs an Action (the service API it calls)")
	}
	if tg.service() != route.REST.Service {
		return "", nil, fmt.Errorf("service %q cannot reach target %q, a %s", route.REST.Service, route.Target, tg.kind())
	}
	return prefix + ":" + route.REST.Action, policyResources(tg, route.REST.Action), nil
}

// integrationResponses: the 200 default (selection pattern "") and the route's errors, each
// with its template or passing the integration's body through.
func integrationResponses(route spec.Route, templates restRouteTemplates) *[]*awsapigateway.IntegrationResponse {
	ok := &awsapigateway.IntegrationResponse{StatusCode: jsii.String("200")}
	if t := templates.filled["response"]; t != "" {
		ok.ResponseTemplates = &map[string]*string{"application/json": jsii.String(t)}
	}
	out := []*awsapigateway.IntegrationResponse{ok}
	for _, e := range route.REST.Errors {
		status := strconv.Itoa(e.StatusCode)
		resp := &awsapigateway.IntegrationResponse{StatusCode: jsii.String(status), SelectionPattern: jsii.String(e.SelectionPattern)}
		if t := templates.filled["error "+status]; t != "" {
			resp.ResponseTemplates = &map[string]*string{"application/json": jsii.String(t)}
		}
		out = append(out, resp)
	}
	return &out
}

func methodResponses(route spec.Route) *[]*awsapigateway.MethodResponse {
	out := []*awsapigateway.MethodResponse{{StatusCode: jsii.String("200")}}
	seen := map[int]bool{200: true}
	for _, e := range route.REST.Errors {
		if !seen[e.StatusCode] {
			seen[e.StatusCode] = true
			out = append(out, &awsapigateway.MethodResponse{StatusCode: jsii.String(strconv.Itoa(e.StatusCode))})
		}
	}
	// Response templates may override the status to 500 (a failed PutEvents entry, a failed
	// synchronous execution): the method must declare it.
	if !seen[500] && templates500(route) {
		out = append(out, &awsapigateway.MethodResponse{StatusCode: jsii.String("500")})
	}
	return &out
}

func templates500(route spec.Route) bool {
	if route.REST.ResponseTemplate == "" {
		return false
	}
	text, err := TemplateText(route.REST.ResponseTemplate)
	return err == nil && strings.Contains(text, "responseOverride.status")
}

// fingerprintedRoute is what of a route the deployment fingerprint covers, in the shape the
// route model had when the fingerprint was introduced: a route's bench-only fields (Delivery)
// and its target's billing facts deploy nothing, and leaving them out keeps the deployment's
// logical ID where it was.
type fingerprintedRoute struct {
	Name   string
	Method string
	Path   string
	Target string
	HTTP   spec.HTTPIntegration
	REST   spec.RESTIntegration
	Sample fingerprintedSample
}

// fingerprintedSample is a sample without the request it needs first (Sample.Needs), which
// only --try and the bench send.
type fingerprintedSample struct {
	PathParams map[string]string
	Query      string
	Headers    map[string]string
	Body       string
}

func fingerprinted(r spec.Route) fingerprintedRoute {
	s := r.Sample
	return fingerprintedRoute{Name: r.Name, Method: r.Method, Path: r.Path, Target: r.Target.Name, HTTP: r.HTTP, REST: r.REST,
		Sample: fingerprintedSample{PathParams: s.PathParams, Query: s.Query, Headers: s.Headers, Body: s.Body}}
}
