package bench

import (
	"fmt"
	"net/http"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/jwtauth"
	"firstclass/internal/sigv4"
)

// Auth is how the bench gets its requests through a protected stack (firstclass:authMode):
//
//   - iam: each request is signed with SigV4 for execute-api, after its body is final, by
//     internal/sigv4 (as fast as the AWS SDK's signer, BenchmarkSign; one signer per route ×
//     kind);
//   - jwt, lambda and lambda-token: each request carries Authorization: Bearer <access
//     token>, fetched from the token endpoint with the client-credentials grant and fetched
//     again a minute before it expires (one token source for the run);
//   - an API key, when set, goes as x-api-key on the REST API.
//
// The zero value sends requests as they are.
type Auth struct {
	Mode string // none, iam, jwt, lambda, lambda-token
	// Credentials and Region sign requests (iam).
	Credentials sigv4.Credentials
	Region      string
	// Tokens fetches access tokens (jwt, lambda, lambda-token).
	Tokens *jwtauth.TokenSource
	// APIKey is sent to the REST API.
	APIKey string
}

// Auth modes the bench knows.
var authModes = map[string]bool{"": true, "none": true, "iam": true, "jwt": true, "lambda": true, "lambda-token": true}

func (a *Auth) check() error {
	if a == nil {
		return nil
	}
	switch {
	case !authModes[a.Mode]:
		return fmt.Errorf("auth mode %q: use none, iam, jwt, lambda or lambda-token", a.Mode)
	case a.Mode == "iam" && (a.Credentials.AccessKeyID == "" || a.Credentials.SecretAccessKey == "" || a.Region == ""):
		return fmt.Errorf("auth mode iam needs an access key pair and the region to sign requests with")
	case (a.Mode == "jwt" || a.Mode == "lambda" || a.Mode == "lambda-token") && a.Tokens == nil:
		return fmt.Errorf("auth mode %s needs a token endpoint, client ID and secret", a.Mode)
	}
	return nil
}

// signer is one route × kind's way of adding credentials to its requests.
type signer struct {
	auth *Auth
	kind contract.Kind
	v4   *sigv4.Signer
}

func (a *Auth) signer(kind contract.Kind) *signer {
	if a == nil {
		return nil
	}
	s := &signer{auth: a, kind: kind}
	if a.Mode == "iam" {
		s.v4 = &sigv4.Signer{Region: a.Region, Service: "execute-api", Credentials: a.Credentials}
	}
	return s
}

// apply adds the credentials to req, whose body is body. A failure to get a token is the
// request's error: it is counted, as a transport error would be.
func (s *signer) apply(req *http.Request, body []byte) error {
	if s == nil {
		return nil
	}
	if s.auth.APIKey != "" && s.kind == contract.REST {
		req.Header.Set("X-Api-Key", s.auth.APIKey)
	}
	switch {
	case s.v4 != nil:
		s.v4.Sign(req, body, time.Now())
	case s.auth.Tokens != nil:
		tok, err := s.auth.Tokens.Token()
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}
