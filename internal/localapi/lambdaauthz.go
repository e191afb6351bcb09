package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/lambdalocal"
)

// Lambda authorizers (AuthorizationType CUSTOM): the authorizer's function is invoked as the
// Lambda it is, through the runner's functions, with the event of its type and payload
// version, and its answer read as API Gateway reads it:
//
//   - REST TOKEN: {"type":"TOKEN","authorizationToken","methodArn"}; REST REQUEST and HTTP
//     payload 1.0: the request (headers, query, path and stage variables, requestContext) with
//     "methodArn"; HTTP payload 2.0: the request with "routeArn" and "identitySource".
//   - A policy response {"principalId","policyDocument","context","usageIdentifierKey"}: an
//     explicit Deny for the method's ARN wins, then an Allow, else an implicit deny; simple
//     responses (HTTP 2.0 with EnableSimpleResponses) {"isAuthorized","context"}.
//   - context (string, number and boolean values) reaches the integration as
//     $context.authorizer.KEY (mappings, VTL, access logs), and the Lambda proxy event as
//     requestContext.authorizer (.lambda on HTTP 2.0).
//   - Answers are cached by authorizer and stage, keyed by the identity sources' values, for
//     AuthorizerResultTtlInSeconds (REST's default 300, HTTP's 0); an empty identity source
//     is refused 401 without invoking the function, as a TOKEN that fails
//     IdentityValidationExpression is.
//
// What each outcome answers. Sources (checked 2026-12-02): AWS, "Use API Gateway Lambda
// authorizers" and "Customizing HTTP API Lambda authorizer responses" (the events and
// responses; an error "Unauthorized" is a 401); recorded answers of deployed REST APIs:
// 403 {"Message":"User is not authorized to access this resource with an explicit deny"} for
// a Deny, 403 {"Message":"User is not authorized to access this resource"} for a policy that
// does not cover the method (both with a capital M, x-amzn-ErrorType AccessDeniedException),
// 401 {"message":"Unauthorized"} for a missing token; 500 with x-amzn-ErrorType
// AuthorizerConfigurationException when the function fails, times out or answers what is
// not a policy ("Execution failed due to configuration error: Authorizer error" in the
// execution log). The 500's body {"message": null} (the default template with a null
// $context.error.messageString) is in traces of deployed REST APIs: M. Gonzalez, "API
// Gateway + Lambda authorizer + Lambda proxy integration failure modes" (dev.to/marcogrcr:
// an authorizer that times out, 500 {"message": null}; a missing identity source, 401
// {"message":"Unauthorized"}; the Deny bodies with a capital M), L. Mammino, "Debugging
// custom ApiGateway authorizers" (loige.co, 2023: an authorizer's failure, 500
// {"message":null}). The HTTP API's 500 {"message":"Internal Server Error"} for an authorizer
// that fails or answers a malformed simple response: AWS Knowledge Center,
// "api-gateway-http-lambda-integrations" (an authorizer it cannot invoke: "Internal Server
// Error", with authorizerError in the access log), aws/aws-lambda-rust-runtime discussion
// #530 (a simple response the HTTP API cannot read: "Internal Server Error"). No recording
// of an HTTP API authorizer's timeout: it is answered as a failure, 500.
//
//	outcome                    REST                                                     HTTP API
//	no identity source         401 {"message":"Unauthorized"}                           401 {"message":"Unauthorized"}
//	error "Unauthorized"       401 {"message":"Unauthorized"}                           401 {"message":"Unauthorized"}
//	Deny / not covered         403 {"Message":"User is not authorized … explicit deny"}  403 {"message":"Forbidden"}
//	isAuthorized false         —                                                        403 {"message":"Forbidden"}
//	throws, times out, bad     500 {"message": null} AuthorizerConfigurationException   500 {"message":"Internal Server Error"}

// lambdaCore is one authorizer resource: its function, events and cache.
type lambdaCore struct {
	kind      contract.Kind
	typ       string // TOKEN or REQUEST
	version   string // payload format: "1.0" (REST, HTTP 1.0) or "2.0"
	simple    bool
	fn        *lambdalocal.Function
	arn       string
	source    identitySource
	regex     *regexp.Regexp // TOKEN's IdentityValidationExpression
	ttl       time.Duration
	timeout   time.Duration
	account   string
	region    string
	mu        sync.Mutex
	cache     map[string]cachedAnswer
	cacheHits int
	invokes   int
}

type cachedAnswer struct {
	answer *authorizerAnswer
	until  time.Time
}

// authorizerAnswer is a function's answer, read.
type authorizerAnswer struct {
	principalID string
	policy      []policyStatement
	simple      *bool
	context     map[string]any
	usageKey    string
}

type policyStatement struct {
	effect    string
	actions   []string
	resources []string
}

type lambdaAuthorizer struct{ *lambdaCore }

// authorizerTimeout is how long API Gateway waits for a Lambda authorizer.
const authorizerTimeout = 10 * time.Second

// v2LambdaAuthorizerProps are AWS::ApiGatewayV2::Authorizer's properties for a Lambda one.
type v2LambdaAuthorizerProps struct {
	ApiId                          string   `json:"ApiId"`
	AuthorizerType                 string   `json:"AuthorizerType"`
	AuthorizerUri                  string   `json:"AuthorizerUri"`
	AuthorizerPayloadFormatVersion string   `json:"AuthorizerPayloadFormatVersion"`
	EnableSimpleResponses          bool     `json:"EnableSimpleResponses"`
	IdentitySource                 []string `json:"IdentitySource"`
	AuthorizerResultTtlInSeconds   scalar   `json:"AuthorizerResultTtlInSeconds"`
	AuthorizerCredentialsArn       ignored  `json:"AuthorizerCredentialsArn"` // IAM is not enforced locally
	Name                           ignored  `json:"Name"`
}

// v1LambdaAuthorizerProps are AWS::ApiGateway::Authorizer's properties for a Lambda one.
type v1LambdaAuthorizerProps struct {
	RestApiId                    string  `json:"RestApiId"`
	Type                         string  `json:"Type"`
	AuthorizerUri                string  `json:"AuthorizerUri"`
	IdentitySource               string  `json:"IdentitySource"`
	IdentityValidationExpression string  `json:"IdentityValidationExpression"`
	AuthorizerResultTtlInSeconds *scalar `json:"AuthorizerResultTtlInSeconds"`
	AuthorizerCredentials        ignored `json:"AuthorizerCredentials"` // IAM is not enforced locally
	Name                         ignored `json:"Name"`
}

func newLambdaAuthorizer(r *Runner, d authDef) (authorizer, error) {
	if d.props == nil {
		return nil, fmt.Errorf("authorization CUSTOM names no authorizer")
	}
	jwtCoresMu.Lock()
	defer jwtCoresMu.Unlock()
	if core, ok := r.authorizerCores[d.authorizerID].(*lambdaCore); ok {
		return lambdaAuthorizer{core}, nil
	}
	core, err := r.lambdaCore(d)
	if err != nil {
		return nil, err
	}
	r.authorizerCores[d.authorizerID] = core
	return lambdaAuthorizer{core}, nil
}

func (r *Runner) lambdaCore(d authDef) (*lambdaCore, error) {
	c := &lambdaCore{kind: d.kind, version: "1.0", cache: map[string]cachedAnswer{}, timeout: authorizerTimeout,
		account: r.aws.Account(), region: r.aws.Region()}
	var uri string
	var sources []string
	if d.kind == contract.HTTP {
		var p v2LambdaAuthorizerProps
		if err := decodeInto(d.props, &p); err != nil {
			return nil, err
		}
		if p.AuthorizerType != "REQUEST" {
			return nil, fmt.Errorf("authorization CUSTOM names a %s authorizer", p.AuthorizerType)
		}
		c.typ, uri, sources, c.simple = "REQUEST", p.AuthorizerUri, p.IdentitySource, p.EnableSimpleResponses
		if p.AuthorizerPayloadFormatVersion != "" {
			c.version = p.AuthorizerPayloadFormatVersion
		}
		if n, ok := p.AuthorizerResultTtlInSeconds.number(); ok {
			c.ttl = time.Duration(n) * time.Second
		}
	} else {
		var p v1LambdaAuthorizerProps
		if err := decodeInto(d.props, &p); err != nil {
			return nil, err
		}
		if p.Type != "TOKEN" && p.Type != "REQUEST" {
			return nil, fmt.Errorf("authorization CUSTOM names a %s authorizer", p.Type)
		}
		c.typ, uri, sources, c.ttl = p.Type, p.AuthorizerUri, []string{p.IdentitySource}, 300*time.Second
		if p.AuthorizerResultTtlInSeconds != nil {
			n, _ := p.AuthorizerResultTtlInSeconds.number()
			c.ttl = time.Duration(n) * time.Second
		}
		if p.IdentityValidationExpression != "" {
			re, err := regexp.Compile("^(?:" + p.IdentityValidationExpression + ")$")
			if err != nil {
				return nil, fmt.Errorf("identity validation expression: %w", err)
			}
			c.regex = re
		}
	}
	if c.version != "1.0" && c.version != "2.0" {
		return nil, fmt.Errorf("authorizer payload format version %q is not 1.0 or 2.0", c.version)
	}
	src, err := parseIdentitySources(d.kind, sources)
	if err != nil {
		return nil, err
	}
	c.source, c.arn = src, lambdaARN(uri)
	if c.fn, err = r.functionByARN(c.arn); err != nil {
		return nil, err
	}
	return c, nil
}

func (a lambdaAuthorizer) authorize(x *exchange) *gatewayError {
	vals, missing := a.source.values(x)
	if missing && (len(a.source) > 0 || a.typ == "TOKEN") {
		x.authz.err = "identity source missing"
		return fail(unauthorized, "")
	}
	if a.regex != nil && !a.regex.MatchString(vals[0]) {
		x.authz.err = "identity validation expression did not match"
		return fail(unauthorized, "")
	}
	began := time.Now()
	key := x.stage + "\x00" + strings.Join(vals, "\x00")
	ans, e := a.answer(x, key, vals)
	x.authz.latency, x.authz.ran = time.Since(began), true
	if e != nil {
		return e
	}
	return a.apply(x, ans)
}

// answer is the function's answer for the identity, from the cache or an invocation.
func (a lambdaAuthorizer) answer(x *exchange, key string, vals []string) (*authorizerAnswer, *gatewayError) {
	if a.ttl > 0 && len(a.source) > 0 {
		a.mu.Lock()
		c, ok := a.cache[key]
		if ok && x.start.Before(c.until) {
			a.cacheHits++
			a.mu.Unlock()
			return c.answer, nil
		}
		a.mu.Unlock()
	}
	payload, err := json.Marshal(a.event(x, vals))
	if err != nil {
		return nil, a.configError(x, err.Error())
	}
	ctx, cancel := context.WithTimeout(x.req.Context(), a.timeout)
	defer cancel()
	began := time.Now()
	res, err := a.fn.Invoke(ctx, payload)
	x.authz.invoked, x.authz.integ = true, time.Since(began)
	a.mu.Lock()
	a.invokes++
	a.mu.Unlock()
	if err != nil {
		x.authz.status = 500
		return nil, a.configError(x, err.Error())
	}
	x.authz.status = 200
	if res.FunctionError != "" {
		var fe struct{ ErrorMessage string }
		json.Unmarshal(res.Payload, &fe)
		if fe.ErrorMessage == "Unauthorized" {
			x.authz.err = "Unauthorized"
			return nil, fail(unauthorized, "")
		}
		return nil, a.configError(x, "the authorizer failed: "+fe.ErrorMessage)
	}
	ans, err := a.read(res.Payload)
	if err != nil {
		return nil, a.configError(x, err.Error())
	}
	if a.ttl > 0 && len(a.source) > 0 {
		a.mu.Lock()
		a.cache[key] = cachedAnswer{answer: ans, until: x.start.Add(a.ttl)}
		a.mu.Unlock()
	}
	return ans, nil
}

// configError is API Gateway's answer to an authorizer that failed or answered nonsense.
func (a lambdaAuthorizer) configError(x *exchange, detail string) *gatewayError {
	x.authz.err = detail
	if a.kind == contract.HTTP {
		return fail(authorizerFailure, "")
	}
	e := fail(authorizerConfigurationError, "")
	e.messageJSON = "null"
	return e
}

// stats are the authorizer's invocations and cache hits.
func (c *lambdaCore) stats() (invokes, hits int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.invokes, c.cacheHits
}
