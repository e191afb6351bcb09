package localapi

import (
	"context"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Try is one sample request sent to a served route and what came back.
type Try struct {
	Kind   contract.Kind
	Stage  string
	Route  spec.Route
	URL    string
	Status int
	Body   string
	Err    error
}

// OK reports whether the route answered 2xx.
func (t Try) OK() bool { return t.Err == nil && t.Status >= 200 && t.Status < 300 }

// TryRoutes sends every route's sample request (routes.Route.Sample) to both API kinds on one
// stage, over HTTP like any client, and returns the answers in table order. It is
// `firstclass local --try`: a first look at what each route really returns.
func TryRoutes(ctx context.Context, out contract.Outputs, table spec.Table, stage string) []Try {
	client := &http.Client{Timeout: 35 * time.Second}
	var tries []Try
	for _, kind := range contract.Kinds {
		base, err := out.Get(contract.APIURLOutput(kind, stage))
		for _, rt := range table {
			t := Try{Kind: kind, Stage: stage, Route: rt}
			if err != nil {
				t.Err = err
				tries = append(tries, t)
				continue
			}
			t.URL = JoinURL(base, rt.SamplePath())
			if rt.Sample.Query != "" {
				t.URL += "?" + rt.Sample.Query
			}
			var body io.Reader
			if rt.Sample.Body != "" {
				body = strings.NewReader(rt.Sample.Body)
			}
			req, err := http.NewRequestWithContext(ctx, rt.Method, t.URL, body)
			if err != nil {
				t.Err = err
				tries = append(tries, t)
				continue
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Err = err
			} else {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
				t.Status, t.Body = resp.StatusCode, string(b)
			}
			tries = append(tries, t)
		}
	}
	return tries
}

// JoinURL appends a route path to a stage's base URL, whichever of them has the slash: an
// HTTP API stage URL has none at the end, a REST one has one.
func JoinURL(base, path string) string {
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(path, "/")
}

func (t Try) String() string {
	if t.Err != nil {
		return fmt.Sprintf("%-4s %-6s %-38s error: %v", t.Kind, t.Route.Method, t.Route.SamplePath(), t.Err)
	}
	body := strings.Join(strings.Fields(t.Body), " ")
	if len(body) > 160 {
		body = body[:157] + "..."
	}
	return fmt.Sprintf("%-4s %-6s %-38s %d %s", t.Kind, t.Route.Method, t.Route.SamplePath(), t.Status, body)
}
