package bench_test

import (
	"context"
	"fmt"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// Run against a stack's outputs (here the fake stack's; in the end-to-end tests the local
// runner's, in the cloud cdk deploy's), then look at what failed and write the reports.
func ExampleRun() {
	stack, err := benchtest.Start(benchtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close()
	rep, err := bench.Run(context.Background(), bench.Config{
		Outputs:  stack.Outputs(),
		Routes:   []spec.Route{routes.SendToQueueRoute},
		Rate:     20,
		Duration: 500 * time.Millisecond,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Results {
		fmt.Printf("%s: %d requests, %d missing downstream\n", r.Key(), r.Requests, r.Delivery.Missing)
	}
	fmt.Println("failed:", rep.Failed())
	// rep.WriteJSONFile("run.json"); rep.WriteHTMLFile("run.html")

	// Output:
	// SendToQueue/http: 10 requests, 0 missing downstream
	// SendToQueue/rest: 10 requests, 0 missing downstream
	// failed: []
}
