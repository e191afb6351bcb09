package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/lambdalocal"
	"firstclass/internal/vtl"
)

// restAPI is one API Gateway v1 REST API.
type restAPI struct {
	r         *Runner
	logicalID string
	id        string
	baseURL   string
	root      *resourceNode
	stages    map[string]*restStage
}

type resourceNode struct {
	id       string
	path     string // "/events/{source}"
	seg      segment
	children []*resourceNode
	methods  map[string]*restMethod
}

type restMethod struct {
	httpMethod     string
	iamAuth        bool
	validateBody   bool
	validateParams bool
	required       []string // "querystring.greeter", "header.X", "path.id"
	models         map[string]*schema
	integ          *restIntegration
}

type restIntegration struct {
	typ         string // "AWS" or "MOCK"
	service     string // for AWS: "sqs", "events", "states", "lambda"
	action      string // action-style
	path        string // path-style, without the leading service
	fn          *lambdalocal.Function
	params      map[string]string // "integration.request.header.X" → source
	templates   map[string]*vtl.Template
	passthrough string
	responses   []*restResponse
	timeout     time.Duration
	describe    string // what it calls, for the terminal
}

type restResponse struct {
	status    int
	pattern   *vtl.JavaPattern // nil for the default response
	selection string           // the pattern as written
	templates map[string]*vtl.Template
	params    map[string]string // "method.response.header.X" → source
}

type restStage struct {
	name         string
	bucket       *bucket            // the "/*/*" method settings: the limits of each method without its own
	methodLimits map[string]*bucket // one token bucket per method: "/resource/path METHOD"
	format       *logFormat
	sink         *logSink
	vars         map[string]string
}

func (r *Runner) loadRESTAPIs(t *cfn.Template) error {
	return r.eachResource(t, "AWS::ApiGateway::RestApi", nil, func(res *cfn.Resource, props map[string]any) error {
		if props["Body"] != nil || props["BodyS3Location"] != nil || props["CloneFrom"] != nil {
			return fmt.Errorf("cannot emulate %s: an API imported from OpenAPI or cloned is not emulated", res)
		}
		a := &restAPI{r: r, logicalID: res.LogicalID, id: r.vals[res.LogicalID].ref, stages: map[string]*restStage{}}
		if err := a.load(t); err != nil {
			return err
		}
		r.restAPIs = append(r.restAPIs, a)
		return nil
	})
}

func (a *restAPI) belongs(props map[string]any) bool {
	id, _ := props["RestApiId"].(string)
	return id == a.id
}

func (a *restAPI) load(t *cfn.Template) error {
	r := a.r
	a.root = &resourceNode{id: r.vals[a.logicalID].attrs["RootResourceId"], path: "/", methods: map[string]*restMethod{}}
	nodes := map[string]*resourceNode{a.root.id: a.root}
	// Resources name their parent; add them until none is left, so order does not matter.
	var pending []map[string]any
	var pendingRes []*cfn.Resource
	if err := r.eachResource(t, "AWS::ApiGateway::Resource", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		pending, pendingRes = append(pending, props), append(pendingRes, res)
		return nil
	}); err != nil {
		return err
	}
	for len(pending) > 0 {
		progress := false
		for i := 0; i < len(pending); i++ {
			parent, ok := nodes[fmt.Sprint(pending[i]["ParentId"])]
			if !ok {
				continue
			}
			part, _ := pending[i]["PathPart"].(string)
			segs := parsePath(part)
			if len(segs) != 1 {
				return fmt.Errorf("cannot emulate %s: path part %q", pendingRes[i], part)
			}
			n := &resourceNode{id: r.vals[pendingRes[i].LogicalID].ref, path: strings.TrimSuffix(parent.path, "/") + "/" + part, seg: segs[0], methods: map[string]*restMethod{}}
			parent.children = append(parent.children, n)
			nodes[n.id] = n
			pending, pendingRes = append(pending[:i], pending[i+1:]...), append(pendingRes[:i], pendingRes[i+1:]...)
			i--
			progress = true
		}
		if !progress {
			return fmt.Errorf("cannot emulate %s: its parent resource is not in the template", pendingRes[0])
		}
	}
	sortChildren(a.root)

	models := map[string]*schema{}
	if err := r.eachResource(t, "AWS::ApiGateway::Model", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		raw := props["Schema"]
		if s, ok := raw.(string); ok {
			if err := json.Unmarshal([]byte(s), &raw); err != nil {
				return fmt.Errorf("%s: schema: %w", res, err)
			}
		}
		s, err := compileSchema(raw)
		if err != nil {
			return fmt.Errorf("cannot emulate %s: %w", res, err)
		}
		models[r.vals[res.LogicalID].ref] = s
		return nil
	}); err != nil {
		return err
	}
	validators := map[string][2]bool{}
	if err := r.eachResource(t, "AWS::ApiGateway::RequestValidator", nil, func(res *cfn.Resource, props map[string]any) error {
		body, _ := props["ValidateRequestBody"].(bool)
		params, _ := props["ValidateRequestParameters"].(bool)
		validators[r.vals[res.LogicalID].ref] = [2]bool{body, params}
		return nil
	}); err != nil {
		return err
	}

	if err := r.eachResource(t, "AWS::ApiGateway::Method", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		node, ok := nodes[fmt.Sprint(props["ResourceId"])]
		if !ok {
			return fmt.Errorf("cannot emulate %s: its resource is not in the template", res)
		}
		m, err := a.method(props, models, validators)
		if err != nil {
			return fmt.Errorf("cannot emulate %s: %w", res, err)
		}
		node.methods[m.httpMethod] = m
		return nil
	}); err != nil {
		return err
	}

	if err := r.eachResource(t, "AWS::ApiGateway::Stage", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		s, err := a.stage(props)
		if err != nil {
			return fmt.Errorf("cannot emulate %s: %w", res, err)
		}
		if r.opts.Stage == "" || r.opts.Stage == s.name {
			a.stages[s.name] = s
		}
		return nil
	}); err != nil {
		return err
	}
	if len(a.stages) == 0 {
		return fmt.Errorf("REST API %s has no stage to serve%s", a.logicalID, stageHint(r.opts.Stage))
	}
	return nil
}

// sortChildren puts literal segments before {params} before greedy {proxy+}, the order API
// Gateway matches in.
func sortChildren(n *resourceNode) {
	rank := func(s segment) int {
		switch {
		case s.greedy:
			return 2
		case s.param != "":
			return 1
		}
		return 0
	}
	sort.SliceStable(n.children, func(i, j int) bool { return rank(n.children[i].seg) < rank(n.children[j].seg) })
	for _, c := range n.children {
		sortChildren(c)
	}
}

func (a *restAPI) method(props map[string]any, models map[string]*schema, validators map[string][2]bool) (*restMethod, error) {
	m := &restMethod{models: map[string]*schema{}}
	m.httpMethod, _ = props["HttpMethod"].(string)
	switch auth, _ := props["AuthorizationType"].(string); auth {
	case "", "NONE":
	case "AWS_IAM":
		m.iamAuth = true
	default:
		return nil, fmt.Errorf("authorization %s (the local runner handles NONE and AWS_IAM)", auth)
	}
	if v, ok := props["RequestValidatorId"].(string); ok {
		flags := validators[v]
		m.validateBody, m.validateParams = flags[0], flags[1]
	}
	if rp, ok := props["RequestParameters"].(map[string]any); ok {
		for k, v := range rp {
			if req, _ := v.(bool); req {
				m.required = append(m.required, strings.TrimPrefix(k, "method.request."))
			}
		}
		sort.Strings(m.required)
	}
	if rm, ok := props["RequestModels"].(map[string]any); ok {
		for ct, name := range rm {
			s, ok := models[fmt.Sprint(name)]
			if !ok && name != "Empty" && name != "Error" {
				return nil, fmt.Errorf("request model %v is not in the template", name)
			}
			if s != nil {
				m.models[ct] = s
			}
		}
	}
	in, ok := props["Integration"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no integration")
	}
	integ, err := a.integration(in)
	if err != nil {
		return nil, err
	}
	m.integ = integ
	return m, nil
}

func (a *restAPI) integration(props map[string]any) (*restIntegration, error) {
	in := &restIntegration{params: map[string]string{}, templates: map[string]*vtl.Template{}, timeout: 29 * time.Second}
	in.typ, _ = props["Type"].(string)
	in.passthrough, _ = props["PassthroughBehavior"].(string)
	if in.passthrough == "" {
		in.passthrough = "WHEN_NO_MATCH"
	}
	if ms, ok := props["TimeoutInMillis"].(float64); ok {
		in.timeout = time.Duration(ms) * time.Millisecond
	}
	switch in.typ {
	case "AWS":
		uri, _ := props["Uri"].(string)
		if err := in.parseURI(uri); err != nil {
			return nil, err
		}
		if in.service == "lambda" {
			fn, err := a.r.functionByARN(lambdaARN(uri))
			if err != nil {
				return nil, err
			}
			in.fn = fn
		} else if !map[string]bool{"sqs": true, "events": true, "states": true}[in.service] {
			return nil, fmt.Errorf("AWS integration with %s: the local AWS runs SQS, EventBridge and Step Functions", in.service)
		}
	case "MOCK":
	default:
		return nil, fmt.Errorf("integration type %s is not emulated (AWS and MOCK are)", in.typ)
	}
	if rp, ok := props["RequestParameters"].(map[string]any); ok {
		for k, v := range rp {
			src := fmt.Sprint(v)
			if err := checkParamSource(src); err != nil {
				return nil, fmt.Errorf("request parameter %s: %w", k, err)
			}
			in.params[k] = src
		}
	}
	if rt, ok := props["RequestTemplates"].(map[string]any); ok {
		for ct, text := range rt {
			t, err := vtl.Parse("request template "+ct, fmt.Sprint(text))
			if err != nil {
				return nil, err
			}
			in.templates[strings.ToLower(ct)] = t
		}
	}
	fnName := ""
	if in.fn != nil {
		uri, _ := props["Uri"].(string)
		fnName = shortName(lambdaARN(uri))
	}
	in.describe = describeREST(in, fnName)
	responses, _ := props["IntegrationResponses"].([]any)
	for _, x := range responses {
		m, _ := x.(map[string]any)
		resp := &restResponse{templates: map[string]*vtl.Template{}, params: map[string]string{}}
		code, _ := m["StatusCode"].(string)
		status, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("integration response status %q", code)
		}
		resp.status = status
		if p, _ := m["SelectionPattern"].(string); p != "" {
			resp.selection = p
			if resp.pattern, err = vtl.CompileJavaPattern(p); err != nil {
				return nil, fmt.Errorf("selection pattern: %w", err)
			}
		}
		if rt, ok := m["ResponseTemplates"].(map[string]any); ok {
			for ct, text := range rt {
				t, err := vtl.Parse(fmt.Sprintf("%d response template %s", status, ct), fmt.Sprint(text))
				if err != nil {
					return nil, err
				}
				resp.templates[strings.ToLower(ct)] = t
			}
		}
		if rp, ok := m["ResponseParameters"].(map[string]any); ok {
			for k, v := range rp {
				src := fmt.Sprint(v)
				if !strings.HasPrefix(src, "'") && !strings.HasPrefix(src, "integration.response.header.") {
					return nil, fmt.Errorf("response parameter %s = %s: only static values and integration.response.header.* are emulated", k, src)
				}
				resp.params[k] = src
			}
		}
		in.responses = append(in.responses, resp)
	}
	return in, nil
}

// parseURI reads arn:aws:apigateway:REGION:SERVICE:action/ACTION or …:SERVICE:path/PATH.
func (in *restIntegration) parseURI(uri string) error {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[2] != "apigateway" {
		return fmt.Errorf("integration URI %q is not an arn:aws:apigateway:… service URI", uri)
	}
	svc := parts[4]
	if i := strings.IndexByte(svc, '.'); i >= 0 { // "sync-states.states" style subdomains
		svc = svc[i+1:]
	}
	in.service = svc
	kind, rest, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "action":
		in.action, _, _ = strings.Cut(rest, "&")
	case "path":
		in.path = "/" + rest
	default:
		return fmt.Errorf("integration URI %q: want action/ or path/", uri)
	}
	return nil
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

func (a *restAPI) stage(props map[string]any) (*restStage, error) {
	s := &restStage{methodLimits: map[string]*bucket{}, vars: map[string]string{}}
	s.name, _ = props["StageName"].(string)
	if ms, ok := props["MethodSettings"].([]any); ok {
		for _, x := range ms {
			m, _ := x.(map[string]any)
			path, _ := m["ResourcePath"].(string)
			method, _ := m["HttpMethod"].(string)
			b := a.r.throttleBucket(m)
			if path == "/*" && method == "*" {
				s.bucket = b
				continue
			}
			// "/~1queue" is how a method setting spells the resource path /queue: a "/", then
			// the path with each "/" escaped as "~1".
			if b != nil {
				s.methodLimits[strings.ReplaceAll(strings.TrimPrefix(path, "/"), "~1", "/")+" "+method] = b
			}
		}
	}
	// "Per-API, per-stage throttling limits are applied at the API method level": each
	// method has its own bucket with the stage's default limits, unless it has its own.
	var walk func(n *resourceNode)
	walk = func(n *resourceNode) {
		for method := range n.methods {
			if _, ok := s.methodLimits[n.path+" "+method]; !ok {
				s.methodLimits[n.path+" "+method] = s.bucket.clone()
			}
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(a.root)
	if vars, ok := props["Variables"].(map[string]any); ok {
		for k, v := range vars {
			s.vars[k] = fmt.Sprint(v)
		}
	}
	if als, ok := props["AccessLogSetting"].(map[string]any); ok {
		format, _ := als["Format"].(string)
		dest, _ := als["DestinationArn"].(string)
		sink, err := a.r.sink(dest)
		if err != nil {
			return nil, err
		}
		s.format, s.sink = parseLogFormat(format), sink
	}
	return s, nil
}

// ServeHTTP serves the API: /STAGE/path, like https://ID.execute-api.REGION.amazonaws.com/STAGE/path.
func (a *restAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	x := newExchange(w, req, uuid())
	w.Header().Set("X-Amzn-Requestid", x.id)
	w.Header().Set("X-Amz-Apigw-Id", x.extID)
	stageName, rest := splitStage(req.URL.Path)
	stage, ok := a.stages[stageName]
	if !ok {
		x.message(http.StatusForbidden, "Forbidden")
		return
	}
	x.stage, x.path = stage.name, rest
	defer a.log(stage, x)

	params := map[string]string{}
	node := a.match(rest, params)
	var m *restMethod
	if node != nil {
		if m = node.methods[req.Method]; m == nil {
			m = node.methods["ANY"]
		}
	}
	if m == nil {
		// REST APIs answer an unknown path or method like an unsigned request.
		x.message(http.StatusForbidden, "Missing Authentication Token")
		return
	}
	x.resourcePath = node.path
	if !stage.methodLimits[node.path+" "+m.httpMethod].take(x.start) {
		x.message(http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	if m.iamAuth && !strings.HasPrefix(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		x.message(http.StatusForbidden, "Missing Authentication Token")
		return
	}
	if !x.readBody() {
		return
	}
	if !a.validate(x, m, params) {
		return
	}
	a.integrate(x, stage, m, params)
}

func (a *restAPI) match(path string, params map[string]string) *resourceNode {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if strings.Trim(path, "/") == "" {
		return a.root
	}
	var walk func(n *resourceNode, i int) *resourceNode
	walk = func(n *resourceNode, i int) *resourceNode {
		if i == len(parts) {
			return n
		}
		for _, c := range n.children {
			switch {
			case c.seg.greedy:
				params[c.seg.param] = strings.Join(parts[i:], "/")
				return c
			case c.seg.param != "":
				if parts[i] == "" {
					continue
				}
				if found := walk(c, i+1); found != nil {
					params[c.seg.param] = parts[i]
					return found
				}
			case c.seg.literal == parts[i]:
				if found := walk(c, i+1); found != nil {
					return found
				}
			}
		}
		return nil
	}
	return walk(a.root, 0)
}

// validate applies the method's request validator: required parameters, then the body
// against the model of its content type, with API Gateway's messages.
func (a *restAPI) validate(x *exchange, m *restMethod, params map[string]string) bool {
	if m.validateParams {
		var missing []string
		for _, p := range m.required {
			where, name, _ := strings.Cut(p, ".")
			var present bool
			switch where {
			case "querystring":
				_, present = x.req.URL.Query()[name]
			case "header":
				present = x.req.Header.Get(name) != ""
			case "path":
				present = params[name] != ""
			default:
				present = true
			}
			if !present {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			x.message(http.StatusBadRequest, "Missing required request parameters: ["+strings.Join(missing, ", ")+"]")
			return false
		}
	}
	if m.validateBody {
		s := m.models[contentType(x.req)]
		if s != nil {
			var v any
			if err := json.Unmarshal(x.body, &v); err != nil {
				x.message(http.StatusBadRequest, "Invalid request body")
				return false
			}
			if err := s.validate(v, ""); err != nil {
				x.errorMessage = "Invalid request body"
				x.integError = err.Error()
				x.message(http.StatusBadRequest, "Invalid request body")
				return false
			}
		}
	}
	return true
}

// contentType is the request's media type, application/json when it sends none.
func contentType(req *http.Request) string {
	ct := req.Header.Get("Content-Type")
	if ct == "" {
		return "application/json"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(ct)
	}
	return mt
}

func (a *restAPI) vtlInput(x *exchange, stage *restStage, params map[string]string, body []byte) *vtl.Input {
	return &vtl.Input{
		Body: body, PathParams: params, Query: x.req.URL.Query(), Headers: x.req.Header, StageVariables: stage.vars,
		Context: map[string]any{
			"requestId": x.id, "extendedRequestId": x.extID, "httpMethod": x.req.Method, "resourcePath": x.resourcePath,
			"stage": stage.name, "apiId": a.id, "accountId": a.r.aws.Account(), "path": x.req.URL.Path, "protocol": x.req.Proto,
			"requestTime": x.contextVar("requestTime", "", "", ""), "requestTimeEpoch": x.start.UnixMilli(),
			"domainName": x.req.Host, "resourceId": "", "deploymentId": "",
			"identity": map[string]any{"sourceIp": x.sourceIP, "userAgent": x.req.UserAgent()},
		},
	}
}

// integrate renders the request template, calls the backend, selects the integration
// response and renders it, as a REST API non-proxy integration does.
func (a *restAPI) integrate(x *exchange, stage *restStage, m *restMethod, params map[string]string) {
	in := m.integ
	body := x.body
	var overrides *vtl.Overrides
	if t, ok := in.templates[contentType(x.req)]; ok {
		out, err := t.Render(a.vtlInput(x, stage, params, x.body))
		if err != nil {
			x.integError = err.Error()
			x.message(http.StatusInternalServerError, "Internal server error")
			return
		}
		body, overrides = []byte(out.Body), &out.Overrides
	} else if in.passthrough == "NEVER" || (in.passthrough == "WHEN_NO_TEMPLATES" && len(in.templates) > 0) {
		x.message(http.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}

	var status int
	var respBody []byte
	var respHeader http.Header
	var selector string // what selection patterns match: the status code, or a Lambda errorMessage
	began := time.Now()
	switch {
	case in.typ == "MOCK":
		var mock struct{ StatusCode int }
		if err := json.Unmarshal(body, &mock); err != nil || mock.StatusCode == 0 {
			x.integError = "a MOCK integration needs {\"statusCode\": N} from its request template"
			x.message(http.StatusInternalServerError, "Internal server error")
			return
		}
		status, selector = mock.StatusCode, strconv.Itoa(mock.StatusCode)
	case in.fn != nil:
		ctx, cancel := context.WithTimeout(x.req.Context(), in.timeout)
		res, err := in.fn.Invoke(ctx, body)
		cancel()
		if err != nil {
			x.integLatency = time.Since(began)
			x.integError = err.Error()
			if ctx.Err() == context.DeadlineExceeded {
				x.message(http.StatusGatewayTimeout, "Endpoint request timed out")
				return
			}
			x.message(http.StatusInternalServerError, "Internal server error")
			return
		}
		status, respBody = 200, res.Payload
		if res.FunctionError != "" {
			var e struct{ ErrorMessage string }
			json.Unmarshal(res.Payload, &e)
			selector = e.ErrorMessage
			x.integError = e.ErrorMessage
		}
	default:
		req, err := a.serviceRequest(x, stage, in, params, body, overrides)
		if err != nil {
			x.integError = err.Error()
			x.message(http.StatusInternalServerError, "Internal server error")
			return
		}
		resp := a.r.callAWS(req)
		defer resp.release() // after a.respond below, which reads the body
		status, respBody, respHeader, selector = resp.status, resp.body, resp.header, strconv.Itoa(resp.status)
		x.integRequestID = resp.header.Get("X-Amzn-Requestid")
	}
	x.integLatency = time.Since(began)
	x.integStatus = strconv.Itoa(status)

	chosen, err := selectResponse(in.responses, selector, in.fn != nil && x.integError != "")
	if err != nil || chosen == nil {
		if err != nil {
			x.integError = err.Error()
		} else {
			x.integError = "no integration response matches and none is the default"
		}
		x.message(http.StatusInternalServerError, "Internal server error")
		return
	}
	a.respond(x, stage, params, chosen, respBody, respHeader, overrides)
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

func (a *restAPI) respond(x *exchange, stage *restStage, params map[string]string, chosen *restResponse, body []byte, integHeader http.Header, overrides *vtl.Overrides) {
	status := chosen.status
	out := body
	header := x.w.Header()
	contentType := "application/json"
	if integHeader != nil && len(chosen.templates) == 0 {
		if ct := integHeader.Get("Content-Type"); ct != "" {
			contentType = ct
		}
	}
	if t := pickTemplate(chosen.templates, x.req.Header.Get("Accept")); t != nil {
		in := a.vtlInput(x, stage, params, body)
		in.Overrides = overrides
		rendered, err := t.tmpl.Render(in)
		if err != nil {
			x.integError = err.Error()
			x.message(http.StatusInternalServerError, "Internal server error")
			return
		}
		out, contentType = []byte(rendered.Body), t.contentType
		if rendered.ResponseStatus != 0 {
			status = rendered.ResponseStatus
		}
		for k, vs := range rendered.ResponseHeader {
			for _, v := range vs {
				header.Set(k, v)
			}
		}
	}
	for k, src := range chosen.params {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			continue
		}
		if strings.HasPrefix(src, "'") {
			header.Set(name, strings.Trim(src, "'"))
		} else if integHeader != nil {
			header.Set(name, integHeader.Get(strings.TrimPrefix(src, "integration.response.header.")))
		}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", contentType)
	}
	x.respond(status, out)
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

// jsonTargets are the X-Amz-Target prefixes of the JSON-protocol services, for action-style
// integrations that do not set the header themselves.
var jsonTargets = map[string]string{"events": "AWSEvents.", "states": "AWSStepFunctions."}

// serviceRequest builds the call an AWS integration makes: the rendered body, the mapped
// integration request parameters and the template's overrides.
func (a *restAPI) serviceRequest(x *exchange, stage *restStage, in *restIntegration, params map[string]string, body []byte, overrides *vtl.Overrides) (*http.Request, error) {
	path := in.path
	query := url.Values{}
	if path == "" {
		path = "/"
		if in.service == "sqs" {
			query.Set("Action", in.action)
		}
	}
	header := http.Header{}
	// API Gateway asks AWS services for JSON: a REST integration to SQS gets the query
	// protocol's answer as JSON, not XML.
	header.Set("Accept", "application/json")
	for k, src := range in.params {
		v := a.paramValue(x, stage, params, src)
		switch {
		case strings.HasPrefix(k, "integration.request.header."):
			header.Set(strings.TrimPrefix(k, "integration.request.header."), v)
		case strings.HasPrefix(k, "integration.request.querystring."):
			query.Set(strings.TrimPrefix(k, "integration.request.querystring."), v)
		case strings.HasPrefix(k, "integration.request.path."):
			path = strings.ReplaceAll(path, "{"+strings.TrimPrefix(k, "integration.request.path.")+"}", url.PathEscape(v))
		}
	}
	if overrides != nil {
		for k, vs := range overrides.RequestHeader {
			for _, v := range vs {
				header.Set(k, v)
			}
		}
		for k, vs := range overrides.RequestQuerystring {
			for _, v := range vs {
				query.Set(k, v)
			}
		}
		for k, v := range overrides.RequestPath {
			path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
		}
	}
	if prefix, ok := jsonTargets[in.service]; ok && header.Get("X-Amz-Target") == "" && in.action != "" {
		header.Set("X-Amz-Target", prefix+in.action)
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	return req, nil
}

func (a *restAPI) paramValue(x *exchange, stage *restStage, params map[string]string, src string) string {
	switch {
	case strings.HasPrefix(src, "'"):
		return strings.Trim(src, "'")
	case strings.HasPrefix(src, "method.request.header."):
		return x.req.Header.Get(strings.TrimPrefix(src, "method.request.header."))
	case strings.HasPrefix(src, "method.request.querystring."):
		return x.req.URL.Query().Get(strings.TrimPrefix(src, "method.request.querystring."))
	case strings.HasPrefix(src, "method.request.path."):
		return params[strings.TrimPrefix(src, "method.request.path.")]
	case strings.HasPrefix(src, "stageVariables."):
		return stage.vars[strings.TrimPrefix(src, "stageVariables.")]
	case strings.HasPrefix(src, "context."):
		return x.contextVar(strings.TrimPrefix(src, "context."), a.id, a.r.aws.Account(), x.req.URL.Path)
	}
	return ""
}

func (a *restAPI) log(stage *restStage, x *exchange) {
	if stage.sink == nil {
		return
	}
	line := stage.format.render(make([]byte, 0, 512), func(name string) string {
		return x.contextVar(name, a.id, a.r.aws.Account(), x.req.URL.Path)
	})
	stage.sink.write(line)
}
