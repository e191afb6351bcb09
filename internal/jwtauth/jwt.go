// Package jwtauth validates JWT access tokens as API Gateway's JWT and Cognito authorizers
// do, and issues them as a Cognito user pool's token endpoint does for the client-credentials
// flow, with the standard library only. internal/localapi uses both (its JWT authorizers, and
// the local issuer that stands in for the user pool offline); the Lambda authorizer under
// lambda/authorizer validates with it; internal/bench fetches tokens from either issuer.
//
// Only RS256 is accepted, as Cognito signs. The checks run in the order AWS documents for
// HTTP API JWT authorizers ("Controlling access to HTTP APIs with JWT authorizers", checked
// 2026-12-02): the signature against the issuer's JWKS by kid, iss, aud or else client_id,
// exp, nbf, iat, then the route's scopes.
package jwtauth

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Claims are a token's payload.
type Claims map[string]any

// String is a string claim, "" when absent or not a string.
func (c Claims) String(name string) string {
	s, _ := c[name].(string)
	return s
}

// Scopes are the space-separated scope claim.
func (c Claims) Scopes() []string { return strings.Fields(c.String("scope")) }

func (c Claims) time(name string) (time.Time, bool, error) {
	v, ok := c[name]
	if !ok {
		return time.Time{}, false, nil
	}
	f, ok := v.(float64)
	if !ok {
		return time.Time{}, true, fmt.Errorf("claim %s is not a number", name)
	}
	return time.Unix(int64(f), 0), true, nil
}

// FailureKind is why a token is refused.
type FailureKind int

const (
	Missing           FailureKind = iota // no token
	Invalid                              // malformed, wrong signature, issuer, audience or time
	InsufficientScope                    // valid, without a scope the route requires
)

// Failure is a refused token: its kind and what API Gateway's $context.authorizer.error says.
type Failure struct {
	Kind        FailureKind
	Description string
}

func (f *Failure) Error() string { return f.Description }

func invalid(format string, args ...any) *Failure {
	return &Failure{Kind: Invalid, Description: fmt.Sprintf(format, args...)}
}

// Rules are what a token must satisfy.
type Rules struct {
	Issuer string
	// Audiences: the token's aud must be one, or, with no aud, its client_id.
	Audiences []string
	// Scopes: the token must have one of them; none requires none.
	Scopes []string
}

// KeySource finds the issuer's public key by kid.
type KeySource interface {
	Key(kid string) (*rsa.PublicKey, error)
}

// Validate checks token against rules at now. Descriptions: "the token does not have a valid
// audience" and "issuer does not match" are API Gateway's own (AWS's JWT authorizer
// troubleshooting page; $context.authorizer.error as HTTP API access logs record it); the
// others have no recording.
func Validate(token string, keys KeySource, rules Rules, now time.Time) (Claims, *Failure) {
	if token == "" {
		return nil, &Failure{Kind: Missing, Description: "missing: token not provided"}
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, invalid("token is malformed: it is not three base64url parts")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodePart(parts[0], &header); err != nil {
		return nil, invalid("token is malformed: header: %v", err)
	}
	var claims Claims
	if err := decodePart(parts[1], &claims); err != nil {
		return nil, invalid("token is malformed: claims: %v", err)
	}
	if header.Alg != "RS256" {
		return nil, invalid("signing method %s is invalid", header.Alg)
	}
	key, err := keys.Key(header.Kid)
	if err != nil {
		return nil, invalid("%v", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, invalid("token is malformed: signature: %v", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) != nil {
		return nil, invalid("crypto/rsa: verification error")
	}
	if claims.String("iss") != rules.Issuer {
		return nil, invalid("issuer does not match")
	}
	if !audienceMatches(claims, rules.Audiences) {
		return nil, invalid("the token does not have a valid audience")
	}
	exp, hasExp, err := claims.time("exp")
	switch {
	case err != nil:
		return nil, invalid("%v", err)
	case !hasExp:
		return nil, invalid("the token has no expiry")
	case !now.Before(exp):
		return nil, invalid("the token has expired")
	}
	if nbf, ok, err := claims.time("nbf"); err != nil || (ok && now.Before(nbf)) {
		return nil, invalid("the token is not valid yet")
	}
	if iat, ok, err := claims.time("iat"); err != nil || (ok && now.Before(iat)) {
		return nil, invalid("the token was issued in the future")
	}
	if len(rules.Scopes) > 0 && !slices.ContainsFunc(claims.Scopes(), func(s string) bool { return slices.Contains(rules.Scopes, s) }) {
		return claims, &Failure{Kind: InsufficientScope, Description: "the token does not have the required scopes"}
	}
	return claims, nil
}

func audienceMatches(c Claims, audiences []string) bool {
	if len(audiences) == 0 {
		return true
	}
	switch aud := c["aud"].(type) {
	case string:
		return slices.Contains(audiences, aud)
	case []any:
		for _, a := range aud {
			if s, ok := a.(string); ok && slices.Contains(audiences, s) {
				return true
			}
		}
		return false
	case nil:
		return slices.Contains(audiences, c.String("client_id"))
	}
	return false
}

func decodePart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// BearerToken is the token of an Authorization header value: what follows "Bearer ", or the
// whole value, as API Gateway's JWT authorizer takes either.
func BearerToken(v string) string {
	if t, ok := strings.CutPrefix(v, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return strings.TrimSpace(v)
}
