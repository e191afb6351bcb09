package localapi

import (
	"strconv"
	"strings"
)

// Gateway responses: what API Gateway answers itself, instead of the integration. Every such
// answer in the runner is a *gatewayError of one response type; the API kind decides how it is
// written (gatewayReply), and on a REST API an AWS::ApiGateway::GatewayResponse of the
// template may override it, as PutGatewayResponse does on AWS.
//
// Sources, checked 2026-12-02 (notes with the evidence for each line kept in the repository's
// history of this file's commit):
//   - AWS, "Gateway response types for API Gateway" (supported-gateway-response-types.html):
//     the types, their default status codes and the DEFAULT_4XX/DEFAULT_5XX fallback.
//   - LocalStack snapshots recorded against AWS (tests/aws/services/apigateway/
//     test_apigateway_api.snapshot.json TestApiGatewayGatewayResponse: every type's default
//     template is {"message":$context.error.messageString}; test_apigateway_common.snapshot.json
//     TestApigatewayRouting::test_routing_not_found: 403 MissingAuthenticationTokenException for
//     an unknown path or method; test_api_gateway_request_validator: "Missing required request
//     parameters: [...]" and "Invalid request body"; test_apigateway_integrations.snapshot.json
//     header_remapping: a 500 is {"message": "Internal server error"}, 36 bytes, with
//     x-amzn-ErrorType: InternalServerErrorException).
//   - Real traces where nothing is recorded: an integration-phase error's
//     $context.error.messageString starts with a space (DataBiosphere/azul#6284), which is why
//     AWS's 5xx bodies read {"message": "..."} and its 4xx {"message":"..."}; INTEGRATION_FAILURE
//     is sent as 502 for a Lambda error (azul#8192, #7470); INVALID_API_KEY is 403
//     {"message":"Forbidden"} with ForbiddenException (gettyimages-api#1); an HTTP API integration
//     timeout is 503 {"message":"Service Unavailable"} with no Content-Type (cortexlabs/cortex#1225).
//   - AWS, "Troubleshooting issues with HTTP API Lambda integrations": an HTTP API integration
//     error is 500 {"message":"Internal Server Error"}; "Routing API requests": 404
//     {"message":"Not Found"} for no stage or no route.
//
// Where nothing was found, the choice is marked "no recording" next to it.

// responseType is an API Gateway gateway response type.
type responseType string

const (
	accessDenied                 responseType = "ACCESS_DENIED"
	apiConfigurationError        responseType = "API_CONFIGURATION_ERROR"
	authorizerConfigurationError responseType = "AUTHORIZER_CONFIGURATION_ERROR"
	authorizerFailure            responseType = "AUTHORIZER_FAILURE"
	badRequestParameters         responseType = "BAD_REQUEST_PARAMETERS"
	badRequestBody               responseType = "BAD_REQUEST_BODY"
	default4XX                   responseType = "DEFAULT_4XX"
	default5XX                   responseType = "DEFAULT_5XX"
	expiredToken                 responseType = "EXPIRED_TOKEN"
	integrationFailure           responseType = "INTEGRATION_FAILURE"
	integrationTimeout           responseType = "INTEGRATION_TIMEOUT"
	invalidAPIKey                responseType = "INVALID_API_KEY"
	invalidSignature             responseType = "INVALID_SIGNATURE"
	missingAuthenticationToken   responseType = "MISSING_AUTHENTICATION_TOKEN"
	quotaExceeded                responseType = "QUOTA_EXCEEDED"
	requestTooLarge              responseType = "REQUEST_TOO_LARGE"
	resourceNotFound             responseType = "RESOURCE_NOT_FOUND"
	throttled                    responseType = "THROTTLED"
	unauthorized                 responseType = "UNAUTHORIZED"
	unsupportedMediaType         responseType = "UNSUPPORTED_MEDIA_TYPE"
	wafFiltered                  responseType = "WAF_FILTERED"
)

// restResponse is a response type's built-in answer on a REST API.
type restDefault struct {
	status    int
	message   string // $context.error.message when the error names none
	errorType string // the x-amzn-ErrorType header
}

// restDefaults are the REST API's response types. DEFAULT_4XX and DEFAULT_5XX have no answer
// of their own: they are what an override of every 4xx or 5xx type names.
var restDefaults = map[responseType]restDefault{
	accessDenied:                 {403, "User is not authorized to access this resource with an explicit deny", "AccessDeniedException"},
	apiConfigurationError:        {500, "Internal server error", "InternalServerErrorException"},
	authorizerConfigurationError: {500, "Internal server error", "AuthorizerConfigurationException"},
	authorizerFailure:            {500, "Internal server error", "AuthorizerFailureException"}, // no recording
	badRequestParameters:         {400, "Bad request parameters", "BadRequestException"},
	badRequestBody:               {400, "Invalid request body", "BadRequestException"},
	expiredToken:                 {403, "Signature expired", "ExpiredTokenException"}, // no recording
	integrationFailure:           {504, "Internal server error", "InternalServerErrorException"},
	integrationTimeout:           {504, "Endpoint request timed out", "InternalServerErrorException"},
	invalidAPIKey:                {403, "Forbidden", "ForbiddenException"},
	invalidSignature:             {403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", "InvalidSignatureException"},
	missingAuthenticationToken:   {403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
	quotaExceeded:                {429, "Limit Exceeded", "LimitExceededException"},
	requestTooLarge:              {413, "Request Too Long", "BadRequestException"},
	resourceNotFound:             {404, "Not Found", "ResourceNotFoundException"},
	throttled:                    {429, "Too Many Requests", "TooManyRequestsException"},
	unauthorized:                 {401, "Unauthorized", "UnauthorizedException"},
	// LocalStack's gateway_response.py (next_gen execute_api) names BadRequestException for
	// UNSUPPORTED_MEDIA_TYPE without the "validate this header with aws validated tests" mark
	// it puts on the types it has not checked against AWS.
	unsupportedMediaType: {415, "Unsupported Media Type", "BadRequestException"},
	wafFiltered:          {403, "Forbidden", "WafFilteredException"},
}

// httpDefaults are the HTTP API's answers: it has no gateway response types of its own, and
// no x-amzn-ErrorType header; its messages are capitalised differently from REST's.
var httpDefaults = map[responseType]struct {
	status  int
	message string
}{
	accessDenied:               {403, "Forbidden"},
	apiConfigurationError:      {500, "Internal Server Error"},
	authorizerFailure:          {500, "Internal Server Error"}, // traces, not a recording: lambdaauthz.go
	badRequestParameters:       {400, "Bad Request"},
	badRequestBody:             {400, "Bad Request"},
	integrationFailure:         {500, "Internal Server Error"},
	integrationTimeout:         {503, "Service Unavailable"},
	invalidSignature:           {403, "Forbidden"}, // no recording
	missingAuthenticationToken: {403, "Forbidden"}, // no recording
	requestTooLarge:            {413, "Request Entity Too Large"},
	resourceNotFound:           {404, "Not Found"},
	throttled:                  {429, "Too Many Requests"},
	unauthorized:               {401, "Unauthorized"},
}

// gatewayError is API Gateway answering instead of the integration.
type gatewayError struct {
	typ responseType
	// message is $context.error.message; "" for the type's default.
	message string
	// status, when set, is the status AWS sends instead of the type's default
	// (INTEGRATION_FAILURE is sent as 502 for a Lambda error).
	status int
	// afterIntegration says the error came once the request reached the integration phase:
	// its $context.error.messageString starts with a space, as AWS's does, so that the default
	// template writes {"message": "..."} (see the sources above).
	afterIntegration bool
	// validation is $context.error.validationErrorString (BAD_REQUEST_BODY).
	validation string
	// detail is the integration's own error, for $context.integration.error and the trace.
	detail string
	// errorType, when set, is the x-amzn-ErrorType a REST API sends instead of the type's.
	errorType string
	// plain, when set, is a text answer of API Gateway's front end, before any API: it has
	// none of the API's headers and no gateway response overrides it (REST's answer to a body
	// over 10 MB).
	plain string
	// front, when set, is one of the front end's own answers (frontend.go), the same on
	// every API of the kind.
	front *frontEndAnswer
	// headers are sent with the answer (an authorizer's WWW-Authenticate).
	headers map[string]string
	// messageJSON, when set, is $context.error.messageString as JSON ("null" for a Lambda
	// authorizer's failure); rawBody, when set, is the REST body when no gateway response
	// overrides the type (a policy's refusal, {"Message":…}).
	messageJSON, rawBody string
}

func (e *gatewayError) Error() string {
	msg := e.message
	if msg == "" {
		msg = restDefaults[e.typ].message
	}
	if e.detail != "" {
		return string(e.typ) + ": " + msg + ": " + e.detail
	}
	return string(e.typ) + ": " + msg
}

// fail is an error of type typ with a message of its own.
func fail(typ responseType, message string) *gatewayError {
	return &gatewayError{typ: typ, message: message}
}

// integrationError is a failure of the integration phase: a 5xx whose detail goes to the
// access log's integration error.
func integrationError(typ responseType, detail string) *gatewayError {
	return &gatewayError{typ: typ, afterIntegration: true, detail: detail}
}

// restMessage is $context.error.message of e on a REST API.
func (e *gatewayError) restMessage() string {
	if e.message != "" {
		return e.message
	}
	return restDefaults[e.typ].message
}

// messageString is $context.error.messageString: the message quoted as JSON, with a leading
// space for an integration-phase error.
func (e *gatewayError) messageString(message string) string {
	if e.messageJSON != "" {
		return e.messageJSON
	}
	q := strconv.Quote(message)
	if e.afterIntegration {
		return " " + q
	}
	return q
}

// writeHTTP answers e as an HTTP API does.
func (e *gatewayError) writeHTTP(x *exchange) {
	if e.front != nil {
		e.writeFront(x)
		return
	}
	d, ok := httpDefaults[e.typ]
	if !ok {
		d = httpDefaults[integrationFailure]
	}
	x.errorMessage, x.errorType = d.message, e.typ
	if e.detail != "" {
		x.integError = e.detail
	}
	for k, v := range e.headers {
		x.w.Header().Set(k, v)
	}
	if e.typ == integrationTimeout {
		// Sent with no Content-Type (cortexlabs/cortex#1225); a nil value keeps net/http
		// from sniffing one.
		x.w.Header()["Content-Type"] = nil
	} else {
		x.w.Header().Set("Content-Type", "application/json")
	}
	status := d.status
	if e.status != 0 && e.typ != integrationFailure {
		status = e.status
	}
	if x.trace != nil {
		x.traceFailure(e, status)
	}
	x.respond(status, jsonMessage(d.message, false))
}

// jsonMessage is {"message":"..."}, with the space AWS puts after the colon when spaced.
func jsonMessage(message string, spaced bool) []byte {
	q := strconv.Quote(message)
	if spaced {
		return []byte(`{"message": ` + q + `}`)
	}
	return []byte(`{"message":` + q + `}`)
}

// gatewayOverride is an AWS::ApiGateway::GatewayResponse: what a REST API answers for one
// response type instead of the built-in default.
type gatewayOverride struct {
	status    int               // 0: the type's own
	headers   map[string]string // header name → source: 'static' or method.request.*
	templates map[string]string // content type → body with $context / $stageVariables / method request values
}

// restGatewayResponses are one REST API's overrides, by response type.
type restGatewayResponses map[responseType]*gatewayOverride

// lookup is the override that applies to typ: its own, else DEFAULT_5XX for a type whose
// default status is a 5xx, DEFAULT_4XX for one that is a 4xx, else none.
func (g restGatewayResponses) lookup(typ responseType) *gatewayOverride {
	if o, ok := g[typ]; ok {
		return o
	}
	if restDefaults[typ].status >= 500 {
		return g[default5XX]
	}
	return g[default4XX]
}

// writeFront answers one of the front end's own errors: no API headers.
func (e *gatewayError) writeFront(x *exchange) {
	h := x.w.Header()
	h.Del("X-Amzn-Requestid")
	h.Del("X-Amz-Apigw-Id")
	h.Del("Apigw-Requestid")
	h.Set("Content-Type", e.front.contentType)
	h.Set("Connection", "close")
	x.errorMessage, x.errorType = e.front.body, e.typ
	if x.trace != nil {
		x.traceFailure(e, e.front.status)
	}
	x.respond(e.front.status, []byte(e.front.body))
}

// writePlain answers a front-end error: text, no API headers.
func (e *gatewayError) writePlain(x *exchange, status int) {
	h := x.w.Header()
	h.Del("X-Amzn-Requestid")
	h.Del("X-Amz-Apigw-Id")
	h.Del("Apigw-Requestid")
	h.Set("Content-Type", "text; charset=utf-8")
	x.errorMessage, x.errorType = e.plain, e.typ
	if x.trace != nil {
		x.traceFailure(e, status)
	}
	x.respond(status, []byte(e.plain))
}

// writeREST answers e as a REST API does, with the API's overrides applied.
func (e *gatewayError) writeREST(x *exchange, g restGatewayResponses, vars func(string) (string, bool)) {
	if e.front != nil {
		e.writeFront(x)
		return
	}
	if e.plain != "" {
		e.writePlain(x, restDefaults[e.typ].status)
		return
	}
	d, ok := restDefaults[e.typ]
	if !ok {
		d = restDefaults[apiConfigurationError]
	}
	msg := e.restMessage()
	x.errorMessage, x.errorType, x.errorValidation = msg, e.typ, e.validation
	if e.detail != "" {
		x.integError = e.detail
	}
	status := d.status
	if e.status != 0 {
		status = e.status
	}
	h := x.w.Header()
	errorType := d.errorType
	if e.errorType != "" {
		errorType = e.errorType
	}
	h.Set("X-Amzn-Errortype", errorType)
	for k, v := range e.headers {
		h.Set(k, v)
	}
	body := []byte(`{"message":` + e.messageString(msg) + `}`)
	if e.rawBody != "" {
		body = []byte(e.rawBody)
	}
	contentType := "application/json"
	if o := g.lookup(e.typ); o != nil {
		if o.status != 0 {
			status = o.status
		}
		for name, src := range o.headers {
			if v, ok := gatewayValue(src, x, vars); ok {
				h.Set(name, v)
			}
		}
		if t, ct := pickGatewayTemplate(o.templates, x.req.Header.Get("Accept")); ct != "" {
			body, contentType = []byte(renderGatewayTemplate(t, e, msg, x, vars)), ct
		}
	}
	h.Set("Content-Type", contentType)
	if x.trace != nil {
		x.traceFailure(e, status)
	}
	x.respond(status, body)
}

// gatewayValue is the value of a gateway response header source: 'static text' or a method
// request parameter.
func gatewayValue(src string, x *exchange, vars func(string) (string, bool)) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	switch {
	case strings.HasPrefix(src, "method.request.header."):
		v := x.req.Header.Get(strings.TrimPrefix(src, "method.request.header."))
		return v, v != ""
	case strings.HasPrefix(src, "method.request.querystring."):
		v := x.req.URL.Query().Get(strings.TrimPrefix(src, "method.request.querystring."))
		return v, v != ""
	case strings.HasPrefix(src, "method.request.path."), strings.HasPrefix(src, "context."), strings.HasPrefix(src, "stageVariables."):
		return vars(src)
	}
	return "", false
}

func pickGatewayTemplate(templates map[string]string, accept string) (string, string) {
	if len(templates) == 0 {
		return "", ""
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if t, ok := templates[mt]; ok {
			return t, mt
		}
	}
	if t, ok := templates["application/json"]; ok {
		return t, "application/json"
	}
	for _, ct := range sortedKeys(templates) {
		return templates[ct], ct
	}
	return "", ""
}

// renderGatewayTemplate fills a gateway response template. It is not VTL: API Gateway only
// substitutes $context.*, $stageVariables.* and method request values, and sends what comes
// out as it is, valid JSON or not.
func renderGatewayTemplate(t string, e *gatewayError, msg string, x *exchange, vars func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(t); {
		if t[i] != '$' {
			b.WriteByte(t[i])
			i++
			continue
		}
		j := i + 1
		brace := j < len(t) && t[j] == '{'
		if brace {
			j++
		}
		k := j
		for k < len(t) && (isIdent(t[k]) || t[k] == '.') {
			k++
		}
		name := strings.TrimSuffix(t[j:k], ".")
		k = j + len(name)
		if brace {
			if k < len(t) && t[k] == '}' {
				k++
			} else {
				b.WriteString(t[i:k])
				i = k
				continue
			}
		}
		switch name {
		case "context.error.message":
			b.WriteString(msg)
		case "context.error.messageString":
			b.WriteString(e.messageString(msg))
		case "context.error.responseType":
			b.WriteString(string(e.typ))
		case "context.error.validationErrorString":
			b.WriteString(e.validation)
		default:
			v, _ := vars(strings.Replace(name, "input.params", "method.request", 1))
			b.WriteString(v)
		}
		i = k
	}
	return b.String()
}
