package localapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/jwtauth"
	"firstclass/internal/sigv4"
	"firstclass/routes"
)

// benchAuthFor is how the bench authenticates against a served auth-mode stack.
func benchAuthFor(mode string, out contract.Outputs) *bench.Auth {
	a := &bench.Auth{Mode: mode, Region: "us-east-1", APIKey: out[contract.APIKeyValueOutput]}
	switch mode {
	case "iam":
		a.Credentials = DefaultCredentials
	case "jwt", "lambda":
		a.Tokens = &jwtauth.TokenSource{TokenURL: out[contract.TokenURLOutput], ClientID: out[contract.UserPoolClientIDOutput],
			ClientSecret: out[contract.UserPoolClientSecretOutput], Scopes: []string{out[contract.OAuthScopeOutput]}}
	}
	return a
}

// A bench run per auth mode against the runner: every request gets through its authorizer
// and every 2xx is found downstream.
func TestBenchCompletesWithNoMissingInEveryAuthMode(t *testing.T) {
	for _, mode := range []string{"iam", "jwt", "lambda"} {
		t.Run(mode, func(t *testing.T) {
			s := serve(t, goldenMode(t, mode), Options{NoThrottle: true})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rep, err := bench.Run(ctx, bench.Config{Outputs: s.out, Stage: "prod", Rate: 20, Warmup: 300 * time.Millisecond,
				Duration: time.Second, Routes: routes.Routes, Auth: benchAuthFor(mode, s.out), RunID: mode})
			if err != nil {
				t.Fatal(err)
			}
			if f := rep.Failed(); len(f) > 0 {
				t.Errorf("bench failed: %v", f)
			}
			purges := uint64(0)
			for _, r := range rep.Results {
				if r.Route == routes.PurgeScratchRoute.Name {
					// One purge a minute from either API: every other is SQS's refusal.
					if r.Refused != r.Requests-r.OK || r.Delivery == nil || r.Delivery.Missing != 0 {
						t.Errorf("%s: %d of %d ok, %d refused (errors %v), delivery %+v", r.Key(), r.OK, r.Requests, r.Refused, r.Errors, r.Delivery)
					} else {
						purges += r.Delivery.Delivered
					}
				} else if r.OK != r.Requests || r.Delivery == nil || r.Delivery.Missing != 0 || r.Delivery.Delivered == 0 {
					t.Errorf("%s: %d of %d ok (errors %v), delivery %+v", r.Key(), r.OK, r.Requests, r.Errors, r.Delivery)
				}
				if mode == "lambda" && (r.Authorizer == nil || r.Authorizer.Count() == 0) {
					t.Errorf("%s: no authorizer latency from the access log", r.Key())
				}
			}
			// Each mode serves a runner of its own, whose scratch queue no purge has reached.
			if purges != 1 {
				t.Errorf("%d purges delivered, want the one SQS allows a minute", purges)
			}
			var table strings.Builder
			rep.WriteTable(&table)
			t.Log("\n" + table.String())
		})
	}
}

// BenchmarkAuthOverhead serves the same route, POST /queue, from the open stack and from each
// auth mode's stack in one run, in process (no socket): the difference per request is the
// authorizer's. lambda-cached has its answer cached by identity source (the stacks' 5-minute
// TTL); lambda-uncached has a 0 TTL, so every request invokes the authorizer function. The
// client's own work (signing, fetching tokens) is not in the loop: one signed request or
// token is sent again and again, as the verifier allows within the clock skew.
func BenchmarkAuthOverhead(b *testing.B) {
	uncached := func(t *cfn.Template) {
		for _, typ := range []string{"AWS::ApiGatewayV2::Authorizer", "AWS::ApiGateway::Authorizer"} {
			for _, res := range t.OfType(typ) {
				res.Properties["AuthorizerResultTtlInSeconds"] = 0.0
			}
		}
	}
	modes := []struct {
		name, golden string
		mutate       func(*cfn.Template)
	}{
		{"none", "", nil}, {"iam", "iam", nil}, {"jwt", "jwt", nil}, {"lambda-cached", "lambda", nil}, {"lambda-uncached", "lambda", uncached},
	}
	body := `{"orderId":"o-1","amount":42}`
	for _, m := range modes {
		tmpl := golden(b)
		if m.golden != "" {
			tmpl = goldenMode(b, m.golden)
		}
		if m.mutate != nil {
			m.mutate(tmpl)
		}
		s := serve(b, tmpl, Options{NoThrottle: true})
		for i, kind := range contract.Kinds {
			u := JoinURL(s.out[contract.APIURLOutput(kind, "prod")], "/queue")
			header := authHeader(b, m.golden, s, kind, u, body)
			h := s.r.listeners[s.r.served()[i].logical()]
			b.Run(m.name+"/"+string(kind), func(b *testing.B) {
				b.ReportAllocs()
				w := &discardWriter{h: http.Header{}}
				for range b.N {
					req := httptest.NewRequest("POST", u, strings.NewReader(body))
					req.Header = header.Clone()
					clear(w.h)
					w.status = 0
					h.ServeHTTP(w, req)
					if w.status != 200 {
						b.Fatalf("status %d", w.status)
					}
				}
			})
		}
	}
}

// authHeader is the header of a request that gets through the mode's authorizer.
func authHeader(b *testing.B, mode string, s *served, kind contract.Kind, u, body string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if k := s.out[contract.APIKeyValueOutput]; k != "" && kind == contract.REST {
		h.Set("X-Api-Key", k)
	}
	switch mode {
	case "iam":
		req := httptest.NewRequest("POST", u, strings.NewReader(body))
		req.Header = h
		(&sigv4.Signer{Region: "us-east-1", Service: "execute-api", Credentials: DefaultCredentials}).Sign(req, []byte(body), time.Now())
		return req.Header
	case "jwt", "lambda":
		tok, err := (&jwtauth.TokenSource{TokenURL: s.out[contract.TokenURLOutput], ClientID: s.out[contract.UserPoolClientIDOutput],
			ClientSecret: s.out[contract.UserPoolClientSecretOutput], Scopes: []string{s.out[contract.OAuthScopeOutput]}}).Token()
		if err != nil {
			b.Fatal(err)
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	return h
}

// BenchmarkAuthorize measures the authorizer step alone, for POST /queue of each mode's
// stack: what a request spends in authorization, without the integration's noise. none is
// the baseline (no authorizer: the step is skipped).
func BenchmarkAuthorize(b *testing.B) {
	body := `{"orderId":"o-1","amount":42}`
	for _, m := range []struct{ name, golden string }{{"iam", "iam"}, {"jwt", "jwt"}, {"lambda-cached", "lambda"}, {"lambda-uncached", "lambda"}} {
		tmpl := goldenMode(b, m.golden)
		if m.name == "lambda-uncached" {
			for _, typ := range []string{"AWS::ApiGatewayV2::Authorizer", "AWS::ApiGateway::Authorizer"} {
				for _, res := range tmpl.OfType(typ) {
					res.Properties["AuthorizerResultTtlInSeconds"] = 0.0
				}
			}
		}
		s := serve(b, tmpl, Options{NoThrottle: true})
		for _, kind := range contract.Kinds {
			u := JoinURL(s.out[contract.APIURLOutput(kind, "prod")], "/queue")
			header := authHeader(b, m.golden, s, kind, u, body)
			az, apiID := queueAuthorizer(b, s.r, kind)
			b.Run(m.name+"/"+string(kind), func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					req := httptest.NewRequest("POST", u, strings.NewReader(body))
					req.Header = header.Clone()
					x := newExchange(&discardWriter{h: http.Header{}}, req, "id")
					x.body, x.stage, x.path, x.apiID, x.params, x.routeKey, x.resourcePath = []byte(body), "prod", "/queue", apiID, map[string]string{}, "POST /queue", "/queue"
					if e := az.authorize(x); e != nil {
						b.Fatalf("refused: %v", e)
					}
				}
			})
		}
	}
}

// queueAuthorizer is the authorizer of POST /queue on the runner's API of kind.
func queueAuthorizer(b *testing.B, r *Runner, kind contract.Kind) (authorizer, string) {
	if kind == contract.HTTP {
		for _, rt := range r.httpAPIs[0].routes {
			if rt.key == "POST /queue" {
				return rt.auth, r.httpAPIs[0].id
			}
		}
	} else {
		for _, c := range r.restAPIs[0].root.children {
			if c.path == "/queue" {
				return c.methods["POST"].auth, r.restAPIs[0].id
			}
		}
	}
	b.Fatal("no POST /queue")
	return nil, ""
}
