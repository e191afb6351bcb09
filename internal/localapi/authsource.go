package localapi

import (
	"fmt"
	"strings"
	"time"

	"firstclass/internal/contract"
)

// identitySource is an authorizer's identity sources: where the token or the cache key comes
// from. HTTP APIs write $request.header.N, $request.querystring.N, $context.N and
// $stageVariables.N; REST APIs method.request.header.N, method.request.querystring.N,
// context.N and stageVariables.N, comma-separated in one string.
type identitySource []sourceRef

type sourceRef struct {
	where string // header, querystring, context, stageVariables
	name  string
}

func parseIdentitySources(kind contract.Kind, sources []string) (identitySource, error) {
	var out identitySource
	for _, s := range sources {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			rest := part
			if kind == contract.HTTP {
				rest = strings.TrimPrefix(strings.TrimPrefix(part, "$"), "request.")
			} else {
				rest = strings.TrimPrefix(part, "method.request.")
			}
			where, name, ok := strings.Cut(rest, ".")
			switch {
			case !ok:
			case where == "header", where == "querystring", where == "context", where == "stageVariables":
				out = append(out, sourceRef{where, name})
				continue
			}
			return nil, fmt.Errorf("identity source %q is not a header, query string, context or stage variable", part)
		}
	}
	return out, nil
}

// values are the sources' values in a request; missing is true when one is absent or empty,
// which API Gateway answers 401 without calling the authorizer.
func (s identitySource) values(x *exchange) (vals []string, missing bool) {
	for _, ref := range s {
		var v string
		switch ref.where {
		case "header":
			v = strings.Join(x.req.Header.Values(ref.name), ",")
		case "querystring":
			v = strings.Join(x.req.URL.Query()[ref.name], ",")
		case "context":
			v = x.contextVar(ref.name, "", "", "")
		case "stageVariables":
			v = x.stageVars[ref.name]
		}
		if v == "" {
			missing = true
		}
		vals = append(vals, v)
	}
	return vals, missing
}

// authorizerResult is what an authorizer left for the integration and the access log.
type authorizerResult struct {
	vars map[string]string // $context.authorizer.X, flattened: "claims.sub", "principalId"
	vtl  map[string]any    // $context.authorizer for VTL
	err  string            // $context.authorizer.error
	// usageKey is a Lambda authorizer's usageIdentifierKey: the API key of a REST API whose
	// ApiKeySourceType is AUTHORIZER.
	usageKey string
	// A Lambda authorizer's call: its status, latencies and request ID.
	ran, invoked   bool // a Lambda authorizer answered (from its cache or not); was invoked
	status         int
	latency, integ time.Duration
	requestID      string
}

// vtlMap is $context.authorizer for VTL: the claims of a JWT authorizer, or a Lambda
// authorizer's principalId and context.
func (a *authorizerResult) vtlMap() map[string]any {
	m := map[string]any{}
	for k, v := range a.vtl {
		m[k] = v
	}
	return m
}

// contextVar is $context.authorizer.NAME; "" when it has none.
func (a *authorizerResult) contextVar(name string) string {
	switch name {
	case "error":
		return a.err
	case "latency":
		if a.ran {
			return fmt.Sprint(a.latency.Milliseconds())
		}
	case "integrationLatency":
		if a.invoked {
			return fmt.Sprint(a.integ.Milliseconds())
		}
	case "status", "integrationStatus":
		if a.invoked {
			return fmt.Sprint(a.status)
		}
	case "requestId":
		return a.requestID
	default:
		return a.vars[name]
	}
	return ""
}
