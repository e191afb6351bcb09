package localapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"firstclass/internal/contract"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxPayload is API Gateway's request payload limit for both API kinds: 10 MB.
const maxPayload = 10 << 20

// exchange is one client request as the runner serves it, with what the access log needs.
type exchange struct {
	w        http.ResponseWriter
	req      *http.Request
	start    time.Time
	id       string // $context.requestId
	extID    string // $context.extendedRequestId
	stage    string
	path     string // the request path without the stage
	body     []byte
	sourceIP string

	status          int
	responseLength  int
	integLatency    time.Duration
	integStatus     string // the integration's own status code
	integError      string
	errorMessage    string
	routeKey        string // HTTP API
	resourcePath    string // REST API
	integRequestID  string
	responseLatency time.Duration
	errorType       responseType // $context.error.responseType
	errorValidation string       // $context.error.validationErrorString

	identity callerIdentity // who an IAM authorizer verified
	// authorizerV2 is requestContext.authorizer of an HTTP API's Lambda proxy event.
	authorizerV2     map[string]any
	authz            authorizerResult
	stageVars        map[string]string // the stage's variables, for identity sources
	apiID            string            // for a Lambda authorizer's method ARN
	params           map[string]string // the path parameters, for a Lambda authorizer's event
	apiKey, apiKeyID string            // the REST API key a method required

	trace *Trace // nil unless the runner traces requests (Options.Trace)
	// beforeWrite, when set, adjusts the response headers just before they are written (an
	// HTTP API's CORS headers).
	beforeWrite func(x *exchange)
}

func newExchange(w http.ResponseWriter, req *http.Request, id string) *exchange {
	ip, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		ip = req.RemoteAddr
	}
	return &exchange{w: w, req: req, start: time.Now(), id: id, extID: randomID(), sourceIP: ip}
}

// identityMap is $context.identity for VTL.
func (x *exchange) identityMap() map[string]any {
	m := map[string]any{"sourceIp": x.sourceIP, "userAgent": x.req.UserAgent()}
	for k, v := range map[string]string{"accessKey": x.identity.accessKey, "caller": x.identity.caller, "user": x.identity.user,
		"userArn": x.identity.userArn, "apiKey": x.apiKey, "apiKeyId": x.apiKeyID} {
		if v != "" {
			m[k] = v
		}
	}
	if x.identity.accountID != "" {
		m["accountId"] = x.identity.accountID
	}
	return m
}

// readBody reads the body up to API Gateway's limit, within the front end's read timeout.
func (x *exchange) readBody(kind contract.Kind) *gatewayError {
	http.NewResponseController(x.w).SetReadDeadline(time.Now().Add(bodyReadTimeout))
	body, err := io.ReadAll(io.LimitReader(x.req.Body, maxPayload+1))
	if err != nil {
		if isTimeout(err) {
			a := frontEndAnswers[kind][bodyTimedOut]
			return &gatewayError{typ: badRequestBody, front: &a}
		}
		return fail(badRequestBody, "Bad Request")
	}
	if len(body) > maxPayload {
		// REST APIs answer from their front end, in text, whatever the gateway responses
		// say (koki-develop/lgtm-generator#10; AWS's known issues: REQUEST_TOO_LARGE cannot
		// be customised). For HTTP APIs nothing is recorded: they keep the JSON message.
		return &gatewayError{typ: requestTooLarge, plain: "HTTP content length exceeded " + strconv.Itoa(maxPayload) + " bytes."}
	}
	x.body = body
	if x.trace != nil {
		x.trace.add("Method request body before transformations: %s", traceBody(body))
	}
	return nil
}

// respond writes the status and body once.
func (x *exchange) respond(status int, body []byte) {
	if x.beforeWrite != nil {
		x.beforeWrite(x)
	}
	h := x.w.Header()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.w.WriteHeader(status)
	x.w.Write(body)
	x.status = status
	x.responseLength = len(body)
	x.responseLatency = time.Since(x.start)
	if x.trace != nil {
		x.traceResponse(status, body)
	}
}

// contextVar is the value of a $context variable for access logs and mappings; "" when it
// has none.
func (x *exchange) contextVar(name string, apiID, accountID, protocolStage string) string {
	switch name {
	case "requestId", "awsEndpointRequestId":
		return x.id
	case "extendedRequestId":
		return x.extID
	case "apiId":
		return apiID
	case "accountId", "identity.accountId":
		return accountID
	case "httpMethod":
		return x.req.Method
	case "stage":
		return x.stage
	case "path":
		return protocolStage
	case "protocol":
		return x.req.Proto
	case "domainName":
		return x.req.Host
	case "domainPrefix":
		host, _, _ := net.SplitHostPort(x.req.Host)
		if host == "" {
			host = x.req.Host
		}
		return host
	case "identity.sourceIp":
		return x.sourceIP
	case "identity.accessKey":
		return x.identity.accessKey
	case "identity.caller":
		return x.identity.caller
	case "identity.user":
		return x.identity.user
	case "identity.userArn":
		return x.identity.userArn
	case "authorizer.principalId", "authorizer.error", "authorizer.latency", "authorizer.integrationLatency",
		"authorizer.status", "authorizer.integrationStatus", "authorizer.requestId":
		return x.authz.contextVar(strings.TrimPrefix(name, "authorizer."))
	case "identity.apiKey":
		return x.apiKey
	case "identity.apiKeyId":
		return x.apiKeyID
	case "identity.userAgent":
		return x.req.UserAgent()
	case "requestTime":
		return x.start.UTC().Format("02/Jan/2006:15:04:05 -0700")
	case "requestTimeEpoch":
		return strconv.FormatInt(x.start.UnixMilli(), 10)
	case "routeKey":
		return x.routeKey
	case "resourcePath":
		return x.resourcePath
	case "status":
		return itoaOrEmpty(x.status)
	case "responseLength":
		return strconv.Itoa(x.responseLength)
	case "responseLatency":
		return strconv.FormatInt(x.responseLatency.Milliseconds(), 10)
	case "integrationLatency", "integration.latency":
		if x.integStatus == "" {
			return ""
		}
		return strconv.FormatInt(x.integLatency.Milliseconds(), 10)
	case "integrationStatus", "integration.status", "integration.integrationStatus":
		return x.integStatus
	case "integration.error", "integrationErrorMessage":
		return x.integError
	case "integration.requestId":
		return x.integRequestID
	case "error.message", "error.messageString":
		if name == "error.messageString" && x.errorMessage != "" {
			return strconv.Quote(x.errorMessage)
		}
		return x.errorMessage
	case "error.responseType":
		return string(x.errorType)
	case "error.validationErrorString":
		return x.errorValidation
	}
	if n, ok := strings.CutPrefix(name, "authorizer."); ok {
		return x.authz.contextVar(n)
	}
	return ""
}

func itoaOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// randomID is an HTTP API-style request ID: 16 characters of base64.
func randomID() string {
	var b [12]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])[:16]
}

// uuid is a REST API-style request ID.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// integrationContext is the context an integration runs in: the request's values without its
// cancellation, with the integration's timeout. API Gateway runs an invocation to its end or
// its timeout; a client that half-closes its connection after sending the request (which
// makes net/http cancel the request's context) or goes away does not cancel it.
func integrationContext(req *http.Request, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(req.Context()), timeout)
}
