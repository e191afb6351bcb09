package sfn

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal/awstest"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfnapi "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// history reads an execution's whole history through the SDK's paginator.
func history(t *testing.T, e *testEnv, arn string, in sfnapi.GetExecutionHistoryInput) []sfntypes.HistoryEvent {
	t.Helper()
	in.ExecutionArn = aws.String(arn)
	var out []sfntypes.HistoryEvent
	p := sfnapi.NewGetExecutionHistoryPaginator(e.sfn, &in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatalf("GetExecutionHistory %s: %v", arn, err)
		}
		out = append(out, page.Events...)
	}
	return out
}

// chain is "id prev Type" per event.
func chain(events []sfntypes.HistoryEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = fmt.Sprintf("%d %d %s", ev.Id, ev.PreviousEventId, ev.Type)
	}
	return out
}

func runStandard(t *testing.T, e *testEnv, def, input string) string {
	t.Helper()
	name := "h" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")
	arn := createMachine(t, e, name, def, "")
	start, err := e.sfn.StartExecution(ctxT(t), &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, e, aws.ToString(start.ExecutionArn))
	return aws.ToString(start.ExecutionArn)
}

// The event chains are AWS's for the same shapes of definition, as recorded in
// LocalStack's snapshots (test_base_scenarios: test_parallel_state_fail,
// test_parallel_state_catch, test_map_state, test_map_state_catch;
// test_lambda_task_service: test_invoke; test_timeouts:
// test_fixed_timeout_lambda).
func TestGetExecutionHistoryEventsPerStateTypeAndOutcome(t *testing.T) {
	lambda := newFakeLambda()
	e := newEnv(t, Options{Lambda: lambda})
	for _, tt := range []struct {
		name, def, input string
		want             []string
		check            func(t *testing.T, events []sfntypes.HistoryEvent)
	}{
		{name: "pass succeeds", def: `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"r":1},"End":true}}}`, input: `{"a":1}`,
			want: []string{"1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 PassStateExited", "4 3 ExecutionSucceeded"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[0].ExecutionStartedEventDetails; d == nil || aws.ToString(d.Input) != `{"a":1}` || aws.ToString(d.RoleArn) != "arn:aws:iam::000000000000:role/sfn" || d.InputDetails == nil || d.InputDetails.Truncated {
					t.Errorf("ExecutionStarted details %+v", d)
				}
				if d := ev[1].StateEnteredEventDetails; d == nil || aws.ToString(d.Name) != "P" || aws.ToString(d.Input) != `{"a":1}` {
					t.Errorf("PassStateEntered details %+v", d)
				}
				if d := ev[2].StateExitedEventDetails; d == nil || aws.ToString(d.Name) != "P" || aws.ToString(d.Output) != `{"r":1}` || d.OutputDetails == nil {
					t.Errorf("PassStateExited details %+v", d)
				}
				if d := ev[3].ExecutionSucceededEventDetails; d == nil || aws.ToString(d.Output) != `{"r":1}` {
					t.Errorf("ExecutionSucceeded details %+v", d)
				}
				for i := 1; i < len(ev); i++ {
					if ev[i].Timestamp == nil || ev[i].Timestamp.Before(*ev[i-1].Timestamp) {
						t.Errorf("event %d at %v, before event %d", i+1, ev[i].Timestamp, i)
					}
				}
			}},
		{name: "fail state fails the execution", def: `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Bad","Cause":"because"}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 FailStateEntered", "3 2 ExecutionFailed"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[2].ExecutionFailedEventDetails; d == nil || aws.ToString(d.Error) != "Bad" || aws.ToString(d.Cause) != "because" {
					t.Errorf("ExecutionFailed details %+v", d)
				}
			}},
		{name: "choice then succeed", def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"S"}]},"S":{"Type":"Succeed"}}}`,
			input: `{"ok":true}`,
			want:  []string{"1 0 ExecutionStarted", "2 0 ChoiceStateEntered", "3 2 ChoiceStateExited", "4 3 SucceedStateEntered", "5 4 SucceedStateExited", "6 5 ExecutionSucceeded"}},
		{name: "choice that matches nothing", def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"S"}]},"S":{"Type":"Succeed"}}}`,
			input: `{"ok":false}`,
			want:  []string{"1 0 ExecutionStarted", "2 0 ChoiceStateEntered", "3 2 ExecutionFailed"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[2].ExecutionFailedEventDetails; d == nil || aws.ToString(d.Error) != errStatesNoChoiceMatched {
					t.Errorf("ExecutionFailed details %+v", d)
				}
			}},
		{name: "wait", def: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":0,"End":true}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 WaitStateEntered", "3 2 WaitStateExited", "4 3 ExecutionSucceeded"}},
		{name: "parallel succeeds", def: `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 ParallelStateEntered", "3 2 ParallelStateStarted", "4 3 PassStateEntered", "5 4 PassStateExited",
				"6 5 ParallelStateSucceeded", "7 5 ParallelStateExited", "8 7 ExecutionSucceeded"}},
		{name: "parallel branch fails", def: `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"FailureType"}}}]}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 ParallelStateEntered", "3 2 ParallelStateStarted", "4 3 FailStateEntered", "5 4 ParallelStateFailed", "6 5 ExecutionFailed"}},
		{name: "parallel failure caught", def: `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","Next":"Caught","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],
			"Branches":[{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"FailureType","Cause":"Cause description"}}}]},"Caught":{"Type":"Pass","End":true}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 ParallelStateEntered", "3 2 ParallelStateStarted", "4 3 FailStateEntered", "5 4 ParallelStateFailed",
				"6 5 ParallelStateExited", "7 6 PassStateEntered", "8 7 PassStateExited", "9 8 ExecutionSucceeded"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[5].StateExitedEventDetails; d == nil || aws.ToString(d.Output) != `{"Cause":"Cause description","Error":"FailureType"}` {
					t.Errorf("ParallelStateExited details %+v", d)
				}
			}},
		{name: "map iterations one at a time", def: `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"End":true,
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}}}}`, input: `["a","b"]`,
			want: []string{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", "4 3 MapIterationStarted", "5 4 PassStateEntered", "6 5 PassStateExited",
				"7 6 MapIterationSucceeded", "8 6 MapIterationStarted", "9 8 PassStateEntered", "10 9 PassStateExited", "11 10 MapIterationSucceeded",
				"12 10 MapStateSucceeded", "13 10 MapStateExited", "14 13 ExecutionSucceeded"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[2].MapStateStartedEventDetails; d == nil || d.Length != 2 {
					t.Errorf("MapStateStarted details %+v", d)
				}
				if d := ev[7].MapIterationStartedEventDetails; d == nil || d.Index != 1 || aws.ToString(d.Name) != "M" {
					t.Errorf("second MapIterationStarted details %+v", d)
				}
				if d := ev[8].StateEnteredEventDetails; d == nil || aws.ToString(d.Input) != `"b"` {
					t.Errorf("second iteration's input %+v", d)
				}
			}},
		{name: "map iteration fails and is caught", def: `{"StartAt":"M","States":{"M":{"Type":"Map","Next":"Caught","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],
			"ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}},"Caught":{"Type":"Pass","End":true}}}`, input: `[1]`,
			want: []string{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", "4 3 MapIterationStarted", "5 4 FailStateEntered",
				"6 5 MapIterationFailed", "7 5 MapStateFailed", "8 7 MapStateExited", "9 8 PassStateEntered", "10 9 PassStateExited", "11 10 ExecutionSucceeded"}},
		{name: "lambda invoke integration", def: task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"echo","Payload.$":"$"},"TimeoutSeconds":30`),
			input: `{"x":1}`,
			want:  []string{"1 0 ExecutionStarted", "2 0 TaskStateEntered", "3 2 TaskScheduled", "4 3 TaskStarted", "5 4 TaskSucceeded", "6 5 TaskStateExited", "7 6 ExecutionSucceeded"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				d := ev[2].TaskScheduledEventDetails
				if d == nil || aws.ToString(d.ResourceType) != "lambda" || aws.ToString(d.Resource) != "invoke" || aws.ToString(d.Region) != "us-east-1" ||
					aws.ToString(d.Parameters) != `{"FunctionName":"echo","Payload":{"x":1}}` || aws.ToInt64(d.TimeoutInSeconds) != 30 || d.HeartbeatInSeconds != nil {
					t.Errorf("TaskScheduled details %+v", d)
				}
				if d := ev[3].TaskStartedEventDetails; d == nil || aws.ToString(d.ResourceType) != "lambda" || aws.ToString(d.Resource) != "invoke" {
					t.Errorf("TaskStarted details %+v", d)
				}
				if d := ev[4].TaskSucceededEventDetails; d == nil || !strings.Contains(aws.ToString(d.Output), `"Payload":{"got":{"x":1}}`) || d.OutputDetails == nil {
					t.Errorf("TaskSucceeded details %+v", d)
				}
			}},
		{name: "lambda function retried then caught", def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + fnARN + `typed","Next":"H",
			"Retry":[{"ErrorEquals":["CustomError"],"IntervalSeconds":0,"MaxAttempts":1}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}]},"H":{"Type":"Pass","End":true}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 TaskStateEntered", "3 2 LambdaFunctionScheduled", "4 3 LambdaFunctionStarted", "5 4 LambdaFunctionFailed",
				"6 5 LambdaFunctionScheduled", "7 6 LambdaFunctionStarted", "8 7 LambdaFunctionFailed", "9 8 TaskStateExited", "10 9 PassStateEntered", "11 10 PassStateExited", "12 11 ExecutionSucceeded"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[2].LambdaFunctionScheduledEventDetails; d == nil || aws.ToString(d.Resource) != fnARN+"typed" || aws.ToString(d.Input) != `{}` || d.TimeoutInSeconds != nil {
					t.Errorf("LambdaFunctionScheduled details %+v", d)
				}
				if d := ev[4].LambdaFunctionFailedEventDetails; d == nil || aws.ToString(d.Error) != "CustomError" || !strings.Contains(aws.ToString(d.Cause), `"errorMessage": "no"`) {
					t.Errorf("LambdaFunctionFailed details %+v", d)
				}
			}},
		{name: "lambda function times out", def: task(fnARN+"slow", `,"TimeoutSeconds":1`),
			want: []string{"1 0 ExecutionStarted", "2 0 TaskStateEntered", "3 2 LambdaFunctionScheduled", "4 3 LambdaFunctionStarted", "5 4 LambdaFunctionTimedOut", "6 5 ExecutionFailed"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[2].LambdaFunctionScheduledEventDetails; d == nil || aws.ToInt64(d.TimeoutInSeconds) != 1 {
					t.Errorf("LambdaFunctionScheduled details %+v", d)
				}
				if d := ev[4].LambdaFunctionTimedOutEventDetails; d == nil || aws.ToString(d.Error) != errStatesTimeout {
					t.Errorf("LambdaFunctionTimedOut details %+v", d)
				}
				if d := ev[5].ExecutionFailedEventDetails; d == nil || aws.ToString(d.Error) != errStatesTimeout {
					t.Errorf("ExecutionFailed details %+v", d)
				}
			}},
		{name: "integration task fails", def: task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"typed"}`),
			want: []string{"1 0 ExecutionStarted", "2 0 TaskStateEntered", "3 2 TaskScheduled", "4 3 TaskStarted", "5 4 TaskFailed", "6 5 ExecutionFailed"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				if d := ev[4].TaskFailedEventDetails; d == nil || aws.ToString(d.Error) != "CustomError" || aws.ToString(d.ResourceType) != "lambda" || aws.ToString(d.Resource) != "invoke" {
					t.Errorf("TaskFailed details %+v", d)
				}
			}},
		{name: "a path that selects nothing fails the state without an exit", def: `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.missing","End":true}}}`,
			want: []string{"1 0 ExecutionStarted", "2 0 PassStateEntered", "3 2 ExecutionFailed"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				// As AWS words an evaluation error (test_base_scenarios' test_catch_states_runtime).
				d := ev[2].ExecutionFailedEventDetails
				if d == nil || aws.ToString(d.Error) != errStatesRuntime ||
					!strings.HasPrefix(aws.ToString(d.Cause), "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing'") {
					t.Errorf("ExecutionFailed details %+v", d)
				}
			}},
		{name: "an evaluation error in a Map iteration names the iteration's state once", def: `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","InputPath":"$.missing","End":true}}}}}}`, input: `[{}]`,
			want: []string{"1 0 ExecutionStarted", "2 0 MapStateEntered", "3 2 MapStateStarted", "4 3 MapIterationStarted", "5 4 PassStateEntered",
				"6 5 MapIterationFailed", "7 5 MapStateFailed", "8 7 ExecutionFailed"},
			check: func(t *testing.T, ev []sfntypes.HistoryEvent) {
				d := ev[7].ExecutionFailedEventDetails
				if d == nil || strings.Count(aws.ToString(d.Cause), "An error occurred") != 1 ||
					!strings.HasPrefix(aws.ToString(d.Cause), "An error occurred while executing the state 'I' (entered at the event id #5). ") {
					t.Errorf("ExecutionFailed details %+v", d)
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.input
			if input == "" {
				input = "{}"
			}
			arn := runStandard(t, e, tt.def, input)
			events := history(t, e, arn, sfnapi.GetExecutionHistoryInput{})
			got := chain(events)
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Fatalf("history\n got %q\nwant %q", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, events)
			}
		})
	}
}

// A concurrent Map's events interleave, but each iteration's are a chain from
// its MapIterationStarted, and the ids are 1..n.
func TestGetExecutionHistoryConcurrentMapChainsEachIteration(t *testing.T) {
	e := newEnv(t, Options{})
	arn := runStandard(t, e, `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
		"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}}}}`, `[0,1,2,3,4,5,6,7]`)
	events := history(t, e, arn, sfnapi.GetExecutionHistoryInput{})
	if len(events) != 1+2+8*(1+4+1)+2+1 {
		t.Fatalf("%d events: %q", len(events), chain(events))
	}
	byID := map[int64]sfntypes.HistoryEvent{}
	for i, ev := range events {
		if ev.Id != int64(i+1) {
			t.Fatalf("event %d has id %d", i+1, ev.Id)
		}
		byID[ev.Id] = ev
	}
	for _, ev := range events {
		if ev.Type != sfntypes.HistoryEventTypeMapIterationSucceeded {
			continue
		}
		// Walk back: Exited B ← Entered B ← Exited A ← Entered A ← MapIterationStarted of the same index.
		want := []sfntypes.HistoryEventType{"PassStateExited", "PassStateEntered", "PassStateExited", "PassStateEntered", "MapIterationStarted"}
		cur := byID[ev.PreviousEventId]
		for i, typ := range want {
			if cur.Type != typ {
				t.Fatalf("iteration %d: step %d back is %s, want %s", ev.MapIterationSucceededEventDetails.Index, i+1, cur.Type, typ)
			}
			if i < len(want)-1 {
				cur = byID[cur.PreviousEventId]
			}
		}
		if cur.MapIterationStartedEventDetails.Index != ev.MapIterationSucceededEventDetails.Index {
			t.Errorf("iteration %d's chain starts at iteration %d", ev.MapIterationSucceededEventDetails.Index, cur.MapIterationStartedEventDetails.Index)
		}
	}
}

func TestGetExecutionHistoryPagesOrderAndData(t *testing.T) {
	e := newEnv(t, Options{})
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","End":true}}}`
	arn := runStandard(t, e, def, `{"k":"v"}`)
	all := chain(history(t, e, arn, sfnapi.GetExecutionHistoryInput{}))
	if len(all) != 8 {
		t.Fatalf("history %q, want 8 events", all)
	}
	ctx := ctxT(t)
	for _, tt := range []struct {
		name    string
		max     int32
		reverse bool
		pages   []int
	}{
		{"default page holds them all", 0, false, []int{8}},
		{"three at a time", 3, false, []int{3, 3, 2}},
		{"one at a time newest first", 1, true, []int{1, 1, 1, 1, 1, 1, 1, 1}},
		{"exact fit", 8, false, []int{8}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var sizes []int
			var token *string
			for {
				out, err := e.sfn.GetExecutionHistory(ctx, &sfnapi.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: tt.max, ReverseOrder: tt.reverse, NextToken: token})
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(out.Events))
				got = append(got, chain(out.Events)...)
				if token = out.NextToken; token == nil {
					break
				}
			}
			want := append([]string(nil), all...)
			if tt.reverse {
				for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
					want[i], want[j] = want[j], want[i]
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(sizes) != fmt.Sprint(tt.pages) {
				t.Errorf("pages %v of %q, want %v of %q", sizes, got, tt.pages, want)
			}
		})
	}

	// includeExecutionData false: no inputs, outputs, parameters or their details.
	out, err := e.sfn.GetExecutionHistory(ctx, &sfnapi.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range out.Events {
		b, _ := json.Marshal(ev)
		if strings.Contains(string(b), `"k"`) || strings.Contains(string(b), `Details":{"Truncated`) {
			t.Errorf("event %d %s carries data: %s", ev.Id, ev.Type, b)
		}
	}
	if d := out.Events[1].StateEnteredEventDetails; d == nil || aws.ToString(d.Name) != "A" || d.Input != nil || d.InputDetails != nil {
		t.Errorf("StateEntered without data %+v", d)
	}
}

// Bad requests get AWS's answers; an EXPRESS execution's ARN is InvalidArn
// (LocalStack's test_sfn_api_express snapshot, recorded against AWS).
func TestGetExecutionHistoryErrors(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arn := runStandard(t, e, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, `{}`)
	express := createMachine(t, e, "quick", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, sfntypes.StateMachineTypeExpress)
	sync, err := e.sfn.StartSyncExecution(ctx, &sfnapi.StartSyncExecutionInput{StateMachineArn: aws.String(express)})
	if err != nil {
		t.Fatal(err)
	}
	other := runStandard(t, e, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`, `{}`)
	page, err := e.sfn.GetExecutionHistory(ctx, &sfnapi.GetExecutionHistoryInput{ExecutionArn: aws.String(other), MaxResults: 1})
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page of another execution: %v %+v", err, page)
	}
	for _, tt := range []struct {
		name, arn, token string
		max              int32
		code, message    string
	}{
		{name: "not an ARN", arn: "not-an-arn", code: "InvalidArn", message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"},
		{name: "a state machine's ARN", arn: "arn:aws:states:us-east-1:000000000000:stateMachine:m", code: "InvalidArn",
			message: "Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
		{name: "no such execution", arn: "arn:aws:states:us-east-1:000000000000:execution:m:nope", code: "ExecutionDoesNotExist",
			message: "Execution Does Not Exist: 'arn:aws:states:us-east-1:000000000000:execution:m:nope'"},
		{name: "an EXPRESS execution", arn: aws.ToString(sync.ExecutionArn), code: "InvalidArn", message: "Invalid Arn: 'Resource type not valid in this context: express'"},
		{name: "a token that is not one", arn: arn, token: "garbage!", code: "InvalidToken", message: "Invalid Token: 'garbage!'"},
		{name: "another execution's token", arn: arn, token: aws.ToString(page.NextToken), code: "InvalidToken"},
		{name: "more than 1000 results", arn: arn, max: 1001, code: "ValidationException",
			message: "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := &sfnapi.GetExecutionHistoryInput{ExecutionArn: aws.String(tt.arn), MaxResults: tt.max}
			if tt.token != "" {
				in.NextToken = aws.String(tt.token)
			}
			_, err := e.sfn.GetExecutionHistory(ctx, in)
			if code := awstest.APICode(err); code != tt.code {
				t.Fatalf("code %q (%v), want %s", code, err, tt.code)
			}
			if tt.message != "" && !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %v, want message %q", err, tt.message)
			}
		})
	}
}

// StopExecution ends the history with an ExecutionAborted that follows no
// event, as AWS answered it (test_sfn_api's test_stop_execution): the wait
// the stop interrupted records nothing more.
func TestGetExecutionHistoryStoppedAndTimedOut(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arn := createMachine(t, e, "waits", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, "")
	s, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(history(t, e, aws.ToString(s.ExecutionArn), sfnapi.GetExecutionHistoryInput{})) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := chain(history(t, e, aws.ToString(s.ExecutionArn), sfnapi.GetExecutionHistoryInput{})); fmt.Sprint(got) != "[1 0 ExecutionStarted 2 0 WaitStateEntered]" {
		t.Fatalf("running history %q", got)
	}
	if _, err := e.sfn.StopExecution(ctx, &sfnapi.StopExecutionInput{ExecutionArn: s.ExecutionArn, Error: aws.String("Manual"), Cause: aws.String("operator")}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, e, aws.ToString(s.ExecutionArn))
	events := history(t, e, aws.ToString(s.ExecutionArn), sfnapi.GetExecutionHistoryInput{})
	if got := chain(events); fmt.Sprint(got) != "[1 0 ExecutionStarted 2 0 WaitStateEntered 3 0 ExecutionAborted]" {
		t.Fatalf("stopped history %q", got)
	}
	if d := events[2].ExecutionAbortedEventDetails; d == nil || aws.ToString(d.Error) != "Manual" || aws.ToString(d.Cause) != "operator" {
		t.Errorf("ExecutionAborted details %+v", d)
	}

	timed := runStandard(t, e, `{"TimeoutSeconds":1,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, `{}`)
	events = history(t, e, timed, sfnapi.GetExecutionHistoryInput{})
	if got := chain(events); fmt.Sprint(got) != "[1 0 ExecutionStarted 2 0 WaitStateEntered 3 2 ExecutionTimedOut]" {
		t.Fatalf("timed-out history %q", got)
	}
	if d := events[2].ExecutionTimedOutEventDetails; d == nil || aws.ToString(d.Error) != errStatesTimeout {
		t.Errorf("ExecutionTimedOut details %+v", d)
	}
}

// An execution whose history reaches AWS's quota of 25,000 events fails with
// States.Runtime, and its ExecutionFailed is the 25,000th event.
func TestGetExecutionHistoryQuotaFailsTheExecution(t *testing.T) {
	e := newEnv(t, Options{})
	def := `{"StartAt":"Inc","States":{
		"Inc":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"Loop"},
		"Loop":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":1000000,"Next":"Inc"}],"Default":"Done"},
		"Done":{"Type":"Succeed"}}}`
	arn := runStandard(t, e, def, `{"n":0}`)
	d, err := e.sfn.DescribeExecution(ctxT(t), &sfnapi.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil || d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != errStatesRuntime {
		t.Fatalf("describe: %v %s %s %s", err, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	events := history(t, e, arn, sfnapi.GetExecutionHistoryInput{MaxResults: 1000})
	if len(events) != maxHistoryEvents {
		t.Fatalf("%d events, want %d", len(events), maxHistoryEvents)
	}
	last := events[len(events)-1]
	if last.Type != sfntypes.HistoryEventTypeExecutionFailed || last.Id != maxHistoryEvents || last.PreviousEventId != maxHistoryEvents-1 ||
		aws.ToString(last.ExecutionFailedEventDetails.Error) != errStatesRuntime || aws.ToString(last.ExecutionFailedEventDetails.Cause) != aws.ToString(d.Cause) {
		t.Errorf("last event %d %d %s %+v", last.Id, last.PreviousEventId, last.Type, last.ExecutionFailedEventDetails)
	}
}

// A .waitForTaskToken task is submitted (its call's answer) before it
// succeeds with SendTaskSuccess's output, as in AWS's recorded
// callback/test_sqs_wait_for_task_token; its heartbeat is in TaskScheduled.
func TestGetExecutionHistoryWaitForTaskToken(t *testing.T) {
	l := newFakeLambda()
	e := newEnv(t, Options{Lambda: l})
	arn := createMachine(t, e, "callback", task("arn:aws:states:::lambda:invoke.waitForTaskToken",
		`,"Parameters":{"FunctionName":"token","Payload":{"token.$":"$$.Task.Token"}},"HeartbeatSeconds":60,"TimeoutSeconds":600`), "")
	start, err := e.sfn.StartExecution(ctxT(t), &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	token := <-l.tokens
	if _, err := e.sfn.SendTaskSuccess(ctxT(t), &sfnapi.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`"approved"`)}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, e, aws.ToString(start.ExecutionArn))
	events := history(t, e, aws.ToString(start.ExecutionArn), sfnapi.GetExecutionHistoryInput{})
	want := "[1 0 ExecutionStarted 2 0 TaskStateEntered 3 2 TaskScheduled 4 3 TaskStarted 5 4 TaskSubmitted 6 5 TaskSucceeded 7 6 TaskStateExited 8 7 ExecutionSucceeded]"
	if got := fmt.Sprint(chain(events)); got != want {
		t.Fatalf("history %s\nwant %s", got, want)
	}
	if d := events[2].TaskScheduledEventDetails; d == nil || aws.ToString(d.Resource) != "invoke.waitForTaskToken" || aws.ToInt64(d.HeartbeatInSeconds) != 60 ||
		aws.ToInt64(d.TimeoutInSeconds) != 600 || !strings.Contains(aws.ToString(d.Parameters), `"token":"`+token+`"`) {
		t.Errorf("TaskScheduled details %+v", d)
	}
	if d := events[4].TaskSubmittedEventDetails; d == nil || !strings.Contains(aws.ToString(d.Output), `"StatusCode":200`) {
		t.Errorf("TaskSubmitted details %+v", d)
	}
	if d := events[5].TaskSucceededEventDetails; d == nil || aws.ToString(d.Output) != `"approved"` {
		t.Errorf("TaskSucceeded details %+v", d)
	}
}
