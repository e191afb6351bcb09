package localapi

import (
	"context"
	"sort"
	"strings"
	"testing"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/routes"
)

// fixtureAuthorizer is the lambda mode's golden template with the authorizer function
// replaced by testdata/authorizer (1 s timeout), and both queue routes sending
// $context.authorizer.who as the message body.
func fixtureAuthorizer(t *testing.T) *cfn.Template {
	tmpl := goldenMode(t, "lambda")
	for id, fn := range tmpl.Resources {
		if fn.Type == "AWS::Lambda::Function" && strings.HasPrefix(id, "AuthAuthorizer") {
			fn.Metadata[contract.GoPackageMetadata] = "./internal/localapi/testdata/authorizer"
			fn.Properties["Timeout"] = 1.0
		}
	}
	for _, in := range tmpl.OfType("AWS::ApiGatewayV2::Integration") {
		if in.Properties["IntegrationSubtype"] == "SQS-SendMessage" {
			in.Properties["RequestParameters"].(map[string]any)["MessageBody"] = "$context.authorizer.who"
		}
	}
	for id, m := range tmpl.Resources {
		if m.Type == "AWS::ApiGateway::Method" && strings.Contains(id, "queue") {
			m.Properties["Integration"].(map[string]any)["RequestTemplates"] = map[string]any{
				"application/json": "Action=SendMessage&MessageBody=$util.urlEncode(\"$context.authorizer.who $context.authorizer.principalId\")"}
		}
	}
	return tmpl
}

func TestLambdaAuthorizersAnswerEachOutcomeAsAPIGatewayDoes(t *testing.T) {
	s := serve(t, fixtureAuthorizer(t), Options{NoThrottle: true})
	cases := []struct {
		token      string
		restStatus int
		restBody   string
		restType   string
		httpStatus int
		httpBody   string
	}{
		{"", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", 401, `{"message":"Unauthorized"}`},
		{"deny", 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException", 403, `{"message":"Forbidden"}`},
		{"elsewhere", 403, `{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException", 500, `{"message":"Internal Server Error"}`},
		{"unauthorized", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", 401, `{"message":"Unauthorized"}`},
		{"throw", 500, `{"message":null}`, "AuthorizerConfigurationException", 500, `{"message":"Internal Server Error"}`},
		{"sleep", 500, `{"message":null}`, "AuthorizerConfigurationException", 500, `{"message":"Internal Server Error"}`},
		{"malformed", 500, `{"message":null}`, "AuthorizerConfigurationException", 500, `{"message":"Internal Server Error"}`},
		{"nested", 500, `{"message":null}`, "AuthorizerConfigurationException", 500, `{"message":"Internal Server Error"}`},
	}
	for _, c := range cases {
		t.Run("token "+c.token, func(t *testing.T) {
			var h []string
			if c.token != "" {
				h = []string{"Authorization", c.token}
			}
			got := do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`, h...)
			if got.status != c.restStatus || got.body != c.restBody || got.header.Get("X-Amzn-Errortype") != c.restType {
				t.Errorf("REST: %d %s %s, want %d %s %s", got.status, got.body, got.header.Get("X-Amzn-Errortype"), c.restStatus, c.restBody, c.restType)
			}
			got = do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`, h...)
			if got.status != c.httpStatus || got.body != c.httpBody {
				t.Errorf("HTTP: %d %s, want %d %s", got.status, got.body, c.httpStatus, c.httpBody)
			}
		})
	}
	if d := queueDepth(t, s); d != "0" {
		t.Fatalf("refused requests reached the queue: %s", d)
	}
	// The runner is still up, and an allowed caller's context reaches both integrations.
	for _, kind := range contract.Kinds {
		if got := do(t, "POST", s.url(kind, "dev", "/queue"), `{"a":1}`, "Authorization", "allow-ada"); got.status != 200 {
			t.Errorf("%s allow: %d %s", kind, got.status, got.body)
		}
	}
	msgs, err := s.r.AWS().ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: s.out[routes.QueueURLOutput], MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, m.Body)
	}
	sort.Strings(bodies)
	if strings.Join(bodies, "|") != "ada|ada fixture" {
		t.Errorf("message bodies %q, want the authorizer's context: [ada (HTTP) ada fixture (REST, with principalId)]", bodies)
	}
}

func TestLambdaAuthorizerAnswersAreCachedByIdentitySource(t *testing.T) {
	s := serve(t, fixtureAuthorizer(t), Options{NoThrottle: true})
	for _, tok := range []string{"allow-a", "allow-a", "allow-a", "allow-b", "allow-a"} {
		for _, kind := range contract.Kinds {
			if got := do(t, "POST", s.url(kind, "dev", "/queue"), `{"a":1}`, "Authorization", tok); got.status != 200 {
				t.Fatalf("%s %s: %d %s", kind, tok, got.status, got.body)
			}
		}
	}
	// The REST greeting's TOKEN authorizer is another authorizer: its own cache.
	var total int
	for _, core := range s.r.authorizerCores {
		if c, ok := core.(*lambdaCore); ok {
			inv, hits := c.stats()
			total += inv
			if c.typ == "REQUEST" && (inv != 2 || hits != 3) {
				t.Errorf("%s %s authorizer: %d invocations, %d cache hits; want 2 and 3 (one per token, 300 s TTL)", c.kind, c.typ, inv, hits)
			}
		}
	}
	if total != 4 {
		t.Errorf("%d invocations in all, want 4", total)
	}
}

func TestLambdaModeWithTheRealAuthorizerAcceptsLocalTokens(t *testing.T) {
	s := serve(t, goldenMode(t, "lambda"), Options{NoThrottle: true})
	tok, _ := tokenFor(t, s)
	for _, stage := range []string{"dev", "prod"} {
		targets := s.r.Targets(stage, TableSamples(routes.Routes))
		for i := range targets {
			targets[i].Sample.Header = withHeader(targets[i].Sample.Header, "Authorization", "Bearer "+tok)
		}
		for _, try := range TryAll(t.Context(), targets) {
			if !try.OK() {
				t.Errorf("%s %s %s: %d %s %v", try.Kind, try.Stage, try.Key, try.Status, try.Body, try.Err)
			}
		}
	}
	for _, kind := range contract.Kinds {
		got := do(t, "POST", s.url(kind, "dev", "/queue"), `{"a":1}`, "Authorization", "Bearer not-a-token")
		want := map[contract.Kind]int{contract.HTTP: 403, contract.REST: 401}[kind]
		if got.status != want {
			t.Errorf("%s with a bad token: %d %s, want %d", kind, got.status, got.body, want)
		}
	}
}
