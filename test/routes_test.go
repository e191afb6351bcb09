package test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"firstclass/api"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func logicalID(s *synthesized, c constructs.IConstruct) string {
	return *s.stack.Stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}

// targetIDs are the logical IDs of each target's main resource.
func targetIDs(s *synthesized) map[string]string {
	t := s.stack.Targets
	return map[string]string{
		routes.Queue.Name:           logicalID(s, t.Queue),
		routes.Jobs.Name:            logicalID(s, t.Jobs),
		routes.Scratch.Name:         logicalID(s, t.Scratch),
		routes.Bus.Name:             logicalID(s, t.Bus),
		routes.Workflow.Name:        logicalID(s, t.Workflow),
		routes.ExpressWorkflow.Name: logicalID(s, t.ExpressWorkflow),
		routes.Greeter.Name:         logicalID(s, t.Greeting),
		routes.Stream.Name:          logicalID(s, t.Stream),
	}
}

// settingsIDs are the logical IDs of the AppConfig application, environment and profile.
func settingsIDs(s *synthesized) (app, env, profile string) {
	profiles := s.resources("AWS::AppConfig::ConfigurationProfile")
	if len(profiles) != 1 {
		return "", "", fmt.Sprint(profiles)
	}
	return logicalID(s, s.stack.Targets.Settings.Application), logicalID(s, s.stack.Targets.Settings.Environment), profiles[0]
}

// attrText is how a target attribute appears once resolved: the queue URL, the state
// machine ARN, the bus and stream names and the AppConfig IDs are the resources' Refs.
func attrText(s *synthesized, r spec.Route) map[spec.Attr]string {
	ref := "${" + targetIDs(s)[r.Target.Name] + "}"
	app, env, profile := settingsIDs(s)
	return map[spec.Attr]string{spec.QueueURL: ref, spec.EventBusName: ref, spec.StateMachineArn: ref, spec.StreamName: ref,
		spec.ApplicationID: "${" + app + "}", spec.EnvironmentID: "${" + env + "}", spec.ConfigurationProfileID: "${" + profile + "}"}
}

// wantResources are the ARNs a route's role may do its action on, as rolePermissions prints
// them: the target's ARN (a state machine's Ref is its ARN), or for the hosted configuration
// the application, environment and profile GetConfiguration is authorized on.
func wantResources(s *synthesized, r spec.Route) string {
	id := targetIDs(s)[r.Target.Name]
	if r.REST.Action == "StopExecution" {
		return executionsPattern(id)
	}
	switch r.Target.Name {
	case routes.Workflow.Name, routes.ExpressWorkflow.Name:
		return "${" + id + "}"
	case routes.Settings.Name:
		app, env, profile := settingsIDs(s)
		prefix := "arn:${AWS::Partition}:appconfig:${AWS::Region}:${AWS::AccountId}:application/${" + app + "}"
		return "[" + prefix + "/configurationprofile/${" + profile + "} " + prefix + "/environment/${" + env + "} " + prefix + "]"
	}
	return "${" + id + ".Arn}"
}

// executionsPattern is the ARN of every execution of the state machine with logical ID id,
// the one resource StopExecution is allowed on.
func executionsPattern(id string) string {
	return "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${" + id + ".Name}:*"
}

// wantHTTPAction is the one action each subtype's role may do.
var wantHTTPAction = map[string]string{
	"SQS-SendMessage":                  "sqs:SendMessage",
	"SQS-ReceiveMessage":               "sqs:ReceiveMessage",
	"SQS-DeleteMessage":                "sqs:DeleteMessage",
	"SQS-PurgeQueue":                   "sqs:PurgeQueue",
	"EventBridge-PutEvents":            "events:PutEvents",
	"StepFunctions-StartExecution":     "states:StartExecution",
	"StepFunctions-StartSyncExecution": "states:StartSyncExecution",
	"StepFunctions-StopExecution":      "states:StopExecution",
	"Kinesis-PutRecord":                "kinesis:PutRecord",
	"AppConfig-GetConfiguration":       "appconfig:GetConfiguration",
}

func TestHTTPRoutesIntegrateAsTheTableSays(t *testing.T) {
	s := app(t)
	apiID := logicalID(s, s.stack.HTTP.API)
	if got := s.resources("AWS::ApiGatewayV2::Route"); len(got) != len(routes.Routes) {
		t.Errorf("HTTP API has %d routes, the table %d", len(got), len(routes.Routes))
	}
	for _, r := range routes.Routes {
		t.Run(r.Name, func(t *testing.T) {
			_, route := s.find(t, "AWS::ApiGatewayV2::Route", r.Key(), func(p map[string]any) bool { return p["RouteKey"] == r.Key() })
			if refID(route["ApiId"]) != apiID {
				t.Errorf("route is on API %v", route["ApiId"])
			}
			target := resolve(route["Target"])
			integrationID := strings.TrimSuffix(strings.TrimPrefix(target, "integrations/${"), "}")
			in := s.props(integrationID)
			if in == nil {
				t.Fatalf("route target %q is not an integration", target)
			}
			if in["IntegrationType"] != "AWS_PROXY" {
				t.Errorf("IntegrationType = %v, want AWS_PROXY", in["IntegrationType"])
			}
			if r.HTTP.Subtype == "" { // Lambda proxy
				if in["PayloadFormatVersion"] != "2.0" || resolve(in["IntegrationUri"]) != "${"+targetIDs(s)[r.Target.Name]+".Arn}" {
					t.Errorf("Lambda proxy integration = %v", in)
				}
				return
			}
			if in["IntegrationSubtype"] != r.HTTP.Subtype || in["PayloadFormatVersion"] != "1.0" {
				t.Errorf("subtype %v, payload %v; want %s, 1.0", in["IntegrationSubtype"], in["PayloadFormatVersion"], r.HTTP.Subtype)
			}
			// Every mapped parameter, exactly: a custom mapping replaces the CDK's defaults.
			got := map[string]string{}
			for k, v := range in["RequestParameters"].(map[string]any) {
				got[k] = resolve(v)
			}
			want := map[string]string{}
			attrs := attrText(s, r)
			for k, v := range r.HTTP.Parameters {
				want[k] = v.Expr
				if v.Attr != "" {
					want[k] = attrs[v.Attr]
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("RequestParameters = %v, want %v", got, want)
			}
			// One role per integration, one action on the target's ARN.
			role := refID(in["CredentialsArn"])
			perms := s.rolePermissions(role)
			if wantPerm := "Allow " + wantHTTPAction[r.HTTP.Subtype] + " on " + wantResources(s, r); len(perms) != 1 || perms[0] != wantPerm {
				t.Errorf("role %s may %v, want exactly [%s]", role, perms, wantPerm)
			}
			assertAssumedByAPIGateway(t, s, role)
		})
	}
}

func assertAssumedByAPIGateway(t *testing.T, s *synthesized, roleID string) {
	t.Helper()
	doc := s.props(roleID)["AssumeRolePolicyDocument"].(map[string]any)
	st := doc["Statement"].([]any)
	if len(st) != 1 || resolve(st[0].(map[string]any)["Principal"].(map[string]any)["Service"]) != "apigateway.amazonaws.com" {
		t.Errorf("role %s trusts %v, want apigateway.amazonaws.com only", roleID, st)
	}
}

// restResourcePath rebuilds the path of an AWS::ApiGateway::Resource from its parents.
func restResourcePath(s *synthesized, v any) string {
	id := refID(v)
	if id == "" { // the root: {"Fn::GetAtt": [api, "RootResourceId"]} resolves to the API
		return ""
	}
	p := s.props(id)
	if p == nil || p["PathPart"] == nil {
		return ""
	}
	return restResourcePath(s, p["ParentId"]) + "/" + p["PathPart"].(string)
}

func TestRESTRoutesIntegrateAsTheTableSays(t *testing.T) {
	s := app(t)
	if got := s.resources("AWS::ApiGateway::Method"); len(got) != len(routes.Routes) {
		t.Errorf("REST API has %d methods, the table %d routes", len(got), len(routes.Routes))
	}
	for _, r := range routes.Routes {
		t.Run(r.Name, func(t *testing.T) {
			_, m := s.find(t, "AWS::ApiGateway::Method", r.Key(), func(p map[string]any) bool {
				return p["HttpMethod"] == r.Method && restResourcePath(s, p["ResourceId"]) == r.Path
			})
			in := m["Integration"].(map[string]any)
			method := r.REST.Method
			if method == "" {
				method = "POST"
			}
			if in["Type"] != "AWS" || in["PassthroughBehavior"] != "NEVER" || in["IntegrationHttpMethod"] != method {
				t.Errorf("integration type %v, passthrough %v, method %v; want AWS (non-proxy), NEVER, %s", in["Type"], in["PassthroughBehavior"], in["IntegrationHttpMethod"], method)
			}
			// The request template, filled with the target's attribute.
			raw, err := api.TemplateText(r.REST.RequestTemplate)
			if err != nil {
				t.Fatal(err)
			}
			wantTemplate, err := api.FillTemplate(r.REST.RequestTemplate, raw, attrText(s, r))
			if err != nil {
				t.Fatal(err)
			}
			if got := resolve(in["RequestTemplates"].(map[string]any)["application/json"]); got != wantTemplate {
				t.Errorf("request template =\n%s\nwant\n%s", got, wantTemplate)
			}
			// Integration responses: 200 by default, then each error by its selection pattern.
			var gotResponses []string
			for _, ir := range in["IntegrationResponses"].([]any) {
				ir := ir.(map[string]any)
				tmpl := ""
				if _, ok := ir["ResponseTemplates"].(map[string]any); ok {
					tmpl = "template"
				}
				pattern, _ := ir["SelectionPattern"].(string)
				gotResponses = append(gotResponses, fmt.Sprintf("%v %q %s", ir["StatusCode"], pattern, tmpl))
			}
			wantResponses := []string{fmt.Sprintf("200 %q %s", "", ifThen(r.REST.ResponseTemplate != "", "template"))}
			for _, e := range r.REST.Errors {
				wantResponses = append(wantResponses, fmt.Sprintf("%d %q %s", e.StatusCode, e.SelectionPattern, ifThen(e.Template != "", "template")))
			}
			if strings.Join(gotResponses, "; ") != strings.Join(wantResponses, "; ") {
				t.Errorf("integration responses = %v, want %v", gotResponses, wantResponses)
			}
			var statuses []string
			for _, mr := range m["MethodResponses"].([]any) {
				statuses = append(statuses, mr.(map[string]any)["StatusCode"].(string))
			}
			if statuses[0] != "200" || len(statuses) < len(r.REST.Errors)+1 {
				t.Errorf("method responses %v do not declare 200 and every error status", statuses)
			}
			if r.REST.ValidateBody {
				models, _ := m["RequestModels"].(map[string]any)
				if refID(models["application/json"]) == "" || refID(m["RequestValidatorId"]) == "" {
					t.Errorf("route validates bodies but has models %v, validator %v", m["RequestModels"], m["RequestValidatorId"])
				}
			}

			uri := resolve(in["Uri"])
			if r.REST.Service == "lambda" {
				wantURI := "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + targetIDs(s)[r.Target.Name] + ".Arn}/invocations"
				if uri != wantURI {
					t.Errorf("Uri = %s, want %s", uri, wantURI)
				}
				return
			}
			wantURI := "arn:${AWS::Partition}:apigateway:${AWS::Region}:" + r.REST.Service + ":action/" + r.REST.Action
			if r.REST.QueueInPath {
				wantURI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${" + targetIDs(s)[r.Target.Name] + ".QueueName}"
			}
			if r.REST.PathStyle {
				a := attrText(s, r)
				wantURI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:" + r.REST.Service + ":path/applications/" + a[spec.ApplicationID] +
					"/environments/" + a[spec.EnvironmentID] + "/configurations/" + a[spec.ConfigurationProfileID]
			}
			if uri != wantURI {
				t.Errorf("Uri = %s, want %s", uri, wantURI)
			}
			for k, v := range r.REST.Headers {
				if got := in["RequestParameters"].(map[string]any)["integration.request.header."+k]; got != "'"+v+"'" {
					t.Errorf("header %s = %v, want '%s'", k, got, v)
				}
			}
			role := refID(in["Credentials"])
			wantPerm := "Allow " + r.REST.Service + ":" + r.REST.Action + " on " + wantResources(s, r)
			if perms := s.rolePermissions(role); len(perms) != 1 || perms[0] != wantPerm {
				t.Errorf("role %s may %v, want exactly [%s]", role, perms, wantPerm)
			}
			assertAssumedByAPIGateway(t, s, role)
		})
	}
}

func ifThen(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func TestGreetingErrorPatternMatchesTheFunctionsMessage(t *testing.T) {
	// lambda/greeting returns exactly this message; its REST route must map it to 400.
	const msg = "Missing the required greeter parameter."
	for _, e := range routes.GreetingRoute.REST.Errors {
		if e.StatusCode == 400 && regexpFullMatch(t, e.SelectionPattern, msg) {
			return
		}
	}
	t.Errorf("no 400 selection pattern of %v matches %q", routes.GreetingRoute.REST.Errors, msg)
}

// No role may use a wildcard but the one ARN pattern IAM requires: StopExecution is authorized
// on executions, and a stop route's role may stop the STANDARD machine's executions only.
func TestNoPolicyGrantsAWildcard(t *testing.T) {
	s := app(t)
	allowed := "Allow states:StopExecution on " + executionsPattern(targetIDs(s)[routes.Workflow.Name])
	stops := 0
	for _, role := range s.resources("AWS::IAM::Role") {
		for _, perm := range s.rolePermissions(role) {
			if perm == allowed {
				stops++
				continue
			}
			if strings.Contains(perm, "*") {
				t.Errorf("role %s: %s", role, perm)
			}
		}
	}
	if stops != len(contract.Kinds) {
		t.Errorf("%d roles may stop the workflow's executions, want one per API kind", stops)
	}
}

func TestStagesAreThrottledAndLogged(t *testing.T) {
	s := app(t)
	var names []string
	for _, st := range s.config.Stages {
		names = append(names, st.Name)
		for _, kind := range contract.Kinds {
			t.Run(string(kind)+"/"+st.Name, func(t *testing.T) {
				var p map[string]any
				var logs map[string]any
				var rate, burst any
				if kind == contract.HTTP {
					_, p = s.find(t, "AWS::ApiGatewayV2::Stage", "HTTP stage "+st.Name, func(p map[string]any) bool { return p["StageName"] == st.Name })
					logs = p["AccessLogSettings"].(map[string]any)
					rs := p["DefaultRouteSettings"].(map[string]any)
					rate, burst = rs["ThrottlingRateLimit"], rs["ThrottlingBurstLimit"]
					if p["AutoDeploy"] != true {
						t.Error("HTTP stage does not auto-deploy")
					}
				} else {
					_, p = s.find(t, "AWS::ApiGateway::Stage", "REST stage "+st.Name, func(p map[string]any) bool { return p["StageName"] == st.Name })
					logs = p["AccessLogSetting"].(map[string]any)
					ms := p["MethodSettings"].([]any)
					if len(ms) != 1 || ms[0].(map[string]any)["ResourcePath"] != "/*" || ms[0].(map[string]any)["HttpMethod"] != "*" {
						t.Fatalf("method settings %v do not throttle every method", ms)
					}
					rate, burst = ms[0].(map[string]any)["ThrottlingRateLimit"], ms[0].(map[string]any)["ThrottlingBurstLimit"]
				}
				if rate != st.ThrottleRateLimit || burst != st.ThrottleBurstLimit {
					t.Errorf("throttling %v/%v, want %v/%v from cdk.json", rate, burst, st.ThrottleRateLimit, st.ThrottleBurstLimit)
				}
				if logs["Format"] != contract.AccessLogFormat(kind) {
					t.Errorf("access log format = %v, want %s", logs["Format"], contract.AccessLogFormat(kind))
				}
				group := refID(logs["DestinationArn"])
				if got := s.props(group)["RetentionInDays"]; got != float64(s.config.LogRetentionDays) {
					t.Errorf("log group %s retention %v, want %d days", group, got, s.config.LogRetentionDays)
				}
			})
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "dev,prod" {
		t.Errorf("cdk.json stages = %v, want dev and prod", names)
	}
	if got := s.resources("AWS::ApiGateway::Deployment"); len(got) != 1 {
		t.Errorf("REST deployments = %v, want one shared by the stages", got)
	}
}

func TestOutputsGiveTheBenchWhatItNeeds(t *testing.T) {
	s := app(t)
	outputs := s.json["Outputs"].(map[string]any)
	want := []string{routes.QueueURLOutput, routes.DeadLetterQueueURLOutput, routes.JobsQueueURLOutput, routes.JobsDeadLetterQueueURLOutput,
		routes.ScratchQueueURLOutput, routes.EventBusNameOutput, routes.AuditQueueURLOutput,
		routes.WorkflowStateMachineArnOutput, routes.ExpressStateMachineArnOutput, routes.GreetingFunctionNameOutput, contract.RegionOutput,
		routes.StreamNameOutput, routes.SettingsConfigurationOutput}
	for _, st := range s.config.Stages {
		for _, kind := range contract.Kinds {
			want = append(want, contract.APIURLOutput(kind, st.Name), contract.AccessLogGroupOutput(kind, st.Name))
		}
	}
	for _, k := range want {
		if _, ok := outputs[k]; !ok {
			t.Errorf("no output %q", k)
		}
	}
	if len(outputs) != len(want) {
		t.Errorf("%d outputs, want %d: an output key is a public contract, add new ones to this test", len(outputs), len(want))
	}
	if got := resolve(outputs["HttpApiDevUrl"].(map[string]any)["Value"]); got != "https://${HttpApi9292168F}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev" {
		t.Errorf("HttpApiDevUrl = %s", got)
	}
	if got := resolve(outputs["RestApiProdUrl"].(map[string]any)["Value"]); got != "https://${RestApi135E9C73}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${RestApiStageProdA83B5880}/" {
		t.Errorf("RestApiProdUrl = %s", got)
	}
}

// TestStatefulLogicalIDsAreFixed pins the logical IDs of what holds data or is addressed
// from outside. A changed ID makes CloudFormation replace the resource: queued messages,
// archived events, execution history, logs and API URLs would be lost.
func TestStatefulLogicalIDsAreFixed(t *testing.T) {
	s := app(t)
	want := map[string]string{
		"TargetsQueue4E5D0920":                                     "AWS::SQS::Queue",
		"TargetsDeadLetterQueue8A80BD4F":                           "AWS::SQS::Queue",
		"TargetsJobs46A9A14B":                                      "AWS::SQS::Queue",
		"TargetsJobsDeadLetterQueue98EB0A26":                       "AWS::SQS::Queue",
		"TargetsScratchCB09CFAA":                                   "AWS::SQS::Queue",
		"TargetsAuditQueue3DCC2E42":                                "AWS::SQS::Queue",
		"TargetsAuditDeadLetterQueueBB27D4A0":                      "AWS::SQS::Queue",
		"TargetsBus937A1AC5":                                       "AWS::Events::EventBus",
		"TargetsBusArchiveE07F1173":                                "AWS::Events::Archive",
		"TargetsWorkflow2F799B67":                                  "AWS::StepFunctions::StateMachine",
		"TargetsExpressWorkflowF6C6627D":                           "AWS::StepFunctions::StateMachine",
		"TargetsGreetingLogs3B0A1C03":                              "AWS::Logs::LogGroup",
		"HttpApiAccessLogsDev518842DC":                             "AWS::Logs::LogGroup",
		"HttpApiAccessLogsProdF5031A7F":                            "AWS::Logs::LogGroup",
		"RestApiAccessLogsDev238A9402":                             "AWS::Logs::LogGroup",
		"RestApiAccessLogsProd5788264A":                            "AWS::Logs::LogGroup",
		"HttpApi9292168F":                                          "AWS::ApiGatewayV2::Api",
		"RestApi135E9C73":                                          "AWS::ApiGateway::RestApi",
		"TargetsStreamD661F322":                                    "AWS::Kinesis::Stream",
		"TargetsSettings6AD2394A":                                  "AWS::AppConfig::Application",
		"TargetsSettingsEnvironment6E990A6E":                       "AWS::AppConfig::Environment",
		"TargetsSettingsConfigurationConfigurationProfileFD89161B": "AWS::AppConfig::ConfigurationProfile",
		"TargetsSettingsImmediate3A41AF51":                         "AWS::AppConfig::DeploymentStrategy",
	}
	res := s.json["Resources"].(map[string]any)
	for id, typ := range want {
		r, ok := res[id].(map[string]any)
		if !ok {
			t.Errorf("%s (%s) is gone: its logical ID changed, so a deploy would replace it and lose its data", id, typ)
			continue
		}
		if r["Type"] != typ {
			t.Errorf("%s is a %v, want %s", id, r["Type"], typ)
		}
	}
	// Every stateful resource is in the list above, so a new one gets pinned too.
	// A hosted configuration version and a deployment are immutable records: new content
	// makes new ones, as it should, and the profile keeps the old versions.
	for _, typ := range []string{"AWS::SQS::Queue", "AWS::Events::EventBus", "AWS::Events::Archive", "AWS::StepFunctions::StateMachine", "AWS::Logs::LogGroup",
		"AWS::Kinesis::Stream", "AWS::AppConfig::Application", "AWS::AppConfig::Environment", "AWS::AppConfig::ConfigurationProfile", "AWS::AppConfig::DeploymentStrategy", "AWS::KMS::Key"} {
		for _, id := range s.resources(typ) {
			if _, ok := want[id]; !ok {
				t.Errorf("%s (%s) is stateful but its logical ID is not pinned here", id, typ)
			}
		}
	}
}
