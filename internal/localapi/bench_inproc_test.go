package localapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// discardWriter is a ResponseWriter that keeps nothing, so that an in-process benchmark
// counts the runner's allocations and not a recorder's.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkServeInProcess calls each API's handler (what its listener serves) directly, with
// no socket and no client: its allocations per request are the runner's own.
//
// The sub-benchmarks named traced=on serve with Options.Trace: the cost of a trace per request.
func BenchmarkServeInProcess(b *testing.B) {
	r, out := benchRunner(b)
	traced, tracedOut := benchRunnerWith(b, Options{Trace: true})
	for _, rt := range []spec.Route{routes.SendToQueueRoute, routes.PutEventRoute, routes.RunExpressWorkflowRoute} {
		for i, kind := range contract.Kinds {
			benchInProcess(b, string(kind)+"/"+rt.Name, benchHandler(r, i), rt, JoinURL(out[contract.APIURLOutput(kind, "prod")], rt.SamplePath()))
		}
	}
	for i, kind := range contract.Kinds {
		rt := routes.SendToQueueRoute
		benchInProcess(b, "traced=on/"+string(kind)+"/"+rt.Name, benchHandler(traced, i), rt, JoinURL(tracedOut[contract.APIURLOutput(kind, "prod")], rt.SamplePath()))
	}
}

func benchInProcess(b *testing.B, name string, h http.Handler, rt spec.Route, u string) {
	body := `{"orderId":"o-1","amount":42}`
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		w := &discardWriter{h: http.Header{}}
		for range b.N {
			req := httptest.NewRequest(rt.Method, u, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			clear(w.h)
			w.status = 0
			h.ServeHTTP(w, req)
			if w.status != 200 {
				b.Fatalf("status %d", w.status)
			}
		}
	})
}

// benchHandler is what the listener of the runner's i-th API serves.
func benchHandler(r *Runner, i int) http.Handler { return r.listeners[r.served()[i].logical()] }
