package localapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/mapping"
	"firstclass/internal/sigv4"
	"firstclass/internal/spec"
)

// Sample is a request to one route: what `firstclass local --try` sends.
type Sample struct {
	Method string
	Path   string // the route's path with its parameters filled in, from the stage's base
	Query  string // raw query string, without "?"
	Header map[string]string
	Body   string // "" for none
	// HTTPBase64 sends the body base64-encoded to an HTTP API (spec.HTTPIntegration.Base64Body).
	HTTPBase64 bool
	// Needs is a request sent first, nil for none (spec.SampleNeed).
	Needs *Need
	// Refusal is the error code of a 4xx answer that is a documented refusal, not a failure
	// (spec.Route.Refusal); "" for none.
	Refusal string
}

// Need is a request a sample sends first, on the same API and stage with the sample's own
// headers besides its own (credentials, API keys), and the member of its 2xx JSON answer that
// goes in one header of the sample: the ARN of an execution to stop.
type Need struct {
	Sample        Sample
	Field, Header string
	// WhenMissing is why an answer without Field skips the sample rather than failing it,
	// "" to fail it (spec.SampleNeed.WhenMissing).
	WhenMissing string
}

// body is the sample's body as sent to an API of kind.
func (s Sample) body(kind contract.Kind) string {
	if s.HTTPBase64 && kind == contract.HTTP {
		return base64.StdEncoding.EncodeToString([]byte(s.Body))
	}
	return s.Body
}

// Target is one served route on one stage, with the sample request to send it.
type Target struct {
	Kind   contract.Kind
	API    string // the API's logical ID
	Stage  string
	Key    string // "POST /queue", as the route table or the HTTP API names it
	Base   string // the stage's base URL
	Sample Sample
	// Sign, when set, signs the sample with SigV4 for execute-api in Region: the route is
	// IAM-authorized.
	Sign   *sigv4.Credentials
	Region string
}

// Try is one sample request sent to a served route and what came back.
type Try struct {
	Target
	URL    string
	Status int
	Body   string
	Err    error
	// Skipped says why the sample was not sent: the request it needs first answered without
	// the value it needs, for a reason that is no failure (Need.WhenMissing).
	Skipped string
	// Refused says the 4xx answer is the service's documented refusal (Sample.Refusal, spec.Refused).
	Refused bool
}

// OK reports whether the route answered 2xx.
func (t Try) OK() bool { return t.Err == nil && t.Skipped == "" && t.Status >= 200 && t.Status < 300 }

// Failed reports whether the sample was sent and did not answer 2xx, or could not be sent.
func (t Try) Failed() bool { return t.Skipped == "" && !t.Refused && !t.OK() }

// Targets lists every route the runner serves on stage ("" for every stage), HTTP APIs first,
// each with a sample request built from the template: the route key's method and path (a
// {param} filled with its name, a greedy {proxy+} with two segments, ANY as GET), the
// request validator's required parameters and the body model's required members, and what a
// first-class integration's mapping needs to fill its required parameters. overrides, by
// route key ("POST /queue"), replace the samples of routes an app knows better (firstclass's
// route table).
func (r *Runner) Targets(stage string, overrides map[string]Sample) []Target {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Target
	// auth says how a sample gets through its route's authorization on a stage.
	type auth struct {
		az       authorizer
		apiKeyOf string // the REST API's ID when the method requires an API key
	}
	add := func(kind contract.Kind, api, base string, stages []string, trailing string, key string, s Sample, au auth) {
		if o, ok := overrides[key]; ok {
			s = o
		}
		for _, st := range stages {
			if stage != "" && st != stage {
				continue
			}
			tg := Target{Kind: kind, API: api, Stage: st, Key: key, Base: stageURL(base, st, trailing), Sample: s}
			if au.az != nil && au.az == authorizer(r.iam) {
				tg.Sign, tg.Region = &r.iam.creds[0], r.aws.Region()
			}
			if au.apiKeyOf != "" {
				if v := r.usage.keyFor(au.apiKeyOf, st); v != "" {
					tg.Sample.Header = withHeader(tg.Sample.Header, "X-Api-Key", v)
				}
			}
			out = append(out, tg)
		}
	}
	for _, a := range r.httpAPIs {
		stages := sortedKeys(a.stages)
		for _, rt := range a.routes {
			add(contract.HTTP, a.logicalID, a.baseURL, stages, "", rt.key, rt.sample(), auth{az: rt.auth})
		}
	}
	for _, a := range r.restAPIs {
		stages := sortedKeys(a.stages)
		var walk func(n *resourceNode)
		walk = func(n *resourceNode) {
			for _, method := range sortedKeys(n.methods) {
				m := n.methods[method]
				au := auth{az: m.auth}
				if m.apiKeyRequired {
					au.apiKeyOf = a.id
				}
				add(contract.REST, a.logicalID, a.baseURL, stages, "/", method+" "+n.path, m.sample(method, n.path), au)
			}
			for _, c := range n.children {
				walk(c)
			}
		}
		walk(a.root)
	}
	return out
}

// withHeader is h (copied) with one more header.
func withHeader(h map[string]string, name, value string) map[string]string {
	out := map[string]string{name: value}
	for k, v := range h {
		out[k] = v
	}
	return out
}

// stageURL is a stage's base URL on an API's listener: the $default stage of an HTTP API has
// no path of its own.
func stageURL(base, stage, trailing string) string {
	if stage == "$default" {
		return base
	}
	return base + "/" + stage + trailing
}

// TableSamples are the samples of a route table, by route key: firstclass's own, for Targets.
func TableSamples(table spec.Table) map[string]Sample {
	of := func(rt spec.Route) Sample {
		return Sample{Method: rt.Method, Path: rt.SamplePath(), Query: rt.Sample.Query, Body: rt.Sample.Body,
			Header: rt.Sample.Headers, HTTPBase64: rt.HTTP.Base64Body, Refusal: rt.Refusal}
	}
	out := map[string]Sample{}
	for _, rt := range table {
		s := of(rt)
		if n := rt.Sample.Needs; n != nil {
			if first, ok := table.Lookup(n.Route); ok { // Table.Check makes sure
				need := &Need{Sample: of(first), Field: n.Field, Header: n.Header, WhenMissing: n.WhenMissing}
				if n.Body != "" {
					need.Sample.Body = n.Body
				}
				if n.Query != "" {
					need.Sample.Query = n.Query
				}
				s.Needs = need
			}
		}
		out[rt.Key()] = s
	}
	return out
}

// TryAll sends every target's sample, over HTTP like any client, and returns the answers in
// the order of targets.
func TryAll(ctx context.Context, targets []Target) []Try {
	client := &http.Client{Timeout: 35 * time.Second}
	tries := make([]Try, 0, len(targets))
	for _, tg := range targets {
		tries = append(tries, try(ctx, client, tg))
	}
	return tries
}

func try(ctx context.Context, client *http.Client, tg Target) Try {
	if n := tg.Sample.Needs; n != nil {
		v, skipped, err := tryNeed(ctx, client, tg, n)
		if err != nil || skipped != "" {
			return Try{Target: tg, URL: JoinURL(tg.Base, tg.Sample.Path), Err: err, Skipped: skipped}
		}
		tg.Sample.Header = withHeader(tg.Sample.Header, n.Header, v)
	}
	t := Try{Target: tg, URL: JoinURL(tg.Base, tg.Sample.Path)}
	if tg.Sample.Query != "" {
		t.URL += "?" + tg.Sample.Query
	}
	var body io.Reader
	sent := tg.Sample.body(tg.Kind)
	if sent != "" {
		body = strings.NewReader(sent)
	}
	req, err := http.NewRequestWithContext(ctx, tg.Sample.Method, t.URL, body)
	if err != nil {
		t.Err = err
		return t
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range tg.Sample.Header {
		req.Header.Set(k, v)
	}
	if tg.Sign != nil {
		s := &sigv4.Signer{Region: tg.Region, Service: "execute-api", Credentials: *tg.Sign}
		s.Sign(req, []byte(sent), time.Now())
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Err = err
		return t
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	t.Status, t.Body = resp.StatusCode, string(b)
	t.Refused = spec.Refused(tg.Sample.Refusal, t.Status, t.Body)
	return t
}

// tryNeed sends the request a sample needs first and returns the member of its answer, or
// why the sample is skipped.
func tryNeed(ctx context.Context, client *http.Client, tg Target, n *Need) (value, skipped string, err error) {
	first := tg
	first.Sample = n.Sample
	for k, v := range tg.Sample.Header {
		if _, own := n.Sample.Header[k]; !own {
			first.Sample.Header = withHeader(first.Sample.Header, k, v)
		}
	}
	got := try(ctx, client, first)
	what := first.Sample.Method + " " + first.Sample.Path
	if !got.OK() {
		return "", "", fmt.Errorf("the request it needs first, %s, answered %d %s %v", what, got.Status, got.Body, got.Err)
	}
	v, err := answerField(got.Body, n.Field)
	if err != nil {
		return "", "", fmt.Errorf("the request it needs first, %s, answered %s: %v", what, got.Body, err)
	}
	if v == "" {
		if n.WhenMissing != "" {
			return "", fmt.Sprintf("%s answered without %s: %s", what, n.Field, n.WhenMissing), nil
		}
		return "", "", fmt.Errorf("the answer of the request it needs first, %s, has no %q: %s", what, n.Field, got.Body)
	}
	return v, "", nil
}

// answerField is the first text member named field at any depth of a JSON answer, or the
// text of the first element named field of an XML one; "" when there is none.
func answerField(body, field string) (string, error) {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "<") {
		d := xml.NewDecoder(strings.NewReader(trimmed))
		for {
			tok, err := d.Token()
			if err == io.EOF {
				return "", nil
			}
			if err != nil {
				return "", fmt.Errorf("not XML: %v", err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == field {
				var text string
				if err := d.DecodeElement(&text, &se); err != nil {
					return "", fmt.Errorf("element %s: %v", field, err)
				}
				return text, nil
			}
		}
	}
	var answer any
	if err := json.Unmarshal([]byte(trimmed), &answer); err != nil {
		return "", fmt.Errorf("neither JSON nor XML: %v", err)
	}
	var find func(v any) string
	find = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x[field].(string); ok {
				return s
			}
			for _, k := range sortedKeys(x) {
				if s := find(x[k]); s != "" {
					return s
				}
			}
		case []any:
			for _, e := range x {
				if s := find(e); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return find(answer), nil
}

// TryRoutes sends every route's sample request of a route table to both API kinds on one
// stage, with the base URLs of the outputs: the same requests as TryAll with TableSamples, for
// a table whose app is served elsewhere (or deployed).
func TryRoutes(ctx context.Context, out contract.Outputs, table spec.Table, stage string) []Try {
	samples := TableSamples(table)
	var targets []Target
	var failed []Try
	for _, kind := range contract.Kinds {
		base, err := out.Get(contract.APIURLOutput(kind, stage))
		for _, rt := range table {
			tg := Target{Kind: kind, Stage: stage, Key: rt.Key(), Base: base, Sample: samples[rt.Key()]}
			if err != nil {
				failed = append(failed, Try{Target: tg, Err: err})
				continue
			}
			targets = append(targets, tg)
		}
	}
	return append(TryAll(ctx, targets), failed...)
}

// JoinURL appends a route path to a stage's base URL, whichever of them has the slash: an
// HTTP API stage URL has none at the end, a REST one has one.
func JoinURL(base, path string) string {
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(path, "/")
}

func (t Try) String() string {
	target := t.Sample.Path
	if t.Sample.Query != "" {
		target += "?" + t.Sample.Query
	}
	if t.Err != nil {
		return fmt.Sprintf("%-4s %-7s %-38s error: %v", t.Kind, t.Sample.Method, target, t.Err)
	}
	if t.Skipped != "" {
		return fmt.Sprintf("%-4s %-7s %-38s not sent: %s", t.Kind, t.Sample.Method, target, t.Skipped)
	}
	body := strings.Join(strings.Fields(t.Body), " ")
	if len(body) > 160 {
		body = body[:157] + "..."
	}
	if t.Refused {
		return fmt.Sprintf("%-4s %-7s %-38s %d refused as the service documents (%s), not a failure: %s", t.Kind, t.Sample.Method, target, t.Status, t.Sample.Refusal, body)
	}
	return fmt.Sprintf("%-4s %-7s %-38s %d %s", t.Kind, t.Sample.Method, target, t.Status, body)
}

// samplePath fills a route path's {params} with their names and a greedy {proxy+} with two
// segments.
func samplePath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := strings.Trim(s, "{}")
			if strings.HasSuffix(name, "+") {
				segs[i] = "sample/" + strings.TrimSuffix(name, "+")
			} else {
				segs[i] = name
			}
		}
	}
	return strings.Join(segs, "/")
}

// sampleMethod is what is sent to a route of method m: GET for ANY.
func sampleMethod(m string) string {
	if m == "ANY" {
		return http.MethodGet
	}
	return m
}

func sendsBody(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions && method != http.MethodDelete
}

// sample is an HTTP API route's sample request.
func (rt *httpRoute) sample() Sample {
	if rt.isDefault {
		return Sample{Method: http.MethodGet, Path: "/"}
	}
	s := Sample{Method: sampleMethod(rt.method), Path: "/"}
	var parts []string
	for _, seg := range rt.segs {
		switch {
		case seg.greedy:
			parts = append(parts, "sample", seg.param)
		case seg.param != "":
			parts = append(parts, seg.param)
		default:
			parts = append(parts, seg.literal)
		}
	}
	s.Path += strings.Join(parts, "/")
	body := map[string]any{}
	if h, ok := rt.integ.(interface{ sampleInputs() []*mapping.Expr }); ok {
		for _, e := range h.sampleInputs() {
			fillInput(&s, body, e)
		}
	}
	if sendsBody(s.Method) {
		s.Body = sampleJSON(body)
	}
	return s
}

// sampleInputs are the expressions that feed the subtype's required parameters.
func (f *firstClass) sampleInputs() []*mapping.Expr {
	var out []*mapping.Expr
	for _, name := range f.subtype.Required() {
		if v, ok := f.mapping.Value(name); ok {
			out = append(out, v.Exprs()...)
		}
	}
	return out
}

// fillInput puts a sample value where a mapping expression reads one.
func fillInput(s *Sample, body map[string]any, e *mapping.Expr) {
	switch e.Source {
	case mapping.SourceHeader:
		if s.Header == nil {
			s.Header = map[string]string{}
		}
		s.Header[e.Name] = "sample"
	case mapping.SourceQuery:
		q, _ := url.ParseQuery(s.Query)
		q.Set(e.Name, "sample")
		s.Query = q.Encode()
	case mapping.SourceBodyPath:
		m := body
		for i, step := range e.Path {
			if step.IsIndex {
				return // arrays: the body stays as far as it got
			}
			if i == len(e.Path)-1 {
				m[step.Key] = "sample"
				return
			}
			next, ok := m[step.Key].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[step.Key] = next
			}
			m = next
		}
	}
}

// sample is a REST method's sample request.
func (m *restMethod) sample(method, path string) Sample {
	s := Sample{Method: sampleMethod(method), Path: samplePath(path)}
	q := url.Values{}
	for _, p := range m.required {
		where, name, _ := strings.Cut(p, ".")
		switch where {
		case "querystring":
			q.Set(name, "sample")
		case "header":
			if s.Header == nil {
				s.Header = map[string]string{}
			}
			s.Header[name] = "sample"
		}
	}
	s.Query = q.Encode()
	if sendsBody(s.Method) {
		var body any = map[string]any{}
		if model := m.models["application/json"]; model != nil {
			body = model.sample()
		}
		s.Body = sampleJSON(body)
	}
	return s
}

// sampleJSON is v as JSON (map keys sorted, so samples are stable).
func sampleJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
