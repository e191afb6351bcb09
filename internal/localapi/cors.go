package localapi

import (
	"net/http"
	"strconv"
	"strings"
)

// HTTP API CORS. With a CorsConfiguration, API Gateway answers preflight requests itself and
// adds the configured headers to the integration's answers (AWS, "Configuring CORS for an HTTP
// API", http-api-cors.html):
//   - "API Gateway automatically sends a response to preflight OPTIONS requests, even if there
//     isn't an OPTIONS route configured": a preflight is an OPTIONS request with an Origin and
//     an Access-Control-Request-Method header; it is answered 204, with the configured
//     headers when the origin is allowed and none when it is not.
//   - "For a CORS request, API Gateway adds the configured CORS headers to the response from an
//     integration", and "ignores CORS headers returned from your backend integration".
//   - "To return CORS headers, your request must contain an origin header."
//
// An allowed origin is one of AllowOrigins, compared without regard to case; "*" allows every
// origin and is sent as "*", a "*" inside an origin ("https://*.example.com") stands for any
// text; otherwise the request's own Origin is sent back, with Vary: Origin.

// corsConfiguration is AWS::ApiGatewayV2::Api's CorsConfiguration.
type corsConfiguration struct {
	AllowOrigins     []string `json:"AllowOrigins"`
	AllowMethods     []string `json:"AllowMethods"`
	AllowHeaders     []string `json:"AllowHeaders"`
	ExposeHeaders    []string `json:"ExposeHeaders"`
	MaxAge           scalar   `json:"MaxAge"`
	AllowCredentials bool     `json:"AllowCredentials"`
}

type cors struct {
	origins                   []string
	methods, headers, exposed string
	maxAge                    string
	credentials               bool
}

func newCORS(c *corsConfiguration) (*cors, error) {
	out := &cors{origins: c.AllowOrigins, methods: strings.Join(c.AllowMethods, ","), headers: strings.Join(c.AllowHeaders, ","),
		exposed: strings.Join(c.ExposeHeaders, ","), credentials: c.AllowCredentials}
	if n, ok := c.MaxAge.number(); ok && n >= 0 {
		out.maxAge = strconv.Itoa(int(n))
	}
	return out, nil
}

// allowed is the Access-Control-Allow-Origin for origin, or "" when it is not allowed.
func (c *cors) allowed(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range c.origins {
		if o == "*" {
			return "*"
		}
		if originMatches(strings.ToLower(o), strings.ToLower(origin)) {
			return origin
		}
	}
	return ""
}

// originMatches matches an origin against a pattern where "*" stands for any text.
func originMatches(pattern, origin string) bool {
	before, after, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == origin
	}
	return len(origin) >= len(before)+len(after) && strings.HasPrefix(origin, before) && strings.HasSuffix(origin, after)
}

// preflight answers a preflight request and reports whether it was one.
func (c *cors) preflight(x *exchange) bool {
	req := x.req
	if req.Method != http.MethodOptions || req.Header.Get("Origin") == "" || req.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h := x.w.Header()
	if allow := c.allowed(req.Header.Get("Origin")); allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
		if allow != "*" {
			h.Add("Vary", "Origin")
		}
		setIf(h, "Access-Control-Allow-Methods", c.methods)
		setIf(h, "Access-Control-Allow-Headers", c.headers)
		setIf(h, "Access-Control-Expose-Headers", c.exposed)
		setIf(h, "Access-Control-Max-Age", c.maxAge)
		if c.credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	x.routeKey = "-"
	x.respond(http.StatusNoContent, nil)
	return true
}

// actual puts the configured headers on an integration's answer in place of its own.
func (c *cors) actual(x *exchange) {
	h := x.w.Header()
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			delete(h, k)
		}
	}
	allow := c.allowed(x.req.Header.Get("Origin"))
	if allow == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", allow)
	if allow != "*" {
		h.Add("Vary", "Origin")
	}
	setIf(h, "Access-Control-Expose-Headers", c.exposed)
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

func setIf(h http.Header, k, v string) {
	if v != "" {
		h.Set(k, v)
	}
}
