package test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"firstclass/internal/contract"
	"firstclass/routes"
)

// POST /workflow/stop on `firstclass local`, end to end: an execution started with the AWS SDK
// and held RUNNING by its holdSeconds is stopped through each API kind, and DescribeExecution
// says ABORTED with the error and cause the body gave; each bad input is answered as Step
// Functions and the gateway answer it.
func TestStopWorkflowRouteEndToEndWithTheSDK(t *testing.T) {
	e := localEndToEnd(t)
	ctx := e.ctx
	states := sfn.NewFromConfig(e.cfg)
	machine := e.out[routes.WorkflowStateMachineArnOutput]
	held := func(t *testing.T) string {
		t.Helper()
		s, err := states.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"orderId":"o-1","holdSeconds":120}`)})
		if err != nil {
			t.Fatal(err)
		}
		d, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: s.ExecutionArn})
		if err != nil || d.Status != types.ExecutionStatusRunning {
			t.Fatalf("a held execution is %v (%v), want RUNNING", d, err)
		}
		return aws.ToString(s.ExecutionArn)
	}
	stop := func(t *testing.T, kind contract.Kind, arn, body string) (int, string) {
		t.Helper()
		var header []string
		if body != "" {
			header = append(header, "Content-Type", "application/json")
		}
		if arn != "" {
			header = append(header, "X-Execution-Arn", arn)
		}
		return e.call(t, kind, "POST", routes.StopWorkflowRoute.Path, "", body, header...)
	}
	describe := func(t *testing.T, arn string) *sfn.DescribeExecutionOutput {
		t.Helper()
		d, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	stopDate := func(t *testing.T, resp string) float64 {
		t.Helper()
		var a struct {
			StopDate float64 `json:"stopDate"`
		}
		if err := json.Unmarshal([]byte(resp), &a); err != nil || a.StopDate == 0 {
			t.Fatalf("answer %s has no stopDate", resp)
		}
		return a.StopDate
	}

	t.Run("without holdSeconds a run ends at once as before", func(t *testing.T) {
		s, err := states.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"orderId":"o-2"}`)})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for d := describe(t, aws.ToString(s.ExecutionArn)); d.Status != types.ExecutionStatusSucceeded; d = describe(t, aws.ToString(s.ExecutionArn)) {
			if time.Now().After(deadline) {
				t.Fatalf("execution is %s, want SUCCEEDED", d.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Run("a held execution is stopped and ABORTED with the body's error and cause", func(t *testing.T) {
				arn := held(t)
				status, resp := stop(t, kind, arn, `{"error":"Manual","cause":"it's \"done\""}`)
				if status != 200 {
					t.Fatalf("%d %s", status, resp)
				}
				first := stopDate(t, resp)
				d := describe(t, arn)
				if d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Manual" || aws.ToString(d.Cause) != `it's "done"` || d.StopDate == nil {
					t.Errorf("after the stop: %s error %q cause %q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
				}
				list, err := states.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &machine, StatusFilter: types.ExecutionStatusAborted})
				if err != nil {
					t.Fatal(err)
				}
				listed := false
				for _, e := range list.Executions {
					listed = listed || aws.ToString(e.ExecutionArn) == arn
				}
				if !listed {
					t.Errorf("ListExecutions ABORTED does not list %s", arn)
				}
				t.Run("stopping it again answers 200 with the same stop date and changes nothing", func(t *testing.T) {
					status, resp := stop(t, kind, arn, `{"error":"Again"}`)
					if status != 200 || stopDate(t, resp) != first {
						t.Errorf("%d %s, want 200 with stopDate %v", status, resp, first)
					}
					if d := describe(t, arn); aws.ToString(d.Error) != "Manual" {
						t.Errorf("error is now %q", aws.ToString(d.Error))
					}
				})
			})
			t.Run("without a body the execution is ABORTED with neither error nor cause", func(t *testing.T) {
				arn := held(t)
				if status, resp := stop(t, kind, arn, ""); status != 200 {
					t.Fatalf("%d %s", status, resp)
				}
				if d := describe(t, arn); d.Status != types.ExecutionStatusAborted || d.Error != nil || d.Cause != nil {
					t.Errorf("after the stop: %s error %v cause %v", d.Status, d.Error, d.Cause)
				}
			})
			unknown := strings.Replace(machine, ":stateMachine:", ":execution:", 1) + ":no-such-execution"
			for _, tt := range []struct {
				name, arn, want string
			}{
				{"an unknown execution is Step Functions' 400 ExecutionDoesNotExist", unknown, "Execution Does Not Exist: '" + unknown + "'"},
				{"a malformed ARN is Step Functions' 400 InvalidArn", "not-an-arn", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					status, resp := stop(t, kind, tt.arn, `{}`)
					code := strings.Fields(tt.name)[len(strings.Fields(tt.name))-1]
					if status != 400 || !strings.Contains(resp, code) || !strings.Contains(resp, tt.want) {
						t.Errorf("%d %s, want 400 with %s: %s", status, resp, code, tt.want)
					}
				})
			}
			t.Run("without the header the gateway refuses it", func(t *testing.T) {
				want := map[contract.Kind]string{
					contract.HTTP: `{"message":"Bad Request"}`,
					contract.REST: `{"message":"Missing required request parameters: [X-Execution-Arn]"}`,
				}[kind]
				if status, resp := stop(t, kind, "", `{}`); status != 400 || resp != want {
					t.Errorf("%d %s, want 400 %s", status, resp, want)
				}
			})
		})
	}
}
