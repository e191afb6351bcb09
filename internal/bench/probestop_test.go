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
// stopped are listed ABORTED, and one the fake accepted without stopping is missing, by id.
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
	if bench.Distributable(routes.StopWorkflowRoute) {
		t.Error("the stop route is distributable; its executions are prepared by the one generator")
	}
}
