package localapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/lambdalocal"
	"firstclass/internal/vtl"
)

// restIntegration is a REST method's integration: from the integration request to the
// method response.
type restIntegration interface {
	serve(x *exchange, c *restCall) *gatewayError
	describe() description
}

// integrationRequest is what a non-proxy integration sends its backend: the rendered body,
// the template's overrides and the mapped integration request parameters.
type integrationRequest struct {
	body      []byte
	overrides *vtl.Overrides
	header    http.Header // integration.request.header.*
	query     url.Values  // integration.request.querystring.*
	path      map[string]string
}

// integrationResult is a backend's answer.
type integrationResult struct {
	status   int
	header   http.Header // nil when the backend has none (a Lambda function, a mock)
	body     []byte
	selector string // what selection patterns match: the status code, or a Lambda errorMessage
	// lambdaError says a Lambda function reported an error; only then may a selection
	// pattern match its (possibly empty) message.
	lambdaError bool
	release     func() // gives the answer's buffers back once the response is written
}

// nonProxy is a REST non-proxy integration (AWS, Lambda custom, MOCK): the request template
// renders the backend's input, the backend answers, an integration response is selected by
// its pattern and its template renders the method response.
type nonProxy struct {
	backend     restBackend
	params      map[string]string // "integration.request.header.X" → source
	templates   map[string]*vtl.Template
	passthrough string
	responses   []*restResponse
	timeout     time.Duration
}

type restResponse struct {
	status    int
	pattern   *vtl.JavaPattern // nil for the default response
	selection string           // the pattern as written
	templates map[string]*vtl.Template
	params    map[string]string // "method.response.header.X" → source
}

// integration builds a method's integration by its Type.
func (a *restAPI) integration(p *v1IntegrationProps) (restIntegration, error) {
	if proxy, ok := restProxies[p.Type]; ok {
		return proxy(a, p)
	}
	factory, ok := restIntegrations[p.Type]
	if !ok {
		types := map[string]bool{}
		for k := range restIntegrations {
			types[k] = true
		}
		for k := range restProxies {
			types[k] = true
		}
		return nil, unknown("REST integration type", p.Type, types)
	}
	n := &nonProxy{params: map[string]string{}, templates: map[string]*vtl.Template{}, passthrough: p.PassthroughBehavior, timeout: 29 * time.Second}
	if n.passthrough == "" {
		n.passthrough = "WHEN_NO_MATCH"
	}
	if ms, ok := p.TimeoutInMillis.number(); ok {
		n.timeout = time.Duration(ms) * time.Millisecond
	}
	backend, err := factory(a, p)
	if err != nil {
		return nil, err
	}
	n.backend = backend
	for k, src := range p.RequestParameters {
		if err := checkParamSource(src); err != nil {
			return nil, fmt.Errorf("request parameter %s: %w", k, err)
		}
		n.params[k] = src
	}
	for ct, text := range p.RequestTemplates {
		t, err := vtl.Parse("request template "+ct, text)
		if err != nil {
			return nil, err
		}
		n.templates[strings.ToLower(ct)] = t
	}
	for _, ir := range p.IntegrationResponses {
		resp, err := newRESTResponse(ir)
		if err != nil {
			return nil, err
		}
		n.responses = append(n.responses, resp)
	}
	return n, nil
}

func newRESTResponse(ir v1IntegrationResponse) (*restResponse, error) {
	resp := &restResponse{templates: map[string]*vtl.Template{}, params: map[string]string{}}
	status, err := strconv.Atoi(ir.StatusCode)
	if err != nil {
		return nil, fmt.Errorf("integration response status %q", ir.StatusCode)
	}
	resp.status = status
	if ir.SelectionPattern != "" {
		resp.selection = ir.SelectionPattern
		if resp.pattern, err = vtl.CompileJavaPattern(ir.SelectionPattern); err != nil {
			return nil, fmt.Errorf("selection pattern: %w", err)
		}
	}
	for ct, text := range ir.ResponseTemplates {
		t, err := vtl.Parse(fmt.Sprintf("%d response template %s", status, ct), text)
		if err != nil {
			return nil, err
		}
		resp.templates[strings.ToLower(ct)] = t
	}
	for k, src := range ir.ResponseParameters {
		if !strings.HasPrefix(src, "'") && !strings.HasPrefix(src, "integration.response.header.") {
			return nil, fmt.Errorf("response parameter %s = %s: only static values and integration.response.header.* are emulated", k, src)
		}
		resp.params[k] = src
	}
	return resp, nil
}

// checkParamSource accepts the request parameter sources the runner evaluates.
func checkParamSource(src string) error {
	switch {
	case strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") && len(src) >= 2,
		strings.HasPrefix(src, "method.request.header."), strings.HasPrefix(src, "method.request.querystring."),
		strings.HasPrefix(src, "method.request.path."), strings.HasPrefix(src, "context."), strings.HasPrefix(src, "stageVariables."):
		return nil
	}
	return fmt.Errorf("source %s is not emulated (static 'values', method.request.header/querystring/path.*, context.* and stageVariables.* are)", src)
}

func (n *nonProxy) describe() description {
	return description{what: n.backend.describe(), details: describeResponses(n.responses)}
}

// serve renders the request template, calls the backend, selects the integration response
// and renders it, as a REST API non-proxy integration does.
func (n *nonProxy) serve(x *exchange, c *restCall) *gatewayError {
	req := &integrationRequest{body: x.body}
	if t, ok := n.templates[contentType(x.req)]; ok {
		out, err := t.Render(c.vtlInput(x, x.body))
		if err != nil {
			return integrationError(apiConfigurationError, err.Error())
		}
		req.body, req.overrides = []byte(out.Body), &out.Overrides
	} else if n.passthrough == "NEVER" || (n.passthrough == "WHEN_NO_TEMPLATES" && len(n.templates) > 0) {
		return fail(unsupportedMediaType, "")
	} else if x.trace != nil {
		x.trace.add("No request template for content type %s: the body passes through (%s)", contentType(x.req), n.passthrough) // not in AWS's words
	}
	n.mapParams(x, c, req)
	began := time.Now()
	res, e := n.backend.call(x, c, req)
	x.integLatency = time.Since(began)
	if e != nil {
		return e
	}
	if res.release != nil {
		defer res.release() // after the method response, which reads the body
	}
	x.integStatus = strconv.Itoa(res.status)
	chosen, err := selectResponse(n.responses, res.selector, res.lambdaError)
	if err != nil {
		return integrationError(apiConfigurationError, err.Error())
	}
	if chosen == nil {
		return integrationError(apiConfigurationError, "No match for output mapping and no default output mapping configured. Endpoint Response Status Code: "+x.integStatus)
	}
	if x.trace != nil {
		traceSelection(x.trace, chosen, res.selector)
	}
	return c.methodResponse(x, chosen, res, req.overrides)
}

// traceSelection says which integration response was selected and why: the pattern that
// matched, or none and the default. AWS logs nothing of it.
func traceSelection(t *Trace, chosen *restResponse, selector string) {
	if chosen.pattern != nil {
		t.add("Integration response selected: %d, its selectionPattern %q matched %q", chosen.status, chosen.selection, selector)
		return
	}
	t.add("Integration response selected: %d, the default (no selectionPattern matched %q)", chosen.status, selector)
}

// mapParams evaluates the integration request parameters.
func (n *nonProxy) mapParams(x *exchange, c *restCall, req *integrationRequest) {
	for k, src := range n.params {
		v, _ := c.value(x, src)
		if x.trace != nil {
			x.trace.add("Endpoint request parameter %s = %s → %s", k, src, v) // not in AWS's words
		}
		switch {
		case strings.HasPrefix(k, "integration.request.header."):
			if req.header == nil {
				req.header = http.Header{}
			}
			req.header.Set(strings.TrimPrefix(k, "integration.request.header."), v)
		case strings.HasPrefix(k, "integration.request.querystring."):
			if req.query == nil {
				req.query = url.Values{}
			}
			req.query.Set(strings.TrimPrefix(k, "integration.request.querystring."), v)
		case strings.HasPrefix(k, "integration.request.path."):
			if req.path == nil {
				req.path = map[string]string{}
			}
			req.path[strings.TrimPrefix(k, "integration.request.path.")] = v
		}
	}
}

// selectResponse picks the integration response whose selection pattern matches (the Lambda
// errorMessage, or the backend status code), else the default one.
func selectResponse(responses []*restResponse, selector string, lambdaError bool) (*restResponse, error) {
	var def *restResponse
	for _, r := range responses {
		if r.pattern == nil {
			if def == nil {
				def = r
			}
			continue
		}
		// A successful Lambda invocation has no error message to match.
		if selector == "" {
			continue
		}
		ok, err := r.pattern.Matches(selector)
		if err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
	}
	return def, nil
}

// methodResponse renders the chosen integration response into the client's answer.
func (c *restCall) methodResponse(x *exchange, chosen *restResponse, res *integrationResult, overrides *vtl.Overrides) *gatewayError {
	status := chosen.status
	out := res.body
	header := x.w.Header()
	var overridden map[string][]string
	contentType := "application/json"
	if res.header != nil && len(chosen.templates) == 0 {
		if ct := res.header.Get("Content-Type"); ct != "" {
			contentType = ct
		}
	}
	if t := pickTemplate(chosen.templates, x.req.Header.Get("Accept")); t != nil {
		in := c.vtlInput(x, res.body)
		in.Overrides = overrides
		rendered, err := t.tmpl.Render(in)
		if err != nil {
			return integrationError(apiConfigurationError, err.Error())
		}
		out, contentType = []byte(rendered.Body), t.contentType
		if rendered.ResponseStatus != 0 {
			status = rendered.ResponseStatus
		}
		overridden = rendered.ResponseHeader
	}
	for k, src := range chosen.params {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			continue
		}
		if strings.HasPrefix(src, "'") {
			header.Set(name, strings.Trim(src, "'"))
		} else if res.header != nil {
			header.Set(name, res.header.Get(strings.TrimPrefix(src, "integration.response.header.")))
		}
	}
	// A template's $context.responseOverride.header is final: it wins over the response
	// parameters (AWS, "Override your API's request and response parameters and status
	// codes"). The CDK's CORS preflight for several origins relies on it: the parameters send
	// the first origin, the template overrides it with the request's when that is another
	// allowed one.
	for k, vs := range overridden {
		for _, v := range vs {
			header.Set(k, v)
		}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", contentType)
	}
	x.respond(status, out)
	return nil
}

type pickedTemplate struct {
	tmpl        *vtl.Template
	contentType string
}

// pickTemplate chooses the response template for the client's Accept header, falling back to
// application/json and then to any.
func pickTemplate(templates map[string]*vtl.Template, accept string) *pickedTemplate {
	if len(templates) == 0 {
		return nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		if t, ok := templates[strings.ToLower(mt)]; ok {
			return &pickedTemplate{t, mt}
		}
	}
	if t, ok := templates["application/json"]; ok {
		return &pickedTemplate{t, "application/json"}
	}
	keys := make([]string, 0, len(templates))
	for k := range templates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &pickedTemplate{templates[keys[0]], keys[0]}
}

// mockBackend is a MOCK integration: the status code its request template names.
type mockBackend struct{}

func (mockBackend) describe() string { return "MOCK" }

// call reads the status code with API Gateway's lenient parser (lenientjson.go): the CDK's
// CORS preflight template is `{ statusCode: 200 }`. No statusCode, or one that is not a whole
// number, is a 500, as LocalStack records AWS answering it ("Unable to parse statusCode").
func (mockBackend) call(x *exchange, _ *restCall, req *integrationRequest) (*integrationResult, *gatewayError) {
	if x.trace != nil {
		x.trace.add("Endpoint request body after transformations: %s", traceBody(req.body))
	}
	v, err := parseLenientJSON(string(req.body))
	doc, _ := v.(map[string]any)
	status, _ := doc["statusCode"].(float64)
	if err != nil || status != float64(int(status)) || status < 100 || status > 599 {
		return nil, integrationError(apiConfigurationError, "Execution failed due to configuration error: Unable to parse statusCode. It should be an integer that is defined in the request template.")
	}
	return &integrationResult{status: int(status), selector: strconv.Itoa(int(status))}, nil
}

// serviceURI is an AWS integration's URI: arn:aws:apigateway:REGION:SERVICE:action/ACTION or
// …:SERVICE:path/PATH.
type serviceURI struct {
	service string // "sqs", "events", "states", "lambda"
	action  string // action-style
	path    string // path-style, without the leading service
}

func parseServiceURI(uri string) (*serviceURI, error) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[2] != "apigateway" {
		return nil, fmt.Errorf("integration URI %q is not an arn:aws:apigateway:… service URI", uri)
	}
	u := &serviceURI{service: parts[4]}
	if i := strings.IndexByte(u.service, '.'); i >= 0 { // "sync-states.states" style subdomains
		u.service = u.service[i+1:]
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "action":
		u.action, _, _ = strings.Cut(rest, "&")
	case "path":
		u.path = "/" + rest
	default:
		return nil, fmt.Errorf("integration URI %q: want action/ or path/", uri)
	}
	return u, nil
}

// newAWSBackend builds an AWS integration's backend by the service its URI names.
func newAWSBackend(a *restAPI, p *v1IntegrationProps) (restBackend, error) {
	uri, err := parseServiceURI(p.Uri)
	if err != nil {
		return nil, err
	}
	factory, ok := restServices[uri.service]
	if !ok {
		return nil, unknown("AWS integration with the service", uri.service, restServices)
	}
	return factory(a, p, uri)
}

// lambdaBackend is a Lambda custom (non-proxy) integration: the rendered body is the event,
// and an error is told from a result by its errorMessage.
type lambdaBackend struct {
	fn      *lambdalocal.Function
	arn     string
	name    string
	timeout time.Duration
}

func newLambdaBackend(a *restAPI, p *v1IntegrationProps, _ *serviceURI) (restBackend, error) {
	fn, err := a.r.functionByARN(lambdaARN(p.Uri))
	if err != nil {
		return nil, err
	}
	timeout := 29 * time.Second
	if ms, ok := p.TimeoutInMillis.number(); ok {
		timeout = time.Duration(ms) * time.Millisecond
	}
	return &lambdaBackend{fn: fn, arn: lambdaARN(p.Uri), name: shortName(lambdaARN(p.Uri)), timeout: timeout}, nil
}

func (l *lambdaBackend) describe() string { return "Lambda custom (VTL) → " + l.name }

func (l *lambdaBackend) call(x *exchange, _ *restCall, req *integrationRequest) (*integrationResult, *gatewayError) {
	ctx, cancel := integrationContext(x.req, l.timeout)
	defer cancel()
	res, err := invokeTraced(ctx, x, l.fn, l.arn, req.body)
	if err != nil {
		e := invocationError(ctx, err)
		if e.typ == integrationFailure {
			e.status = http.StatusInternalServerError
		}
		return nil, e
	}
	out := &integrationResult{status: 200, body: res.Payload}
	if res.FunctionError != "" {
		var fe struct{ ErrorMessage string }
		json.Unmarshal(res.Payload, &fe)
		out.selector, out.lambdaError = fe.ErrorMessage, true
		x.integError = fe.ErrorMessage
	}
	return out, nil
}

// serviceBackend is an AWS integration with a service the local AWS runs, called on its wire
// protocol as API Gateway calls it.
type serviceBackend struct {
	r      *Runner
	uri    *serviceURI
	method string // the integration's HTTP method: POST, or GET for a REST-JSON read
	// granted is the resource the role may call an action-style URI's action on, which the
	// template names (a path-style URI names its own).
	granted string
}

func newServiceBackend(a *restAPI, p *v1IntegrationProps, uri *serviceURI) (restBackend, error) {
	method := strings.ToUpper(p.IntegrationHttpMethod)
	if method == "" {
		method = http.MethodPost
	}
	s := &serviceBackend{r: a.r, uri: uri, method: method}
	if uri.action != "" {
		// API Gateway's service names are the IAM prefixes of the services it calls.
		s.granted = a.r.grantedResource(p.Credentials, uri.service+":"+uri.action)
	}
	return s, nil
}

func (s *serviceBackend) describe() string {
	if s.uri.action != "" && s.granted != "" {
		return fmt.Sprintf("AWS %s %s (VTL) → %s", s.uri.service, s.uri.action, s.granted)
	}
	if s.uri.action != "" {
		return fmt.Sprintf("AWS %s %s (VTL)", s.uri.service, s.uri.action)
	}
	return fmt.Sprintf("AWS %s %s (VTL)", s.uri.service, shortName(s.uri.path))
}

func (s *serviceBackend) call(x *exchange, _ *restCall, req *integrationRequest) (*integrationResult, *gatewayError) {
	svcReq, err := s.request(req)
	if err != nil {
		return nil, integrationError(apiConfigurationError, err.Error())
	}
	resp := s.r.callAWSTraced(x, svcReq)
	x.integRequestID = resp.header.Get("X-Amzn-Requestid")
	return &integrationResult{status: resp.status, header: resp.header, body: resp.body, selector: strconv.Itoa(resp.status), release: resp.release}, nil
}

// jsonTargets are the X-Amz-Target prefixes of the JSON-protocol services, for action-style
// integrations that do not set the header themselves.
var jsonTargets = map[string]string{"events": "AWSEvents.", "states": "AWSStepFunctions.", "kinesis": "Kinesis_20131202."}

// request builds the call an AWS integration makes: the rendered body, the mapped
// integration request parameters and the template's overrides.
func (s *serviceBackend) request(req *integrationRequest) (*http.Request, error) {
	path := s.uri.path
	query := url.Values{}
	if path == "" {
		path = "/"
		if s.uri.service == "sqs" {
			query.Set("Action", s.uri.action)
		}
	}
	header := http.Header{}
	// API Gateway asks AWS services for JSON: a REST integration to SQS gets the query
	// protocol's answer as JSON, not XML.
	header.Set("Accept", "application/json")
	for k, vs := range req.header {
		header[k] = vs
	}
	for k, vs := range req.query {
		query[k] = vs
	}
	for k, v := range req.path {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	if o := req.overrides; o != nil {
		for k, vs := range o.RequestHeader {
			for _, v := range vs {
				header.Set(k, v)
			}
		}
		for k, vs := range o.RequestQuerystring {
			for _, v := range vs {
				query.Set(k, v)
			}
		}
		for k, v := range o.RequestPath {
			path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
		}
	}
	if prefix, ok := jsonTargets[s.uri.service]; ok && header.Get("X-Amz-Target") == "" && s.uri.action != "" {
		header.Set("X-Amz-Target", prefix+s.uri.action)
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var body io.Reader = bytes.NewReader(req.body)
	if s.method == http.MethodGet || s.method == http.MethodHead {
		body = nil // API Gateway sends a GET without the rendered body
	}
	r, err := http.NewRequest(s.method, target, body)
	if err != nil {
		return nil, err
	}
	r.Header = header
	return r, nil
}
