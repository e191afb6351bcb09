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
			// POST /queue has the REQUEST authorizer, GET /greeting the TOKEN one: the
			// lambda mode's REST API has both.
			for _, req := range []struct{ method, path, body string }{{"POST", "/queue", `{"a":1}`}, {"GET", "/greeting?greeter=Ada", ""}} {
				got := do(t, req.method, s.url(contract.REST, "dev", req.path), req.body, h...)
				if got.status != c.restStatus || got.body != c.restBody || got.header.Get("X-Amzn-Errortype") != c.restType {
					t.Errorf("REST %s %s: %d %s %s, want %d %s %s", req.method, req.path, got.status, got.body, got.header.Get("X-Amzn-Errortype"), c.restStatus, c.restBody, c.restType)
				}
			}
			got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`, h...)
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
	if got := do(t, "GET", s.url(contract.REST, "dev", "/greeting?greeter=Ada"), "", "Authorization", "allow-ada"); got.status != 200 || !strings.Contains(got.body, "Hello, Ada") {
		t.Errorf("REST greeting through the TOKEN authorizer, allowed: %d %s", got.status, got.body)
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
			if try.Failed() {
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

// The lambda mode's own authorizer (lambda/authorizer, built and run as the Lambda it is)
// refuses every bad token on both kinds, on REST's REQUEST (POST /queue) and TOKEN
// (GET /greeting) authorizers alike, and none of them reaches an integration: REST answers
// the error "Unauthorized" 401 and a token without the scope a Deny, 403; the HTTP API's
// simple response isAuthorized false is 403 Forbidden; a missing Authorization header is 401
// on both without invoking the function.
func TestLambdaModeRefusesEveryBadTokenOnEachKind(t *testing.T) {
	s := serve(t, goldenMode(t, "lambda"), Options{NoThrottle: true})
	good, _ := tokenFor(t, s)
	bad := badTokens(t, s)
	const (
		unauthorized = `{"message":"Unauthorized"}`
		forbidden    = `{"message":"Forbidden"}`
		explicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	)
	cases := []struct {
		name             string
		restStatus       int
		restBody         string
		httpStatus       int
		httpBody         string
		authorizerCalled bool
	}{
		{"missing", 401, unauthorized, 401, unauthorized, false},
		{"malformed", 401, unauthorized, 403, forbidden, true},
		{"expired", 401, unauthorized, 403, forbidden, true},
		{"not yet valid", 401, unauthorized, 403, forbidden, true},
		{"wrong audience", 401, unauthorized, 403, forbidden, true},
		{"wrong scope", 403, explicitDeny, 403, forbidden, true},
		{"tampered signature", 401, unauthorized, 403, forbidden, true},
		{"signed by another key", 401, unauthorized, 403, forbidden, true},
	}
	if len(cases) != len(bad) {
		t.Fatalf("%d cases for %d bad tokens", len(cases), len(bad))
	}
	routes := []struct{ method, path, body string }{{"POST", "/queue", `{"a":1}`}, {"GET", "/greeting?greeter=Ada", ""}}
	invocations := func() int {
		n := 0
		for _, core := range s.r.authorizerCores {
			if c, ok := core.(*lambdaCore); ok {
				inv, _ := c.stats()
				n += inv
			}
		}
		return n
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := invocations()
			h := authorization(bad[c.name])
			for _, rt := range routes {
				got := do(t, rt.method, s.url(contract.REST, "dev", rt.path), rt.body, h...)
				wantType := map[int]string{401: "UnauthorizedException", 403: "AccessDeniedException"}[c.restStatus]
				if got.status != c.restStatus || got.body != c.restBody || got.header.Get("X-Amzn-Errortype") != wantType {
					t.Errorf("REST %s %s: %d %s %s, want %d %s %s", rt.method, rt.path, got.status, got.body, got.header.Get("X-Amzn-Errortype"), c.restStatus, c.restBody, wantType)
				}
				got = do(t, rt.method, s.url(contract.HTTP, "dev", rt.path), rt.body, h...)
				if got.status != c.httpStatus || got.body != c.httpBody {
					t.Errorf("HTTP %s %s: %d %s, want %d %s", rt.method, rt.path, got.status, got.body, c.httpStatus, c.httpBody)
				}
			}
			// Each of the three authorizers (REST REQUEST and TOKEN, HTTP REQUEST) ran once
			// for the token (its answer cached by identity source), or never without one.
			if n := invocations() - before; c.authorizerCalled != (n == 3) || !c.authorizerCalled && n != 0 {
				t.Errorf("the authorizers were invoked %d times, want %d", n, map[bool]int{true: 3, false: 0}[c.authorizerCalled])
			}
		})
	}
	if d := queueDepth(t, s); d != "0" {
		t.Errorf("refused requests reached the queue: %s messages", d)
	}
	// The runner is still up and the good token still passes everywhere.
	for _, kind := range contract.Kinds {
		for _, rt := range routes {
			if got := do(t, rt.method, s.url(kind, "dev", rt.path), rt.body, "Authorization", "Bearer "+good); got.status != 200 {
				t.Errorf("%s %s %s with a good token: %d %s", kind, rt.method, rt.path, got.status, got.body)
			}
		}
	}
}
