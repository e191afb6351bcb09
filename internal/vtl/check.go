package vtl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// CheckOptions adjusts Check.
type CheckOptions struct {
	// ExtraContext names further $context variables to accept, written as
	// after "$context.", e.g. "customDomain.basePathMatched".
	ExtraContext []string
}

// contextVars are the $context variables the API Gateway reference lists
// for data transformations (the access-logging-only ones are left out);
// "*" accepts any member below.
var contextVars = map[string]bool{
	"accountId": true, "apiId": true, "authorizer": true, "authorizer.*": true,
	"awsEndpointRequestId": true, "deploymentId": true, "domainName": true, "domainPrefix": true,
	"error.message": true, "error.messageString": true, "error.responseType": true,
	"error.validationErrorString": true, "extendedRequestId": true, "httpMethod": true,
	"identity": true, "identity.accountId": true, "identity.apiKey": true, "identity.apiKeyId": true,
	"identity.accessKey": true, "identity.caller": true, "identity.cognitoAuthenticationProvider": true,
	"identity.cognitoAuthenticationType": true, "identity.cognitoIdentityId": true,
	"identity.cognitoIdentityPoolId": true, "identity.principalOrgId": true, "identity.sourceIp": true,
	"identity.clientCert": true, "identity.clientCert.*": true, "identity.user": true,
	"identity.userAgent": true, "identity.userArn": true, "identity.vpcId": true, "identity.vpceId": true,
	"isCanaryRequest": true, "path": true, "protocol": true, "requestId": true,
	"requestOverride": true, "requestOverride.header": true, "requestOverride.header.*": true,
	"requestOverride.path": true, "requestOverride.path.*": true,
	"requestOverride.querystring": true, "requestOverride.querystring.*": true,
	"responseOverride": true, "responseOverride.header": true, "responseOverride.header.*": true,
	"responseOverride.status": true, "requestTime": true, "requestTimeEpoch": true,
	"resourceId": true, "resourcePath": true, "stage": true, "wafResponseCode": true, "webaclArn": true,
}

var mapMethods = set("get", "put", "containsKey", "containsValue", "keySet", "values", "entrySet",
	"size", "isEmpty", "remove", "putAll", "clear", "toString", "equals", "getOrDefault", "putIfAbsent")

// Check reports every $input, $util and $context member the template uses
// that API Gateway does not define, and every place that prints $input or
// $util themselves. The error joins *Error values located as
// name:line:col.
func Check(t *Template, opts CheckOptions) error {
	c := &checker{t: t, extra: map[string]bool{}}
	for _, e := range opts.ExtraContext {
		c.extra[e] = true
	}
	c.nodes(t.root)
	return errors.Join(c.errs...)
}

type checker struct {
	t     *Template
	extra map[string]bool
	errs  []error
}

func (c *checker) errorf(off int, format string, args ...any) {
	c.errs = append(c.errs, c.t.errorAt(off, format, args...))
}

func (c *checker) nodes(ns []node) {
	for _, n := range ns {
		switch n := n.(type) {
		case *refNode:
			c.ref(n.ref)
			if len(n.ref.parts) == 0 && (n.ref.root == "input" || n.ref.root == "util") {
				c.errorf(n.ref.off, "$%s cannot be printed", n.ref.root)
			}
		case *setNode:
			c.ref(n.lhs)
			c.expr(n.rhs)
		case *ifNode:
			for i := range n.conds {
				c.expr(n.conds[i])
				c.nodes(n.bodies[i])
			}
			c.nodes(n.elseBody)
		case *foreachNode:
			c.expr(n.iter)
			c.nodes(n.body)
		case *breakNode:
			if n.scope != nil {
				c.expr(n.scope)
			}
		}
	}
}

func (c *checker) expr(e expr) {
	switch e := e.(type) {
	case *refExpr:
		c.ref(e)
	case *strExpr:
		c.nodes(e.nodes)
	case *listExpr:
		for _, x := range e.elems {
			c.expr(x)
		}
	case *mapExpr:
		for i := range e.keys {
			c.expr(e.keys[i])
			c.expr(e.vals[i])
		}
	case *rangeExpr:
		c.expr(e.from)
		c.expr(e.to)
	case *binExpr:
		c.expr(e.l)
		c.expr(e.r)
	case *notExpr:
		c.expr(e.x)
	}
}

func (c *checker) ref(r *refExpr) {
	for _, p := range r.parts {
		for _, a := range p.args {
			c.expr(a)
		}
	}
	if len(r.parts) == 0 {
		return
	}
	p := r.parts[0]
	switch r.root {
	case "input":
		ok := p.kind == partProp && p.name == "body" ||
			p.kind == partMethod && (p.name == "getBody" && len(p.args) == 0 ||
				(p.name == "json" || p.name == "path") && len(p.args) == 1 ||
				p.name == "params" && len(p.args) <= 1)
		if !ok {
			c.errorf(p.off, "$input has no member %s (API Gateway defines body, json(x), path(x), params() and params(x))", describe(p))
		}
	case "util":
		ok := p.kind == partMethod && len(p.args) == 1
		switch p.name {
		case "escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode":
		default:
			ok = false
		}
		if !ok {
			c.errorf(p.off, "$util has no member %s (API Gateway defines escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode and base64Decode, each taking one argument)", describe(p))
		}
	case "context":
		var path []string
		for _, q := range r.parts {
			if q.kind != partProp {
				if q.kind == partMethod && !mapMethods[q.name] {
					c.errorf(q.off, "$context.%s has no method %s", strings.Join(path, "."), q.name)
				}
				break
			}
			path = append(path, q.name)
			name := strings.Join(path, ".")
			if c.extra[name] {
				return
			}
			if c.extraPrefix(name) {
				continue
			}
			if contextVars[name] {
				if contextVars[name+".*"] {
					return
				}
				continue
			}
			c.errorf(q.off, "$context has no variable %s", name)
			return
		}
	}
}

func (c *checker) extraPrefix(name string) bool {
	for e := range c.extra {
		if strings.HasPrefix(e, name+".") {
			return true
		}
	}
	return false
}

func describe(p refPart) string {
	if p.kind == partMethod {
		return fmt.Sprintf("%s(%d arguments)", p.name, len(p.args))
	}
	if p.kind == partIndex {
		return "[index]"
	}
	return p.name
}

// RenderJSON renders the template for a sample request and fails unless
// the body is valid JSON; for synth-time checks of templates meant to
// produce JSON (integration requests to AWS JSON APIs, Lambda payloads).
func RenderJSON(t *Template, in *Input) (*Output, error) {
	out, err := t.Render(in)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal([]byte(out.Body), &v); err != nil {
		where := ""
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(out.Body[:se.Offset], "\n")
			col := int(se.Offset) - strings.LastIndex(out.Body[:se.Offset], "\n")
			where = fmt.Sprintf(" at line %d, column %d of the output", line, col)
		}
		return out, fmt.Errorf("%s: rendered body is not valid JSON%s: %v", t.name, where, err)
	}
	return out, nil
}
