package localapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"firstclass/internal/lambdalocal"
	"firstclass/internal/mapping"
)

// firstClass is an HTTP API first-class integration (AWS_PROXY with a subtype): the
// parameter mapping makes the service action's input, the local AWS runs it, and the client
// gets the service's own answer.
type firstClass struct {
	r       *Runner
	subtype *mapping.Subtype
	mapping *mapping.Mapping
	params  map[string]string // parameter → its mapping, for the trace
	// required are the subtype's required parameters.
	required []string
	desc     description
}

func newFirstClass(a *httpAPI, p *v2IntegrationProps) (httpIntegration, error) {
	st, ok := mapping.LookupSubtype(p.IntegrationSubtype)
	if !ok {
		return nil, fmt.Errorf("unknown integration subtype %q", p.IntegrationSubtype)
	}
	if _, ok := subtypeProtocols[st.Protocol]; !ok || !localServices[st.Service] {
		return nil, cannot("route it to a Lambda function, or leave it out of the local run", "subtype %s calls %s, which the local AWS does not run (it runs %s)", st.Name, st.Service, strings.Join(sortedKeys(localServices), ", "))
	}
	params := map[string]string{}
	for k, v := range p.RequestParameters {
		params[k] = string(v)
	}
	m, err := mapping.NewMapping(p.IntegrationSubtype, params)
	if err != nil {
		return nil, err
	}
	f := &firstClass{r: a.r, subtype: st, mapping: m, params: params, required: st.Required()}
	granted := func() string { return a.r.grantedResource(p.CredentialsArn, st.IAMAction) }
	f.desc = description{what: describeSubtype(st, params, granted), details: describeMapping(params)}
	return f, nil
}

func (f *firstClass) describe() description { return f.desc }

func (f *firstClass) serve(x *exchange, c *httpCall) *gatewayError {
	values := map[string]string{}
	// A required parameter whose mapping evaluates to nothing (or to empty text) is refused
	// before the service is called: 400 {"message":"Bad Request"}, as AWS answers it
	// (LocalStack's AWS-validated test_apigw_v2_http_kinesis_put_record_no_stream:
	// "missing required" and "empty required" are 400, a stream that does not exist 500).
	// An optional parameter that finds nothing is left out.
	if err := f.mapping.Evaluate(c.mappingRequest(x), values); err != nil {
		x.integError = err.Error()
		return fail(badRequestParameters, "")
	}
	for _, name := range f.required {
		if values[name] == "" {
			x.integError = "required parameter " + name + " is empty"
			return fail(badRequestParameters, "")
		}
	}
	if x.trace != nil {
		f.traceMapping(x.trace, values)
	}
	svcReq, err := f.r.subtypeCall(f.subtype, values)
	if err != nil {
		return integrationError(integrationFailure, err.Error())
	}
	began := time.Now()
	resp := f.r.callAWSTraced(x, svcReq)
	defer resp.release()
	x.integLatency = time.Since(began)
	x.integStatus = itoaOrEmpty(resp.status)
	x.integRequestID = resp.header.Get("X-Amzn-Requestid")
	if ct := resp.header.Get("Content-Type"); ct != "" {
		x.w.Header().Set("Content-Type", ct)
	}
	x.respond(resp.status, resp.body)
	return nil
}

// traceMapping records each mapped parameter's source and value: what API Gateway evaluates
// and logs nowhere.
func (f *firstClass) traceMapping(t *Trace, values map[string]string) {
	t.add("Integration: %s", f.desc.what) // not in AWS's words, nor the lines below
	for _, name := range sortedKeys(f.params) {
		if v, ok := values[name]; ok {
			t.add("Parameter mapping: %s = %s → %s", name, f.params[name], traceBody([]byte(v)))
		} else {
			t.add("Parameter mapping: %s = %s → no value: the parameter is left out", name, f.params[name])
		}
	}
}

// lambdaProxyV2 is an HTTP API Lambda proxy integration with payload format 2.0.
type lambdaProxyV2 struct {
	fn      *lambdalocal.Function
	arn     string
	timeout time.Duration
	desc    description
}

// newLambdaProxy is an HTTP API Lambda proxy integration of the payload format it names.
func newLambdaProxy(a *httpAPI, p *v2IntegrationProps) (httpIntegration, error) {
	fn, err := a.r.functionByARN(lambdaARN(p.IntegrationUri))
	if err != nil {
		return nil, err
	}
	if len(p.RequestParameters) > 0 {
		return nil, cannot("remove the mapping, or map in the function", "parameter mapping on a Lambda proxy integration is not emulated")
	}
	name := shortName(lambdaARN(p.IntegrationUri))
	switch p.PayloadFormatVersion {
	case "2.0":
		return &lambdaProxyV2{fn: fn, arn: lambdaARN(p.IntegrationUri), timeout: p.timeout(), desc: description{what: "Lambda proxy (payload 2.0) → " + name}}, nil
	case "1.0":
		return &lambdaProxyV1{fn: fn, timeout: p.timeout(), desc: description{what: "Lambda proxy (payload 1.0) → " + name}}, nil
	}
	return nil, fmt.Errorf("payload format version %q is neither 1.0 nor 2.0", p.PayloadFormatVersion)
}

func (l *lambdaProxyV2) describe() description { return l.desc }

// serve sends a payload format 2.0 event and turns the function's answer into the response,
// as an HTTP API Lambda proxy integration does.
func (l *lambdaProxyV2) serve(x *exchange, c *httpCall) *gatewayError {
	event := lambdaEventV2(x, c)
	ctx, cancel := integrationContext(x.req, l.timeout)
	defer cancel()
	began := time.Now()
	res, err := invokeTraced(ctx, x, l.fn, l.arn, event)
	x.integLatency = time.Since(began)
	if err != nil {
		return invocationError(ctx, err)
	}
	x.integStatus = "200"
	if res.FunctionError != "" {
		return integrationError(integrationFailure, string(res.Payload))
	}
	status, header, body, err := proxyResponse(res.Payload)
	if err != nil {
		return integrationError(integrationFailure, err.Error())
	}
	for k, v := range header {
		x.w.Header()[k] = v
	}
	x.respond(status, body)
	return nil
}

func lambdaEventV2(x *exchange, c *httpCall) []byte {
	req := x.req
	headers := map[string]string{}
	var cookies []string
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, cv := range v {
				for _, part := range strings.Split(cv, ";") {
					cookies = append(cookies, strings.TrimSpace(part))
				}
			}
			continue
		}
		headers[lk] = strings.Join(v, ",")
	}
	query := map[string]string{}
	for k, v := range req.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	a := c.api
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       c.route.key,
		"rawPath":        req.URL.Path,
		"rawQueryString": req.URL.RawQuery,
		"headers":        headers,
		"requestContext": map[string]any{
			"accountId": a.r.aws.Account(), "apiId": a.id, "domainName": req.Host, "domainPrefix": x.contextVar("domainPrefix", "", "", ""),
			"http":      map[string]any{"method": req.Method, "path": req.URL.Path, "protocol": req.Proto, "sourceIp": x.sourceIP, "userAgent": req.UserAgent()},
			"requestId": x.id, "routeKey": c.route.key, "stage": c.stage.name,
			"time": x.start.UTC().Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": x.start.UnixMilli(),
		},
		"isBase64Encoded": false,
	}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	if len(query) > 0 {
		ev["queryStringParameters"] = query
	}
	if len(c.params) > 0 {
		ev["pathParameters"] = c.params
	}
	if len(c.stage.vars) > 0 {
		ev["stageVariables"] = c.stage.vars
	}
	if x.authorizerV2 != nil {
		ev["requestContext"].(map[string]any)["authorizer"] = x.authorizerV2
	}
	if len(x.body) > 0 {
		if utf8.Valid(x.body) {
			ev["body"] = string(x.body)
		} else {
			ev["body"] = base64.StdEncoding.EncodeToString(x.body)
			ev["isBase64Encoded"] = true
		}
	}
	b, _ := json.Marshal(ev)
	return b
}

// lambdaARN takes a function ARN out of an integration URI, which is either the ARN itself
// or arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
func lambdaARN(uri string) string {
	if i := strings.Index(uri, "/functions/"); i >= 0 {
		return strings.TrimSuffix(uri[i+len("/functions/"):], "/invocations")
	}
	return uri
}

// proxyResponse reads a payload format 2.0 response (AWS, "Create AWS Lambda proxy integrations
// for HTTP APIs", http-api-develop-integrations-lambda.html, and the answers LocalStack's
// tests/aws/services/apigateway/test_apigateway_http.py
// test_aws_proxy_response_payload_format_validation_v2 records from AWS):
//   - a JSON object with a statusCode is a full response: statusCode a whole number or
//     numeric text, headers strings (a boolean is sent as text), cookies a list of strings,
//     body a string, decoded when isBase64Encoded; unknown keys are ignored; anything else
//     is a 500;
//   - an object without statusCode but with an errorMessage is taken for a failed function: 500;
//   - any other valid JSON (an object, a string, null) is the body of a 200 with Content-Type
//     application/json (AWS's documented inference).
func proxyResponse(payload []byte) (int, http.Header, []byte, error) {
	if !json.Valid(payload) {
		return 0, nil, nil, fmt.Errorf("the function returned invalid JSON")
	}
	header := http.Header{}
	var doc map[string]json.RawMessage
	if json.Unmarshal(payload, &doc) != nil || doc["statusCode"] == nil {
		if _, failed := doc["errorMessage"]; failed {
			return 0, nil, nil, fmt.Errorf("the function's answer is an error: %s", payload)
		}
		header.Set("Content-Type", "application/json")
		return http.StatusOK, header, payload, nil
	}
	status, _, err := proxyStatus(doc["statusCode"])
	if err != nil {
		return 0, nil, nil, err
	}
	fields, err := proxyHeaders(doc["headers"])
	if err != nil {
		return 0, nil, nil, err
	}
	for _, f := range fields {
		header.Set(f.name, f.value)
	}
	if raw := doc["cookies"]; raw != nil && string(raw) != "null" {
		var cookies []string
		if err := json.Unmarshal(raw, &cookies); err != nil {
			return 0, nil, nil, errMalformed("cookies is not a list of strings")
		}
		for _, c := range cookies {
			header.Add("Set-Cookie", c)
		}
	}
	var body []byte
	if raw := doc["body"]; raw != nil && string(raw) != "null" {
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, nil, nil, errMalformed("body is not a string")
		}
		body = []byte(text)
		var b64 bool
		json.Unmarshal(doc["isBase64Encoded"], &b64)
		if b64 {
			if body, err = base64.StdEncoding.DecodeString(text); err != nil {
				return 0, nil, nil, fmt.Errorf("isBase64Encoded body is not base64: %w", err)
			}
		}
	}
	return status, header, body, nil
}
