package main

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"firstclass/internal/jwtauth"
)

func TestHandleAnswersEachEventAsAPIGatewayExpects(t *testing.T) {
	is, err := jwtauth.NewIssuer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := Config{Issuer: is.URL, Audience: "client-1", Scope: "firstclass/invoke", Keys: is.Keys()}
	good := is.AccessToken("client-1", []string{"firstclass/invoke"}, now)
	noScope := is.AccessToken("client-1", []string{"firstclass/other"}, now)
	arn := "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/queue"
	cases := []struct {
		name    string
		event   map[string]any
		want    string // JSON of the answer
		wantErr error
	}{
		{"TOKEN with a good token", map[string]any{"type": "TOKEN", "authorizationToken": "Bearer " + good, "methodArn": arn},
			`{"principalId":"client-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*"}]},"context":{"clientId":"client-1","scope":"firstclass/invoke"}}`, nil},
		{"TOKEN with garbage", map[string]any{"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": arn}, "", ErrUnauthorized},
		{"REQUEST without the scope", map[string]any{"type": "REQUEST", "headers": map[string]string{"Authorization": noScope}, "methodArn": arn},
			`{"principalId":"client-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*"}]}}`, nil},
		{"REQUEST with no header", map[string]any{"type": "REQUEST", "headers": map[string]string{}, "methodArn": arn}, "", ErrUnauthorized},
		{"2.0 with a good token", map[string]any{"version": "2.0", "type": "REQUEST", "headers": map[string]string{"authorization": "Bearer " + good}, "routeArn": arn},
			`{"isAuthorized":true,"context":{"clientId":"client-1","scope":"firstclass/invoke"}}`, nil},
		{"2.0 with an expired token", map[string]any{"version": "2.0", "type": "REQUEST", "headers": map[string]string{"authorization": is.AccessToken("client-1", []string{"firstclass/invoke"}, now.Add(-2*time.Hour))}, "routeArn": arn},
			`{"isAuthorized":false}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			payload, _ := json.Marshal(tc.event)
			got, err := Handle(c, payload, now)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			b, _ := json.Marshal(got)
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
}
