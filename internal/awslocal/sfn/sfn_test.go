package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/awstest"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/jsonvalue"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfnapi "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// orderFlow exercises Choice, Parallel, Map, Pass with intrinsics,
// ResultSelector/ResultPath/OutputPath and the context object.
const orderFlow = `{
  "Comment": "order flow",
  "StartAt": "Classify",
  "States": {
    "Classify": {
      "Type": "Choice",
      "Choices": [
        {"And": [{"Variable": "$.total", "IsPresent": true}, {"Variable": "$.total", "NumericGreaterThanEquals": 100}], "Next": "Big"},
        {"Not": {"Variable": "$.customer", "StringMatches": "vip-*"}, "Next": "Small"},
        {"Variable": "$.customer", "StringEqualsPath": "$.vip", "Next": "Big"}
      ],
      "Default": "Small"
    },
    "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Work"},
    "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "Next": "Work"},
    "Work": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "Lines", "States": {"Lines": {
          "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
          "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "index.$": "$$.Map.Item.Index", "qty.$": "$$.Map.Item.Value.qty"},
          "ItemProcessor": {"StartAt": "Line", "States": {"Line": {"Type": "Pass",
            "Parameters": {"line.$": "States.Format('{}x{}', $.qty, $.sku)", "n.$": "States.MathAdd($.index, 1)"}, "End": true}}},
          "End": true}}},
        {"StartAt": "Meta", "States": {"Meta": {"Type": "Pass",
          "Parameters": {"count.$": "States.ArrayLength($.items)", "exec.$": "$$.Execution.Name", "tags.$": "States.Array('a', $.size)",
            "parsed.$": "States.StringToJson('{\"k\":1}')", "id.$": "States.UUID()"},
          "End": true}}}
      ],
      "ResultSelector": {"lines.$": "$[0]", "meta.$": "$[1]"},
      "ResultPath": "$.result",
      "Next": "Shape"
    },
    "Shape": {"Type": "Pass", "OutputPath": "$.result", "End": true}
  }
}`

func createMachine(t *testing.T, e *testEnv, name, def string, typ sfntypes.StateMachineType) string {
	t.Helper()
	out, err := e.sfn.CreateStateMachine(ctxT(t), &sfnapi.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"), Type: typ})
	if err != nil {
		t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

func waitDone(t *testing.T, e *testEnv, arn string) *sfnapi.DescribeExecutionOutput {
	t.Helper()
	return awstest.WaitDone(t, e.sfn, e.srv.WaitExecution, arn)
}

func TestSFNStandardExecutionChoiceParallelMap(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arn := createMachine(t, e, "orders", orderFlow, sfntypes.StateMachineTypeStandard)
	if arn != "arn:aws:states:us-east-1:000000000000:stateMachine:orders" {
		t.Errorf("ARN = %s", arn)
	}
	start, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("run-1"),
		Input: aws.String(`{"total": 150, "customer": "c1", "items": [{"sku":"a","qty":2},{"sku":"b","qty":1},{"sku":"c","qty":5}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(start.ExecutionArn) != "arn:aws:states:us-east-1:000000000000:execution:orders:run-1" || start.StartDate == nil {
		t.Errorf("StartExecution = %+v", start)
	}
	d := waitDone(t, e, aws.ToString(start.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		Lines []struct {
			Line string
			N    int
		}
		Meta struct {
			Count  int
			Exec   string
			Tags   []string
			Parsed map[string]int
			ID     string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
		t.Fatalf("output %s: %v", aws.ToString(d.Output), err)
	}
	if len(out.Lines) != 3 || out.Lines[0].Line != "2xa" || out.Lines[2].Line != "5xc" || out.Lines[2].N != 3 {
		t.Errorf("map lines = %+v", out.Lines)
	}
	if out.Meta.Count != 3 || out.Meta.Exec != "run-1" || strings.Join(out.Meta.Tags, ",") != "a,big" || out.Meta.Parsed["k"] != 1 || len(out.Meta.ID) != 36 {
		t.Errorf("meta = %+v (output %s)", out.Meta, aws.ToString(d.Output))
	}
	if d.StopDate == nil || aws.ToString(d.Input) == "" {
		t.Errorf("describe = %+v", d)
	}

	// Small path: Not/StringMatches.
	s2, _ := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"customer":"c2","items":[]}`)})
	d2 := waitDone(t, e, aws.ToString(s2.ExecutionArn))
	if d2.Status != sfntypes.ExecutionStatusSucceeded || !strings.Contains(aws.ToString(d2.Output), `"lines":[]`) {
		t.Errorf("small path: %s %s %s", d2.Status, aws.ToString(d2.Output), aws.ToString(d2.Cause))
	}

	// ListExecutions: newest first, status filter, pagination.
	list, err := e.sfn.ListExecutions(ctx, &sfnapi.ListExecutionsInput{StateMachineArn: aws.String(arn), MaxResults: 1})
	if err != nil || len(list.Executions) != 1 || list.NextToken == nil || aws.ToString(list.Executions[0].ExecutionArn) != aws.ToString(s2.ExecutionArn) {
		t.Fatalf("ListExecutions page 1: %v %+v", err, list)
	}
	list2, err := e.sfn.ListExecutions(ctx, &sfnapi.ListExecutionsInput{StateMachineArn: aws.String(arn), MaxResults: 1, NextToken: list.NextToken})
	if err != nil || len(list2.Executions) != 1 || aws.ToString(list2.Executions[0].Name) != "run-1" || list2.NextToken != nil {
		t.Fatalf("ListExecutions page 2: %v %+v", err, list2)
	}
	failed, _ := e.sfn.ListExecutions(ctx, &sfnapi.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: sfntypes.ExecutionStatusFailed})
	if len(failed.Executions) != 0 {
		t.Errorf("FAILED filter returned %d", len(failed.Executions))
	}
}

func TestSFNStartExecutionIdempotency(t *testing.T) {
	clock := clock.NewManual(time.Unix(1_700_000_000, 0))
	e := newEnv(t, Options{Clock: clock})
	ctx := ctxT(t)
	arn := createMachine(t, e, "waiter", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`, "")
	first, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("same"), Input: aws.String(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("same"), Input: aws.String(`{"a":1}`)})
	if err != nil || aws.ToString(again.ExecutionArn) != aws.ToString(first.ExecutionArn) || !again.StartDate.Equal(*first.StartDate) {
		t.Fatalf("same name and input while running: %v %+v", err, again)
	}
	_, err = e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("same"), Input: aws.String(`{"a":2}`)})
	var exists *sfntypes.ExecutionAlreadyExists
	if !errorsAs(err, &exists) {
		t.Fatalf("same name, other input: %v", err)
	}
	// The Wait state honours the (test) clock.
	if err := clock.WaitForSleepers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	d, _ := e.sfn.DescribeExecution(ctx, &sfnapi.DescribeExecutionInput{ExecutionArn: first.ExecutionArn})
	if d.Status != sfntypes.ExecutionStatusRunning {
		t.Fatalf("status before the wait ends: %s", d.Status)
	}
	clock.Advance(60 * time.Second)
	if d := waitDone(t, e, aws.ToString(first.ExecutionArn)); d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"a":1}` {
		t.Fatalf("after the wait: %s %s", d.Status, aws.ToString(d.Output))
	}
	// Once closed, the name cannot be reused even with the same input.
	_, err = e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("same"), Input: aws.String(`{"a":1}`)})
	if !errorsAs(err, &exists) {
		t.Errorf("reusing a closed execution's name: %v", err)
	}
}

func TestSFNStopExecution(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arn := createMachine(t, e, "slow", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, "")
	s, _ := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn)})
	stop, err := e.sfn.StopExecution(ctx, &sfnapi.StopExecutionInput{ExecutionArn: s.ExecutionArn, Error: aws.String("Manual"), Cause: aws.String("operator")})
	if err != nil || stop.StopDate == nil {
		t.Fatalf("StopExecution: %v", err)
	}
	d := waitDone(t, e, aws.ToString(s.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusAborted || aws.ToString(d.Error) != "Manual" || aws.ToString(d.Cause) != "operator" {
		t.Errorf("stopped: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// StopExecution's answers, as the API reference lists them: a stopped execution is ABORTED with
// the error and cause given (left out when not), and the bad ARNs are 400s naming what is
// wrong.
func TestSFNStopExecutionAnswers(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arn := createMachine(t, e, "held", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, "")
	quick := createMachine(t, e, "quick", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, "")
	start := func(machine string) string {
		t.Helper()
		s, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(machine)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(s.ExecutionArn)
	}
	unknown := start(arn) + "-gone"
	for _, tt := range []struct {
		name, arn, code, message string
	}{
		{"an unknown execution", unknown, "ExecutionDoesNotExist", "Execution Does Not Exist: '" + unknown + "'"},
		{"not an ARN", "not-an-arn", "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"},
		{"a state machine's ARN", arn, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.sfn.StopExecution(ctx, &sfnapi.StopExecutionInput{ExecutionArn: aws.String(tt.arn)})
			var api interface {
				ErrorCode() string
				ErrorMessage() string
			}
			if !errorsAs(err, &api) || api.ErrorCode() != tt.code || api.ErrorMessage() != tt.message {
				t.Errorf("err = %v, want %s: %s", err, tt.code, tt.message)
			}
			var re interface{ HTTPStatusCode() int }
			if errorsAs(err, &re) && re.HTTPStatusCode() != 400 {
				t.Errorf("status %d, want 400", re.HTTPStatusCode())
			}
		})
	}
	t.Run("without error and cause, DescribeExecution has neither", func(t *testing.T) {
		x := start(arn)
		if _, err := e.sfn.StopExecution(ctx, &sfnapi.StopExecutionInput{ExecutionArn: &x}); err != nil {
			t.Fatal(err)
		}
		d := waitDone(t, e, x)
		if d.Status != sfntypes.ExecutionStatusAborted || d.Error != nil || d.Cause != nil || d.StopDate == nil {
			t.Errorf("%s error %v cause %v stop %v", d.Status, d.Error, d.Cause, d.StopDate)
		}
		l, err := e.sfn.ListExecutions(ctx, &sfnapi.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: sfntypes.ExecutionStatusAborted})
		if err != nil || len(l.Executions) == 0 {
			t.Errorf("ListExecutions ABORTED: %v %+v", err, l)
		}
	})
	t.Run("an execution that has ended stays as it ended, and the answer is the date it ended", func(t *testing.T) {
		x := start(quick)
		done := waitDone(t, e, x)
		stop, err := e.sfn.StopExecution(ctx, &sfnapi.StopExecutionInput{ExecutionArn: &x, Error: aws.String("Late")})
		if err != nil || stop.StopDate == nil || !stop.StopDate.Equal(*done.StopDate) {
			t.Fatalf("StopExecution: %v %+v, want 200 with the stop date %v", err, stop, done.StopDate)
		}
		if d := waitDone(t, e, x); d.Status != sfntypes.ExecutionStatusSucceeded || d.Error != nil {
			t.Errorf("after a late stop: %s %v", d.Status, d.Error)
		}
	})
}

func TestSFNExpressSync(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arn := createMachine(t, e, "quick", orderFlow, sfntypes.StateMachineTypeExpress)
	out, err := e.sfn.StartSyncExecution(ctx, &sfnapi.StartSyncExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("s1"),
		Input: aws.String(`{"customer":"vip-1","vip":"vip-1","items":[{"sku":"z","qty":9}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != sfntypes.SyncExecutionStatusSucceeded || !strings.Contains(aws.ToString(out.Output), `"line":"9xz"`) {
		t.Fatalf("sync = %s %s %s", out.Status, aws.ToString(out.Output), aws.ToString(out.Cause))
	}
	if !regexp.MustCompile(`^arn:aws:states:us-east-1:000000000000:express:quick:s1:[0-9a-f-]{36}$`).MatchString(aws.ToString(out.ExecutionArn)) {
		t.Errorf("express ARN = %s", aws.ToString(out.ExecutionArn))
	}
	if out.BillingDetails == nil || out.BillingDetails.BilledMemoryUsedInMB != 64 || out.StopDate == nil {
		t.Errorf("sync details = %+v", out)
	}

	// A failing execution is still a 200 with status FAILED.
	failArn := createMachine(t, e, "failing", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"OrderRejected","Cause":"too big"}}}`, sfntypes.StateMachineTypeExpress)
	fo, err := e.sfn.StartSyncExecution(ctx, &sfnapi.StartSyncExecutionInput{StateMachineArn: aws.String(failArn)})
	if err != nil || fo.Status != sfntypes.SyncExecutionStatusFailed || aws.ToString(fo.Error) != "OrderRejected" || aws.ToString(fo.Cause) != "too big" {
		t.Fatalf("failing sync: %v %+v", err, fo)
	}

	// StartSyncExecution on a STANDARD machine, ListExecutions and
	// DescribeExecution on EXPRESS ones are refused.
	std := createMachine(t, e, "std", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, "")
	var notSupported *sfntypes.StateMachineTypeNotSupported
	if _, err := e.sfn.StartSyncExecution(ctx, &sfnapi.StartSyncExecutionInput{StateMachineArn: aws.String(std)}); !errorsAs(err, &notSupported) {
		t.Errorf("sync on STANDARD: %v", err)
	}
	if _, err := e.sfn.ListExecutions(ctx, &sfnapi.ListExecutionsInput{StateMachineArn: aws.String(arn)}); !errorsAs(err, &notSupported) {
		t.Errorf("ListExecutions on EXPRESS: %v", err)
	}
	var invalidArn *sfntypes.InvalidArn
	if _, err := e.sfn.DescribeExecution(ctx, &sfnapi.DescribeExecutionInput{ExecutionArn: out.ExecutionArn}); !errorsAs(err, &invalidArn) {
		t.Errorf("DescribeExecution of an express execution: %v", err)
	}
	// Async StartExecution on EXPRESS returns an express ARN.
	async, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"items":[]}`)})
	if err != nil || !strings.Contains(aws.ToString(async.ExecutionArn), ":express:quick:") {
		t.Errorf("async express: %v %+v", err, async)
	}
}

// The raw wire answer: dates as epoch seconds in Java's double notation.
func TestSFNWireDates(t *testing.T) {
	e := newEnv(t, Options{Clock: clock.NewManual(time.UnixMilli(1652716274909))})
	createMachine(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, "")
	req, _ := http.NewRequest(http.MethodPost, e.http.URL, strings.NewReader(`{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m"}`))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.StartExecution")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !regexp.MustCompile(`^\{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:m:[0-9a-f-]{36}","startDate":1\.652716274909E9\}$`).Match(b) {
		t.Errorf("StartExecution body = %s", b)
	}
	for ms, want := range map[int64]string{1652716274909: "1.652716274909E9", 1652716274000: "1.652716274E9", 1652716270000: "1.65271627E9", 2000000000000: "2.0E9"} {
		if got := awsproto.FormatEpoch(time.UnixMilli(ms)); got != want {
			t.Errorf("awsproto.FormatEpoch(%d) = %s, want %s", ms, got, want)
		}
	}
}

func TestSFNDefinitionAndInputErrors(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	var invalid *sfntypes.InvalidDefinition
	for _, def := range []string{
		`not json`,
		`{"States":{"A":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"B","States":{"A":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Bogus","End":true}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Nope()"},"End":true}}}`,
	} {
		_, err := e.sfn.CreateStateMachine(ctx, &sfnapi.CreateStateMachineInput{Name: aws.String("bad"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::0:role/r")})
		if !errorsAs(err, &invalid) {
			t.Errorf("definition %s: %v", def, err)
		}
	}
	arn := createMachine(t, e, "ok", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, "")
	var exists *sfntypes.StateMachineAlreadyExists
	if _, err := e.sfn.CreateStateMachine(ctx, &sfnapi.CreateStateMachineInput{Name: aws.String("ok"), RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"),
		Definition: aws.String(`{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}}`)}); !errorsAs(err, &exists) {
		t.Errorf("same name, other definition: %v", err)
	}
	var badInput *sfntypes.InvalidExecutionInput
	if _, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String("{oops")}); !errorsAs(err, &badInput) {
		t.Errorf("bad input: %v", err)
	}
	var badName *sfntypes.InvalidName
	if _, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("has space")}); !errorsAs(err, &badName) {
		t.Errorf("bad name: %v", err)
	}
	var missing *sfntypes.StateMachineDoesNotExist
	if _, err := e.sfn.StartExecution(ctx, &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn + "x")}); !errorsAs(err, &missing) {
		t.Errorf("missing machine: %v", err)
	}
	var noExec *sfntypes.ExecutionDoesNotExist
	if _, err := e.sfn.DescribeExecution(ctx, &sfnapi.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:000000000000:execution:ok:nope")}); !errorsAs(err, &noExec) {
		t.Errorf("missing execution: %v", err)
	}
}

// runDef runs a definition on input with the interpreter directly.
func runDef(t *testing.T, def, input string) (string, *stateFailure) {
	t.Helper()
	m, err := parseDefinition(def)
	if err != nil {
		t.Fatalf("definition: %v", err)
	}
	in, _ := jsonvalue.Decode([]byte(input))
	ip := &interp{ctx: context.Background(), clock: clock.Real{}, svc: New(Options{}), execution: map[string]any{"Name": "x"}, stateMachine: map[string]any{}}
	out, f := ip.run(m, in, nil)
	if f != nil {
		return "", f
	}
	return jsonvalue.Text(out), nil
}

func TestASLStates(t *testing.T) {
	tests := []struct {
		name, def, input, want, err string
	}{
		{"pass with InputPath, Parameters, ResultPath, OutputPath",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.in","Parameters":{"v.$":"$.a","const":[1,{"k.$":"$.a"}]},"ResultPath":"$.out","OutputPath":"$.out","End":true}}}`,
			`{"in":{"a":7}}`, `{"const":[1,{"k":7}],"v":7}`, ""},
		{"ResultPath null keeps the input",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"ResultPath":null,"End":true}}}`, `{"x":1}`, `{"x":1}`, ""},
		{"InputPath null is {}",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":null,"End":true}}}`, `{"x":1}`, `{}`, ""},
		{"ResultPath creates objects",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"r":1},"ResultPath":"$.a.b","End":true}}}`, `{"x":1}`, `{"a":{"b":{"r":1}},"x":1}`, ""},
		{"choice operators",
			`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
			  {"Variable":"$.s","StringLessThan":"b","Next":"No"},
			  {"Variable":"$.t","TimestampGreaterThan":"2020-01-01T00:00:00Z","Next":"T"}],"Default":"No"},
			 "T":{"Type":"Choice","Choices":[{"Or":[{"Variable":"$.n","IsNull":true},{"Variable":"$.b","BooleanEquals":false}],"Next":"No"},
			  {"Variable":"$.n","NumericLessThanPath":"$.m","Next":"Yes"}],"Default":"No"},
			 "Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"No"}}}`,
			`{"s":"c","t":"2024-05-01T10:00:00Z","n":1,"m":2,"b":true}`, `{"b":true,"m":2,"n":1,"s":"c","t":"2024-05-01T10:00:00Z"}`, ""},
		{"type mismatch is false, no match fails",
			`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","StringEquals":"1","Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			`{"n":1}`, "", errStatesNoChoiceMatched},
		{"missing variable is a runtime error",
			`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.nope","StringEquals":"1","Next":"Y"}],"Default":"Y"},"Y":{"Type":"Succeed"}}}`,
			`{}`, "", errStatesRuntime},
		{"fail with paths",
			`{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}}}`, `{"e":"E1","c":"because"}`, "", "E1"},
		{"a Lambda task without a Lambda hook cannot run",
			`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:0:function:f","End":true}}}`, `{}`, "", errStatesRuntime},
		{"catch on a failing parallel branch",
			`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"c"}}}],
			  "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Done"}],"Next":"Done"},"Done":{"Type":"Pass","End":true}}}`,
			`{"x":1}`, `{"err":{"Cause":"c","Error":"Boom"},"x":1}`, ""},
		{"retry then succeed is not needed: retry exhausts",
			`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","Iterator":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Bad"}}},
			  "Retry":[{"ErrorEquals":["Bad"],"IntervalSeconds":0,"MaxAttempts":2}],"End":true}}}`, `{"xs":[1]}`, "", "Bad"},
		{"wait seconds path zero",
			`{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","Next":"P"},"P":{"Type":"Pass","End":true}}}`, `{"s":0}`, `{"s":0}`, ""},
		{"intrinsics",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
			  "f.$":"States.Format('a\\{{}\\} {} {}', $.s, $.n, $.b)",
			  "j.$":"States.JsonToString($.o)",
			  "p.$":"States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)",
			  "c.$":"States.ArrayContains($.arr, 2)",
			  "g.$":"States.ArrayGetItem($.arr, 1)",
			  "u.$":"States.ArrayUnique($.dup)",
			  "b.$":"States.Base64Decode(States.Base64Encode('hi'))",
			  "h.$":"States.Hash('abc', 'SHA-256')",
			  "m.$":"States.JsonMerge($.o, $.o2, false)",
			  "r.$":"States.MathRandom(1, 2)",
			  "s.$":"States.StringSplit('a,b;c', ',;')"},"End":true}}}`,
			`{"s":"x","n":2,"b":true,"o":{"k":1},"o2":{"z":2},"arr":[1,2,3],"dup":[1,1,2]}`,
			`{"b":"hi","c":true,"f":"a{x} 2 true","g":2,"h":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","j":"{\"k\":1}","m":{"k":1,"z":2},"p":[[1,2],[3,4],[5]],"r":1,"s":["a","b","c"],"u":[1,2]}`, ""},
		{"intrinsic failure",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"States.MathAdd($.a, 'b')"},"End":true}}}`, `{"a":1}`, "", errStatesIntrinsicFailure},
		{"parameter path missing",
			`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"$.nope"},"End":true}}}`, `{}`, "", errStatesParameterPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, f := runDef(t, tc.def, tc.input)
			if tc.err != "" {
				if f == nil || f.Error != tc.err {
					t.Fatalf("got %s / %v, want error %s", out, f, tc.err)
				}
				if tc.name == "a Lambda task without a Lambda hook cannot run" && !strings.Contains(f.Cause, `state "T": the local Step Functions cannot run Task resource`) {
					t.Errorf("cause does not name the state: %s", f.Cause)
				}
				return
			}
			if f != nil {
				t.Fatalf("failed: %v", f)
			}
			if out != tc.want {
				t.Errorf("output\n got %s\nwant %s", out, tc.want)
			}
		})
	}
}

func TestSFNGoAPI(t *testing.T) {
	srv := New(Options{})
	defer srv.Close()
	arn, err := srv.CreateStateMachine(CreateStateMachineInput{Name: "direct", Type: "EXPRESS",
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.name)"},"End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := srv.StartSyncExecution(context.Background(), StartExecutionInput{StateMachineArn: arn, Input: `{"name":"ada"}`})
	if err != nil || ex.Status != "SUCCEEDED" || ex.Output != `{"greeting":"hello ada"}` {
		t.Fatalf("sync: %+v %v", ex, err)
	}
	if got := srv.StateMachineARN("direct"); got != arn {
		t.Errorf("StateMachineARN = %s", got)
	}
	_ = fmt.Sprint
}
