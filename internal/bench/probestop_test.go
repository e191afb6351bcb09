package bench_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

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

// Executions held past the machine's own timeout would end TIMED_OUT before the run stops
// them and count as missing: the bench refuses the run before it starts any, saying why.
func TestRunRefusesToHoldExecutionsPastTheMachinesTimeout(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{NoAccessLog: true})
	_, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Rate: 1, Duration: 4*time.Minute + 30*time.Second,
		Routes: []spec.Route{routes.StopWorkflowRoute}, Kinds: []contract.Kind{contract.HTTP},
		DeliveryTimeout: time.Second, RunID: "long",
	})
	if err == nil || !strings.Contains(err.Error(), "times out after 5m0s") || !strings.Contains(err.Error(), "StopWorkflow") {
		t.Fatalf("err = %v, want a refusal naming the route and the machine's 5m0s timeout", err)
	}
	cfg, err := bench.AWSConfig(ctxT(t), stack.Outputs())
	if err != nil {
		t.Fatal(err)
	}
	out, err := sfn.NewFromConfig(cfg).ListExecutions(ctxT(t), &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(stack.Outputs()[routes.WorkflowStateMachineArnOutput])})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Executions) != 0 {
		t.Errorf("%d executions started before the refusal, want none", len(out.Executions))
	}
}
