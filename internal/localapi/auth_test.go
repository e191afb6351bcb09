package localapi

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/sigv4"
	"firstclass/routes"
)

// The bad input of issue 14, end to end on both API kinds (the refused request never reaches
// the integration, and the runner answers the next good request), by mode and test:
//
//	iam (SigV4)         missing, malformed header, unknown key, wrong secret, tampered body,
//	                    replayed outside the 5-minute skew, dated ahead, another region:
//	                    TestIAMRoutesVerifySigV4WithAWSsAnswers; presigned URLs expired,
//	                    extended, tampered or incomplete: TestIAMRoutesAcceptPresignedURLsUntilTheyExpire
//	jwt (Cognito)       missing, malformed, expired, not yet valid, wrong audience, wrong scope,
//	                    tampered signature, another key: TestJWTModeRefusesBadTokensWithEachKindsAnswer
//	lambda, lambda-token  the same tokens through the mode's own authorizer, on REST's REQUEST
//	                    and TOKEN authorizers: TestLambdaModeRefusesEveryBadTokenOnEachKind;
//	                    an authorizer that throws, times out, answers a malformed policy or
//	                    context, denies or does not cover the method, on both REST authorizer
//	                    types: TestLambdaAuthorizersAnswerEachOutcomeAsAPIGatewayDoes
//	API keys (REST)     missing, unknown, disabled, in no plan, another stage:
//	                    TestAPIKeysAreCheckedAgainstTheUsagePlanOfTheStage; quota exhausted
//	                    mid-run and the plan's throttle:
//	                    TestUsagePlanQuotaIsLimitExceededAndItsThrottleTooManyRequests
//
// HTTP APIs have no API keys or usage plans, so the last two rows are REST's alone.

// withAuthorization is the golden template with every HTTP API route and REST method of
// authorization type typ.
func withAuthorization(t *testing.T, typ string) *cfn.Template {
	tmpl := golden(t)
	for _, res := range tmpl.OfType("AWS::ApiGatewayV2::Route") {
		res.Properties["AuthorizationType"] = typ
	}
	for _, res := range tmpl.OfType("AWS::ApiGateway::Method") {
		res.Properties["AuthorizationType"] = typ
	}
	return tmpl
}

// signedDo sends a request signed by s at t, with the body tampered after signing when
// tamper is set.
func signedDo(t *testing.T, s *sigv4.Signer, at time.Time, method, url, body, tamper string) response {
	t.Helper()
	req := newSigned(t, method, url, body)
	req.Header.Set("Content-Type", "application/json")
	s.Sign(req, []byte(body), at)
	return send(t, req, tamper)
}

func newSigned(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// send sends req, its body replaced by tamper when set.
func send(t *testing.T, req *http.Request, tamper string) response {
	t.Helper()
	if tamper != "" {
		req.Body, req.ContentLength = io.NopCloser(strings.NewReader(tamper)), int64(len(tamper))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func queueDepth(t *testing.T, s *served) string {
	t.Helper()
	attrs, err := s.r.AWS().GetQueueAttributes(s.out[routes.QueueURLOutput], "ApproximateNumberOfMessages")
	if err != nil {
		t.Fatal(err)
	}
	return attrs["ApproximateNumberOfMessages"]
}

func TestIAMRoutesVerifySigV4WithAWSsAnswers(t *testing.T) {
	s := serve(t, withAuthorization(t, "AWS_IAM"), Options{NoThrottle: true, Credentials: []sigv4.Credentials{
		{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}}})
	good := func() *sigv4.Signer {
		return &sigv4.Signer{Region: "us-east-1", Service: "execute-api", Credentials: sigv4.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}}
	}
	with := func(f func(*sigv4.Signer)) *sigv4.Signer { sg := good(); f(sg); return sg }
	now := time.Now()
	cases := []struct {
		name      string
		signer    *sigv4.Signer // nil: unsigned
		at        time.Time
		tamper    string
		header    []string // for unsigned requests
		restMsg   string   // the start of it
		errorType string
	}{
		{"unsigned", nil, now, "", nil, "Missing Authentication Token", "MissingAuthenticationTokenException"},
		{"a bearer token instead", nil, now, "", []string{"Authorization", "Bearer abc"}, "Authorization header requires 'Credential' parameter.", "IncompleteSignatureException"},
		{"the default pair the runner was not configured with", with(func(s *sigv4.Signer) { s.Credentials = DefaultCredentials }), now, "", nil,
			"The security token included in the request is invalid.", "UnrecognizedClientException"},
		{"a wrong secret", with(func(s *sigv4.Signer) { s.Credentials.SecretAccessKey = "x" }), now, "", nil,
			"The request signature we calculated does not match the signature you provided.", "InvalidSignatureException"},
		{"a tampered body", good(), now, `{"orderId":"o-2"}`, nil, "The request signature we calculated does not match", "InvalidSignatureException"},
		{"replayed outside the skew", good(), now.Add(-6 * time.Minute), "", nil, "Signature expired: ", "InvalidSignatureException"},
		{"dated in the future", good(), now.Add(10 * time.Minute), "", nil, "Signature not yet current: ", "InvalidSignatureException"},
		{"another region", with(func(s *sigv4.Signer) { s.Region = "eu-west-1" }), now, "", nil, "Credential should be scoped to a valid region, not 'eu-west-1'.", "InvalidSignatureException"},
	}
	for _, c := range cases {
		for _, kind := range contract.Kinds {
			t.Run(c.name+"/"+string(kind), func(t *testing.T) {
				url := s.url(kind, "dev", "/queue")
				var got response
				if c.signer == nil {
					got = do(t, "POST", url, `{"orderId":"o-1"}`, c.header...)
				} else {
					got = signedDo(t, c.signer, c.at, "POST", url, `{"orderId":"o-1"}`, c.tamper)
				}
				checkIAMRefusal(t, kind, got, c.restMsg, c.errorType)
			})
		}
	}
	if d := queueDepth(t, s); d != "0" {
		t.Errorf("refused requests reached the queue: %s messages", d)
	}
	for _, kind := range contract.Kinds {
		if got := signedDo(t, good(), time.Now(), "POST", s.url(kind, "dev", "/queue"), `{"orderId":"o-1"}`, ""); got.status != 200 {
			t.Errorf("%s: a good signature got %d %s", kind, got.status, got.body)
		}
		// A signed GET with a query reaches the Lambda function.
		if got := signedDo(t, good(), time.Now(), "GET", s.url(kind, "dev", "/greeting?greeter=Ada%20L"), "", ""); got.status != 200 || !strings.Contains(got.body, "Hello, Ada L") {
			t.Errorf("%s: signed GET got %d %s", kind, got.status, got.body)
		}
	}
	if d := queueDepth(t, s); d != "2" {
		t.Errorf("queue holds %s messages, want the 2 signed ones", d)
	}
}

// presignedDo sends a request presigned by s at at for expires, its query then changed by
// tamperQuery and its body replaced by tamperBody when they are set.
func presignedDo(t *testing.T, s *sigv4.Signer, at time.Time, expires time.Duration, method, rawURL, body string, tamperQuery func(url.Values), tamperBody string) response {
	t.Helper()
	req := newSigned(t, method, rawURL, body)
	s.Presign(req, []byte(body), at, expires)
	if tamperQuery != nil {
		q := req.URL.Query()
		tamperQuery(q)
		req.URL.RawQuery = q.Encode()
	}
	return send(t, req, tamperBody)
}

// A presigned URL (SigV4 in the query string) is accepted on IAM routes of both kinds until
// its X-Amz-Expires has passed, past the header form's 5-minute skew; an expired or tampered
// one gets API Gateway's refusal and reaches no integration.
func TestIAMRoutesAcceptPresignedURLsUntilTheyExpire(t *testing.T) {
	s := serve(t, withAuthorization(t, "AWS_IAM"), Options{NoThrottle: true, Credentials: []sigv4.Credentials{
		{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}}})
	sg := &sigv4.Signer{Region: "us-east-1", Service: "execute-api", Credentials: sigv4.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}}
	now := time.Now()
	cases := []struct {
		name        string
		at          time.Time
		expires     time.Duration
		tamperQuery func(url.Values)
		tamperBody  string
		restMsg     string // "" is accepted
		errorType   string
	}{
		{"fresh", now, 15 * time.Minute, nil, "", "", ""},
		{"ten minutes old, valid for fifteen", now.Add(-10 * time.Minute), 15 * time.Minute, nil, "", "", ""},
		{"expired", now.Add(-20 * time.Minute), 15 * time.Minute, nil, "", "Signature expired: ", "InvalidSignatureException"},
		{"its expiry extended", now.Add(-20 * time.Minute), 15 * time.Minute, func(q url.Values) { q.Set("X-Amz-Expires", "3600") }, "",
			"The request signature we calculated does not match", "InvalidSignatureException"},
		{"a tampered body", now, 15 * time.Minute, nil, `{"orderId":"o-2"}`, "The request signature we calculated does not match", "InvalidSignatureException"},
		{"a tampered signature", now, 15 * time.Minute, func(q url.Values) { q.Set("X-Amz-Signature", strings.Repeat("0", 64)) }, "",
			"The request signature we calculated does not match", "InvalidSignatureException"},
		{"without its credential", now, 15 * time.Minute, func(q url.Values) { q.Del("X-Amz-Credential") }, "",
			"AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string parameters.", "IncompleteSignatureException"},
	}
	accepted := 0
	for _, c := range cases {
		for _, kind := range contract.Kinds {
			t.Run(c.name+"/"+string(kind), func(t *testing.T) {
				got := presignedDo(t, sg, c.at, c.expires, "POST", s.url(kind, "dev", "/queue"), `{"orderId":"o-1"}`, c.tamperQuery, c.tamperBody)
				if c.restMsg == "" {
					if got.status != 200 {
						t.Fatalf("%d %s, want 200", got.status, got.body)
					}
					accepted++
					return
				}
				checkIAMRefusal(t, kind, got, c.restMsg, c.errorType)
			})
		}
	}
	if d := queueDepth(t, s); d != strconv.Itoa(accepted) || accepted != 4 {
		t.Errorf("queue holds %s messages, want the %d accepted presigned ones (4)", d, accepted)
	}
	// A presigned GET with a query of its own reaches the Lambda function on both kinds.
	for _, kind := range contract.Kinds {
		if got := presignedDo(t, sg, now, time.Minute, "GET", s.url(kind, "dev", "/greeting?greeter=Ada"), "", nil, ""); got.status != 200 || !strings.Contains(got.body, "Hello, Ada") {
			t.Errorf("%s: presigned GET got %d %s", kind, got.status, got.body)
		}
	}
}

// checkIAMRefusal checks an IAM refusal: REST's 403 with its message (the start of it) and
// x-amzn-ErrorType, the HTTP API's 403 Forbidden.
func checkIAMRefusal(t *testing.T, kind contract.Kind, got response, restMsg, errorType string) {
	t.Helper()
	if got.status != 403 {
		t.Fatalf("status %d, want 403: %s", got.status, got.body)
	}
	if kind == contract.HTTP {
		if got.body != `{"message":"Forbidden"}` {
			t.Errorf("body %s", got.body)
		}
		return
	}
	if msg, _ := got.json(t)["message"].(string); !strings.HasPrefix(msg, restMsg) {
		t.Errorf("message %q, want %q…", msg, restMsg)
	}
	if et := got.header.Get("X-Amzn-Errortype"); et != errorType {
		t.Errorf("x-amzn-ErrorType %q, want %q", et, errorType)
	}
}

func TestIAMRoutesAcceptTheDefaultPairWhenConfiguredWithNone(t *testing.T) {
	s := serve(t, withAuthorization(t, "AWS_IAM"), Options{NoThrottle: true})
	sg := &sigv4.Signer{Region: "us-east-1", Service: "execute-api", Credentials: DefaultCredentials}
	for _, kind := range contract.Kinds {
		if got := signedDo(t, sg, time.Now(), "POST", s.url(kind, "prod", "/queue"), `{"a":1}`, ""); got.status != 200 {
			t.Errorf("%s: %d %s", kind, got.status, got.body)
		}
	}
}

// withAPIKeys is the golden template with API keys required on every REST method, and two
// keys in one usage plan on the dev stage (one enabled, one disabled), a third key in no
// plan, and the plan's throttle and quota.
func withAPIKeys(t *testing.T, rate, burst float64, quota int) *cfn.Template {
	tmpl := golden(t)
	var api string
	for id := range tmpl.Resources {
		if tmpl.Resources[id].Type == "AWS::ApiGateway::RestApi" {
			api = id
		}
	}
	for _, res := range tmpl.OfType("AWS::ApiGateway::Method") {
		res.Properties["ApiKeyRequired"] = true
	}
	key := func(id, value string, enabled bool) {
		tmpl.Resources[id] = &cfn.Resource{LogicalID: id, Type: "AWS::ApiGateway::ApiKey", Properties: map[string]any{"Enabled": enabled, "Value": value}}
	}
	key("GoodKey", "good-key-0123456789abcdef", true)
	key("DisabledKey", "disabled-key-0123456789abcdef", false)
	key("LooseKey", "loose-key-0123456789abcdef", true)
	tmpl.Resources["Plan"] = &cfn.Resource{LogicalID: "Plan", Type: "AWS::ApiGateway::UsagePlan", Properties: map[string]any{
		"ApiStages": []any{map[string]any{"ApiId": map[string]any{"Ref": api}, "Stage": "dev"}},
		"Throttle":  map[string]any{"RateLimit": rate, "BurstLimit": burst},
		"Quota":     map[string]any{"Limit": quota, "Period": "DAY"},
	}}
	for _, k := range []string{"GoodKey", "DisabledKey"} {
		tmpl.Resources["Plan"+k] = &cfn.Resource{LogicalID: "Plan" + k, Type: "AWS::ApiGateway::UsagePlanKey", Properties: map[string]any{
			"KeyId": map[string]any{"Ref": k}, "KeyType": "API_KEY", "UsagePlanId": map[string]any{"Ref": "Plan"}}}
	}
	return tmpl
}

func TestAPIKeysAreCheckedAgainstTheUsagePlanOfTheStage(t *testing.T) {
	s := serve(t, withAPIKeys(t, 1000, 1000, 1000), Options{})
	cases := []struct {
		name, stage string
		header      []string
		status      int
		body        string
	}{
		{"no key", "dev", nil, 403, `{"message":"Forbidden"}`},
		{"an unknown key", "dev", []string{"X-Api-Key", "nope-0123456789abcdefghij"}, 403, `{"message":"Forbidden"}`},
		{"a disabled key", "dev", []string{"X-Api-Key", "disabled-key-0123456789abcdef"}, 403, `{"message":"Forbidden"}`},
		{"a key in no usage plan", "dev", []string{"X-Api-Key", "loose-key-0123456789abcdef"}, 403, `{"message":"Forbidden"}`},
		{"a good key on a stage its plan does not cover", "prod", []string{"X-Api-Key", "good-key-0123456789abcdef"}, 403, `{"message":"Forbidden"}`},
		{"a good key", "dev", []string{"X-Api-Key", "good-key-0123456789abcdef"}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := do(t, "POST", s.url(contract.REST, c.stage, "/queue"), `{"a":1}`, c.header...)
			if got.status != c.status || (c.body != "" && got.body != c.body) {
				t.Fatalf("got %d %s, want %d %s", got.status, got.body, c.status, c.body)
			}
			if c.status == 403 && got.header.Get("X-Amzn-Errortype") != "ForbiddenException" {
				t.Errorf("x-amzn-ErrorType %q", got.header.Get("X-Amzn-Errortype"))
			}
		})
	}
	if d := queueDepth(t, s); d != "1" {
		t.Errorf("queue holds %s messages, want the one with a good key", d)
	}
	// The HTTP API has no API keys: its routes stay open.
	if got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`); got.status != 200 {
		t.Errorf("HTTP API: %d %s", got.status, got.body)
	}
}

func TestUsagePlanQuotaIsLimitExceededAndItsThrottleTooManyRequests(t *testing.T) {
	t.Run("quota exhausted mid-run", func(t *testing.T) {
		s := serve(t, withAPIKeys(t, 1000, 1000, 5), Options{})
		var statuses []int
		for range 8 {
			got := do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`, "X-Api-Key", "good-key-0123456789abcdef")
			statuses = append(statuses, got.status)
			if got.status == 429 && (got.body != `{"message":"Limit Exceeded"}` || got.header.Get("X-Amzn-Errortype") != "LimitExceededException") {
				t.Errorf("429 %s %s", got.body, got.header.Get("X-Amzn-Errortype"))
			}
		}
		want := []int{200, 200, 200, 200, 200, 429, 429, 429}
		if !equalInts(statuses, want) {
			t.Errorf("statuses %v, want %v", statuses, want)
		}
		if d := queueDepth(t, s); d != "5" {
			t.Errorf("queue holds %s, want the 5 within the quota", d)
		}
	})
	t.Run("throttled", func(t *testing.T) {
		s := serve(t, withAPIKeys(t, 1, 3, 1000), Options{})
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got := do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`, "X-Api-Key", "good-key-0123456789abcdef")
				mu.Lock()
				counts[got.status]++
				mu.Unlock()
				if got.status == 429 && got.body != `{"message":"Too Many Requests"}` {
					t.Errorf("429 %s", got.body)
				}
			}()
		}
		wg.Wait()
		if counts[200] < 3 || counts[200] > 4 || counts[200]+counts[429] != 10 {
			t.Errorf("statuses %v: want the plan's burst of 3 (4 if a token refilled) to pass", counts)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAPIKeysWithoutAValueGetAStableGeneratedOne(t *testing.T) {
	tmpl := withAPIKeys(t, 10, 10, 10)
	delete(tmpl.Resources["GoodKey"].Properties, "Value")
	s := serve(t, tmpl, Options{})
	var value string
	for _, k := range s.r.APIKeys() {
		if k.LogicalID == "GoodKey" {
			value = k.Value
			if !k.Generated || len(k.Value) != 40 || len(k.UsagePlans) != 1 {
				t.Errorf("key %+v", k)
			}
		}
	}
	if value != generatedKeyValue("Firstclass", "GoodKey") {
		t.Errorf("value %q is not the stable one", value)
	}
	if got := do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`, "X-Api-Key", value); got.status != 200 {
		t.Errorf("%d %s", got.status, got.body)
	}
}

func TestTrySignsIAMRoutesAndSendsTheAPIKey(t *testing.T) {
	tmpl := withAPIKeys(t, 100, 100, 1000)
	for _, res := range tmpl.OfType("AWS::ApiGatewayV2::Route") {
		res.Properties["AuthorizationType"] = "AWS_IAM"
	}
	for _, res := range tmpl.OfType("AWS::ApiGateway::Method") {
		res.Properties["AuthorizationType"] = "AWS_IAM"
	}
	s := serve(t, tmpl, Options{NoThrottle: true})
	if !s.r.UsesIAM() {
		t.Error("UsesIAM is false")
	}
	for _, try := range TryAll(t.Context(), s.r.Targets("dev", TableSamples(routes.Routes))) {
		if try.Failed() {
			t.Errorf("%s %s %s: %d %s %v", try.Kind, try.Stage, try.Key, try.Status, try.Body, try.Err)
		}
	}
}

// goldenMode is the golden template test/ keeps for an auth mode.
func goldenMode(t testing.TB, mode string) *cfn.Template {
	t.Helper()
	tmpl, err := cfn.LoadTemplate(filepath.Join(moduleDir(t), "test/testdata/Firstclass-"+mode+".template.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestTheIAMModeStackServesSignedRequestsWithItsAPIKey(t *testing.T) {
	s := serve(t, goldenMode(t, "iam"), Options{NoThrottle: true})
	keys := s.r.APIKeys()
	if len(keys) != 1 || !keys[0].Generated || len(keys[0].UsagePlans) != 2 {
		t.Fatalf("API keys %+v", keys)
	}
	if s.out[contract.APIKeyValueOutput] != keys[0].Value || s.out[contract.APIKeyIDOutput] != keys[0].ID {
		t.Errorf("outputs %s=%q %s=%q, want the key %+v", contract.APIKeyValueOutput, s.out[contract.APIKeyValueOutput], contract.APIKeyIDOutput, s.out[contract.APIKeyIDOutput], keys[0])
	}
	for _, stage := range []string{"dev", "prod"} {
		for _, try := range TryAll(t.Context(), s.r.Targets(stage, TableSamples(routes.Routes))) {
			if try.Failed() {
				t.Errorf("%s %s %s: %d %s %v", try.Kind, try.Stage, try.Key, try.Status, try.Body, try.Err)
			}
		}
	}
	// Signed but without the key, REST refuses; the HTTP API has no keys.
	sg := &sigv4.Signer{Region: "us-east-1", Service: "execute-api", Credentials: DefaultCredentials}
	if got := signedDo(t, sg, time.Now(), "POST", s.url(contract.REST, "prod", "/queue"), `{"a":1}`, ""); got.status != 403 || got.body != `{"message":"Forbidden"}` {
		t.Errorf("REST without a key: %d %s", got.status, got.body)
	}
}
