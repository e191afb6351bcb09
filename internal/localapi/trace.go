package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/lambdalocal"
)

// Request traces: what the gateway did with one request, line by line, in the words of API
// Gateway's REST test-invoke log where it has one. The wording is the log TestInvokeMethod
// returns and execution logging writes, as recorded against AWS (checked 2026-12-02: an `aws
// apigateway test-invoke-method` output of June 2024 quoted in full in a public README, found
// with find_string "Endpoint request body after transformations"; LocalStack's
// services/apigateway/next_gen/execute_api/test_invoke.py TEST_INVOKE_TEMPLATE, which copies
// it line for line):
//
//	Starting execution for request: ID
//	HTTP Method: GET, Resource Path: /employees
//	Method request path: {}  /  Method request query string: {}  /  Method request headers: {}
//	Method request body before transformations: …
//	Endpoint request URI: https://lambda.…/invocations
//	Endpoint request headers: {Accept=application/json, …}
//	Endpoint request body after transformations: …
//	Sending request to https://…
//	Received response. Status: 200, Integration latency: 1702 ms
//	Endpoint response headers: {…}
//	Endpoint response body before transformations: …
//	Method response body after transformations: …
//	Method response headers: {…}
//	Successfully completed execution
//	Method completed with status: 200
//
// and, from execution logs, "Execution failed due to configuration error: …", "Lambda
// execution failed with status 200 due to customer function error: …" and "Gateway response
// type: … with status code: …". What AWS logs nothing about (an HTTP API's route selection and
// parameter mapping, which integration response was selected and why) is said in lines of the
// same shape, marked in the code.
//
// Tracing costs nothing when it is off: an exchange's trace is nil and every call site checks
// it before building a line.

// Trace is one request's way through the gateway.
type Trace struct {
	Seq       uint64        `json:"seq"`
	RequestID string        `json:"requestId"`
	Kind      contract.Kind `json:"kind"`
	API       string        `json:"api"` // the API's logical ID
	Stage     string        `json:"stage"`
	Route     string        `json:"route"` // "POST /queue": the route key, or the REST method and resource path
	Method    string        `json:"method"`
	Path      string        `json:"path"` // the request path, stage included
	Status    int           `json:"status"`
	Start     time.Time     `json:"start"`
	// Latency is the whole request's; IntegrationLatency the integration's, 0 when it was
	// not called.
	Latency            time.Duration `json:"latency"`
	IntegrationLatency time.Duration `json:"integrationLatency"`
	Lines              []TraceLine   `json:"lines"`
}

// TraceLine is one line of a trace.
type TraceLine struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// logTime is the time format of API Gateway's execution log lines.
const logTime = "Mon Jan 02 15:04:05 MST 2006"

// WriteTo writes the trace as API Gateway's test-invoke log reads.
func (t *Trace) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Execution log for request %s (%s API %s, stage %s, route %s, %d ms)\n", t.RequestID, strings.ToUpper(string(t.Kind)), t.API, t.Stage, t.Route, t.Latency.Milliseconds())
	for _, l := range t.Lines {
		b.WriteString(l.At.UTC().Format(logTime))
		b.WriteString(" : ")
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// String is the trace as WriteTo writes it.
func (t *Trace) String() string {
	var b strings.Builder
	t.WriteTo(&b)
	return b.String()
}

// Has reports whether a line of the trace contains text.
func (t *Trace) Has(text string) bool {
	for _, l := range t.Lines {
		if strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

// add appends a line.
func (t *Trace) add(format string, args ...any) {
	t.Lines = append(t.Lines, TraceLine{At: time.Now(), Text: fmt.Sprintf(format, args...)})
}

// maxTraceBody is how much of a body a trace line shows; API Gateway truncates at 1 KB too.
const maxTraceBody = 1000

// traceBody is a body as a trace line shows it.
func traceBody(b []byte) string {
	if len(b) > maxTraceBody {
		return string(b[:maxTraceBody]) + " [TRUNCATED]"
	}
	return string(b)
}

// traceMap writes a map as the log does: {k=v, k2=v2}, keys sorted.
func traceMap(m map[string]string) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func traceHeaders(h http.Header) string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		m[k] = strings.Join(v, ",")
	}
	return traceMap(m)
}

func traceQuery(q url.Values) string {
	m := make(map[string]string, len(q))
	for k, v := range q {
		m[k] = strings.Join(v, ",")
	}
	return traceMap(m)
}

// startTrace begins the trace of a request the runner traces; it is nil when tracing is off.
func (r *Runner) startTrace(x *exchange, kind contract.Kind, api string) {
	if r.traces == nil {
		return
	}
	x.trace = &Trace{RequestID: x.id, Kind: kind, API: api, Method: x.req.Method, Path: x.req.URL.Path, Start: x.start}
	x.trace.add("Starting execution for request: %s", x.id)
}

// traceMethodRequest records the method request, once the route or resource is known.
func (x *exchange) traceMethodRequest(resourcePath string, params map[string]string) {
	t := x.trace
	t.Stage = x.stage
	t.add("HTTP Method: %s, Resource Path: %s", x.req.Method, resourcePath)
	t.add("Method request path: %s", traceMap(params))
	t.add("Method request query string: %s", traceQuery(x.req.URL.Query()))
	t.add("Method request headers: %s", traceHeaders(x.req.Header))
}

// traceFailure records a gateway error before it is answered.
func (x *exchange) traceFailure(e *gatewayError, status int) {
	t := x.trace
	switch {
	case e.typ == badRequestBody && e.validation != "":
		t.add("Request body does not match model schema for content type %s: %s", contentType(x.req), e.validation)
	case e.typ == apiConfigurationError && e.detail != "":
		t.add("Execution failed due to configuration error: %s", e.detail)
	case e.typ == integrationTimeout:
		t.add("Execution failed due to a timeout error")
	case e.detail != "":
		t.add("Execution failed: %s", e.detail)
	case e.message != "":
		t.add("%s", e.message)
	}
	t.add("Gateway response type: %s with status code: %d", e.typ, status)
}

// traceResponse records the method response as it is written.
func (x *exchange) traceResponse(status int, body []byte) {
	t := x.trace
	t.add("Method response body after transformations: %s", traceBody(body))
	t.add("Method response headers: %s", traceHeaders(x.w.Header()))
	if status < 400 {
		t.add("Successfully completed execution")
	}
	t.add("Method completed with status: %d", status)
}

// traceEndpointRequest records the call an integration is about to make.
func (x *exchange) traceEndpointRequest(uri string, header http.Header, body []byte) {
	t := x.trace
	t.add("Endpoint request URI: %s", uri)
	t.add("Endpoint request headers: %s", traceHeaders(header))
	t.add("Endpoint request body after transformations: %s", traceBody(body))
	t.add("Sending request to %s", uri)
}

// traceEndpointResponse records the integration's answer.
func (x *exchange) traceEndpointResponse(status int, latency time.Duration, header http.Header, body []byte) {
	t := x.trace
	t.add("Received response. Status: %d, Integration latency: %d ms", status, latency.Milliseconds())
	t.add("Endpoint response headers: %s", traceHeaders(header))
	t.add("Endpoint response body before transformations: %s", traceBody(body))
}

// finishTrace completes the trace of a served request and hands it to the runner's traces.
func (r *Runner) finishTrace(x *exchange) {
	t := x.trace
	t.Status = x.status
	t.Latency = time.Since(x.start)
	if x.integStatus != "" {
		t.IntegrationLatency = x.integLatency
	}
	if t.Route == "" {
		t.Route = x.req.Method + " " + x.path
	}
	r.traces.record(t)
}

// traceStore keeps the recent traces and hands each to the subscribers.
type traceStore struct {
	mu     sync.Mutex
	seq    uint64
	recent []*Trace // a ring of the last len(recent) traces
	next   int
	out    io.Writer                // --trace: every trace, as it completes
	subs   map[chan *Trace]struct{} // Subscribe
}

// maxTraces is how many recent traces the runner keeps.
const maxTraces = 500

func newTraceStore(out io.Writer) *traceStore {
	return &traceStore{recent: make([]*Trace, 0, maxTraces), out: out, subs: map[chan *Trace]struct{}{}}
}

func (s *traceStore) record(t *Trace) {
	s.mu.Lock()
	s.seq++
	t.Seq = s.seq
	if len(s.recent) < maxTraces {
		s.recent = append(s.recent, t)
	} else {
		s.recent[s.next] = t
		s.next = (s.next + 1) % maxTraces
	}
	for c := range s.subs {
		select {
		case c <- t:
		default: // a slow subscriber misses traces rather than slowing requests
		}
	}
	out := s.out
	s.mu.Unlock()
	if out != nil {
		t.WriteTo(out)
	}
}

// since returns the kept traces after seq, oldest first.
func (s *traceStore) since(seq uint64) []*Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Trace
	for i := range s.recent {
		t := s.recent[(s.next+i)%len(s.recent)]
		if t.Seq > seq {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Traces returns the recent traces after seq (0: all kept), oldest first; nil when the
// runner does not trace (Options.Trace).
func (r *Runner) Traces(seq uint64) []*Trace {
	if r.traces == nil {
		return nil
	}
	return r.traces.since(seq)
}

// Subscribe returns a channel that receives every trace completed from now on, and a function
// that ends the subscription. A subscriber that does not keep up misses traces.
func (r *Runner) Subscribe() (<-chan *Trace, func()) {
	c := make(chan *Trace, 64)
	if r.traces == nil {
		return c, func() {}
	}
	r.traces.mu.Lock()
	r.traces.subs[c] = struct{}{}
	r.traces.mu.Unlock()
	return c, func() {
		r.traces.mu.Lock()
		delete(r.traces.subs, c)
		r.traces.mu.Unlock()
	}
}

// callAWSTraced is callAWS with the call and its answer in the request's trace.
func (r *Runner) callAWSTraced(x *exchange, req *http.Request) *awsResponse {
	if x.trace == nil {
		return r.callAWS(req)
	}
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(rc)
		}
	}
	x.traceEndpointRequest(r.awsURL+req.URL.RequestURI(), req.Header, body)
	began := time.Now()
	resp := r.callAWS(req)
	x.traceEndpointResponse(resp.status, time.Since(began), resp.header, resp.body)
	return resp
}

// invokeTraced invokes a Lambda function, with the invocation in the request's trace under the
// URI API Gateway calls (a local function has no URL of its own).
func invokeTraced(ctx context.Context, x *exchange, fn *lambdalocal.Function, arn string, payload []byte) (lambdalocal.Result, error) {
	if x.trace == nil {
		return fn.Invoke(ctx, payload)
	}
	region := "us-east-1"
	if parts := strings.Split(arn, ":"); len(parts) > 3 {
		region = parts[3]
	}
	uri := "https://lambda." + region + ".amazonaws.com/2015-03-31/functions/" + arn + "/invocations"
	x.traceEndpointRequest(uri, http.Header{"Content-Type": {"application/json"}}, payload)
	began := time.Now()
	res, err := fn.Invoke(ctx, payload)
	latency := time.Since(began)
	if err != nil {
		x.trace.add("Execution failed: %v", err)
		return res, err
	}
	header := http.Header{"X-Amzn-Requestid": {res.RequestID}}
	if res.FunctionError != "" {
		header.Set("X-Amz-Function-Error", res.FunctionError)
	}
	x.traceEndpointResponse(http.StatusOK, latency, header, res.Payload)
	if res.FunctionError != "" {
		var fe struct{ ErrorMessage string }
		json.Unmarshal(res.Payload, &fe)
		x.trace.add("Lambda execution failed with status 200 due to customer function error: %s. Lambda request id: %s", fe.ErrorMessage, res.RequestID)
	}
	return res, nil
}
