package localapi

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/mapping"
)

// httpAPI is one API Gateway v2 HTTP API.
type httpAPI struct {
	r         *Runner
	logicalID string
	id        string
	baseURL   string
	routes    []*httpRoute // most specific first
	// authorizers are the API's AWS::ApiGatewayV2::Authorizer resources by local ID.
	authorizers map[string]map[string]any
	stages      map[string]*httpStage
	cors        *cors // the API's CorsConfiguration; nil without one
}

type httpRoute struct {
	key        string
	method     string // "ANY" matches every method
	segs       []segment
	isDefault  bool // $default
	auth       authorizer
	integ      httpIntegration
	specificty [3]int
	target     string         // its Target: "integrations/ID"
	def        map[string]any // the route's and its integration's resolved properties, for Reload's diff
}

// httpCall is one request's route, stage and path parameters, as an integration sees them.
type httpCall struct {
	api    *httpAPI
	stage  *httpStage
	route  *httpRoute
	params map[string]string
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

// matchSegments matches a request path's segments, filling params.
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

type httpStage struct {
	name       string
	bucket     *bucket            // DefaultRouteSettings: the limits of each route without its own
	routeLimit map[string]*bucket // one token bucket per route key
	format     *logFormat
	sink       *logSink
	vars       map[string]string
}

// v2APIProps are AWS::ApiGatewayV2::Api's properties.
type v2APIProps struct {
	Name                      string             `json:"Name"`
	ProtocolType              string             `json:"ProtocolType"`
	CorsConfiguration         *corsConfiguration `json:"CorsConfiguration"`
	Description               ignored            `json:"Description"`
	DisableExecuteApiEndpoint ignored            `json:"DisableExecuteApiEndpoint"`
	Tags                      ignored            `json:"Tags"`
}

// v2IntegrationProps are AWS::ApiGatewayV2::Integration's properties.
type v2IntegrationProps struct {
	ApiId                string            `json:"ApiId"`
	IntegrationType      string            `json:"IntegrationType"`
	IntegrationSubtype   string            `json:"IntegrationSubtype"`
	IntegrationUri       string            `json:"IntegrationUri"`
	IntegrationMethod    string            `json:"IntegrationMethod"`
	PayloadFormatVersion string            `json:"PayloadFormatVersion"`
	RequestParameters    map[string]scalar `json:"RequestParameters"`
	TimeoutInMillis      scalar            `json:"TimeoutInMillis"`
	// IAM is not enforced locally; the listing reads the role's grants (rolegrant.go).
	CredentialsArn string  `json:"CredentialsArn"`
	Description    ignored `json:"Description"`
	ConnectionType ignored `json:"ConnectionType"`
}

// timeout is the integration's timeout, 30 s unless it says.
func (p *v2IntegrationProps) timeout() time.Duration {
	if ms, ok := p.TimeoutInMillis.number(); ok {
		return time.Duration(ms) * time.Millisecond
	}
	return 30 * time.Second
}

// v2RouteProps are AWS::ApiGatewayV2::Route's properties.
type v2RouteProps struct {
	ApiId               string   `json:"ApiId"`
	RouteKey            string   `json:"RouteKey"`
	Target              string   `json:"Target"`
	AuthorizationType   string   `json:"AuthorizationType"`
	AuthorizerId        string   `json:"AuthorizerId"`
	AuthorizationScopes []string `json:"AuthorizationScopes"`
	OperationName       ignored  `json:"OperationName"`
}

// v2StageProps are AWS::ApiGatewayV2::Stage's properties.
type v2StageProps struct {
	ApiId                string                      `json:"ApiId"`
	StageName            string                      `json:"StageName"`
	DefaultRouteSettings *throttleSettings           `json:"DefaultRouteSettings"`
	RouteSettings        map[string]throttleSettings `json:"RouteSettings"`
	StageVariables       map[string]scalar           `json:"StageVariables"`
	AccessLogSettings    *accessLogSettings          `json:"AccessLogSettings"`
	AutoDeploy           ignored                     `json:"AutoDeploy"`
	DeploymentId         ignored                     `json:"DeploymentId"`
	Description          ignored                     `json:"Description"`
	Tags                 ignored                     `json:"Tags"`
}

// throttleSettings are a stage's, a route's or a method's throttling and logging settings;
// only the throttling has a local meaning.
type throttleSettings struct {
	ThrottlingRateLimit    scalar  `json:"ThrottlingRateLimit"`
	ThrottlingBurstLimit   scalar  `json:"ThrottlingBurstLimit"`
	DetailedMetricsEnabled ignored `json:"DetailedMetricsEnabled"`
	LoggingLevel           ignored `json:"LoggingLevel"`
	DataTraceEnabled       ignored `json:"DataTraceEnabled"`
}

// accessLogSettings are a stage's access log settings, on either API kind.
type accessLogSettings struct {
	DestinationArn string `json:"DestinationArn"`
	Format         string `json:"Format"`
}

// loadHTTPAPI loads one HTTP API with its integrations, routes and stages.
func (r *Runner) loadHTTPAPI(res *cfn.Resource) error {
	if res.Properties["Body"] != nil || res.Properties["BodyS3Location"] != nil || res.Properties["Target"] != nil {
		return cannot("define routes and integrations as resources", "an API imported from OpenAPI or quick-created with Target is not emulated")
	}
	var p v2APIProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	if p.ProtocolType != "HTTP" {
		return cannot("only HTTP APIs are emulated", "protocol %q", p.ProtocolType)
	}
	a := &httpAPI{r: r, logicalID: res.LogicalID, id: r.vals[res.LogicalID].ref, stages: map[string]*httpStage{}}
	if p.CorsConfiguration != nil {
		cors, err := newCORS(p.CorsConfiguration)
		if err != nil {
			return err
		}
		a.cors = cors
	}
	before := r.loading.count()
	a.load(r.tmpl)
	if r.loading.count() > before {
		return nil // its parts' problems are reported; the API is not served
	}
	if len(a.stages) == 0 {
		return fmt.Errorf("HTTP API %s has no stage to serve%s", a.logicalID, stageHint(r.opts.Stage))
	}
	r.httpAPIs = append(r.httpAPIs, a)
	return nil
}

func (a *httpAPI) belongs(props map[string]any) bool {
	id, _ := props["ApiId"].(string)
	return id == a.id
}

func (a *httpAPI) load(t *cfn.Template) {
	r := a.r
	ps := r.loading
	integrations := map[string]httpIntegration{} // by local ID
	integrationProps := map[string]map[string]any{}
	r.eachResource(t, "AWS::ApiGatewayV2::Integration", a.belongs, ps, func(res *cfn.Resource, props map[string]any) error {
		id := r.vals[res.LogicalID].ref
		integrations[id] = nil // a route to it is not served, and needs no problem of its own
		integrationProps[id] = props
		var p v2IntegrationProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		factory, ok := httpIntegrations[p.IntegrationType]
		if !ok {
			return unknown("HTTP API integration type", p.IntegrationType, httpIntegrations)
		}
		in, err := factory(a, &p)
		if err != nil {
			return err
		}
		integrations[id] = in
		return nil
	})
	a.authorizers = r.authorizerDefs(t, "AWS::ApiGatewayV2::Authorizer", a.belongs)
	r.eachResource(t, "AWS::ApiGatewayV2::Route", a.belongs, ps, func(res *cfn.Resource, props map[string]any) error {
		route, err := a.route(props, integrations)
		if route != nil {
			route.def = map[string]any{"Route": props, "Integration": integrationProps[strings.TrimPrefix(route.target, "integrations/")]}
			a.routes = append(a.routes, route)
		}
		return err
	})
	sortRoutes(a.routes)
	r.eachResource(t, "AWS::ApiGatewayV2::Stage", a.belongs, ps, func(res *cfn.Resource, props map[string]any) error {
		var p v2StageProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		s, err := a.stage(&p)
		if err != nil {
			return err
		}
		if r.opts.Stage == "" || r.opts.Stage == s.name {
			a.stages[s.name] = s
		}
		return nil
	})
}

func (a *httpAPI) route(props map[string]any, integrations map[string]httpIntegration) (*httpRoute, error) {
	var p v2RouteProps
	if err := decodeInto(props, &p); err != nil {
		return nil, err
	}
	in, ok := integrations[strings.TrimPrefix(p.Target, "integrations/")]
	switch {
	case !ok:
		return nil, fmt.Errorf("target %q is not an integration of this API", p.Target)
	case in == nil:
		return nil, nil // its integration's problem says why
	}
	route := &httpRoute{key: p.RouteKey, integ: in, target: p.Target}
	auth, err := a.r.newAuthorizer(contract.HTTP, p.AuthorizationType, p.AuthorizerId, p.AuthorizationScopes, a.authorizers)
	if err != nil {
		return nil, err
	}
	route.auth = auth
	if p.RouteKey == "$default" {
		route.isDefault = true
	} else {
		method, path, ok := strings.Cut(p.RouteKey, " ")
		if !ok {
			return nil, fmt.Errorf("route key %q is not \"METHOD /path\"", p.RouteKey)
		}
		route.method, route.segs = method, parsePath(path)
	}
	route.specificty = specificity(route)
	return route, nil
}

// sortRoutes puts routes in the order API Gateway tries them: the most specific first, literal
// paths over {params} over greedy {proxy+}, a named method over ANY, and $default last (AWS,
// "Routing API requests", http-api-develop-routes.html; TestRoutesArePickedInAWSsOrder runs its
// example).
func sortRoutes(routes []*httpRoute) {
	sort.SliceStable(routes, func(i, j int) bool {
		x, y := routes[i].specificty, routes[j].specificty
		for k := range x {
			if x[k] != y[k] {
				return x[k] > y[k]
			}
		}
		return routes[i].key < routes[j].key
	})
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

func (a *httpAPI) stage(p *v2StageProps) (*httpStage, error) {
	s := &httpStage{name: p.StageName, routeLimit: map[string]*bucket{}, vars: map[string]string{}}
	if p.DefaultRouteSettings != nil {
		s.bucket = a.r.throttleBucket(p.DefaultRouteSettings)
	}
	for key, rs := range p.RouteSettings {
		if b := a.r.throttleBucket(&rs); b != nil {
			s.routeLimit[key] = b
		}
	}
	// API Gateway applies the stage's default route throttling to each route on its own:
	// five routes at a 100 requests/s default may take 500 requests/s together.
	for _, route := range a.routes {
		if _, ok := s.routeLimit[route.key]; !ok {
			s.routeLimit[route.key] = s.bucket.clone()
		}
	}
	for k, v := range p.StageVariables {
		s.vars[k] = string(v)
	}
	if als := p.AccessLogSettings; als != nil {
		sink, err := a.r.sink(als.DestinationArn)
		if err != nil {
			return nil, err
		}
		s.format, s.sink = parseLogFormat(als.Format), sink
	}
	return s, nil
}

// throttleBucket is the token bucket of a stage's, route's or method's throttling settings;
// nil when the settings set no limit or throttling is off (Options.NoThrottle).
func (r *Runner) throttleBucket(t *throttleSettings) *bucket {
	if r.opts.NoThrottle {
		return nil
	}
	rate, _ := t.ThrottlingRateLimit.number()
	burst, _ := t.ThrottlingBurstLimit.number()
	return newBucket(rate, burst)
}

// ServeHTTP serves the API: /STAGE/path, like https://ID.execute-api.REGION.amazonaws.com/STAGE/path.
func (a *httpAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	x := newExchange(w, req, randomID())
	w.Header().Set("Apigw-Requestid", x.id)
	a.r.startTrace(x, contract.HTTP, a.logicalID)
	if x.trace != nil {
		defer a.r.finishTrace(x)
	}
	stageName, rest := splitStage(req.URL.Path)
	stage, ok := a.stages[stageName]
	if !ok {
		if stage, ok = a.stages["$default"]; ok {
			rest = req.URL.Path
		}
	}
	if !ok {
		if x.trace != nil {
			x.trace.add("No stage %q on this API, and no $default stage", stageName) // not in AWS's words: HTTP APIs log nothing
		}
		fail(resourceNotFound, "").writeHTTP(x)
		return
	}
	x.stage, x.path, x.stageVars = stage.name, rest, stage.vars
	defer a.log(stage, x)
	if e := a.serve(x, stage); e != nil {
		e.writeHTTP(x)
	}
}

// serve is the HTTP API's pipeline: route selection, throttling, the body, authorization,
// then the integration.
func (a *httpAPI) serve(x *exchange, stage *httpStage) *gatewayError {
	c := &httpCall{api: a, stage: stage, params: map[string]string{}}
	if a.cors != nil && a.cors.preflight(x) {
		return nil
	}
	route := a.match(x.req.Method, x.path, c.params)
	if route == nil {
		if x.trace != nil {
			x.trace.Stage = stage.name
			x.trace.add("No route matches %s %s on stage %s", x.req.Method, x.path, stage.name) // not in AWS's words
		}
		return fail(resourceNotFound, "")
	}
	c.route, x.routeKey = route, route.key
	if x.trace != nil {
		x.trace.Route = route.key
		x.trace.add("Route key: %s, Stage: %s", route.key, stage.name) // not in AWS's words: route selection
		x.traceMethodRequest(x.path, c.params)
	}
	if !stage.routeLimit[route.key].take(x.start) {
		return fail(throttled, "")
	}
	x.apiID, x.params = a.id, c.params
	// The body comes before authorization: a SigV4 signature covers it.
	if e := x.readBody(contract.HTTP); e != nil {
		return e
	}
	if route.auth != nil {
		if e := route.auth.authorize(x); e != nil {
			return e
		}
	}
	if a.cors != nil {
		x.beforeWrite = a.cors.actual
	}
	return route.integ.serve(x, c)
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
func (c *httpCall) mappingRequest(x *exchange) *mapping.Request {
	a := c.api
	return &mapping.Request{
		Header: x.req.Header, Query: x.req.URL.Query(), PathParams: c.params, Path: x.path, Body: x.body,
		StageVariables: c.stage.vars,
		ContextFunc: func(name string) (string, bool) {
			v := x.contextVar(name, a.id, a.r.aws.Account(), x.req.URL.Path)
			return v, v != ""
		},
	}
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
