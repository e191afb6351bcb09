package localapi

import (
	"context"
	"strings"
	"testing"

	"firstclass/internal/contract"
)

func TestInvokeSendsOneRequestToOneRouteAndReturnsItsTrace(t *testing.T) {
	s := traced(t)
	body := `{"orderId":"o-7"}`
	for _, tc := range []struct {
		name   string
		in     InvokeRequest
		status int
		trace  string // a line the trace must have
		answer string // in the body
	}{
		{"HTTP route by its key, with a body", InvokeRequest{Kind: contract.HTTP, Route: "POST /queue", Body: &body, Header: map[string]string{"X-Delay-Seconds": "1"}},
			200, "Parameter mapping: DelaySeconds = $request.header.X-Delay-Seconds → 1", "<SendMessageResponse"},
		{"REST route by a path of its own, with a query", InvokeRequest{Kind: contract.REST, Stage: "prod", Route: "GET /greeting?greeter=Ada"},
			200, `Endpoint request body after transformations: {"greeter":"Ada"}`, "Hello, Ada!"},
		{"route key with parameters takes the sample's values", InvokeRequest{Kind: contract.HTTP, Route: "POST /events/{source}/{detailType}", Body: &body},
			200, "Parameter mapping: Source = $request.path.source → ", `"FailedEntryCount":0`},
		{"a path no route serves", InvokeRequest{Kind: contract.REST, Route: "DELETE /nowhere"},
			403, "Gateway response type: MISSING_AUTHENTICATION_TOKEN with status code: 403", "Missing Authentication Token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.r.Invoke(context.Background(), tc.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || !strings.Contains(string(res.Body), tc.answer) {
				t.Errorf("%s %s: %d %s, want %d with %q", tc.in.Route, res.URL, res.Status, res.Body, tc.status, tc.answer)
			}
			if res.Trace == nil {
				t.Fatal("no trace")
			}
			if !res.Trace.Has(tc.trace) {
				t.Errorf("no line %q in the trace\n%s", tc.trace, res.Trace)
			}
		})
	}
}

func TestInvokeSaysWhatARouteShouldLookLike(t *testing.T) {
	s := traced(t)
	for _, c := range []struct{ route, want string }{
		{"/queue", `want METHOD /path`},
		{"POST queue", `want METHOD /path`},
	} {
		if _, err := s.r.Invoke(context.Background(), InvokeRequest{Kind: contract.HTTP, Route: c.route}, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("route %q: %v, want an error saying %q", c.route, err, c.want)
		}
	}
	if _, err := s.r.Invoke(context.Background(), InvokeRequest{Kind: contract.HTTP, Stage: "nope", Route: "POST /queue"}, nil); err == nil || !strings.Contains(err.Error(), `no HTTP API serves stage "nope"`) {
		t.Errorf("an unknown stage: %v", err)
	}
}
