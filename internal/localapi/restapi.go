package localapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
)

// restAPI is one API Gateway v1 REST API.
type restAPI struct {
	r         *Runner
	logicalID string
	id        string
	baseURL   string
	root      *resourceNode
	stages    map[string]*restStage
	responses restGatewayResponses
	binary    []string // BinaryMediaTypes: "image/png", "image/*", "*/*"
	// apiKeySource is ApiKeySourceType: HEADER (x-api-key) or AUTHORIZER.
	apiKeySource string
	// authorizers are the API's AWS::ApiGateway::Authorizer resources by local ID.
	authorizers map[string]map[string]any
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
	auth           authorizer
	apiKeyRequired bool
	validateBody   bool
	validateParams bool
	required       []string // "querystring.greeter", "header.X", "path.id"
	models         map[string]*schema
	integ          restIntegration
	def            map[string]any // its resolved properties, for Reload's diff
}

type restStage struct {
	name         string
	bucket       *bucket            // the "/*/*" method settings: the limits of each method without its own
	methodLimits map[string]*bucket // one token bucket per method: "/resource/path METHOD"
	format       *logFormat
	sink         *logSink
	vars         map[string]string
}

// v1APIProps are AWS::ApiGateway::RestApi's properties.
type v1APIProps struct {
	Name                      string   `json:"Name"`
	Description               ignored  `json:"Description"`
	EndpointConfiguration     ignored  `json:"EndpointConfiguration"`
	Policy                    ignored  `json:"Policy"` // IAM is not enforced locally
	DisableExecuteApiEndpoint ignored  `json:"DisableExecuteApiEndpoint"`
	MinimumCompressionSize    ignored  `json:"MinimumCompressionSize"`
	FailOnWarnings            ignored  `json:"FailOnWarnings"`
	Parameters                ignored  `json:"Parameters"`
	Tags                      ignored  `json:"Tags"`
	ApiKeySourceType          string   `json:"ApiKeySourceType"`
	BinaryMediaTypes          []string `json:"BinaryMediaTypes"`
}

// v1ResourceProps are AWS::ApiGateway::Resource's properties.
type v1ResourceProps struct {
	RestApiId string `json:"RestApiId"`
	ParentId  string `json:"ParentId"`
	PathPart  string `json:"PathPart"`
}

// v1MethodProps are AWS::ApiGateway::Method's properties.
type v1MethodProps struct {
	RestApiId           string              `json:"RestApiId"`
	ResourceId          string              `json:"ResourceId"`
	HttpMethod          string              `json:"HttpMethod"`
	AuthorizationType   string              `json:"AuthorizationType"`
	AuthorizerId        string              `json:"AuthorizerId"`
	AuthorizationScopes []string            `json:"AuthorizationScopes"`
	RequestValidatorId  string              `json:"RequestValidatorId"`
	RequestParameters   map[string]bool     `json:"RequestParameters"`
	RequestModels       map[string]string   `json:"RequestModels"`
	Integration         *v1IntegrationProps `json:"Integration"`
	MethodResponses     ignored             `json:"MethodResponses"` // they only declare what integration responses may send
	OperationName       ignored             `json:"OperationName"`
	ApiKeyRequired      *bool               `json:"ApiKeyRequired"`
}

// v1IntegrationProps are a method's Integration.
type v1IntegrationProps struct {
	Type                  string                  `json:"Type"`
	Uri                   string                  `json:"Uri"`
	IntegrationHttpMethod string                  `json:"IntegrationHttpMethod"`
	PassthroughBehavior   string                  `json:"PassthroughBehavior"`
	TimeoutInMillis       scalar                  `json:"TimeoutInMillis"`
	RequestParameters     map[string]string       `json:"RequestParameters"`
	RequestTemplates      map[string]string       `json:"RequestTemplates"`
	IntegrationResponses  []v1IntegrationResponse `json:"IntegrationResponses"`
	// IAM is not enforced locally; the listing reads the role's grants (rolegrant.go).
	Credentials        string  `json:"Credentials"`
	CacheKeyParameters ignored `json:"CacheKeyParameters"`
	CacheNamespace     ignored `json:"CacheNamespace"`
}

// v1IntegrationResponse is one of an integration's IntegrationResponses.
type v1IntegrationResponse struct {
	StatusCode         string            `json:"StatusCode"`
	SelectionPattern   string            `json:"SelectionPattern"`
	ResponseTemplates  map[string]string `json:"ResponseTemplates"`
	ResponseParameters map[string]string `json:"ResponseParameters"`
}

// v1ModelProps are AWS::ApiGateway::Model's properties.
type v1ModelProps struct {
	RestApiId   string  `json:"RestApiId"`
	Name        string  `json:"Name"`
	Schema      any     `json:"Schema"`
	ContentType ignored `json:"ContentType"`
	Description ignored `json:"Description"`
}

// v1ValidatorProps are AWS::ApiGateway::RequestValidator's properties.
type v1ValidatorProps struct {
	RestApiId                 string  `json:"RestApiId"`
	ValidateRequestBody       bool    `json:"ValidateRequestBody"`
	ValidateRequestParameters bool    `json:"ValidateRequestParameters"`
	Name                      ignored `json:"Name"`
}

// v1StageProps are AWS::ApiGateway::Stage's properties.
type v1StageProps struct {
	RestApiId        string             `json:"RestApiId"`
	StageName        string             `json:"StageName"`
	MethodSettings   []v1MethodSetting  `json:"MethodSettings"`
	Variables        map[string]scalar  `json:"Variables"`
	AccessLogSetting *accessLogSettings `json:"AccessLogSetting"`
	DeploymentId     ignored            `json:"DeploymentId"`
	Description      ignored            `json:"Description"`
	TracingEnabled   ignored            `json:"TracingEnabled"`
	Tags             ignored            `json:"Tags"`
}

// v1MethodSetting is one of a stage's MethodSettings.
type v1MethodSetting struct {
	ResourcePath string `json:"ResourcePath"`
	HttpMethod   string `json:"HttpMethod"`
	throttleSettings
	MetricsEnabled     ignored `json:"MetricsEnabled"`
	CachingEnabled     ignored `json:"CachingEnabled"`
	CacheTtlInSeconds  ignored `json:"CacheTtlInSeconds"`
	CacheDataEncrypted ignored `json:"CacheDataEncrypted"`
}

// v1GatewayResponseProps are AWS::ApiGateway::GatewayResponse's properties.
type v1GatewayResponseProps struct {
	RestApiId          string            `json:"RestApiId"`
	ResponseType       string            `json:"ResponseType"`
	StatusCode         scalar            `json:"StatusCode"`
	ResponseParameters map[string]string `json:"ResponseParameters"`
	ResponseTemplates  map[string]string `json:"ResponseTemplates"`
}

// loadRESTAPI loads one REST API with its resources, methods, models, validators, gateway
// responses and stages.
func (r *Runner) loadRESTAPI(res *cfn.Resource) error {
	if res.Properties["Body"] != nil || res.Properties["BodyS3Location"] != nil || res.Properties["CloneFrom"] != nil {
		return cannot("define resources and methods as resources", "an API imported from OpenAPI or cloned is not emulated")
	}
	var p v1APIProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	a := &restAPI{r: r, logicalID: res.LogicalID, id: r.vals[res.LogicalID].ref, stages: map[string]*restStage{}, responses: restGatewayResponses{}, binary: p.BinaryMediaTypes}
	a.apiKeySource = p.ApiKeySourceType
	if a.apiKeySource == "" {
		a.apiKeySource = "HEADER"
	}
	before := r.loading.count()
	a.load(r.tmpl)
	if r.loading.count() > before {
		return nil // its parts' problems are reported; the API is not served
	}
	if len(a.stages) == 0 {
		return fmt.Errorf("REST API %s has no stage to serve%s", a.logicalID, stageHint(r.opts.Stage))
	}
	r.restAPIs = append(r.restAPIs, a)
	return nil
}

func (a *restAPI) belongs(props map[string]any) bool {
	id, _ := props["RestApiId"].(string)
	return id == a.id
}

func (a *restAPI) load(t *cfn.Template) {
	nodes := a.loadResources(t)
	models := a.loadModels(t)
	validators := a.loadValidators(t)
	r, ps := a.r, a.r.loading
	a.authorizers = r.authorizerDefs(t, "AWS::ApiGateway::Authorizer", a.belongs)
	r.eachResource(t, "AWS::ApiGateway::Method", a.belongs, ps, func(res *cfn.Resource, props map[string]any) error {
		var p v1MethodProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		node, ok := nodes[p.ResourceId]
		if !ok {
			return fmt.Errorf("its resource is not in the template")
		}
		m, err := a.method(&p, models, validators)
		if err != nil {
			return err
		}
		m.def = props
		node.methods[m.httpMethod] = m
		return nil
	})
	r.eachResource(t, "AWS::ApiGateway::GatewayResponse", a.belongs, ps, func(res *cfn.Resource, props map[string]any) error {
		var p v1GatewayResponseProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		return a.gatewayResponse(&p)
	})
	r.eachResource(t, "AWS::ApiGateway::Stage", a.belongs, ps, func(res *cfn.Resource, props map[string]any) error {
		var p v1StageProps
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

// loadResources builds the resource tree. Resources name their parent; they are added until
// none is left, so order does not matter.
func (a *restAPI) loadResources(t *cfn.Template) map[string]*resourceNode {
	r := a.r
	a.root = &resourceNode{id: r.vals[a.logicalID].attrs["RootResourceId"], path: "/", methods: map[string]*restMethod{}}
	nodes := map[string]*resourceNode{a.root.id: a.root}
	type pendingResource struct {
		res *cfn.Resource
		p   v1ResourceProps
	}
	var pending []pendingResource
	r.eachResource(t, "AWS::ApiGateway::Resource", a.belongs, r.loading, func(res *cfn.Resource, props map[string]any) error {
		var p v1ResourceProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		pending = append(pending, pendingResource{res, p})
		return nil
	})
	for len(pending) > 0 {
		var rest []pendingResource
		for _, pr := range pending {
			parent, ok := nodes[pr.p.ParentId]
			if !ok {
				rest = append(rest, pr)
				continue
			}
			segs := parsePath(pr.p.PathPart)
			if len(segs) != 1 {
				r.loading.add(pr.res, fmt.Errorf("path part %q", pr.p.PathPart))
				continue
			}
			n := &resourceNode{id: r.vals[pr.res.LogicalID].ref, path: strings.TrimSuffix(parent.path, "/") + "/" + pr.p.PathPart, seg: segs[0], methods: map[string]*restMethod{}}
			parent.children = append(parent.children, n)
			nodes[n.id] = n
		}
		if len(rest) == len(pending) {
			for _, pr := range rest {
				r.loading.add(pr.res, fmt.Errorf("its parent resource is not in the template"))
			}
			break
		}
		pending = rest
	}
	sortChildren(a.root)
	return nodes
}

func (a *restAPI) loadModels(t *cfn.Template) map[string]*schema {
	r := a.r
	models := map[string]*schema{}
	r.eachResource(t, "AWS::ApiGateway::Model", a.belongs, r.loading, func(res *cfn.Resource, props map[string]any) error {
		var p v1ModelProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		raw := p.Schema
		if s, ok := raw.(string); ok {
			if err := json.Unmarshal([]byte(s), &raw); err != nil {
				return fmt.Errorf("schema: %w", err)
			}
		}
		s, err := compileSchema(raw)
		if err != nil {
			return err
		}
		models[r.vals[res.LogicalID].ref] = s
		return nil
	})
	return models
}

func (a *restAPI) loadValidators(t *cfn.Template) map[string]v1ValidatorProps {
	r := a.r
	validators := map[string]v1ValidatorProps{}
	r.eachResource(t, "AWS::ApiGateway::RequestValidator", nil, r.loading, func(res *cfn.Resource, props map[string]any) error {
		var p v1ValidatorProps
		if err := decodeInto(props, &p); err != nil {
			return err
		}
		validators[r.vals[res.LogicalID].ref] = p
		return nil
	})
	return validators
}

// walk calls fn with every method of n and the resources under it.
func (n *resourceNode) walk(fn func(*restMethod)) {
	for _, m := range sortedKeys(n.methods) {
		fn(n.methods[m])
	}
	for _, c := range n.children {
		c.walk(fn)
	}
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

func (a *restAPI) method(p *v1MethodProps, models map[string]*schema, validators map[string]v1ValidatorProps) (*restMethod, error) {
	m := &restMethod{httpMethod: p.HttpMethod, models: map[string]*schema{}}
	auth, err := a.r.newAuthorizer(contract.REST, p.AuthorizationType, p.AuthorizerId, p.AuthorizationScopes, a.authorizers)
	if err != nil {
		return nil, err
	}
	m.auth = auth
	m.apiKeyRequired = p.ApiKeyRequired != nil && *p.ApiKeyRequired
	if m.apiKeyRequired && a.apiKeySource != "HEADER" && a.apiKeySource != "AUTHORIZER" {
		return nil, fmt.Errorf("ApiKeySourceType %q is not HEADER or AUTHORIZER", a.apiKeySource)
	}
	if v, ok := validators[p.RequestValidatorId]; ok {
		m.validateBody, m.validateParams = v.ValidateRequestBody, v.ValidateRequestParameters
	}
	for k, required := range p.RequestParameters {
		if required {
			m.required = append(m.required, strings.TrimPrefix(k, "method.request."))
		}
	}
	sort.Strings(m.required)
	for ct, name := range p.RequestModels {
		s, ok := models[name]
		if !ok && name != "Empty" && name != "Error" {
			return nil, fmt.Errorf("request model %v is not in the template", name)
		}
		if s != nil {
			m.models[ct] = s
		}
	}
	if p.Integration == nil {
		return nil, fmt.Errorf("no integration")
	}
	integ, err := a.integration(p.Integration)
	if err != nil {
		return nil, err
	}
	m.integ = integ
	return m, nil
}

// gatewayResponse records an AWS::ApiGateway::GatewayResponse.
func (a *restAPI) gatewayResponse(p *v1GatewayResponseProps) error {
	typ := responseType(p.ResponseType)
	if _, ok := restDefaults[typ]; !ok && typ != default4XX && typ != default5XX {
		return fmt.Errorf("response type %q is not one of API Gateway's", p.ResponseType)
	}
	o := &gatewayOverride{headers: map[string]string{}, templates: map[string]string{}}
	if p.StatusCode != "" {
		n, err := strconv.Atoi(string(p.StatusCode))
		if err != nil {
			return fmt.Errorf("status code %q", p.StatusCode)
		}
		o.status = n
	}
	for k, v := range p.ResponseParameters {
		name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
		if !ok {
			return cannot("map gatewayresponse.header.* only", "response parameter %s is not emulated", k)
		}
		o.headers[name] = v
	}
	for ct, t := range p.ResponseTemplates {
		o.templates[strings.ToLower(ct)] = t
	}
	a.responses[typ] = o
	return nil
}

func (a *restAPI) stage(p *v1StageProps) (*restStage, error) {
	s := &restStage{name: p.StageName, methodLimits: map[string]*bucket{}, vars: map[string]string{}}
	for _, m := range p.MethodSettings {
		b := a.r.throttleBucket(&m.throttleSettings)
		if m.ResourcePath == "/*" && m.HttpMethod == "*" {
			s.bucket = b
			continue
		}
		// "/~1queue" is how a method setting spells the resource path /queue: a "/", then
		// the path with each "/" escaped as "~1".
		if b != nil {
			s.methodLimits[strings.ReplaceAll(strings.TrimPrefix(m.ResourcePath, "/"), "~1", "/")+" "+m.HttpMethod] = b
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
	for k, v := range p.Variables {
		s.vars[k] = string(v)
	}
	if als := p.AccessLogSetting; als != nil {
		sink, err := a.r.sink(als.DestinationArn)
		if err != nil {
			return nil, err
		}
		s.format, s.sink = parseLogFormat(als.Format), sink
	}
	return s, nil
}

// isBinary reports whether a media type is one of the API's BinaryMediaTypes.
func (a *restAPI) isBinary(contentType string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	if mt == "" {
		return false
	}
	for _, b := range a.binary {
		// A binary media type is written with "~1" for "/" in some templates.
		b = strings.ToLower(strings.ReplaceAll(b, "~1", "/"))
		if b == "*/*" || b == mt || (strings.HasSuffix(b, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(b, "*"))) {
			return true
		}
	}
	return false
}

// acceptsBinary reports whether the client's Accept names a binary media type: then a proxy
// answer's isBase64Encoded body is decoded.
func (a *restAPI) acceptsBinary(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		if a.isBinary(part) {
			return true
		}
	}
	return false
}
