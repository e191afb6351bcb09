package awsproto

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// The awsQuery protocol: a form (POST body or query string) with
// Action=..., answered in XML, or, when the request says Accept:
// application/json (as API Gateway REST integrations do), in the query
// shape rendered as JSON: members in alphabetical order and absent ones
// null, {"<Action>Response":{"<Action>Result":…,"ResponseMetadata":{…}}}.

// Form reads the flattened lists and maps of a query request.
type Form struct{ url.Values }

// Has reports whether the form has key k, even empty.
func (f Form) Has(k string) bool { _, ok := f.Values[k]; return ok }

// Indexes returns the sorted N of keys "prefix.N" or "prefix.N.*".
func (f Form) Indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range f.Values {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// List reads a list "prefix.1", "prefix.2", ... (and a bare "prefix").
func (f Form) List(prefix string) []string {
	var out []string
	for _, n := range f.Indexes(prefix) {
		out = append(out, f.Get(prefix+"."+strconv.Itoa(n)))
	}
	if v := f.Get(prefix); v != "" {
		out = append(out, v)
	}
	return out
}

// Pairs reads "prefix.N.<key>"/"prefix.N.<value>" maps (Attribute.N.Name,
// Tag.N.Key, ...).
func (f Form) Pairs(prefix, key, value string) map[string]string {
	out := map[string]string{}
	for _, n := range f.Indexes(prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		out[f.Get(p+key)] = f.Get(p + value)
	}
	if f.Has(prefix + "." + key) {
		out[f.Get(prefix+"."+key)] = f.Get(prefix + "." + value)
	}
	return out
}

// WantsJSON reports whether a query request asks for a JSON answer.
func WantsJSON(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "json")
}

// QueryResult renders one action's result both ways.
type QueryResult struct {
	XML  func(*XMLWriter) // the content of <Action>Result; nil for none
	JSON any              // the <Action>Result member for the JSON rendering; nil for none
}

// Nullable is s, or JSON null for "", as the query shape in JSON renders
// absent members.
func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// WriteQueryResponse writes a successful answer to action: XML in the
// namespace xmlns, or the same shape as JSON when jsonOut.
func WriteQueryResponse(w http.ResponseWriter, jsonOut bool, xmlns, action, requestID string, res QueryResult) {
	if jsonOut {
		body := map[string]any{"ResponseMetadata": map[string]any{"RequestId": requestID}}
		if res.JSON != nil {
			body[action+"Result"] = res.JSON
		}
		b, _ := json.Marshal(map[string]any{action + "Response": body})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.Write(b)
		return
	}
	var x XMLWriter
	x.Raw(`<?xml version="1.0"?><`)
	x.Raw(action)
	x.Raw(`Response xmlns="`)
	x.Raw(xmlns) // three appends: concatenating would allocate
	x.Raw(`">`)
	if res.XML != nil {
		x.Open(action + "Result")
		res.XML(&x)
		x.Close(action + "Result")
	}
	x.Raw("<ResponseMetadata>")
	x.Elem("RequestId", requestID)
	x.Raw("</ResponseMetadata></" + action + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Write(x.b)
}

// WriteQueryError writes an error as an XML ErrorResponse in the namespace
// xmlns, or as {"Error":{"Code":…,"Message":…,"Type":…},"RequestId":…}
// when jsonOut.
func WriteQueryError(w http.ResponseWriter, jsonOut bool, xmlns, requestID string, e *Error) {
	fault := e.fault()
	w.Header().Set("X-Amzn-Requestid", requestID)
	if jsonOut {
		b, _ := json.Marshal(map[string]any{
			"Error":     map[string]any{"Code": e.QueryErrorCode(), "Message": e.Message, "Type": fault},
			"RequestId": requestID,
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.HTTPStatus())
		w.Write(b)
		return
	}
	var x XMLWriter
	x.Raw(`<?xml version="1.0"?><ErrorResponse xmlns="`)
	x.Raw(xmlns)
	x.Raw(`"><Error>`)
	x.Elem("Type", fault)
	x.Elem("Code", e.QueryErrorCode())
	x.Elem("Message", e.Message)
	x.Raw("<Detail/></Error>")
	x.Elem("RequestId", requestID)
	x.Raw("</ErrorResponse>")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.HTTPStatus())
	w.Write(x.b)
}

// XMLWriter builds the small, flat XML documents of the query protocol.
type XMLWriter struct{ b []byte }

// Raw appends s as it is.
func (x *XMLWriter) Raw(s string) { x.b = append(x.b, s...) }

// Open appends the start tag <n>.
func (x *XMLWriter) Open(n string) { x.b = append(append(append(x.b, '<'), n...), '>') }

// Close appends the end tag </n>.
func (x *XMLWriter) Close(n string) { x.b = append(append(append(x.b, "</"...), n...), '>') }

// Elem appends <n>v</n> with v escaped.
func (x *XMLWriter) Elem(n, v string) {
	x.Open(n)
	x.Text(v)
	x.Close(n)
}

// Opt appends <n>v</n> unless v is empty.
func (x *XMLWriter) Opt(n, v string) {
	if v != "" {
		x.Elem(n, v)
	}
}

// Text appends s escaped like SQS: quotes as &quot; and carriage returns
// as &#xD;.
func (x *XMLWriter) Text(s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			x.b = append(x.b, "&amp;"...)
		case '<':
			x.b = append(x.b, "&lt;"...)
		case '>':
			x.b = append(x.b, "&gt;"...)
		case '"':
			x.b = append(x.b, "&quot;"...)
		case '\r':
			x.b = append(x.b, "&#xD;"...)
		default:
			x.b = append(x.b, c)
		}
	}
}

// Bytes returns the document written so far.
func (x *XMLWriter) Bytes() []byte { return x.b }
