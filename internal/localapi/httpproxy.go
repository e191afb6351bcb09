package localapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// HTTP integrations: REST HTTP_PROXY and HTTP (non-proxy), HTTP API HTTP_PROXY. The runner calls
// the integration's URL itself, whatever address it names (a local test server, a service on
// the network), as API Gateway would.
//
// What API Gateway answers when the call fails (LocalStack's next-gen HTTP integration, whose
// handling is validated against AWS in tests/aws/services/apigateway/test_apigateway_http.py):
// a connection that cannot be made is a REST API_CONFIGURATION_ERROR, 500 {"message": "Internal
// server error"}, and an HTTP API 500 {"message":"Internal Server Error"}; a call past the
// integration timeout is a REST 504 {"message": "Endpoint request timed out"} and an HTTP API
// 503 {"message":"Service Unavailable"}.

// hopHeaders are not forwarded either way (RFC 9110 §7.6.1), nor Content-Length, which is
// recomputed.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length"}

// httpClient calls integration endpoints: no redirects followed (API Gateway passes a 3xx on),
// no cookies kept.
var httpClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

var uriParam = regexp.MustCompile(`\{([^{}]+)\}`)

// expandURI fills the URI's {name} placeholders from params, path-escaped (a greedy value keeps
// its slashes); ok is false when one has no value.
func expandURI(uri string, params map[string]string) (string, error) {
	var missing []string
	out := uriParam.ReplaceAllStringFunc(uri, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := params[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		parts := strings.Split(v, "/")
		for i, p := range parts {
			parts[i] = url.PathEscape(p)
		}
		return strings.Join(parts, "/")
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("integration URI %s: no value for {%s}", uri, strings.Join(missing, "}, {"))
	}
	return out, nil
}

// httpCallResult is an endpoint's answer.
type httpCallResult struct {
	status int
	header http.Header
	body   []byte
}

// callEndpoint makes one integration request. A failed call is failed (no connection) or
// timedOut.
func callEndpoint(ctx context.Context, timeout time.Duration, method, target string, header http.Header, body []byte) (*httpCallResult, error, bool) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err, false
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for _, h := range hopHeaders {
		req.Header.Del(h)
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Header.Del("Host")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err, errors.Is(ctx.Err(), context.DeadlineExceeded)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload+1))
	if err != nil {
		return nil, err, errors.Is(ctx.Err(), context.DeadlineExceeded)
	}
	for _, h := range hopHeaders {
		resp.Header.Del(h)
	}
	return &httpCallResult{status: resp.StatusCode, header: resp.Header, body: b}, nil, false
}

// forwardedHeader is the client's headers as an HTTP proxy integration sends them on, with
// the client's address added to X-Forwarded-For.
func forwardedHeader(x *exchange) http.Header {
	h := x.req.Header.Clone()
	if prior := h.Get("X-Forwarded-For"); prior != "" {
		h.Set("X-Forwarded-For", prior+", "+x.sourceIP)
	} else {
		h.Set("X-Forwarded-For", x.sourceIP)
	}
	return h
}

func withQuery(target, rawQuery string) string {
	if rawQuery == "" {
		return target
	}
	if strings.Contains(target, "?") {
		return target + "&" + rawQuery
	}
	return target + "?" + rawQuery
}

// restHTTPProxy is a REST HTTP_PROXY integration: the request goes on as it came, to the URI
// with its mapped path parameters, and the endpoint's answer comes back as it is.
type restHTTPProxy struct {
	uri, method string
	params      map[string]string // integration.request.* → source
	timeout     time.Duration
}

func newRESTHTTPProxy(_ *restAPI, p *v1IntegrationProps) (restIntegration, error) {
	if err := checkEndpointURI(p.Uri); err != nil {
		return nil, err
	}
	h := &restHTTPProxy{uri: p.Uri, method: p.IntegrationHttpMethod, params: map[string]string{}, timeout: 29 * time.Second}
	for k, src := range p.RequestParameters {
		if err := checkParamSource(src); err != nil {
			return nil, fmt.Errorf("request parameter %s: %w", k, err)
		}
		h.params[k] = src
	}
	if ms, ok := p.TimeoutInMillis.number(); ok {
		h.timeout = time.Duration(ms) * time.Millisecond
	}
	return h, nil
}

func (h *restHTTPProxy) describe() description {
	return description{what: "HTTP proxy → " + h.method + " " + h.uri}
}

func (h *restHTTPProxy) serve(x *exchange, c *restCall) *gatewayError {
	req := &integrationRequest{}
	(&nonProxy{params: h.params}).mapParams(x, c, req)
	target, err := expandURI(h.uri, req.path)
	if err != nil {
		return integrationError(apiConfigurationError, err.Error())
	}
	header := forwardedHeader(x)
	for k, vs := range req.header {
		header[k] = vs
	}
	query := x.req.URL.RawQuery
	if len(req.query) > 0 {
		q := x.req.URL.Query()
		for k, vs := range req.query {
			q[k] = vs
		}
		query = q.Encode()
	}
	return restEndpoint(x, h.timeout, methodOf(h.method, x), withQuery(target, query), header, x.body, func(res *httpCallResult) *gatewayError {
		for k, vs := range res.header {
			x.w.Header()[k] = vs
		}
		x.respond(res.status, res.body)
		return nil
	})
}

// restEndpoint calls an endpoint for a REST integration and hands its answer to done.
func restEndpoint(x *exchange, timeout time.Duration, method, target string, header http.Header, body []byte, done func(*httpCallResult) *gatewayError) *gatewayError {
	began := time.Now()
	res, err, timedOut := callEndpoint(x.req.Context(), timeout, method, target, header, body)
	x.integLatency = time.Since(began)
	switch {
	case timedOut:
		return integrationError(integrationTimeout, err.Error())
	case err != nil:
		return integrationError(apiConfigurationError, "Execution failed due to configuration error: "+err.Error())
	}
	x.integStatus = strconv.Itoa(res.status)
	return done(res)
}

// methodOf is the integration's method: ANY sends the client's.
func methodOf(method string, x *exchange) string {
	if method == "" || method == "ANY" {
		return x.req.Method
	}
	return method
}

// checkEndpointURI accepts an absolute http(s) URL, with {placeholders}.
func checkEndpointURI(uri string) error {
	u, err := url.Parse(uriParam.ReplaceAllString(uri, "x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("integration URI %q is not an http:// or https:// URL", uri)
	}
	return nil
}

// httpBackend is a REST HTTP (non-proxy) integration's backend: the rendered request goes to
// the URI, and the endpoint's status code selects the integration response.
type httpBackend struct {
	uri, method string
}

func newHTTPBackend(_ *restAPI, p *v1IntegrationProps) (restBackend, error) {
	if err := checkEndpointURI(p.Uri); err != nil {
		return nil, err
	}
	return &httpBackend{uri: p.Uri, method: p.IntegrationHttpMethod}, nil
}

func (h *httpBackend) describe() string { return "HTTP " + h.method + " " + h.uri + " (VTL)" }

func (h *httpBackend) call(x *exchange, c *restCall, req *integrationRequest) (*integrationResult, *gatewayError) {
	path := req.path
	if o := req.overrides; o != nil && len(o.RequestPath) > 0 {
		path = map[string]string{}
		for k, v := range req.path {
			path[k] = v
		}
		for k, v := range o.RequestPath {
			path[k] = v
		}
	}
	target, err := expandURI(h.uri, path)
	if err != nil {
		return nil, integrationError(apiConfigurationError, err.Error())
	}
	header := http.Header{}
	if ct := x.req.Header.Get("Content-Type"); ct != "" {
		header.Set("Content-Type", ct)
	}
	for k, vs := range req.header {
		header[k] = vs
	}
	query := url.Values{}
	for k, vs := range req.query {
		query[k] = vs
	}
	if o := req.overrides; o != nil {
		for k, vs := range o.RequestHeader {
			header[http.CanonicalHeaderKey(k)] = vs
		}
		for k, vs := range o.RequestQuerystring {
			query[k] = vs
		}
	}
	var out *integrationResult
	e := restEndpoint(x, 29*time.Second, methodOf(h.method, x), withQuery(target, query.Encode()), header, req.body, func(res *httpCallResult) *gatewayError {
		out = &integrationResult{status: res.status, header: res.header, body: res.body, selector: strconv.Itoa(res.status)}
		return nil
	})
	return out, e
}

// httpProxyV2 is an HTTP API HTTP_PROXY integration: the request goes to the URI with the
// route's path parameters filled in and the client's query string, and the endpoint's answer
// comes back as it is.
type httpProxyV2 struct {
	uri, method string
	timeout     time.Duration
}

func newHTTPProxyV2(_ *httpAPI, p *v2IntegrationProps) (httpIntegration, error) {
	if err := checkEndpointURI(p.IntegrationUri); err != nil {
		return nil, cannot("private integrations (VPC links) are not emulated; give a public URL", "%v", err)
	}
	if len(p.RequestParameters) > 0 {
		return nil, cannot("remove the mapping for the local run", "parameter mapping on an HTTP proxy integration is not emulated")
	}
	return &httpProxyV2{uri: p.IntegrationUri, method: p.IntegrationMethod, timeout: p.timeout()}, nil
}

func (h *httpProxyV2) describe() description {
	return description{what: "HTTP proxy → " + h.method + " " + h.uri}
}

func (h *httpProxyV2) serve(x *exchange, c *httpCall) *gatewayError {
	target, err := expandURI(h.uri, c.params)
	if err != nil {
		return integrationError(integrationFailure, err.Error())
	}
	began := time.Now()
	res, err, timedOut := callEndpoint(x.req.Context(), h.timeout, methodOf(h.method, x), withQuery(target, x.req.URL.RawQuery), forwardedHeader(x), x.body)
	x.integLatency = time.Since(began)
	switch {
	case timedOut:
		return integrationError(integrationTimeout, err.Error())
	case err != nil:
		return integrationError(integrationFailure, err.Error())
	}
	x.integStatus = strconv.Itoa(res.status)
	for k, vs := range res.header {
		x.w.Header()[k] = vs
	}
	x.respond(res.status, res.body)
	return nil
}
