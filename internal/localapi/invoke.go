package localapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/sigv4"
)

// InvokeRequest is one request to one route, as `firstclass invoke` sends it.
type InvokeRequest struct {
	Kind  contract.Kind
	Stage string // "" for the API's first stage
	// Route is a route key ("POST /queue", "POST /events/{source}/{detailType}"), whose
	// sample request is sent, or a request ("POST /events/shop/Placed?x=1") to any path.
	Route  string
	Body   *string           // nil: the route's sample body, if it has one
	Header map[string]string // over the sample's headers
}

// InvokeResult is what came back, with the request's trace.
type InvokeResult struct {
	URL    string
	Status int
	Header http.Header
	Body   []byte
	Trace  *Trace // nil when the runner does not trace (Options.Trace)
}

// Invoke sends one request to a served route and returns the answer and its trace. samples,
// by route key, replace the samples the runner makes from the template (as for Targets).
func (r *Runner) Invoke(ctx context.Context, in InvokeRequest, samples map[string]Sample) (*InvokeResult, error) {
	tg, err := r.invokeTarget(in, samples)
	if err != nil {
		return nil, err
	}
	u := JoinURL(tg.Base, tg.Sample.Path)
	if tg.Sample.Query != "" {
		u += "?" + tg.Sample.Query
	}
	var body io.Reader
	if tg.Sample.Body != "" {
		body = strings.NewReader(tg.Sample.Body)
	}
	req, err := http.NewRequestWithContext(ctx, tg.Sample.Method, u, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range tg.Sample.Header {
		req.Header.Set(k, v)
	}
	if tg.Sign != nil {
		s := &sigv4.Signer{Region: tg.Region, Service: "execute-api", Credentials: *tg.Sign}
		s.Sign(req, []byte(tg.Sample.Body), time.Now())
	}
	resp, err := (&http.Client{Timeout: 35 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	res := &InvokeResult{URL: u, Status: resp.StatusCode, Header: resp.Header, Body: b}
	res.Trace = r.traceOf(resp.Header.Get("Apigw-Requestid") + resp.Header.Get("X-Amzn-Requestid"))
	return res, nil
}

// invokeTarget is the target of an invocation: the route's sample with the request's
// overrides, or a request of its own on the API's stage.
func (r *Runner) invokeTarget(in InvokeRequest, samples map[string]Sample) (Target, error) {
	method, rest, ok := strings.Cut(strings.TrimSpace(in.Route), " ")
	if !ok || !strings.HasPrefix(rest, "/") && rest != "$default" {
		return Target{}, fmt.Errorf("route %q: want METHOD /path, like \"POST /queue\"", in.Route)
	}
	method = strings.ToUpper(method)
	path, query, hasQuery := strings.Cut(rest, "?")
	var onStage []Target
	for _, t := range r.Targets(in.Stage, samples) {
		if t.Kind == in.Kind && (len(onStage) == 0 || t.Stage == onStage[0].Stage && t.API == onStage[0].API) {
			onStage = append(onStage, t)
		}
	}
	if len(onStage) == 0 {
		return Target{}, fmt.Errorf("no %s serves stage %q", kindName(in.Kind), in.Stage)
	}
	tg := onStage[0]
	tg.Key, tg.Sample = "", Sample{Method: method, Path: path}
	for _, t := range onStage {
		if t.Key == method+" "+path || t.Key == path && path == "$default" {
			tg = t
			break
		}
	}
	if hasQuery {
		tg.Sample.Query = query
	}
	if in.Body != nil {
		tg.Sample.Body = *in.Body
	}
	if len(in.Header) > 0 {
		h := map[string]string{}
		for k, v := range tg.Sample.Header {
			h[k] = v
		}
		for k, v := range in.Header {
			h[k] = v
		}
		tg.Sample.Header = h
	}
	return tg, nil
}

// traceOf waits briefly for the trace of a request: it is kept once the handler returns,
// which may be after the client read the answer.
func (r *Runner) traceOf(requestID string) *Trace {
	if r.traces == nil || requestID == "" {
		return nil
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, t := range r.traces.since(0) {
			if t.RequestID == requestID {
				return t
			}
		}
	}
	return nil
}
