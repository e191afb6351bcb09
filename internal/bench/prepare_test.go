package bench_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// Each stop request gets its own execution, started and held before the load: the ones it
// stopped are ABORTED, and one the fake accepted without stopping is missing, by id.
func TestRunStopsThePreparedExecutionsAndFindsOneNotStopped(t *testing.T) {
	var stops atomic.Int32
	stack := benchtest.New(t, benchtest.Options{
		Drop: func(route string, kind contract.Kind, body []byte) bool {
			return route == routes.StopWorkflowRoute.Name && kind == contract.REST && stops.Add(1) == 3
		},
		NoAccessLog: true,
	})
	rep, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Rate: 20, Duration: 500 * time.Millisecond,
		Routes:          []spec.Route{routes.StopWorkflowRoute},
		DeliveryTimeout: 3 * time.Second, RunID: "stop",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind    contract.Kind
		missing uint64
	}{{contract.HTTP, 0}, {contract.REST, 1}} {
		r := rep.Result(routes.StopWorkflowRoute.Name, c.kind)
		d := r.Delivery
		if r.OK != r.Requests || d == nil || d.Error != "" || d.Accepted != 10 || d.Missing != c.missing {
			t.Errorf("%s: %d of %d requests 2xx (%v), delivery %+v; want all 10 accepted, %d missing", c.kind, r.OK, r.Requests, r.Errors, d, c.missing)
		}
		if c.missing == 1 && (len(d.MissingIDs) != 1 || !strings.HasPrefix(d.MissingIDs[0], "stop-StopWorkflow-rest-")) {
			t.Errorf("missing ids %v, want the one not stopped", d.MissingIDs)
		}
	}
}

// A run that cannot prepare inputs (closed model, a shard, load only) leaves the routes that
// need them out and says so; with nothing else selected it refuses to run.
func TestRunLeavesOutRoutesWithPreparedInputsWhereItCannotMakeThem(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{NoAccessLog: true})
	for _, tt := range []struct {
		name string
		cfg  bench.Config
	}{
		{"closed model", bench.Config{Workers: 1}},
		{"a shard", bench.Config{Rate: 10, Shard: bench.Shard{Index: 0, Of: 2}, RunID: "shard"}},
		{"load only", bench.Config{Rate: 10, LoadOnly: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Outputs, cfg.Duration, cfg.NoDeliveryCheck = stack.Outputs(), 200*time.Millisecond, true
			cfg.Routes = []spec.Route{routes.GreetingRoute, routes.StopWorkflowRoute}
			rep, err := bench.Run(ctxT(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if run := rep.Runs[0]; strings.Join(run.Routes, ",") != "Greeting" || strings.Join(run.LeftOut, ",") != "StopWorkflow" {
				t.Errorf("routes %v, left out %v; want Greeting loaded and StopWorkflow left out", run.Routes, run.LeftOut)
			}
			cfg.Routes = []spec.Route{routes.StopWorkflowRoute}
			if _, err := bench.Run(ctxT(t), cfg); err == nil || !strings.Contains(err.Error(), "no route left to load: StopWorkflow") {
				t.Errorf("with only StopWorkflow: %v, want a refusal naming it", err)
			}
		})
	}
	if !bench.Distributable(routes.GreetingRoute) || bench.Distributable(routes.StopWorkflowRoute) {
		t.Error("Distributable: the greeting can be split, the stop route cannot")
	}
}
