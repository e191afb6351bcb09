package mapping

import (
	"slices"
	"strings"
)

// Request is what an expression can read from one API request. The local
// runner fills it from the incoming HTTP request; every field is optional.
type Request struct {
	// Header holds the request headers; an http.Header converts directly.
	// Lookups ignore case as long as each header has one key in canonical
	// form (as net/http produces) or lower case; pass other maps through
	// CanonicalHeader.
	Header map[string][]string
	// Query holds the query string parameters by exact name; url.Values
	// converts directly.
	Query map[string][]string
	// PathParams holds the route's path parameters, e.g. "source" for the
	// route "POST /events/{source}". A greedy {proxy+} is stored as "proxy".
	PathParams map[string]string
	// Path is the request path without the stage name, for $request.path.
	Path string
	// Body is the raw request body.
	Body []byte
	// Context holds the context variables by name without "$context.", e.g.
	// "requestId", "identity.sourceIp", "authorizer.claims.sub".
	Context map[string]string
	// ContextFunc, when set, is asked instead of Context, so a runner can
	// compute rarely used variables lazily.
	ContextFunc func(name string) (string, bool)
	// StageVariables holds the stage's variables.
	StageVariables map[string]string
}

// What a missing value becomes.
//
// When an expression finds nothing (no such header, query string parameter,
// path parameter, context or stage variable; a JSONPath that selects nothing
// or null; a body that is not valid JSON, including one cut at
// MaxJSONPathBody), API Gateway drops the whole parameter: it is not sent to
// the service at all, not even as an empty string. That holds for text mixed
// with expressions too: one missing expression drops the parameter. An empty
// body still passes through $request.body as "".
//
// Source: AWS documents none of this. LocalStack Pro's unit tests of its HTTP
// API parameter mapper (localstack.pro.core.services.apigatewayv2.next_gen.
// execute_api.parameters_mapping, class TestApigatewayHttpRequestParametersMapping:
// test_request_mapping_missing_request_values,
// test_json_body_mapping_not_found, test_json_invalid_body,
// test_request_space_separated_values_missing_first/_last,
// test_integration_parameter, test_body_mapping_empty) assert exactly these
// outcomes, including for integration subtype parameters. What the client
// then sees when a *required* subtype parameter was dropped is not documented
// either; Mapping.Evaluate reports it so the caller can decide (see
// MissingParametersError).

// Evaluate computes the value for one request. ok is false when an expression
// found nothing, which makes API Gateway drop the parameter.
func (v *Value) Evaluate(r *Request) (value string, ok bool) {
	switch len(v.segs) {
	case 0:
		return "", true
	case 1:
		if e := v.segs[0].expr; e != nil {
			return e.evalString(r)
		}
		return v.segs[0].text, true
	}
	var buf [128]byte
	b, ok := v.AppendEvaluate(buf[:0], r)
	if !ok {
		return "", false
	}
	return string(b), true
}

// AppendEvaluate appends the value for one request to dst and returns the
// extended buffer. ok is false when an expression found nothing; dst is then
// returned unchanged in length.
func (v *Value) AppendEvaluate(dst []byte, r *Request) (_ []byte, ok bool) {
	n := len(dst)
	for _, s := range v.segs {
		if s.expr == nil {
			dst = append(dst, s.text...)
			continue
		}
		if dst, ok = s.expr.appendEval(dst, r); !ok {
			return dst[:n], false
		}
	}
	return dst, true
}

// evalString avoids copying when the value already exists as a string.
func (e *Expr) evalString(r *Request) (string, bool) {
	switch e.Source {
	case SourceHeader:
		return joined(headerValues(r.Header, e.headerKeys))
	case SourceQuery:
		return joined(r.Query[e.Name])
	case SourcePathParam:
		v, ok := r.PathParams[e.Name]
		return v, ok
	case SourcePath:
		return r.Path, true
	case SourceBody:
		return string(r.Body), true
	case SourceContext:
		return r.context(e.Name)
	case SourceStageVariable:
		v, ok := r.StageVariables[e.Name]
		return v, ok
	case SourceBodyPath:
		doc := jsonPathBody(r.Body)
		start, end, ok := selectJSON(doc, e.Path)
		if !ok {
			return "", false
		}
		raw := doc[start:end]
		if raw[0] == '"' && isPlainString(raw) {
			return string(raw[1 : len(raw)-1]), true
		}
		var buf [128]byte
		return string(appendJSONText(buf[:0], raw)), true
	}
	return "", false
}

func (e *Expr) appendEval(dst []byte, r *Request) ([]byte, bool) {
	switch e.Source {
	case SourceHeader:
		return appendJoined(dst, headerValues(r.Header, e.headerKeys))
	case SourceQuery:
		return appendJoined(dst, r.Query[e.Name])
	case SourceBody:
		return append(dst, r.Body...), true
	case SourceBodyPath:
		doc := jsonPathBody(r.Body)
		start, end, ok := selectJSON(doc, e.Path)
		if !ok {
			return dst, false
		}
		return appendJSONText(dst, doc[start:end]), true
	}
	s, ok := e.evalString(r)
	if !ok {
		return dst, false
	}
	return append(dst, s...), true
}

func jsonPathBody(b []byte) []byte {
	if len(b) > MaxJSONPathBody {
		return b[:MaxJSONPathBody]
	}
	return b
}

// isPlainString reports whether a quoted JSON string needs no decoding.
func isPlainString(q []byte) bool {
	for _, c := range q[1 : len(q)-1] {
		if c == '\\' || c >= 0x80 {
			return false // let appendUnquoted decode escapes and check UTF-8
		}
	}
	return true
}

func (r *Request) context(name string) (string, bool) {
	if r.ContextFunc != nil {
		return r.ContextFunc(name)
	}
	v, ok := r.Context[name]
	return v, ok
}

// headerValues returns the values of a header, ignoring the case of its name.
//
// "Header names are case-insensitive. API Gateway combines multiple header
// values with commas" (AWS, "Create AWS service integrations for HTTP APIs").
// A header map from net/http has one key per header, in canonical form, so
// one lookup finds it. Scanning every key for other spellings would cost more
// than everything else together (map iteration is ~50 ns a key), so only the
// canonical form, the spelling in the expression and the lower-case form are
// tried; a hand-built map with other spellings goes through CanonicalHeader
// first.
func headerValues(h map[string][]string, keys []string) []string {
	var vals []string
	found := 0
	for _, k := range keys {
		v, ok := h[k]
		if !ok {
			continue
		}
		if found++; found == 1 {
			vals = v
		} else {
			vals = append(slices.Clip(vals), v...)
		}
	}
	return vals
}

// headerKeys lists the distinct spellings headerValues tries for a name.
func headerKeys(name string) []string {
	keys := []string{canonicalHeader(name)}
	for _, k := range []string{name, strings.ToLower(name)} {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// CanonicalHeader returns h with every key in net/http's canonical form.
// Values of keys that differ only in case are joined in sorted key order, as
// LocalStack joins "testMultiHeader" and "testMULTIHeader"
// (test_multiheaders_case_insensitive_mapping). The runner's http.Header is
// canonical already; this is for maps built by hand.
func CanonicalHeader(h map[string][]string) map[string][]string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string][]string, len(h))
	for _, k := range keys {
		c := canonicalHeader(k)
		out[c] = append(out[c], h[k]...)
	}
	return out
}

// joined joins multiple values with "," as AWS documents for headers
// ("value1,value2") and query strings ("Value1,Value2"). No values at all
// means the source is missing.
func joined(vals []string) (string, bool) {
	switch len(vals) {
	case 0:
		return "", false
	case 1:
		return vals[0], true
	}
	return strings.Join(vals, ","), true
}

func appendJoined(dst []byte, vals []string) ([]byte, bool) {
	if len(vals) == 0 {
		return dst, false
	}
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, v...)
	}
	return dst, true
}
