package localapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"firstclass/internal/cfn"
	"firstclass/internal/lambdalocal"
	"firstclass/internal/mapping"
)

// httpAPI is one API Gateway v2 HTTP API.
type httpAPI struct {
	r         *Runner
	logicalID string
	id        string
	baseURL   string
	routes    []*httpRoute // most specific first
	stages    map[string]*httpStage
}

type httpRoute struct {
	key        string
	method     string // "ANY" matches every method
	segs       []segment
	isDefault  bool // $default
	iamAuth    bool
	integ      *httpIntegration
	specificty [3]int
}

// segment is one path segment of a route or resource: literal text, a {param} or a greedy
// {param+}.
type segment struct {
	literal string
	param   string
	greedy  bool
}

func parsePath(path string) []segment {
	var segs []segment
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := strings.Trim(s, "{}")
			segs = append(segs, segment{param: strings.TrimSuffix(name, "+"), greedy: strings.HasSuffix(name, "+")})
			continue
		}
		segs = append(segs, segment{literal: s})
	}
	return segs
}

// match matches a request path's segments, filling params.
func matchSegments(segs []segment, parts []string, params map[string]string) bool {
	for i, s := range segs {
		if s.greedy {
			if i >= len(parts) {
				return false
			}
			params[s.param] = strings.Join(parts[i:], "/")
			return true
		}
		if i >= len(parts) {
			return false
		}
		if s.param != "" {
			if parts[i] == "" {
				return false
			}
			params[s.param] = parts[i]
			continue
		}
		if s.literal != parts[i] {
			return false
		}
	}
	return len(parts) == len(segs)
}

type httpIntegration struct {
	logicalID string
	subtype   *mapping.Subtype
	mapping   *mapping.Mapping
	fn        *lambdalocal.Function
	version   string // payload format of a Lambda proxy integration
	timeout   time.Duration
	describe  string   // what it calls, for the terminal
	details   []string // its parameter mapping, for the terminal
}

type httpStage struct {
	name       string
	bucket     *bucket            // DefaultRouteSettings: the limits of each route without its own
	routeLimit map[string]*bucket // one token bucket per route key
	format     *logFormat
	sink       *logSink
	vars       map[string]string
}

func (r *Runner) loadHTTPAPIs(t *cfn.Template) error {
	return r.eachResource(t, "AWS::ApiGatewayV2::Api", nil, func(res *cfn.Resource, props map[string]any) error {
		if p, _ := props["ProtocolType"].(string); p != "HTTP" {
			return fmt.Errorf("cannot emulate %s: protocol %q (only HTTP APIs are emulated)", res, p)
		}
		if props["Body"] != nil || props["BodyS3Location"] != nil || props["Target"] != nil {
			return fmt.Errorf("cannot emulate %s: an API imported from OpenAPI or quick-created with Target is not emulated; define routes and integrations", res)
		}
		a := &httpAPI{r: r, logicalID: res.LogicalID, id: r.vals[res.LogicalID].ref, stages: map[string]*httpStage{}}
		if err := a.load(t); err != nil {
			return err
		}
		r.httpAPIs = append(r.httpAPIs, a)
		return nil
	})
}

func (a *httpAPI) belongs(props map[string]any) bool {
	id, _ := props["ApiId"].(string)
	return id == a.id
}

func (a *httpAPI) load(t *cfn.Template) error {
	r := a.r
	integrations := map[string]*httpIntegration{} // by local ID
	if err := r.eachResource(t, "AWS::ApiGatewayV2::Integration", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		in, err := a.integration(res, props)
		if err != nil {
			return fmt.Errorf("cannot emulate %s: %w", res, err)
		}
		integrations[r.vals[res.LogicalID].ref] = in
		return nil
	}); err != nil {
		return err
	}
	if err := r.eachResource(t, "AWS::ApiGatewayV2::Route", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		key, _ := props["RouteKey"].(string)
		target, _ := props["Target"].(string)
		in, ok := integrations[strings.TrimPrefix(target, "integrations/")]
		if !ok {
			return fmt.Errorf("cannot emulate %s: target %q is not an integration of this API", res, target)
		}
		route := &httpRoute{key: key, integ: in}
		switch auth, _ := props["AuthorizationType"].(string); auth {
		case "", "NONE":
		case "AWS_IAM":
			route.iamAuth = true
		default:
			return fmt.Errorf("cannot emulate %s: authorization %s (the local runner handles NONE and AWS_IAM)", res, auth)
		}
		if key == "$default" {
			route.isDefault = true
		} else {
			method, path, ok := strings.Cut(key, " ")
			if !ok {
				return fmt.Errorf("%s: route key %q is not \"METHOD /path\"", res, key)
			}
			route.method, route.segs = method, parsePath(path)
		}
		route.specificty = specificity(route)
		a.routes = append(a.routes, route)
		return nil
	}); err != nil {
		return err
	}
	// API Gateway picks the most specific route: literal paths over {params} over greedy
	// {proxy+}, a named method over ANY, and $default last.
	sort.SliceStable(a.routes, func(i, j int) bool {
		x, y := a.routes[i].specificty, a.routes[j].specificty
		for k := range x {
			if x[k] != y[k] {
				return x[k] > y[k]
			}
		}
		return a.routes[i].key < a.routes[j].key
	})
	if err := r.eachResource(t, "AWS::ApiGatewayV2::Stage", a.belongs, func(res *cfn.Resource, props map[string]any) error {
		s, err := a.stage(res, props)
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
		return fmt.Errorf("HTTP API %s has no stage to serve%s", a.logicalID, stageHint(r.opts.Stage))
	}
	return nil
}

func stageHint(stage string) string {
	if stage == "" {
		return ""
	}
	return fmt.Sprintf(" named %q (--stage)", stage)
}

func specificity(r *httpRoute) [3]int {
	if r.isDefault {
		return [3]int{-1, 0, 0}
	}
	literals, greedy := 0, 0
	for _, s := range r.segs {
		if s.literal != "" {
			literals++
		}
		if s.greedy {
			greedy = 1
		}
	}
	method := 1
	if r.method == "ANY" {
		method = 0
	}
	return [3]int{1 - greedy, literals*10 + len(r.segs), method}
}

func (a *httpAPI) integration(res *cfn.Resource, props map[string]any) (*httpIntegration, error) {
	in := &httpIntegration{logicalID: res.LogicalID, timeout: 30 * time.Second}
	if ms, ok := props["TimeoutInMillis"].(float64); ok {
		in.timeout = time.Duration(ms) * time.Millisecond
	}
	if props["ResponseParameters"] != nil {
		return nil, fmt.Errorf("response parameter mapping is not emulated")
	}
	typ, _ := props["IntegrationType"].(string)
	subtype, _ := props["IntegrationSubtype"].(string)
	switch {
	case typ == "AWS_PROXY" && subtype != "":
		st, ok := mapping.LookupSubtype(subtype)
		if !ok {
			return nil, fmt.Errorf("unknown integration subtype %q", subtype)
		}
		if !emulatedSubtype(st) {
			return nil, fmt.Errorf("subtype %s calls %s, which the local AWS does not run (it runs SQS, EventBridge and Step Functions)", subtype, st.Service)
		}
		params := map[string]string{}
		if m, ok := props["RequestParameters"].(map[string]any); ok {
			for k, v := range m {
				params[k] = fmt.Sprint(v)
			}
		}
		m, err := mapping.NewMapping(subtype, params)
		if err != nil {
			return nil, err
		}
		in.subtype, in.mapping = st, m
		in.describe = describeHTTP(in, params, "")
		in.details = describeMapping(params)
	case typ == "AWS_PROXY":
		uri, _ := props["IntegrationUri"].(string)
		fn, err := a.r.functionByARN(lambdaARN(uri))
		if err != nil {
			return nil, err
		}
		in.fn = fn
		in.version, _ = props["PayloadFormatVersion"].(string)
		if in.version != "2.0" && in.version != "1.0" {
			return nil, fmt.Errorf("payload format version %q", in.version)
		}
		if in.version == "1.0" {
			return nil, fmt.Errorf("Lambda proxy payload format 1.0 is not emulated on HTTP APIs; use 2.0")
		}
		if props["RequestParameters"] != nil {
			return nil, fmt.Errorf("parameter mapping on a Lambda proxy integration is not emulated")
		}
		in.describe = describeHTTP(in, nil, shortName(lambdaARN(uri)))
	default:
		return nil, fmt.Errorf("integration type %s is not emulated (AWS_PROXY first-class and Lambda integrations are)", typ)
	}
	return in, nil
}

// lambdaARN takes a function ARN out of an integration URI, which is either the ARN itself
// or arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
func lambdaARN(uri string) string {
	if i := strings.Index(uri, "/functions/"); i >= 0 {
		return strings.TrimSuffix(uri[i+len("/functions/"):], "/invocations")
	}
	return uri
}

func (a *httpAPI) stage(res *cfn.Resource, props map[string]any) (*httpStage, error) {
	s := &httpStage{routeLimit: map[string]*bucket{}, vars: map[string]string{}}
	s.name, _ = props["StageName"].(string)
	if d, ok := props["DefaultRouteSettings"].(map[string]any); ok {
		s.bucket = a.r.throttleBucket(d)
	}
	if rs, ok := props["RouteSettings"].(map[string]any); ok {
		for key, v := range rs {
			if m, ok := v.(map[string]any); ok {
				if b := a.r.throttleBucket(m); b != nil {
					s.routeLimit[key] = b
				}
			}
		}
	}
	// API Gateway applies the stage's default route throttling to each route on its own:
	// five routes at a 100 requests/s default may take 500 requests/s together.
	for _, route := range a.routes {
		if _, ok := s.routeLimit[route.key]; !ok {
			s.routeLimit[route.key] = s.bucket.clone()
		}
	}
	if vars, ok := props["StageVariables"].(map[string]any); ok {
		for k, v := range vars {
			s.vars[k] = fmt.Sprint(v)
		}
	}
	if als, ok := props["AccessLogSettings"].(map[string]any); ok {
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

// throttleBucket is the token bucket of a stage's or route's throttling settings; nil when
// the settings set no limit or throttling is off (Options.NoThrottle).
func (r *Runner) throttleBucket(m map[string]any) *bucket {
	if r.opts.NoThrottle {
		return nil
	}
	rate, _ := m["ThrottlingRateLimit"].(float64)
	burst, _ := m["ThrottlingBurstLimit"].(float64)
	return newBucket(rate, burst)
}

// ServeHTTP serves the API: /STAGE/path, like https://ID.execute-api.REGION.amazonaws.com/STAGE/path.
func (a *httpAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	x := newExchange(w, req, randomID())
	w.Header().Set("Apigw-Requestid", x.id)
	stageName, rest := splitStage(req.URL.Path)
	stage, ok := a.stages[stageName]
	if !ok {
		if stage, ok = a.stages["$default"]; ok {
			rest = req.URL.Path
		}
	}
	if !ok {
		x.message(http.StatusNotFound, "Not Found")
		return
	}
	x.stage, x.path = stage.name, rest
	defer a.log(stage, x)

	params := map[string]string{}
	route := a.match(req.Method, rest, params)
	if route == nil {
		x.message(http.StatusNotFound, "Not Found")
		return
	}
	x.routeKey = route.key
	if !stage.routeLimit[route.key].take(x.start) {
		x.message(http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	if route.iamAuth && !strings.HasPrefix(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		x.message(http.StatusForbidden, "Forbidden")
		return
	}
	if !x.readBody() {
		return
	}
	if route.integ.fn != nil {
		a.invokeLambda(x, stage, route, params)
		return
	}
	a.callService(x, stage, route, params)
}

func splitStage(path string) (stage, rest string) {
	p := strings.TrimPrefix(path, "/")
	stage, rest, _ = strings.Cut(p, "/")
	return stage, "/" + rest
}

func (a *httpAPI) match(method, path string, params map[string]string) *httpRoute {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if path == "/" {
		parts = nil
	}
	for _, r := range a.routes {
		if r.isDefault {
			return r
		}
		if r.method != method && r.method != "ANY" {
			continue
		}
		clear(params)
		if matchSegments(r.segs, parts, params) {
			return r
		}
	}
	return nil
}

// mappingRequest is what parameter mapping reads.
func (a *httpAPI) mappingRequest(x *exchange, stage *httpStage, params map[string]string) *mapping.Request {
	return &mapping.Request{
		Header: x.req.Header, Query: x.req.URL.Query(), PathParams: params, Path: x.path, Body: x.body,
		StageVariables: stage.vars,
		ContextFunc: func(name string) (string, bool) {
			v := x.contextVar(name, a.id, a.r.aws.Account(), x.req.URL.Path)
			return v, v != ""
		},
	}
}

// callService evaluates the route's parameter mapping and calls the AWS service; the client
// gets the service's own status and body, as from a first-class integration.
func (a *httpAPI) callService(x *exchange, stage *httpStage, route *httpRoute, params map[string]string) {
	in := route.integ
	values := map[string]string{}
	// A required parameter whose value was missing is left out and the service says what
	// it misses, as when API Gateway drops it.
	_ = in.mapping.Evaluate(a.mappingRequest(x, stage, params), values)
	svcReq, err := a.r.subtypeCall(in.subtype, values)
	if err != nil {
		x.integError = err.Error()
		x.message(http.StatusInternalServerError, "Internal Server Error")
		return
	}
	began := time.Now()
	resp := a.r.callAWS(svcReq)
	defer resp.release()
	x.integLatency = time.Since(began)
	x.integStatus = fmt.Sprint(resp.status)
	x.integRequestID = resp.header.Get("X-Amzn-Requestid")
	if ct := resp.header.Get("Content-Type"); ct != "" {
		x.w.Header().Set("Content-Type", ct)
	}
	x.respond(resp.status, resp.body)
}

// invokeLambda sends a payload format 2.0 event and turns the function's answer into the
// response, as an HTTP API Lambda proxy integration does.
func (a *httpAPI) invokeLambda(x *exchange, stage *httpStage, route *httpRoute, params map[string]string) {
	event := a.lambdaEvent(x, stage, route, params)
	ctx, cancel := context.WithTimeout(x.req.Context(), route.integ.timeout)
	defer cancel()
	began := time.Now()
	res, err := route.integ.fn.Invoke(ctx, event)
	x.integLatency = time.Since(began)
	if err != nil {
		x.integError = err.Error()
		if ctx.Err() == context.DeadlineExceeded {
			x.message(http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		x.message(http.StatusInternalServerError, "Internal Server Error")
		return
	}
	x.integStatus = "200"
	if res.FunctionError != "" {
		x.integError = string(res.Payload)
		x.message(http.StatusInternalServerError, "Internal Server Error")
		return
	}
	status, header, body, err := proxyResponse(res.Payload)
	if err != nil {
		x.integError = err.Error()
		x.message(http.StatusInternalServerError, "Internal Server Error")
		return
	}
	for k, v := range header {
		x.w.Header()[k] = v
	}
	x.respond(status, body)
}

func (a *httpAPI) lambdaEvent(x *exchange, stage *httpStage, route *httpRoute, params map[string]string) []byte {
	req := x.req
	headers := map[string]string{}
	var cookies []string
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, c := range v {
				for _, part := range strings.Split(c, ";") {
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
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       route.key,
		"rawPath":        req.URL.Path,
		"rawQueryString": req.URL.RawQuery,
		"headers":        headers,
		"requestContext": map[string]any{
			"accountId": a.r.aws.Account(), "apiId": a.id, "domainName": req.Host, "domainPrefix": x.contextVar("domainPrefix", "", "", ""),
			"http":      map[string]any{"method": req.Method, "path": req.URL.Path, "protocol": req.Proto, "sourceIp": x.sourceIP, "userAgent": req.UserAgent()},
			"requestId": x.id, "routeKey": route.key, "stage": stage.name,
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
	if len(params) > 0 {
		ev["pathParameters"] = params
	}
	if len(stage.vars) > 0 {
		ev["stageVariables"] = stage.vars
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

// proxyResponse reads a payload format 2.0 response. A JSON object with a statusCode is a
// full response; anything else valid JSON is the body of a 200 with Content-Type
// application/json (AWS's documented inference).
func proxyResponse(payload []byte) (int, http.Header, []byte, error) {
	var full struct {
		StatusCode        *int                `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              *string             `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if !json.Valid(payload) {
		return 0, nil, nil, fmt.Errorf("the function returned invalid JSON")
	}
	header := http.Header{}
	if json.Unmarshal(payload, &full) != nil || full.StatusCode == nil {
		header.Set("Content-Type", "application/json")
		return http.StatusOK, header, payload, nil
	}
	for k, v := range full.Headers {
		header.Set(k, v)
	}
	for k, vs := range full.MultiValueHeaders {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for _, c := range full.Cookies {
		header.Add("Set-Cookie", c)
	}
	var body []byte
	if full.Body != nil {
		body = []byte(*full.Body)
		if full.IsBase64Encoded {
			dec, err := base64.StdEncoding.DecodeString(*full.Body)
			if err != nil {
				return 0, nil, nil, fmt.Errorf("isBase64Encoded body is not base64: %w", err)
			}
			body = dec
		}
	}
	return *full.StatusCode, header, body, nil
}

func (a *httpAPI) log(stage *httpStage, x *exchange) {
	if stage.sink == nil {
		return
	}
	line := stage.format.render(make([]byte, 0, 512), func(name string) string {
		return x.contextVar(name, a.id, a.r.aws.Account(), x.req.URL.Path)
	})
	stage.sink.write(line)
}
