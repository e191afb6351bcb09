// Package main is firstclass's Lambda authorizer: it accepts a Cognito access token (the
// client-credentials flow of the stack's user pool, with the resource server's scope) in the
// Authorization header, for the three events API Gateway sends an authorizer:
//
//   - REST TOKEN (payload 1.0, authorizationToken): an IAM policy, or the error
//     "Unauthorized" that API Gateway answers 401;
//   - REST REQUEST (payload 1.0, headers): the same;
//   - HTTP API REQUEST (payload 2.0, simple responses): {"isAuthorized": …, "context": …}.
//
// An allowed caller's context (clientId, scope) reaches the integration as
// $context.authorizer.clientId and .scope. The policy allows the whole stage
// (API/STAGE/*), so that a result cached by identity source serves every route.
// The token is checked by internal/jwtauth against ISSUER's JWKS, AUDIENCE (the app client)
// and SCOPE, the environment the stack sets.
package main

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"firstclass/internal/jwtauth"
)

// Config is what the authorizer checks tokens against.
type Config struct {
	Issuer, Audience, Scope string
	Keys                    jwtauth.KeySource
}

// event is any of the authorizer events; version and type tell them apart.
type event struct {
	Version            string            `json:"version"`
	Type               string            `json:"type"`
	AuthorizationToken string            `json:"authorizationToken"`
	MethodArn          string            `json:"methodArn"`
	RouteArn           string            `json:"routeArn"`
	Headers            map[string]string `json:"headers"`
	IdentitySource     any               `json:"identitySource"`
}

// ErrUnauthorized is the error a payload 1.0 authorizer returns for API Gateway's 401.
var ErrUnauthorized = errors.New("Unauthorized")

type policyResponse struct {
	PrincipalID    string            `json:"principalId"`
	PolicyDocument policyDocument    `json:"policyDocument"`
	Context        map[string]string `json:"context,omitempty"`
}

type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Action   string `json:"Action"`
	Effect   string `json:"Effect"`
	Resource string `json:"Resource"`
}

type simpleResponse struct {
	IsAuthorized bool              `json:"isAuthorized"`
	Context      map[string]string `json:"context,omitempty"`
}

// Handle answers one authorizer event at now.
func Handle(c Config, payload json.RawMessage, now time.Time) (any, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	token := ev.AuthorizationToken
	if ev.Type == "REQUEST" {
		token = header(ev.Headers, "authorization")
	}
	claims, f := jwtauth.Validate(jwtauth.BearerToken(token), c.Keys,
		jwtauth.Rules{Issuer: c.Issuer, Audiences: []string{c.Audience}, Scopes: []string{c.Scope}}, now)
	ok := f == nil
	var ctx map[string]string
	if ok {
		ctx = map[string]string{"clientId": claims.String("client_id"), "scope": claims.String("scope")}
	}
	if ev.Version == "2.0" {
		return simpleResponse{IsAuthorized: ok, Context: ctx}, nil
	}
	if f != nil && f.Kind != jwtauth.InsufficientScope {
		return nil, ErrUnauthorized
	}
	effect, principal := "Allow", claims.String("client_id")
	if !ok {
		effect = "Deny"
	}
	return policyResponse{PrincipalID: principal, Context: ctx, PolicyDocument: policyDocument{Version: "2012-10-17",
		Statement: []statement{{Action: "execute-api:Invoke", Effect: effect, Resource: stageWildcard(ev.MethodArn)}}}}, nil
}

// stageWildcard is arn:…:API/STAGE/* of a method ARN arn:…:API/STAGE/METHOD/path.
func stageWildcard(arn string) string {
	parts := strings.SplitN(arn, "/", 3)
	if len(parts) < 2 {
		return arn
	}
	return parts[0] + "/" + parts[1] + "/*"
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
