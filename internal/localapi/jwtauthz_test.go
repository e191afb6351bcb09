package localapi

import (
	"strings"
	"testing"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/jwtauth"
	"firstclass/routes"
)

// tokenFor gets an access token from the runner's local token endpoint, as a client does.
func tokenFor(t *testing.T, s *served) (string, *jwtauth.TokenSource) {
	t.Helper()
	ts := &jwtauth.TokenSource{TokenURL: s.out[contract.TokenURLOutput], ClientID: s.out[contract.UserPoolClientIDOutput],
		ClientSecret: s.out[contract.UserPoolClientSecretOutput], Scopes: []string{s.out[contract.OAuthScopeOutput]}}
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	return tok, ts
}

func (s *served) pool(t *testing.T) *userPool {
	t.Helper()
	p := s.r.pools.byID[s.out[contract.UserPoolIDOutput]]
	if p == nil {
		t.Fatal("no local user pool")
	}
	return p
}

func TestJWTModeServesTheClientCredentialsFlowOffline(t *testing.T) {
	s := serve(t, goldenMode(t, "jwt"), Options{NoThrottle: true})
	if !strings.HasPrefix(s.out[contract.TokenURLOutput], s.r.AWSEndpoint()+"/cognito-idp/") || s.out[contract.IssuerOutput] != s.pool(t).issuer.URL {
		t.Fatalf("outputs TokenUrl %s Issuer %s do not point at the runner", s.out[contract.TokenURLOutput], s.out[contract.IssuerOutput])
	}
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
}

// badTokens are the bad Authorization headers of issue 14 for a served stack with a user
// pool, by name, in the order the tests try them: each is the good token's claims with one
// thing wrong, signed by the pool's local issuer unless the signature is what is wrong.
func badTokens(t *testing.T, s *served) map[string]string {
	t.Helper()
	good, _ := tokenFor(t, s)
	is := s.pool(t).issuer
	client, scope := s.out[contract.UserPoolClientIDOutput], s.out[contract.OAuthScopeOutput]
	now := time.Now()
	claims := func(mut func(jwtauth.Claims)) string {
		c := jwtauth.Claims{"iss": is.URL, "client_id": client, "sub": client, "token_use": "access", "scope": scope,
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
		mut(c)
		return "Bearer " + is.Sign(c)
	}
	other, _ := jwtauth.NewIssuer(is.URL)
	parts := strings.Split(good, ".")
	return map[string]string{
		"missing":               "",
		"malformed":             "Bearer not-a-jwt",
		"expired":               claims(func(c jwtauth.Claims) { c["exp"] = now.Add(-time.Minute).Unix() }),
		"not yet valid":         claims(func(c jwtauth.Claims) { c["nbf"] = now.Add(time.Hour).Unix() }),
		"wrong audience":        claims(func(c jwtauth.Claims) { c["client_id"] = "someoneelse" }),
		"wrong scope":           claims(func(c jwtauth.Claims) { c["scope"] = "firstclass/read" }),
		"tampered signature":    "Bearer " + parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
		"signed by another key": "Bearer " + other.Sign(jwtauth.Claims{"iss": is.URL, "client_id": client, "scope": scope, "exp": now.Add(time.Hour).Unix()}),
	}
}

// authorization is the header list do sends for an Authorization value ("" for none).
func authorization(v string) []string {
	if v == "" {
		return nil
	}
	return []string{"Authorization", v}
}

func TestJWTModeRefusesBadTokensWithEachKindsAnswer(t *testing.T) {
	s := serve(t, goldenMode(t, "jwt"), Options{NoThrottle: true})
	good, _ := tokenFor(t, s)
	bad := badTokens(t, s)
	cases := []struct {
		name       string
		httpStatus int
		httpChall  string // the start of www-authenticate
		restStatus int
		restMsg    string
	}{
		{"missing", 401, "", 401, "Unauthorized"},
		{"malformed", 401, `Bearer scope="" error="invalid_token"`, 401, "Unauthorized"},
		{"expired", 401, `Bearer scope="" error="invalid_token" error_description="the token has expired"`, 401, "The incoming token has expired"},
		{"not yet valid", 401, `Bearer scope="" error="invalid_token"`, 401, "Unauthorized"},
		{"wrong audience", 401, `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`, 401, "Unauthorized"},
		{"wrong scope", 403, `Bearer scope="firstclass/invoke" error="insufficient_scope"`, 401, "Unauthorized"},
		{"tampered signature", 401, `Bearer scope="" error="invalid_token"`, 401, "Unauthorized"},
		{"signed by another key", 401, `Bearer scope="" error="invalid_token"`, 401, "Unauthorized"},
	}
	if len(cases) != len(bad) {
		t.Fatalf("%d cases for %d bad tokens", len(cases), len(bad))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := authorization(bad[c.name])
			got := do(t, "POST", s.url(contract.HTTP, "dev", "/queue"), `{"a":1}`, h...)
			want := map[int]string{401: `{"message":"Unauthorized"}`, 403: `{"message":"Forbidden"}`}[c.httpStatus]
			if got.status != c.httpStatus || got.body != want || !strings.HasPrefix(got.header.Get("Www-Authenticate"), c.httpChall) {
				t.Errorf("HTTP: %d %s www-authenticate %q, want %d %s %q…", got.status, got.body, got.header.Get("Www-Authenticate"), c.httpStatus, want, c.httpChall)
			}
			got = do(t, "POST", s.url(contract.REST, "dev", "/queue"), `{"a":1}`, h...)
			if got.status != c.restStatus || got.json(t)["message"] != c.restMsg || got.header.Get("X-Amzn-Errortype") != "UnauthorizedException" {
				t.Errorf("REST: %d %s %s, want %d %s", got.status, got.body, got.header.Get("X-Amzn-Errortype"), c.restStatus, c.restMsg)
			}
		})
	}
	if d := queueDepth(t, s); d != "0" {
		t.Errorf("refused requests reached the queue: %s", d)
	}
	// The runner is still up: the good token passes on both kinds.
	for _, kind := range contract.Kinds {
		if got := do(t, "POST", s.url(kind, "dev", "/queue"), `{"a":1}`, "Authorization", "Bearer "+good); got.status != 200 {
			t.Errorf("%s with a good token after the refusals: %d %s", kind, got.status, got.body)
		}
	}
}
