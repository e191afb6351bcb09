package localapi

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"firstclass/internal/contract"
)

// methodARN is the ARN of the method a request calls: arn:aws:execute-api:REGION:ACCOUNT:
// API/STAGE/METHOD/path (routeArn on HTTP API 2.0).
func (c *lambdaCore) methodARN(x *exchange) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/%s", c.region, c.account, x.apiID, x.stage, x.req.Method, strings.TrimPrefix(x.path, "/"))
}

// event is the authorizer's event for the request.
func (c *lambdaCore) event(x *exchange, vals []string) map[string]any {
	arn := c.methodARN(x)
	if c.typ == "TOKEN" {
		return map[string]any{"type": "TOKEN", "authorizationToken": vals[0], "methodArn": arn}
	}
	headers, multiHeaders := map[string]string{}, map[string][]string{}
	for k, v := range x.req.Header {
		lk := strings.ToLower(k)
		headers[lk], multiHeaders[lk] = strings.Join(v, ","), v
	}
	query, multiQuery := map[string]string{}, map[string][]string{}
	for k, v := range x.req.URL.Query() {
		query[k], multiQuery[k] = strings.Join(v, ","), v
	}
	rc := map[string]any{"accountId": c.account, "apiId": x.apiID, "stage": x.stage, "requestId": x.id,
		"httpMethod": x.req.Method, "path": x.req.URL.Path, "resourcePath": x.resourcePath, "domainName": x.req.Host,
		"identity": map[string]any{"sourceIp": x.sourceIP, "userAgent": x.req.UserAgent()}, "requestTimeEpoch": x.start.UnixMilli()}
	if c.version == "2.0" {
		rc = map[string]any{"accountId": c.account, "apiId": x.apiID, "stage": x.stage, "requestId": x.id, "routeKey": x.routeKey,
			"domainName": x.req.Host, "time": x.start.UTC().Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": x.start.UnixMilli(),
			"http": map[string]any{"method": x.req.Method, "path": x.req.URL.Path, "protocol": x.req.Proto, "sourceIp": x.sourceIP, "userAgent": x.req.UserAgent()}}
		return map[string]any{"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": vals, "routeKey": x.routeKey,
			"rawPath": x.req.URL.Path, "rawQueryString": x.req.URL.RawQuery, "headers": headers, "queryStringParameters": query,
			"pathParameters": x.params, "stageVariables": x.stageVars, "requestContext": rc}
	}
	ev := map[string]any{"type": "REQUEST", "methodArn": arn, "resource": x.resourcePath, "path": x.req.URL.Path,
		"httpMethod": x.req.Method, "headers": headers, "multiValueHeaders": multiHeaders, "queryStringParameters": query,
		"multiValueQueryStringParameters": multiQuery, "pathParameters": x.params, "stageVariables": x.stageVars, "requestContext": rc}
	if c.kind == contract.HTTP {
		ev["version"], ev["identitySource"], ev["routeKey"] = "1.0", strings.Join(vals, ","), x.routeKey
		if len(vals) > 0 {
			ev["authorizationToken"] = vals[0]
		}
	}
	return ev
}

// read parses a function's answer; an error is a configuration error.
func (c *lambdaCore) read(payload []byte) (*authorizerAnswer, error) {
	var raw struct {
		PrincipalID    *string         `json:"principalId"`
		PolicyDocument json.RawMessage `json:"policyDocument"`
		Context        map[string]any  `json:"context"`
		UsageKey       string          `json:"usageIdentifierKey"`
		IsAuthorized   *bool           `json:"isAuthorized"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, fmt.Errorf("the authorizer's answer is not a JSON object: %v", err)
	}
	for k, v := range raw.Context {
		switch v.(type) {
		case string, float64, bool:
		default:
			return nil, fmt.Errorf("context %s is a %T; only strings, numbers and booleans are allowed", k, v)
		}
	}
	ans := &authorizerAnswer{context: raw.Context, usageKey: raw.UsageKey}
	if c.simple {
		if raw.IsAuthorized == nil {
			return nil, fmt.Errorf("a simple response needs isAuthorized")
		}
		ans.simple = raw.IsAuthorized
		return ans, nil
	}
	if raw.PrincipalID == nil || len(raw.PolicyDocument) == 0 {
		return nil, fmt.Errorf("the authorizer's answer has no principalId or policyDocument")
	}
	ans.principalID = *raw.PrincipalID
	var doc struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(raw.PolicyDocument, &doc); err != nil || len(doc.Statement) == 0 {
		return nil, fmt.Errorf("policyDocument is not a policy with statements")
	}
	for _, st := range doc.Statement {
		var s struct {
			Effect   string `json:"Effect"`
			Action   any    `json:"Action"`
			Resource any    `json:"Resource"`
		}
		if err := json.Unmarshal(st, &s); err != nil || (s.Effect != "Allow" && s.Effect != "Deny") {
			return nil, fmt.Errorf("policy statement %s has no Effect Allow or Deny", st)
		}
		actions, resources := stringList(s.Action), stringList(s.Resource)
		if len(actions) == 0 || len(resources) == 0 {
			return nil, fmt.Errorf("policy statement %s has no Action or Resource", st)
		}
		ans.policy = append(ans.policy, policyStatement{effect: s.Effect, actions: actions, resources: resources})
	}
	return ans, nil
}

func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// allows evaluates the policy for invoking arn: "deny", "allow" or "" (not covered).
func (ans *authorizerAnswer) allows(arn string) string {
	verdict := ""
	for _, st := range ans.policy {
		if !matchesAny(st.actions, "execute-api:Invoke") || !matchesAny(st.resources, arn) {
			continue
		}
		if st.effect == "Deny" {
			return "deny"
		}
		verdict = "allow"
	}
	return verdict
}

func matchesAny(patterns []string, s string) bool {
	for _, p := range patterns {
		// IAM wildcards: * any run, ? one character; path.Match's * stops at "/", so "/"
		// is swapped for a character ARNs do not use.
		pp, ss := strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00")
		if ok, _ := path.Match(strings.ReplaceAll(pp, "[", "\\["), ss); ok || p == "*" {
			return true
		}
	}
	return false
}

// apply lets the request through, or refuses it, by the answer.
func (a lambdaAuthorizer) apply(x *exchange, ans *authorizerAnswer) *gatewayError {
	if ans.simple != nil {
		if !*ans.simple {
			x.authz.err = "isAuthorized is false"
			return fail(accessDenied, "")
		}
	} else {
		switch ans.allows(a.methodARN(x)) {
		case "deny":
			x.authz.err = "explicit deny"
			return a.denied("User is not authorized to access this resource with an explicit deny")
		case "":
			x.authz.err = "the policy does not allow the method"
			return a.denied("User is not authorized to access this resource")
		}
	}
	vars, vtl := map[string]string{}, map[string]any{}
	for k, v := range ans.context {
		vars[k], vtl[k] = claimString(v), v
	}
	if ans.principalID != "" {
		vars["principalId"], vtl["principalId"] = ans.principalID, ans.principalID
	}
	x.authz.vars, x.authz.vtl, x.authz.usageKey = vars, vtl, ans.usageKey
	if a.kind == contract.HTTP {
		ctx := map[string]any{}
		for k, v := range ans.context {
			ctx[k] = v
		}
		x.authorizerV2 = map[string]any{"lambda": ctx}
	}
	return nil
}

// denied is a policy's refusal: REST's body has a capital M (see the sources above).
func (a lambdaAuthorizer) denied(message string) *gatewayError {
	e := fail(accessDenied, message)
	if a.kind != contract.HTTP {
		e.rawBody = `{"Message":"` + message + `"}`
	}
	return e
}
