package jwtauth

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestValidateRefusesAsAPIGatewayDoes(t *testing.T) {
	is, err := NewIssuer("https://issuer.example/pool")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewIssuer("https://issuer.example/pool")
	now := time.Unix(1_800_000_000, 0)
	rules := Rules{Issuer: is.URL, Audiences: []string{"client-1"}, Scopes: []string{"firstclass/invoke"}}
	claims := func(mut func(Claims)) Claims {
		c := Claims{"iss": is.URL, "client_id": "client-1", "scope": "firstclass/invoke", "exp": float64(now.Add(time.Hour).Unix()), "iat": float64(now.Unix())}
		if mut != nil {
			mut(c)
		}
		return c
	}
	good := is.Sign(claims(nil))
	parts := strings.Split(good, ".")
	cases := []struct {
		name  string
		token string
		kind  FailureKind
		desc  string
	}{
		{"no token", "", Missing, "missing: token not provided"},
		{"not a JWT", "abc", Invalid, "token is malformed: it is not three base64url parts"},
		{"signed by another key", other.Sign(claims(nil)), Invalid, "no key"},
		{"a tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"`+is.URL+`","client_id":"client-1","scope":"firstclass/invoke","exp":9999999999}`)) + "." + parts[2], Invalid, "crypto/rsa: verification error"},
		{"another issuer", is.Sign(claims(func(c Claims) { c["iss"] = "https://evil" })), Invalid, "issuer does not match"},
		{"another client", is.Sign(claims(func(c Claims) { c["client_id"] = "client-2" })), Invalid, "the token does not have a valid audience"},
		{"an aud that is not the client", is.Sign(claims(func(c Claims) { c["aud"] = "client-2" })), Invalid, "the token does not have a valid audience"},
		{"expired", is.Sign(claims(func(c Claims) { c["exp"] = float64(now.Unix()) })), Invalid, "the token has expired"},
		{"not yet valid", is.Sign(claims(func(c Claims) { c["nbf"] = float64(now.Add(time.Minute).Unix()) })), Invalid, "the token is not valid yet"},
		{"without the scope", is.Sign(claims(func(c Claims) { c["scope"] = "firstclass/other" })), InsufficientScope, "the token does not have the required scopes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, f := Validate(c.token, is.Keys(), rules, now)
			if f == nil || f.Kind != c.kind || !strings.HasPrefix(f.Description, c.desc) {
				t.Errorf("got %+v, want kind %d %q", f, c.kind, c.desc)
			}
		})
	}
	if cl, f := Validate(good, is.Keys(), rules, now); f != nil || cl.String("client_id") != "client-1" {
		t.Errorf("a good token: %v", f)
	}
	if _, f := Validate(is.Sign(claims(func(c Claims) { c["aud"] = "client-1"; delete(c, "client_id") })), is.Keys(), rules, now); f != nil {
		t.Errorf("a token with the client as aud: %v", f)
	}
}

func TestClientCredentialsFlowAgainstTheIssuer(t *testing.T) {
	is, err := NewIssuer("")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(is)
	defer srv.Close()
	is.URL, is.TokenURL = srv.URL+"/pool", srv.URL+"/oauth2/token"
	is.AddClient(Client{ID: "client-1", Secret: "s3cret", Scopes: []string{"firstclass/invoke"}})

	ts := &TokenSource{TokenURL: is.TokenURL, ClientID: "client-1", ClientSecret: "s3cret", Scopes: []string{"firstclass/invoke"}}
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := ts.Token(); again != tok || ts.Fetches() != 1 {
		t.Errorf("the token was fetched again while valid (%d fetches)", ts.Fetches())
	}
	keys := &RemoteKeys{URL: JWKSURL(is.URL)}
	claims, f := Validate(tok, keys, Rules{Issuer: is.URL, Audiences: []string{"client-1"}, Scopes: []string{"firstclass/invoke"}}, time.Now())
	if f != nil || claims.String("token_use") != "access" || claims.String("sub") != "client-1" {
		t.Fatalf("validating the issued token: %v %v", f, claims)
	}

	for _, c := range []struct {
		name, id, secret, grant, scope, want string
	}{
		{"a wrong secret", "client-1", "nope", "client_credentials", "", "invalid_client"},
		{"an unknown client", "client-9", "s3cret", "client_credentials", "", "invalid_client"},
		{"another grant", "client-1", "s3cret", "password", "", "unsupported_grant_type"},
		{"a scope the client lacks", "client-1", "s3cret", "client_credentials", "firstclass/admin", "invalid_scope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", is.TokenURL, strings.NewReader("grant_type="+c.grant+"&scope="+c.scope))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.id, c.secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body strings.Builder
			buf := make([]byte, 512)
			n, _ := resp.Body.Read(buf)
			body.Write(buf[:n])
			if resp.StatusCode != 400 || body.String() != `{"error":"`+c.want+`"}` {
				t.Errorf("got %d %s, want 400 %s", resp.StatusCode, body.String(), c.want)
			}
		})
	}
}

func FuzzValidateNeverPanics(f *testing.F) {
	is, _ := NewIssuer("https://i")
	f.Add(is.Sign(Claims{"iss": "https://i", "exp": 1e10}))
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		Validate(token, is.Keys(), Rules{Issuer: "https://i"}, time.Now())
	})
}
