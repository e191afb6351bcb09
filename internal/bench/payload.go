package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// A bench id names one request of one run: RUN-ROUTE-KIND-SEQ, with SEQ vegeta's sequence
// number of the hit, zero-padded so that every id of a run has the same length and padded
// bodies come out at exactly the size asked for. Ids are valid Step Functions execution names
// (letters, digits and hyphens, at most 80 characters), so the same id names a request's queue
// message, its event and its execution.
const seqDigits = 9

// ID is a parsed bench id.
type ID struct {
	Run   string
	Route string
	Kind  contract.Kind
	Seq   uint64
}

func (id ID) String() string { return formatID(id.Run, id.Route, id.Kind, id.Seq) }

func formatID(run, route string, kind contract.Kind, seq uint64) string {
	return run + "-" + route + "-" + string(kind) + "-" + padSeq(seq)
}

func padSeq(seq uint64) string {
	s := strconv.FormatUint(seq, 10)
	if len(s) < seqDigits {
		s = strings.Repeat("0", seqDigits-len(s)) + s
	}
	return s
}

var (
	runIDRE = regexp.MustCompile(`^[a-z0-9]{1,16}$`)
	idRE    = regexp.MustCompile(`^([a-z0-9]{1,16})-([A-Z][A-Za-z0-9]*)-(http|rest)-([0-9]{` + strconv.Itoa(seqDigits) + `,})$`)
)

// ParseID parses a bench id.
func ParseID(s string) (ID, bool) {
	m := idRE.FindStringSubmatch(s)
	if m == nil {
		return ID{}, false
	}
	seq, err := strconv.ParseUint(m[4], 10, 64)
	if err != nil {
		return ID{}, false
	}
	return ID{Run: m[1], Route: m[2], Kind: contract.Kind(m[3]), Seq: seq}, true
}

// benchIDKey is the JSON key every request body starts with.
const benchIDKey = `"benchId":"`

// findBenchID finds the bench id in a JSON text that carries one: a request body, an SQS
// message body, an EventBridge event whose detail is a request body.
func findBenchID(text string) (ID, bool) {
	i := strings.Index(text, benchIDKey)
	if i < 0 {
		return ID{}, false
	}
	rest := text[i+len(benchIDKey):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ID{}, false
	}
	return ParseID(rest[:j])
}

// bodyTemplate makes the body of each request of one route × API kind: the template JSON
// object with the request's bench id as its first key and, when a size is asked for, a
// "benchPad" string right after it that brings the body to exactly that many bytes.
type bodyTemplate struct {
	none   bool   // the route sends no body (GET)
	head   []byte // {"benchId":"RUN-ROUTE-KIND-
	tail   []byte // "  or  ","benchPad":"xxx…"  then the template's other members and }
	length int
}

// padKey is the member that pads a body to its asked-for size.
const padKey = `"benchPad":"`

// newBodyTemplate builds the body template of route r on kind for run. template is a JSON
// object (the route's sample body by default); size is the exact body size to pad to, 0 for
// no padding.
func newBodyTemplate(run string, r spec.Route, kind contract.Kind, template []byte, size int) (*bodyTemplate, error) {
	if !sendsBody(r) {
		return &bodyTemplate{none: true}, nil
	}
	members, err := objectMembers(template)
	if err != nil {
		return nil, err
	}
	head := []byte("{" + benchIDKey + run + "-" + r.Name + "-" + string(kind) + "-")
	closeID := `"`
	rest := "}"
	if members != "" {
		rest = "," + members + "}"
	}
	b := &bodyTemplate{head: head}
	natural := len(head) + seqDigits + len(closeID) + len(rest)
	switch {
	case size == 0:
		b.tail = []byte(closeID + rest)
	default:
		min := natural + len(`,`+padKey+`"`)
		if size < min {
			return nil, fmt.Errorf("payload size %d is below %d bytes, the smallest %s body with its bench id and padding; ask for at least %d", size, min, r.Name, min)
		}
		pad := size - min
		b.tail = []byte(closeID + "," + padKey + strings.Repeat("x", pad) + `"` + rest)
	}
	b.length = len(b.head) + seqDigits + len(b.tail)
	return b, nil
}

// sendsBody reports whether a route's requests carry a body.
func sendsBody(r spec.Route) bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// objectMembers returns the members of a JSON object as text, without its braces: what goes
// after the bench id. The template must be one JSON object, since the bench adds a key to it.
func objectMembers(template []byte) (string, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(template))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return "", fmt.Errorf("the payload must be one JSON object (the bench adds its \"benchId\" key to it); %s", describeJSONError(err, template))
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("the payload must be one JSON object; it has more after the object")
	}
	if _, ok := obj["benchId"]; ok {
		return "", errors.New("the payload already has a \"benchId\" key; the bench sets it, remove it")
	}
	s := strings.TrimSpace(string(template))
	s = strings.TrimSpace(s[1 : len(s)-1])
	return s, nil
}

func describeJSONError(err error, b []byte) string {
	if err == nil {
		return fmt.Sprintf("it starts with %q", truncate(string(bytes.TrimSpace(b)), 20))
	}
	return "it is not: " + err.Error()
}

// appendBody appends the body of request seq to dst.
func (b *bodyTemplate) appendBody(dst []byte, seq uint64) []byte {
	dst = append(dst, b.head...)
	dst = append(dst, padSeq(seq)...)
	return append(dst, b.tail...)
}

// size is every body's length (0 for none).
func (b *bodyTemplate) size() int { return b.length }

// requestTemplate makes each request of one route × API kind.
type requestTemplate struct {
	run    string
	route  spec.Route
	kind   contract.Kind
	url    *url.URL // with the sample's query
	body   *bodyTemplate
	header http.Header
	// inputs are a prepared route's per-request inputs, by seq (prepare.go); nil for none.
	inputs []Input
}

func newRequestTemplate(run, baseURL string, r spec.Route, kind contract.Kind, template []byte, size int) (*requestTemplate, error) {
	u, err := joinURL(baseURL, r.SamplePath())
	if err != nil {
		return nil, fmt.Errorf("%s base URL: %w", kind, err)
	}
	u.RawQuery = r.Sample.Query
	if template == nil {
		template = []byte(r.Sample.Body)
		if len(bytes.TrimSpace(template)) == 0 {
			template = []byte("{}")
		}
	}
	body, err := newBodyTemplate(run, r, kind, template, size)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", r.Name, err)
	}
	h := http.Header{"User-Agent": {"firstclass-bench"}}
	for k, v := range r.Sample.Headers {
		h.Set(k, v)
	}
	if !body.none {
		h.Set("Content-Type", "application/json")
	}
	return &requestTemplate{run: run, route: r, kind: kind, url: u, body: body, header: h}, nil
}

// joinURL appends path to a base URL whatever slashes either has: API Gateway's stage URLs
// end in "/dev/" on both API kinds, a hand-written one may not.
func joinURL(base, path string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", base)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(path, "/")
	u.RawPath = ""
	u.RawQuery = ""
	return u, nil
}

// stamp fills in request seq: its bench id in the body, or, for a route without a body, in
// the route's id query parameter (the greeting's greeter, which the response echoes); and in
// the route's id header when it has one (X-Execution-Name, which both APIs map to the
// execution's name).
func (t *requestTemplate) stamp(req *http.Request, seq uint64) []byte {
	id := formatID(t.run, t.route.Name, t.kind, seq)
	for k, v := range t.header {
		req.Header[k] = v
	}
	d := t.route.Delivery
	if d.IDHeader != "" {
		req.Header.Set(d.IDHeader, id)
	}
	var prepared []byte
	var query url.Values
	if seq < uint64(len(t.inputs)) {
		prepared = t.inputs[seq].apply(req)
		query = t.inputs[seq].Query
	}
	if t.body.none || query != nil {
		q := t.url.Query()
		if t.body.none {
			param := d.IDQuery
			if param == "" {
				param = "benchId"
			}
			q.Set(param, id)
		}
		for k, v := range query {
			q[k] = v
		}
		u := *t.url
		u.RawQuery = q.Encode()
		req.URL = &u
		req.Host = u.Host
	}
	if prepared != nil {
		return setBody(req, prepared)
	}
	if t.body.none {
		return nil
	}
	b := t.body.appendBody(make([]byte, 0, t.body.size()), seq)
	if t.route.HTTP.Base64Body && t.kind == contract.HTTP {
		// The HTTP API passes the body verbatim into a base64 blob member.
		b = base64.StdEncoding.AppendEncode(nil, b)
	}
	return setBody(req, b)
}

// setBody makes b the request's body.
func setBody(req *http.Request, b []byte) []byte {
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.ContentLength = int64(len(b))
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
