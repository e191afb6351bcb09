package localapi

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"firstclass/internal/awslocal"
)

// BenchmarkLambdaTaskExecutions measures executions of state machines whose Task states invoke
// testdata/sfnapp's Go function on its real process: one lambda:invoke task, then an inline
// Map of 32 lambda:invoke iterations at several MaxConcurrency values. Compare the Map's
// tasks/s across MaxConcurrency within one run (MaxConcurrency 1 is the baseline).
func BenchmarkLambdaTaskExecutions(b *testing.B) {
	r, err := New(context.Background(), Options{Assembly: loadAssembly(b, "sfnapp"), ModuleDir: moduleDir(b), LogDir: b.TempDir(), Logs: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	fn := "arn:aws:lambda:us-east-1:000000000000:function:SfnApp-WorkerFnB2E5C1D4"
	task := func(op string) string {
		return `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"` + fn + `","Payload":{"op":"` + op + `","n.$":"$"}},"OutputPath":"$.Payload.n","End":true}`
	}
	type benchCase struct {
		name, def, input string
		tasks            int
	}
	cases := []benchCase{{"one task", `{"StartAt":"T","States":{"T":` + task("double") + `}}`, "3", 1}}
	// A function that answers at once (CPU-bound on this machine's cores), and one that waits
	// 20 ms per call (as one waiting on I/O), where MaxConcurrency pays off.
	for _, op := range []struct{ name, op, item string }{{"instant", "double", "1"}, {"20ms", "sleep", "20"}} {
		items := op.item + strings.Repeat(","+op.item, 31)
		for _, c := range []int{1, 4, 16} {
			cases = append(cases, benchCase{fmt.Sprintf("map of 32 %s tasks, MaxConcurrency %d", op.name, c),
				`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":` + strconv.Itoa(c) +
					`,"ItemProcessor":{"StartAt":"T","States":{"T":` + task(op.op) + `}},"End":true}}}`, `{"xs":[` + items + `]}`, 32})
		}
	}
	for i, c := range cases {
		arn, err := r.AWS().CreateStateMachine(awslocal.CreateStateMachineInput{Name: "bench" + strconv.Itoa(i), Definition: c.def})
		if err != nil {
			b.Fatal(err)
		}
		in := c.input
		// Warm the function's instances before timing.
		run := func() {
			e, err := r.AWS().StartExecution(awslocal.StartExecutionInput{StateMachineArn: arn, Input: in})
			if err != nil {
				b.Fatal(err)
			}
			x, err := r.AWS().WaitExecution(context.Background(), e)
			if err != nil || x.Status != "SUCCEEDED" {
				b.Fatalf("%v %+v", err, x)
			}
		}
		run()
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				run()
			}
			b.ReportMetric(float64(b.N*c.tasks)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}
