package localapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"firstclass/internal/contract"
	"firstclass/internal/vtl"
)

// restCall is one request's method, stage and path parameters, as an integration sees them.
type restCall struct {
	api    *restAPI
	stage  *restStage
	method *restMethod
	params map[string]string
}

// ServeHTTP serves the API: /STAGE/path, like https://ID.execute-api.REGION.amazonaws.com/STAGE/path.
func (a *restAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	x := newExchange(w, req, uuid())
	w.Header().Set("X-Amzn-Requestid", x.id)
	w.Header().Set("X-Amz-Apigw-Id", x.extID)
	a.r.startTrace(x, contract.REST, a.logicalID)
	if x.trace != nil {
		defer a.r.finishTrace(x)
	}
	stageName, rest := splitStage(req.URL.Path)
	stage, ok := a.stages[stageName]
	if !ok {
		if x.trace != nil {
			x.trace.add("No stage %q on this API", stageName) // not in AWS's words
		}
		// A stage the API does not have is refused before the API is: no gateway response
		// of the API applies.
		e := fail(accessDenied, "Forbidden")
		e.errorType = "ForbiddenException"
		e.writeREST(x, nil, nil)
		return
	}
	x.stage, x.path, x.stageVars = stage.name, rest, stage.vars
	defer a.log(stage, x)
	c := &restCall{api: a, stage: stage, params: map[string]string{}}
	if e := a.serve(x, c); e != nil {
		e.writeREST(x, a.responses, func(name string) (string, bool) { return c.value(x, name) })
	}
}

// serve is the REST API's pipeline: the resource and method, throttling, the body,
// authorization, the API key and its usage plan, the request validator, then the integration.
func (a *restAPI) serve(x *exchange, c *restCall) *gatewayError {
	node := a.match(x.path, c.params)
	var m *restMethod
	if node != nil {
		if m = node.methods[x.req.Method]; m == nil {
			m = node.methods["ANY"]
		}
	}
	if m == nil {
		if x.trace != nil {
			x.trace.Stage = c.stage.name
			x.trace.add("No resource and method match %s %s on stage %s", x.req.Method, x.path, c.stage.name) // not in AWS's words
		}
		// REST APIs answer an unknown path or method like an unsigned request.
		return fail(missingAuthenticationToken, "")
	}
	c.method, x.resourcePath = m, node.path
	if x.trace != nil {
		x.trace.Route = m.httpMethod + " " + node.path
		x.traceMethodRequest(node.path, c.params)
	}
	if !c.stage.methodLimits[node.path+" "+m.httpMethod].take(x.start) {
		return fail(throttled, "")
	}
	x.apiID, x.params = a.id, c.params
	// The body comes before authorization: a SigV4 signature covers it.
	if e := x.readBody(contract.REST); e != nil {
		return e
	}
	if m.auth != nil {
		if e := m.auth.authorize(x); e != nil {
			return e
		}
	}
	if e := c.checkAPIKey(x); e != nil {
		return e
	}
	if e := m.validate(x, c.params); e != nil {
		return e
	}
	if x.trace != nil && (m.validateBody || m.validateParams) {
		x.trace.add("Request validation succeeded for content type %s", contentType(x.req))
	}
	return m.integ.serve(x, c)
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
func (m *restMethod) validate(x *exchange, params map[string]string) *gatewayError {
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
			return fail(badRequestParameters, "Missing required request parameters: ["+strings.Join(missing, ", ")+"]")
		}
	}
	if m.validateBody {
		if s := m.models[contentType(x.req)]; s != nil {
			var v any
			if err := json.Unmarshal(x.body, &v); err != nil {
				return fail(badRequestBody, "")
			}
			if err := s.validate(v, ""); err != nil {
				e := fail(badRequestBody, "")
				e.validation, e.detail = err.Error(), err.Error()
				return e
			}
		}
	}
	return nil
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

func (c *restCall) vtlInput(x *exchange, body []byte) *vtl.Input {
	a := c.api
	return &vtl.Input{
		Body: body, PathParams: c.params, Query: x.req.URL.Query(), Headers: x.req.Header, StageVariables: c.stage.vars,
		Context: map[string]any{
			"requestId": x.id, "extendedRequestId": x.extID, "httpMethod": x.req.Method, "resourcePath": x.resourcePath,
			"stage": c.stage.name, "apiId": a.id, "accountId": a.r.aws.Account(), "path": x.req.URL.Path, "protocol": x.req.Proto,
			"requestTime": x.contextVar("requestTime", "", "", ""), "requestTimeEpoch": x.start.UnixMilli(),
			"domainName": x.req.Host, "resourceId": "", "deploymentId": "",
			"identity":   x.identityMap(),
			"authorizer": x.authz.vtlMap(),
		},
	}
}

// value is the value of a parameter source: 'static', method.request.header/querystring/
// path.*, stageVariables.* or context.*.
func (c *restCall) value(x *exchange, src string) (string, bool) {
	var v string
	switch {
	case strings.HasPrefix(src, "'"):
		return strings.Trim(src, "'"), true
	case strings.HasPrefix(src, "method.request.header."):
		v = x.req.Header.Get(strings.TrimPrefix(src, "method.request.header."))
	case strings.HasPrefix(src, "method.request.querystring."):
		v = x.req.URL.Query().Get(strings.TrimPrefix(src, "method.request.querystring."))
	case strings.HasPrefix(src, "method.request.path."):
		v = c.params[strings.TrimPrefix(src, "method.request.path.")]
	case strings.HasPrefix(src, "stageVariables."):
		v = c.stage.vars[strings.TrimPrefix(src, "stageVariables.")]
	case strings.HasPrefix(src, "context."):
		v = x.contextVar(strings.TrimPrefix(src, "context."), c.api.id, c.api.r.aws.Account(), x.req.URL.Path)
	}
	return v, v != ""
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
