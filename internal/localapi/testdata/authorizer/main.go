// Command authorizer is a test fixture: a Lambda authorizer that answers as its token says,
// for TOKEN, REQUEST (payload 1.0) and HTTP API payload 2.0 events:
//
//	allow-NAME    allows, with context {"who": NAME, "n": 7, "ok": true}
//	deny          an explicit Deny
//	elsewhere     an Allow for another API only (not covering the method)
//	unauthorized  the error "Unauthorized"
//	throw         another error
//	sleep         sleeps 3 s (beyond a 1 s function timeout)
//	malformed     an answer that is neither a policy nor a simple response
//	nested        a context value that is an object
package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Version            string            `json:"version"`
	AuthorizationToken string            `json:"authorizationToken"`
	Headers            map[string]string `json:"headers"`
	MethodArn          string            `json:"methodArn"`
	RouteArn           string            `json:"routeArn"`
}

func main() {
	lambda.Start(func(_ context.Context, ev event) (any, error) {
		token := ev.AuthorizationToken
		if token == "" {
			token = ev.Headers["authorization"]
		}
		token = strings.TrimPrefix(token, "Bearer ")
		arn := ev.MethodArn + ev.RouteArn
		policy := func(effect, resource string, ctx map[string]any) map[string]any {
			return map[string]any{"principalId": "fixture", "context": ctx, "policyDocument": map[string]any{"Version": "2012-10-17",
				"Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}}}}
		}
		simple := ev.Version == "2.0"
		switch {
		case strings.HasPrefix(token, "allow-"):
			ctx := map[string]any{"who": strings.TrimPrefix(token, "allow-"), "n": 7, "ok": true}
			if simple {
				return map[string]any{"isAuthorized": true, "context": ctx}, nil
			}
			return policy("Allow", arn, ctx), nil
		case token == "deny":
			if simple {
				return map[string]any{"isAuthorized": false}, nil
			}
			return policy("Deny", arn, nil), nil
		case token == "elsewhere":
			return policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:otherapi/*", nil), nil
		case token == "unauthorized":
			return nil, errors.New("Unauthorized")
		case token == "throw":
			return nil, errors.New("the authorizer broke")
		case token == "sleep":
			time.Sleep(3 * time.Second)
			return policy("Allow", arn, nil), nil
		case token == "nested":
			return policy("Allow", arn, map[string]any{"obj": map[string]any{"a": 1}}), nil
		}
		return json.RawMessage(`{"hello":"world"}`), nil
	})
}
