package test

import (
	"sort"
	"strings"
	"testing"

	"firstclass/api"
	"firstclass/routes"
)

// authModes are the synths of each auth mode, with the golden file each is kept in. Between
// them every kind of authorizer appears: IAM with API keys and usage plans, the Cognito
// authorizers, and the Lambda authorizer as REQUEST everywhere and TOKEN on the REST
// greeting.
var authModes = []struct {
	name    string
	context map[string]any
}{
	{"iam", map[string]any{api.ContextAuthMode: "iam", api.ContextAPIKeys: true}},
	{"jwt", map[string]any{api.ContextAuthMode: "jwt"}},
	{"lambda", map[string]any{api.ContextAuthMode: map[string]any{"*": "lambda", routes.GreetingRoute.Name: "lambda-token"}}},
}

func TestEachAuthModeMatchesItsGolden(t *testing.T) {
	for _, m := range authModes {
		t.Run(m.name, func(t *testing.T) {
			matchGolden(t, "Firstclass-"+m.name+".template.json", normalized(t, appWith(t, m.context)),
				"TestEachAuthModeMatchesItsGolden|TestTemplateMatchesGolden")
		})
	}
}

func TestEachAuthModeIsNagCleanWithAPIG4AndCOG4ResolvedWhereAuthExists(t *testing.T) {
	// IAM5 and S1 are the load workers' stack's, in every mode (api/load.go); SQS3 the scratch
	// queue's, which has no dead-letter queue (api/nag.go).
	want := map[string]string{
		"iam":    "AwsSolutions-APIG3 AwsSolutions-APIG6 AwsSolutions-COG4 AwsSolutions-IAM5 AwsSolutions-S1 AwsSolutions-SF1 AwsSolutions-SF2 AwsSolutions-SQS3",
		"jwt":    "AwsSolutions-APIG3 AwsSolutions-APIG6 AwsSolutions-IAM5 AwsSolutions-S1 AwsSolutions-SF1 AwsSolutions-SF2 AwsSolutions-SQS3",
		"lambda": "AwsSolutions-APIG3 AwsSolutions-APIG6 AwsSolutions-COG4 AwsSolutions-IAM5 AwsSolutions-S1 AwsSolutions-SF1 AwsSolutions-SF2 AwsSolutions-SQS3",
	}
	for _, m := range authModes {
		t.Run(m.name, func(t *testing.T) {
			s := appWith(t, m.context)
			for _, f := range s.nag.findings {
				t.Errorf("unsuppressed finding: %s", f)
			}
			for _, e := range s.nag.errors {
				t.Errorf("rule error: %s", e)
			}
			rules := map[string]bool{}
			for _, sup := range s.nag.suppressed {
				rules[sup.rule] = true
			}
			var got []string
			for r := range rules {
				got = append(got, r)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != want[m.name] {
				t.Errorf("suppressed rules %v, want %s", got, want[m.name])
			}
		})
	}
}

// routeAuth is "TYPE authorizer-type scopes" for every HTTP route and REST method.
func (s *synthesized) routeAuth(t *testing.T) (http, rest []string) {
	for _, id := range s.resources("AWS::ApiGatewayV2::Route") {
		p := s.props(id)
		line := resolve(p["RouteKey"]) + " " + resolve(p["AuthorizationType"])
		if a := refID(p["AuthorizerId"]); a != "" {
			ap := s.props(a)
			line += " " + resolve(ap["AuthorizerType"])
		}
		if sc, ok := p["AuthorizationScopes"]; ok {
			line += " " + resolveList(sc)
		}
		http = append(http, line)
	}
	for _, id := range s.resources("AWS::ApiGateway::Method") {
		p := s.props(id)
		line := resolve(p["HttpMethod"]) + " " + resolve(p["AuthorizationType"])
		if a := refID(p["AuthorizerId"]); a != "" {
			line += " " + resolve(s.props(a)["Type"])
		}
		if sc, ok := p["AuthorizationScopes"]; ok {
			line += " " + resolveList(sc)
		}
		if k, _ := p["ApiKeyRequired"].(bool); k {
			line += " key"
		}
		rest = append(rest, line)
	}
	sort.Strings(http)
	sort.Strings(rest)
	return http, rest
}

func TestAuthModesAuthorizeEveryRouteOnBothAPIs(t *testing.T) {
	want := map[string][2]string{
		"iam": {
			"DELETE /jobs AWS_IAM|DELETE /scratch AWS_IAM|GET /config AWS_IAM|GET /greeting AWS_IAM|GET /jobs AWS_IAM|POST /events/{source}/{detailType} AWS_IAM|POST /queue AWS_IAM|POST /stream AWS_IAM|POST /workflow AWS_IAM|POST /workflow/stop AWS_IAM|POST /workflow/sync AWS_IAM",
			"DELETE AWS_IAM key|DELETE AWS_IAM key|GET AWS_IAM key|GET AWS_IAM key|GET AWS_IAM key|POST AWS_IAM key|POST AWS_IAM key|POST AWS_IAM key|POST AWS_IAM key|POST AWS_IAM key|POST AWS_IAM key",
		},
		"jwt": {
			"DELETE /jobs JWT JWT [firstclass/invoke]|DELETE /scratch JWT JWT [firstclass/invoke]|GET /config JWT JWT [firstclass/invoke]|GET /greeting JWT JWT [firstclass/invoke]|GET /jobs JWT JWT [firstclass/invoke]|POST /events/{source}/{detailType} JWT JWT [firstclass/invoke]|POST /queue JWT JWT [firstclass/invoke]|POST /stream JWT JWT [firstclass/invoke]|POST /workflow JWT JWT [firstclass/invoke]|POST /workflow/stop JWT JWT [firstclass/invoke]|POST /workflow/sync JWT JWT [firstclass/invoke]",
			"DELETE COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|DELETE COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|GET COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|GET COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|GET COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|POST COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|POST COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|POST COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|POST COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|POST COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]|POST COGNITO_USER_POOLS COGNITO_USER_POOLS [firstclass/invoke]",
		},
		"lambda": {
			"DELETE /jobs CUSTOM REQUEST|DELETE /scratch CUSTOM REQUEST|GET /config CUSTOM REQUEST|GET /greeting CUSTOM REQUEST|GET /jobs CUSTOM REQUEST|POST /events/{source}/{detailType} CUSTOM REQUEST|POST /queue CUSTOM REQUEST|POST /stream CUSTOM REQUEST|POST /workflow CUSTOM REQUEST|POST /workflow/stop CUSTOM REQUEST|POST /workflow/sync CUSTOM REQUEST",
			"DELETE CUSTOM REQUEST|DELETE CUSTOM REQUEST|GET CUSTOM REQUEST|GET CUSTOM REQUEST|GET CUSTOM TOKEN|POST CUSTOM REQUEST|POST CUSTOM REQUEST|POST CUSTOM REQUEST|POST CUSTOM REQUEST|POST CUSTOM REQUEST|POST CUSTOM REQUEST",
		},
	}
	for _, m := range authModes {
		t.Run(m.name, func(t *testing.T) {
			http, rest := appWith(t, m.context).routeAuth(t)
			if got := strings.Join(http, "|"); got != want[m.name][0] {
				t.Errorf("HTTP API routes:\n got %s\nwant %s", got, want[m.name][0])
			}
			if got := strings.Join(rest, "|"); got != want[m.name][1] {
				t.Errorf("REST methods:\n got %s\nwant %s", got, want[m.name][1])
			}
		})
	}
	if http, rest := app(t).routeAuth(t); strings.Count(strings.Join(http, "|"), "NONE") != len(routes.Routes) || strings.Count(strings.Join(rest, "|"), "NONE") != len(routes.Routes) {
		t.Errorf("the default stack is not open: %v %v", http, rest)
	}
}

func TestAuthorizersValidateTheUserPoolsTokensAndCache(t *testing.T) {
	jwt := appWith(t, authModes[1].context)
	_, v2 := jwt.find(t, "AWS::ApiGatewayV2::Authorizer", "the JWT authorizer", func(p map[string]any) bool { return p["AuthorizerType"] == "JWT" })
	cfg := v2["JwtConfiguration"].(map[string]any)
	if got := resolveList(cfg["Audience"]); !strings.Contains(got, "AuthUserPoolBenchClient") {
		t.Errorf("audience %s is not the app client", got)
	}
	if got := resolve(cfg["Issuer"]); !strings.Contains(got, "cognito-idp.") || !strings.Contains(got, "AuthUserPool") {
		t.Errorf("issuer %s", got)
	}
	if got := resolveList(v2["IdentitySource"]); got != "[$request.header.Authorization]" {
		t.Errorf("identity source %s", got)
	}
	_, cog := jwt.find(t, "AWS::ApiGateway::Authorizer", "the Cognito authorizer", func(p map[string]any) bool { return p["Type"] == "COGNITO_USER_POOLS" })
	if cog["AuthorizerResultTtlInSeconds"] != 300.0 || cog["IdentitySource"] != "method.request.header.Authorization" {
		t.Errorf("cognito authorizer %v", cog)
	}
	_, client := jwt.find(t, "AWS::Cognito::UserPoolClient", "the app client", func(map[string]any) bool { return true })
	if resolveList(client["AllowedOAuthFlows"]) != "[client_credentials]" || resolveList(client["AllowedOAuthScopes"]) != "[firstclass/invoke]" || client["GenerateSecret"] != true {
		t.Errorf("app client %v", client)
	}
	_, pool := jwt.find(t, "AWS::Cognito::UserPool", "the user pool", func(map[string]any) bool { return true })
	if pool["MfaConfiguration"] != "ON" || resolve(pool["UserPoolAddOns"].(map[string]any)["AdvancedSecurityMode"]) != "ENFORCED" {
		t.Errorf("user pool MFA %v add-ons %v", pool["MfaConfiguration"], pool["UserPoolAddOns"])
	}

	lambda := appWith(t, authModes[2].context)
	_, simple := lambda.find(t, "AWS::ApiGatewayV2::Authorizer", "the Lambda authorizer", func(p map[string]any) bool { return p["AuthorizerType"] == "REQUEST" })
	if simple["EnableSimpleResponses"] != true || simple["AuthorizerPayloadFormatVersion"] != "2.0" || simple["AuthorizerResultTtlInSeconds"] != 300.0 {
		t.Errorf("HTTP Lambda authorizer %v", simple)
	}
	for _, typ := range []string{"REQUEST", "TOKEN"} {
		_, a := lambda.find(t, "AWS::ApiGateway::Authorizer", typ+" authorizer", func(p map[string]any) bool { return p["Type"] == typ })
		if a["AuthorizerResultTtlInSeconds"] != 300.0 || !strings.Contains(resolve(a["IdentitySource"]), "method.request.header.Authorization") {
			t.Errorf("%s authorizer %v", typ, a)
		}
	}
	// Each authorizer may invoke the function, scoped to itself.
	perms := 0
	for _, id := range lambda.resources("AWS::Lambda::Permission") {
		p := lambda.props(id)
		if strings.Contains(resolve(p["FunctionName"]), "AuthAuthorizer") {
			perms++
			if arn := resolve(p["SourceArn"]); !strings.Contains(arn, "/authorizers/") {
				t.Errorf("permission %s is not scoped to an authorizer: %s", id, arn)
			}
		}
	}
	if perms != 3 {
		t.Errorf("%d invoke permissions for the authorizer, want 3 (one per authorizer)", perms)
	}
}

func TestAPIKeysHaveAUsagePlanPerStageWithThrottleAndQuota(t *testing.T) {
	s := appWith(t, authModes[0].context)
	plans := s.resources("AWS::ApiGateway::UsagePlan")
	if len(plans) != 2 || len(s.resources("AWS::ApiGateway::ApiKey")) != 1 || len(s.resources("AWS::ApiGateway::UsagePlanKey")) != 2 {
		t.Fatalf("plans %v, keys %v, plan keys %v", plans, s.resources("AWS::ApiGateway::ApiKey"), s.resources("AWS::ApiGateway::UsagePlanKey"))
	}
	for _, id := range plans {
		p := s.props(id)
		quota := p["Quota"].(map[string]any)
		throttle := p["Throttle"].(map[string]any)
		stage := resolve(p["ApiStages"].([]any)[0].(map[string]any)["Stage"])
		switch {
		case strings.Contains(stage, "StageProd"):
			if quota["Limit"] != 1e7 || throttle["RateLimit"] != 1000.0 || throttle["BurstLimit"] != 500.0 {
				t.Errorf("prod plan %v", p)
			}
		case strings.Contains(stage, "StageDev"):
			if quota["Limit"] != 1e5 || throttle["RateLimit"] != 100.0 {
				t.Errorf("dev plan %v", p)
			}
		default:
			t.Errorf("plan %s on stage %s", id, stage)
		}
		if quota["Period"] != "DAY" {
			t.Errorf("quota period %v", quota["Period"])
		}
	}
}

func TestStatefulLogicalIDsAreTheSameInEveryAuthMode(t *testing.T) {
	base := app(t)
	stateful := []string{"AWS::SQS::Queue", "AWS::Events::EventBus", "AWS::Events::Archive", "AWS::StepFunctions::StateMachine", "AWS::Logs::LogGroup"}
	for _, m := range authModes {
		s := appWith(t, m.context)
		for _, typ := range stateful {
			for _, id := range base.resources(typ) {
				if s.props(id) == nil {
					t.Errorf("%s: %s %s is gone", m.name, typ, id)
				}
			}
		}
	}
}
