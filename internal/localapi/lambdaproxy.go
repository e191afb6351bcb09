package localapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"firstclass/internal/lambdalocal"
)

// Lambda proxy integrations with payload format 1.0: REST APIs' AWS_PROXY (what the CDK's
// LambdaIntegration and LambdaRestApi make) and HTTP APIs' AWS_PROXY with
// PayloadFormatVersion 1.0. The event is the same on both but for its requestContext; the
// answer is read more strictly by REST APIs.
//
// Sources, checked 2026-12-02:
//   - AWS, "Lambda proxy integrations in API Gateway" (set-up-lambda-proxy-integrations.html):
//     the input format (resource, path, httpMethod, headers, multiValueHeaders,
//     queryStringParameters, multiValueQueryStringParameters, pathParameters, stageVariables,
//     requestContext, body, isBase64Encoded) and the output format (isBase64Encoded, statusCode,
//     headers, multiValueHeaders, body), and that a malformed output is a 502.
//   - LocalStack's snapshots recorded against AWS: tests/aws/services/apigateway/
//     test_apigateway_lambda.snapshot.json test_lambda_aws_proxy_integration (the event: null
//     for absent query strings, path parameters, stage variables and body; single-value query
//     parameters hold the last value; identity fields null but sourceIp and userAgent; a greedy
//     parameter without the trailing slash) and test_aws_proxy_response_payload_format_validation
//     (the answers below); test_apigateway_lambda.py test_lambda_aws_proxy_integration_non_post_method
//     (an integration method other than POST is a 500); test_apigateway_http.py
//     TestHttpApiAwsProxyIntegration (HTTP API 1.0: only a missing or non-numeric statusCode,
//     a non-object, or non-list multiValueHeaders fail, with a 500).
//
// REST API answers (each one tested in lambdaproxy_test.go):
//
//	not JSON, not an object (a string, null, an array)          502 {"message": "Internal server error"}
//	a key other than statusCode, headers, multiValueHeaders,
//	  body, isBase64Encoded                                      502
//	statusCode not a whole number or numeric text                502; "201" is 201; none is 200
//	headers not an object of strings or booleans (null: none)    502; true is sent as "true"
//	multiValueHeaders not an object of lists                      502
//	body not a string (null: none)                               502
//	a function error (errorMessage…)                             502
//	headers and multiValueHeaders of one name (any case)         every value, the multi-value ones first,
//	                                                               under the multi-value spelling
//	no Content-Type                                              application/json
//	isBase64Encoded                                              decoded only when binaryMediaTypes match
//	                                                               the request's Accept; else sent as text

// proxyEventV1 builds the payload 1.0 event; ctx is the requestContext.
func proxyEventV1(x *exchange, resource string, params, stageVars map[string]string, body []byte, binary bool, ctx map[string]any) []byte {
	req := x.req
	headers := map[string]string{}
	multi := map[string][]string{}
	for k, vs := range req.Header {
		headers[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	if req.Host != "" {
		headers["Host"], multi["Host"] = req.Host, []string{req.Host}
	}
	ev := map[string]any{
		"resource": resource, "path": x.path, "httpMethod": req.Method,
		"headers": headers, "multiValueHeaders": multi,
		"queryStringParameters": nil, "multiValueQueryStringParameters": nil,
		"pathParameters": nil, "stageVariables": nil, "requestContext": ctx,
		"body": nil, "isBase64Encoded": false,
	}
	if q := req.URL.Query(); len(q) > 0 {
		single := map[string]string{}
		for k, vs := range q {
			single[k] = vs[len(vs)-1]
		}
		ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = single, map[string][]string(q)
	}
	if len(params) > 0 {
		ev["pathParameters"] = params
	}
	if len(stageVars) > 0 {
		ev["stageVariables"] = stageVars
	}
	if len(body) > 0 {
		if binary || !utf8.Valid(body) {
			ev["body"], ev["isBase64Encoded"] = base64.StdEncoding.EncodeToString(body), true
		} else {
			ev["body"] = string(body)
		}
	}
	b, _ := json.Marshal(ev)
	return b
}

// v1Identity is requestContext.identity: null but for what the request carries (its address
// and user agent, the caller an IAM authorizer verified, the API key a method required).
func v1Identity(x *exchange) map[string]any {
	id := map[string]any{}
	for _, k := range []string{"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
		"cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "user", "userArn"} {
		id[k] = nil
	}
	for k, v := range x.identityMap() {
		id[k] = v
	}
	return id
}

// withAuthorizer adds requestContext.authorizer when an authorizer let the request through:
// on a REST API what $context.authorizer holds (a Lambda authorizer's principalId and
// context, a Cognito authorizer's claims), on an HTTP API what its payload 2.0 event holds.
func withAuthorizer(ctx map[string]any, x *exchange, rest bool) map[string]any {
	if rest {
		if m := x.authz.vtlMap(); len(m) > 0 {
			ctx["authorizer"] = m
		}
	} else if x.authorizerV2 != nil {
		ctx["authorizer"] = x.authorizerV2
	}
	return ctx
}

// proxyAnswer is a function's answer as a proxy integration sends it to the client.
type proxyAnswer struct {
	status int
	header []headerField // in order, with their spelling
	body   []byte
	base64 bool // isBase64Encoded
}

type headerField struct{ name, value string }

// write sends the answer, with Content-Type application/json when it names none.
func (p *proxyAnswer) write(x *exchange) {
	h := x.w.Header()
	typed := false
	for _, f := range p.header {
		if strings.EqualFold(f.name, "Content-Type") {
			typed = true
		}
		h[f.name] = append(h[f.name], f.value)
	}
	if !typed {
		h.Set("Content-Type", "application/json")
	}
	x.respond(p.status, p.body)
}

// errMalformed is a proxy answer API Gateway refuses.
type errMalformed string

func (e errMalformed) Error() string {
	return "Execution failed due to configuration error: Malformed Lambda proxy response: " + string(e)
}

// parseProxyV1 reads a payload 1.0 answer; strict is a REST API's validation, else an HTTP
// API's, which ignores unknown keys but requires a statusCode.
func parseProxyV1(payload []byte, strict bool) (*proxyAnswer, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(payload, &doc); err != nil || doc == nil {
		return nil, errMalformed("not a JSON object")
	}
	ans := &proxyAnswer{status: http.StatusOK}
	for k := range doc {
		switch k {
		case "statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded":
		default:
			if strict {
				return nil, errMalformed("unknown field " + strconv.Quote(k))
			}
		}
	}
	status, ok, err := proxyStatus(doc["statusCode"])
	if err != nil {
		return nil, err
	}
	if !ok && !strict {
		return nil, errMalformed("no statusCode")
	}
	if ok {
		ans.status = status
	}
	single, err := proxyHeaders(doc["headers"])
	if err != nil {
		return nil, err
	}
	multi, err := proxyMultiHeaders(doc["multiValueHeaders"])
	if err != nil {
		return nil, err
	}
	ans.header = mergeHeaders(multi, single)
	if raw, ok := doc["body"]; ok && string(raw) != "null" {
		var body string
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, errMalformed("body is not a string")
		}
		ans.body = []byte(body)
	}
	if raw, ok := doc["isBase64Encoded"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &ans.base64); err != nil {
			return nil, errMalformed("isBase64Encoded is not a boolean")
		}
	}
	return ans, nil
}

// proxyStatus reads statusCode: a whole number, or numeric text.
func proxyStatus(raw json.RawMessage) (int, bool, error) {
	if raw == nil || string(raw) == "null" {
		return 0, false, nil
	}
	var v any
	json.Unmarshal(raw, &v)
	var n float64
	switch v := v.(type) {
	case float64:
		n = v
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, false, errMalformed("statusCode " + strconv.Quote(v) + " is not a number")
		}
		n = f
	default:
		return 0, false, errMalformed("statusCode is not a number")
	}
	if n != float64(int(n)) || n < 100 || n > 599 {
		return 0, false, errMalformed("statusCode " + strconv.FormatFloat(n, 'f', -1, 64) + " is not an HTTP status")
	}
	return int(n), true, nil
}

func proxyHeaders(raw json.RawMessage) ([]headerField, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errMalformed("headers is not an object")
	}
	var out []headerField
	for _, k := range sortedKeys(m) {
		switch v := m[k].(type) {
		case string:
			out = append(out, headerField{k, v})
		case bool:
			out = append(out, headerField{k, strconv.FormatBool(v)})
		default:
			return nil, errMalformed("header " + strconv.Quote(k) + " is not a string")
		}
	}
	return out, nil
}

func proxyMultiHeaders(raw json.RawMessage) ([]headerField, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errMalformed("multiValueHeaders is not an object")
	}
	var out []headerField
	for _, k := range sortedKeys(m) {
		list, ok := m[k].([]any)
		if !ok {
			return nil, errMalformed("multiValueHeaders " + strconv.Quote(k) + " is not a list")
		}
		for _, v := range list {
			switch v := v.(type) {
			case string:
				out = append(out, headerField{k, v})
			case bool:
				out = append(out, headerField{k, strconv.FormatBool(v)})
			default:
				return nil, errMalformed("multiValueHeaders " + strconv.Quote(k) + " holds a value that is not a string")
			}
		}
	}
	return out, nil
}

// mergeHeaders puts a name's single value after its multi-value ones, spelled as the first.
func mergeHeaders(multi, single []headerField) []headerField {
	out := append([]headerField(nil), multi...)
	for _, f := range single {
		name := f.name
		for _, m := range multi {
			if strings.EqualFold(m.name, f.name) {
				name = m.name
				break
			}
		}
		out = append(out, headerField{name, f.value})
	}
	return out
}

// invokeProxy invokes fn for a proxy integration within timeout: the function's result, or
// the gateway error API Gateway answers when the invocation itself fails.
func invokeProxy(x *exchange, fn *lambdalocal.Function, timeout time.Duration, event []byte) (lambdalocal.Result, *gatewayError) {
	ctx, cancel := integrationContext(x.req, timeout)
	defer cancel()
	began := time.Now()
	res, err := fn.Invoke(ctx, event)
	x.integLatency = time.Since(began)
	if err != nil {
		return res, invocationError(ctx, err)
	}
	x.integStatus = "200"
	x.integRequestID = res.RequestID
	return res, nil
}

// invocationError is what API Gateway answers when Lambda's Invoke API itself failed (the
// function never answered), on every kind of Lambda integration; ctx is the invocation's:
//
//	the integration timeout passed          INTEGRATION_TIMEOUT
//	the event over Lambda's 6 MB limit      REQUEST_TOO_LARGE: Lambda answers the invocation
//	  (RequestEntityTooLargeException 413)    413 and API Gateway answers 413 too. REST, recorded
//	                                          for an AWS_PROXY integration (koki-develop/
//	                                          lgtm-generator#10): {"message": "Request Too Long"}
//	                                          with x-amzn-ErrorType BadRequestException, spaced as
//	                                          an integration-phase message is. HTTP API: no
//	                                          recording against AWS; 413 {"message":"Request Entity
//	                                          Too Large"} is what AWS's own Lambda Test Tool answers
//	                                          for payload 1.0 and 2.0 (aws/aws-lambda-dotnet,
//	                                          LambdaTestTool-v2 LargePayloadTests). A REST custom
//	                                          (non-proxy) integration: not recorded; the proxy's
//	                                          answer, chosen because both call the same Invoke API
//	                                          and API Gateway answers its 413 as the request's size.
//	anything else                           INTEGRATION_FAILURE
//
// A response over Lambda's limit is not an Invoke error: Lambda answers 200 with a function
// error (Function.ResponseSizeTooLarge), which each integration answers as any function error
// (a REST proxy 502, azul#8258; an HTTP API 500; a custom integration its integration
// responses).
func invocationError(ctx context.Context, err error) *gatewayError {
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return integrationError(integrationTimeout, err.Error())
	case errors.Is(err, lambdalocal.ErrRequestTooLarge):
		return integrationError(requestTooLarge, err.Error())
	}
	return integrationError(integrationFailure, err.Error())
}

// restLambdaProxy is a REST API AWS_PROXY integration to a Lambda function.
type restLambdaProxy struct {
	fn      *lambdalocal.Function
	name    string
	timeout time.Duration
}

func newRESTLambdaProxy(a *restAPI, p *v1IntegrationProps) (restIntegration, error) {
	uri, err := parseServiceURI(p.Uri)
	if err != nil {
		return nil, err
	}
	if uri.service != "lambda" {
		return nil, cannot("AWS_PROXY integrations call Lambda functions", "an AWS_PROXY integration with %s is not emulated", uri.service)
	}
	if p.IntegrationHttpMethod != http.MethodPost {
		// AWS accepts it and answers every request 500 (LocalStack's non_post_method snapshot).
		return nil, cannot("set the integration's method to POST (the CDK's LambdaIntegration does)", "a Lambda proxy integration must call Lambda with POST, not %q; API Gateway answers every request with a 500", p.IntegrationHttpMethod)
	}
	fn, err := a.r.functionByARN(lambdaARN(p.Uri))
	if err != nil {
		return nil, err
	}
	if len(p.RequestTemplates) > 0 || len(p.IntegrationResponses) > 0 {
		return nil, cannot("remove them: a proxy integration sends the request as it is", "request templates and integration responses on a Lambda proxy integration are not emulated")
	}
	timeout := 29 * time.Second
	if ms, ok := p.TimeoutInMillis.number(); ok {
		timeout = time.Duration(ms) * time.Millisecond
	}
	return &restLambdaProxy{fn: fn, name: shortName(lambdaARN(p.Uri)), timeout: timeout}, nil
}

func (l *restLambdaProxy) describe() description {
	return description{what: "Lambda proxy (payload 1.0) → " + l.name}
}

func (l *restLambdaProxy) serve(x *exchange, c *restCall) *gatewayError {
	a := c.api
	ctx := map[string]any{
		"accountId": a.r.aws.Account(), "apiId": a.id, "deploymentId": localID(a.r.stack, a.logicalID+"/deployment"),
		"domainName": x.req.Host, "domainPrefix": a.id, "extendedRequestId": x.extID, "httpMethod": x.req.Method,
		"identity": v1Identity(x), "path": x.req.URL.Path, "protocol": x.req.Proto, "requestId": x.id,
		"requestTime": x.contextVar("requestTime", "", "", ""), "requestTimeEpoch": x.start.UnixMilli(),
		"resourceId": localID(a.r.stack, x.resourcePath), "resourcePath": x.resourcePath, "stage": c.stage.name,
	}
	event := proxyEventV1(x, x.resourcePath, c.params, c.stage.vars, x.body, a.isBinary(x.req.Header.Get("Content-Type")), withAuthorizer(ctx, x, true))
	res, e := invokeProxy(x, l.fn, l.timeout, event)
	if e != nil {
		if e.typ == integrationFailure {
			e.status = http.StatusBadGateway
		}
		return e
	}
	malformed := func(detail string) *gatewayError {
		e := integrationError(integrationFailure, detail)
		e.status = http.StatusBadGateway
		return e
	}
	if res.FunctionError != "" {
		return malformed("Lambda execution failed with status 200 due to customer function error: " + string(res.Payload))
	}
	ans, err := parseProxyV1(res.Payload, true)
	if err != nil {
		return malformed(err.Error())
	}
	if ans.base64 && a.acceptsBinary(x.req.Header.Get("Accept")) {
		dec, err := base64.StdEncoding.DecodeString(string(ans.body))
		if err != nil {
			return malformed("isBase64Encoded body is not base64")
		}
		ans.body = dec
	}
	ans.write(x)
	return nil
}

// lambdaProxyV1 is an HTTP API Lambda proxy integration with payload format 1.0.
type lambdaProxyV1 struct {
	fn      *lambdalocal.Function
	timeout time.Duration
	desc    description
}

func (l *lambdaProxyV1) describe() description { return l.desc }

func (l *lambdaProxyV1) serve(x *exchange, c *httpCall) *gatewayError {
	a := c.api
	resource := c.route.key
	if !c.route.isDefault {
		_, resource, _ = strings.Cut(c.route.key, " ")
	}
	ctx := map[string]any{
		"accountId": a.r.aws.Account(), "apiId": a.id, "domainName": x.req.Host, "domainPrefix": x.contextVar("domainPrefix", "", "", ""),
		"extendedRequestId": x.id, "httpMethod": x.req.Method, "identity": v1Identity(x), "path": x.req.URL.Path,
		"protocol": x.req.Proto, "requestId": x.id, "requestTime": x.contextVar("requestTime", "", "", ""),
		"requestTimeEpoch": x.start.UnixMilli(), "resourceId": c.route.key, "resourcePath": resource, "stage": c.stage.name,
	}
	event := proxyEventV1(x, resource, c.params, c.stage.vars, x.body, false, withAuthorizer(ctx, x, false))
	var ev map[string]any
	json.Unmarshal(event, &ev)
	ev["version"] = "1.0"
	event, _ = json.Marshal(ev)
	res, e := invokeProxy(x, l.fn, l.timeout, event)
	if e != nil {
		return e
	}
	if res.FunctionError != "" {
		return integrationError(integrationFailure, string(res.Payload))
	}
	ans, err := parseProxyV1(res.Payload, false)
	if err != nil {
		return integrationError(integrationFailure, err.Error())
	}
	if ans.base64 {
		dec, err := base64.StdEncoding.DecodeString(string(ans.body))
		if err != nil {
			return integrationError(integrationFailure, fmt.Sprintf("isBase64Encoded body is not base64: %v", err))
		}
		ans.body = dec
	}
	ans.write(x)
	return nil
}
