package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/lambdahook"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfnapi "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// fakeLambda is a Lambda hook whose functions answer by name:
//
//	echo     returns {"got": <payload>}
//	typed    fails with {"errorMessage":"no","errorType":"CustomError","stackTrace":[]}
//	untyped  fails with {"errorMessage":"Task timed out after 3.00 seconds"}
//	flaky    fails with Lambda's ServiceException twice, then answers "ok"
//	slow     blocks until its context ends
//	crash    fails with an error that is not an AWS error
//	token    sends its payload's "token" to tokens and answers {}
type fakeLambda struct {
	calls, flaky    atomic.Int64
	running, peak   atomic.Int64
	async           chan string
	tokens          chan string
	mu              sync.Mutex
	lastPayload     string
	concurrentDelay time.Duration
}

func newFakeLambda() *fakeLambda {
	return &fakeLambda{async: make(chan string, 16), tokens: make(chan string, 16)}
}

func (l *fakeLambda) Exists(fn string) bool { return !strings.Contains(fn, "missing") }

func (l *fakeLambda) InvokeAsync(fn string, payload []byte) error {
	if !l.Exists(fn) {
		return lambdahook.NotFound(fn)
	}
	l.async <- string(payload)
	return nil
}

func (l *fakeLambda) Invoke(ctx context.Context, fn string, payload []byte) (lambdahook.Result, error) {
	l.calls.Add(1)
	n := l.running.Add(1)
	defer l.running.Add(-1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	l.mu.Lock()
	l.lastPayload = string(payload)
	l.mu.Unlock()
	name := fn[strings.LastIndex(fn, ":")+1:]
	if strings.HasSuffix(fn, ":$LATEST") {
		name = strings.TrimSuffix(fn, ":$LATEST")
		name = name[strings.LastIndex(name, ":")+1:]
	}
	switch name {
	case "echo":
		time.Sleep(l.concurrentDelay)
		return lambdahook.Result{Payload: []byte(`{"got":` + string(payload) + `}`), RequestID: "req-1234-5678"}, nil
	case "typed":
		return lambdahook.Result{Payload: []byte(`{"errorMessage":"no","errorType":"CustomError","stackTrace":[]}`), FunctionError: "Unhandled"}, nil
	case "untyped":
		return lambdahook.Result{Payload: []byte(`{"errorMessage":"Task timed out after 3.00 seconds"}`), FunctionError: "Unhandled"}, nil
	case "flaky":
		if l.flaky.Add(1) <= 2 {
			return lambdahook.Result{}, &awsproto.Error{Code: "ServiceException", Status: 500, Message: "internal"}
		}
		return lambdahook.Result{Payload: []byte(`"ok"`)}, nil
	case "slow":
		<-ctx.Done()
		return lambdahook.Result{}, ctx.Err()
	case "crash":
		return lambdahook.Result{}, errors.New("the local function could not start")
	case "token":
		var p struct{ Token string }
		json.Unmarshal(payload, &p)
		l.tokens <- p.Token
		return lambdahook.Result{Payload: []byte(`{}`)}, nil
	}
	return lambdahook.Result{}, lambdahook.NotFound(fn)
}

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:"

// runTaskDef runs a definition to its end through the Service and returns
// the execution.
func runTaskDef(t *testing.T, e *testEnv, def, input string) *sfnapi.DescribeExecutionOutput {
	t.Helper()
	name := "m" + strings.ReplaceAll(awsproto.NewUUID()[:8], "-", "")
	arn := createMachine(t, e, name, def, "")
	start, err := e.sfn.StartExecution(ctxT(t), &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	return waitDone(t, e, aws.ToString(start.ExecutionArn))
}

func task(resource, extra string) string {
	return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + resource + `"` + extra + `,"End":true}}}`
}

func TestLambdaTaskStates(t *testing.T) {
	catchAll := `,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}]`
	caught := func(def string) string {
		return strings.Replace(strings.TrimSuffix(def, "}}"), `,"End":true}`, `,"End":true},"Caught":{"Type":"Pass","End":true}`, 1) + "}}"
	}
	tests := []struct {
		name, def, input string
		status           sfntypes.ExecutionStatus
		// want: substrings of the output, or of error+" "+cause
		want []string
	}{
		{"a function ARN sends the input and returns the function's result",
			task(fnARN+"echo", ""), `{"a":1}`, "SUCCEEDED", []string{`{"got":{"a":1}}`}},
		{"lambda:invoke sends Payload and returns the Invoke API's response",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"echo","Payload":{"x.$":"$.a"}}`), `{"a":2}`, "SUCCEEDED",
			[]string{`"ExecutedVersion":"$LATEST"`, `"Payload":{"got":{"x":2}}`, `"StatusCode":200`, `"HttpStatusCode":200`, `"SdkResponseMetadata":{"RequestId":"req-1234-5678"}`, `"X-Amz-Executed-Version":["$LATEST"]`}},
		{"lambda:invoke with a JSON-text Payload sends it as it is",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"echo","Payload":"[1,2]"},"OutputPath":"$.Payload"`), `{}`, "SUCCEEDED",
			[]string{`{"got":[1,2]}`}},
		{"lambda:invoke ResultSelector picks the payload",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"`+fnARN+`echo:$LATEST"},"ResultSelector":{"p.$":"$.Payload"},"ResultPath":"$.r"`), `{"k":"v"}`, "SUCCEEDED",
			[]string{`{"k":"v","r":{"p":{"got":{}}}}`}},
		{"a handled error is named by its errorType with the document as the cause",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"typed"}`), `{}`, "FAILED",
			[]string{`CustomError {"errorMessage":"no","errorType":"CustomError","stackTrace":[]}`}},
		{"a function ARN's cause is the document re-encoded with spaces",
			task(fnARN+"typed", ""), `{}`, "FAILED",
			[]string{`CustomError {"errorMessage": "no", "errorType": "CustomError", "stackTrace": []}`}},
		{"an error without errorType is Lambda.Unknown",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"untyped"}`), `{}`, "FAILED",
			[]string{`Lambda.Unknown The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"Task timed out after 3.00 seconds"}`}},
		{"an Invoke API error is Lambda.<code> with the SDK's cause",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName.$":"$.fn"}`), `{"fn":"nobody"}`, "FAILED",
			[]string{`Lambda.ResourceNotFoundException Function not found: nobody (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: `, `; Proxy: null)`}},
		{"a failure of the hook itself is Lambda.ServiceException",
			task(fnARN+"crash", ""), `{}`, "FAILED",
			[]string{`Lambda.ServiceException the local function could not start (Service: AWSLambda; Status Code: 500; Error Code: ServiceException`}},
		{"Retry on Lambda.ServiceException as the CDK's LambdaInvoke adds it",
			task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"flaky"},"OutputPath":"$.Payload","Retry":[{"ErrorEquals":["Lambda.ServiceException","Lambda.AWSLambdaException","Lambda.SdkClientException"],"IntervalSeconds":0,"MaxAttempts":6,"BackoffRate":2}]`),
			`{}`, "SUCCEEDED", []string{`"ok"`}},
		{"Catch takes a handled error into ResultPath",
			caught(task(fnARN+"typed", catchAll)), `{"k":1}`, "SUCCEEDED",
			[]string{`{"err":{"Cause":"{\"errorMessage\": \"no\", \"errorType\": \"CustomError\", \"stackTrace\": []}","Error":"CustomError"},"k":1}`}},
		{"States.TaskFailed matches a task's error",
			caught(task(fnARN+"typed", `,"Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"Caught"}]`)), `{}`, "SUCCEEDED",
			[]string{`"Error":"CustomError"`}},
		{"TimeoutSeconds fails the task with States.Timeout and an empty cause",
			caught(task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"slow"},"TimeoutSeconds":1`+catchAll)), `{}`, "SUCCEEDED",
			[]string{`"err":{"Cause":"","Error":"States.Timeout"}`}},
		{"States.TaskFailed does not match States.Timeout",
			caught(task(fnARN+"slow", `,"TimeoutSecondsPath":"$.t","Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Caught"}]`)), `{"t":1}`, "FAILED",
			[]string{`States.Timeout`}},
		{"an unsupported pattern fails with States.Runtime naming the state",
			task("arn:aws:states:::lambda:invoke.sync", `,"Parameters":{"FunctionName":"echo"}`), `{}`, "FAILED",
			[]string{`States.Runtime awslocal: state "T": the local Step Functions cannot run Task resource arn:aws:states:::lambda:invoke.sync`}},
	}
	e := newEnv(t, Options{Lambda: newFakeLambda()})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := runTaskDef(t, e, tt.def, tt.input)
			got := aws.ToString(d.Output)
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				got = aws.ToString(d.Error) + " " + aws.ToString(d.Cause)
			}
			if d.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", d.Status, got, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %s\nwant it to contain %s", got, w)
				}
			}
		})
	}
}

func TestLambdaInvokeEventQueuesTheInvocation(t *testing.T) {
	l := newFakeLambda()
	e := newEnv(t, Options{Lambda: l})
	d := runTaskDef(t, e, task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"echo","InvocationType":"Event","Payload":{"n":1}}`), `{}`)
	if d.Status != sfntypes.ExecutionStatusSucceeded || !strings.Contains(aws.ToString(d.Output), `"StatusCode":202`) || !strings.Contains(aws.ToString(d.Output), `"Payload":""`) {
		t.Fatalf("Event invoke = %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	if got := <-l.async; got != `{"n":1}` {
		t.Errorf("queued payload %s", got)
	}
}

// waitTokenDef invokes the "token" function with its task token and waits;
// Caught takes every error into $.err.
const waitTokenDef = `{"StartAt":"T","States":{
  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
       "Parameters":{"FunctionName":"token","Payload":{"token.$":"$$.Task.Token"}},HEARTBEAT
       "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"ResultPath":"$.hb","Next":"Caught"},{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}],
       "ResultPath":"$.result","End":true},
  "Caught":{"Type":"Pass","End":true}}}`

func TestWaitForTaskToken(t *testing.T) {
	tests := []struct {
		name, heartbeat string
		answer          func(t *testing.T, c *sfnapi.Client, token string)
		want            string
	}{
		{"SendTaskSuccess's output is the task's result", "", func(t *testing.T, c *sfnapi.Client, token string) {
			if _, err := c.SendTaskSuccess(ctxT(t), &sfnapi.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"approved":true}`)}); err != nil {
				t.Fatal(err)
			}
		}, `{"in":1,"result":{"approved":true}}`},
		{"SendTaskFailure's error and cause are the task's", "", func(t *testing.T, c *sfnapi.Client, token string) {
			if _, err := c.SendTaskFailure(ctxT(t), &sfnapi.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Rejected"), Cause: aws.String("by a human")}); err != nil {
				t.Fatal(err)
			}
		}, `{"err":{"Cause":"by a human","Error":"Rejected"},"in":1}`},
		{"SendTaskFailure without error or cause gives nulls", "", func(t *testing.T, c *sfnapi.Client, token string) {
			if _, err := c.SendTaskFailure(ctxT(t), &sfnapi.SendTaskFailureInput{TaskToken: aws.String(token)}); err != nil {
				t.Fatal(err)
			}
		}, `{"err":{"Cause":null,"Error":null},"in":1}`},
		{"no heartbeat within HeartbeatSeconds is States.Timeout, matched by States.HeartbeatTimeout", `"HeartbeatSeconds":1,`,
			func(*testing.T, *sfnapi.Client, string) {}, `{"hb":{"Cause":"","Error":"States.Timeout"},"in":1}`},
		{"heartbeats keep the task alive until it succeeds", `"HeartbeatSeconds":1,`, func(t *testing.T, c *sfnapi.Client, token string) {
			for range 3 {
				time.Sleep(400 * time.Millisecond)
				if _, err := c.SendTaskHeartbeat(ctxT(t), &sfnapi.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
					t.Fatal(err)
				}
			}
			c.SendTaskSuccess(ctxT(t), &sfnapi.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`"late"`)})
		}, `{"in":1,"result":"late"}`},
	}
	l := newFakeLambda()
	e := newEnv(t, Options{Lambda: l})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := createMachine(t, e, "wait"+awsproto.NewUUID()[:8], strings.Replace(waitTokenDef, "HEARTBEAT", tt.heartbeat, 1), "")
			start, err := e.sfn.StartExecution(ctxT(t), &sfnapi.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"in":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			token := <-l.tokens
			if !strings.HasPrefix(token, "AQ") {
				t.Fatalf("token %q", token)
			}
			tt.answer(t, e.sfn, token)
			d := waitDone(t, e, aws.ToString(start.ExecutionArn))
			if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != tt.want {
				t.Errorf("got %s %s %s %s, want %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause), tt.want)
			}
			// The token is spent: AWS answers TaskTimedOut.
			_, err = e.sfn.SendTaskSuccess(ctxT(t), &sfnapi.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
			var timedOut *sfntypes.TaskTimedOut
			if !errors.As(err, &timedOut) {
				t.Errorf("reused token: %v, want TaskTimedOut", err)
			}
		})
	}
	t.Run("a token never issued is InvalidToken", func(t *testing.T) {
		_, err := e.sfn.SendTaskSuccess(ctxT(t), &sfnapi.SendTaskSuccessInput{TaskToken: aws.String("AQnope"), Output: aws.String(`{}`)})
		var invalid *sfntypes.InvalidToken
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "Invalid Token: 'Invalid token'") {
			t.Errorf("got %v", err)
		}
	})
}

func TestStartExecutionTask(t *testing.T) {
	e := newEnv(t, Options{})
	child := createMachine(t, e, "child", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.fail","IsPresent":true,"Next":"F"}],"Default":"P"},
	  "P":{"Type":"Pass","Result":{"done":true},"End":true},"F":{"Type":"Fail","Error":"ChildFailed","Cause":"asked to"}}}`, "")
	params := `,"Parameters":{"StateMachineArn":"` + child + `","Input.$":"$"}`
	tests := []struct {
		name, resource, input string
		status                sfntypes.ExecutionStatus
		want                  []string
	}{
		{"async returns the execution ARN and start date", "arn:aws:states:::states:startExecution", `{}`, "SUCCEEDED",
			[]string{`"ExecutionArn":"arn:aws:states:us-east-1:000000000000:execution:child:`, `"StartDate":1`, `"SdkHttpMetadata":`}},
		{".sync returns the child's description with its output as text", "arn:aws:states:::states:startExecution.sync", `{"a":1}`, "SUCCEEDED",
			[]string{`"Input":"{\"a\":1}"`, `"Output":"{\"done\":true}"`, `"Status":"SUCCEEDED"`, `"OutputDetails":{"Included":true}`}},
		{".sync:2 returns the child's input and output as JSON", "arn:aws:states:::states:startExecution.sync:2", `{"a":1}`, "SUCCEEDED",
			[]string{`"Input":{"a":1}`, `"Output":{"done":true}`}},
		{"a failed child fails the task with States.TaskFailed and its description", "arn:aws:states:::states:startExecution.sync", `{"fail":1}`, "FAILED",
			[]string{`States.TaskFailed {`, `"Cause":"asked to"`, `"Error":"ChildFailed"`, `"Status":"FAILED"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := runTaskDef(t, e, task(tt.resource, params), tt.input)
			got := aws.ToString(d.Output)
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				got = aws.ToString(d.Error) + " " + aws.ToString(d.Cause)
			}
			if d.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", d.Status, got, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %s\nwant it to contain %s", got, w)
				}
			}
		})
	}
	t.Run("a missing state machine is StepFunctions.StateMachineDoesNotExistException", func(t *testing.T) {
		d := runTaskDef(t, e, task("arn:aws:states:::states:startExecution", `,"Parameters":{"StateMachineArn":"`+child+`x"}`), `{}`)
		if got := aws.ToString(d.Error) + " " + aws.ToString(d.Cause); !strings.HasPrefix(got, "StepFunctions.StateMachineDoesNotExistException State Machine Does Not Exist: '"+child+"x' (Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist;") {
			t.Errorf("got %s", got)
		}
	})
}

func TestUnsupportedTasksListsEveryStateWhereverItIs(t *testing.T) {
	svc := New(Options{Lambda: newFakeLambda()})
	def := `{"StartAt":"Put","States":{
	  "Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Next":"Fan"},
	  "Fan":{"Type":"Parallel","Next":"Each","Branches":[
	    {"StartAt":"Ok","States":{"Ok":{"Type":"Task","Resource":"` + fnARN + `echo","End":true}}},
	    {"StartAt":"Glue","States":{"Glue":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","End":true}}}]},
	  "Each":{"Type":"Map","ItemsPath":"$.xs","Next":"Gone","ItemProcessor":{"StartAt":"Sync","States":{
	    "Sync":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.sync","Parameters":{"FunctionName":"echo"},"End":true}}}},
	  "Gone":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"missing-fn"},"Next":"Act"},
	  "Act":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:work","End":true}}}`
	got, err := svc.UnsupportedTasks(def)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`"Act" arn:aws:states:us-east-1:000000000000:activity:work no local integration runs this resource`,
		`"Glue" in branch 2 of Parallel "Fan" arn:aws:states:::glue:startJobRun.sync no local integration runs this resource`,
		`"Gone" arn:aws:states:::lambda:invoke Lambda function missing-fn is not in the stack`,
		`"Put" arn:aws:states:::dynamodb:putItem no local integration runs this resource`,
		`"Sync" in the iterator of Map "Each" arn:aws:states:::lambda:invoke.sync the local lambda:invoke integration does not support .sync`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d: %+v", len(got), got)
	}
	for i, w := range want {
		if s := got[i].State + " " + got[i].Resource + " " + got[i].Why; !strings.HasPrefix(s, w) {
			t.Errorf("[%d] = %s\nwant %s", i, s, w)
		}
	}
	if !strings.HasPrefix(got[0].Supported, "Lambda function ARNs, arn:aws:states:::lambda:invoke[.waitForTaskToken], arn:aws:states:::states:startExecution[.sync][.sync:2]") || got[2].Supported != "" {
		t.Errorf("Supported should list the integrations when none runs the resource: %q, %q", got[0].Supported, got[2].Supported)
	}
}

func TestInlineMapRunsLambdaTasksConcurrentlyUpToMaxConcurrency(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		l := newFakeLambda()
		l.concurrentDelay = 50 * time.Millisecond
		e := newEnv(t, Options{Lambda: l})
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":` + strconv.Itoa(limit) + `,
		  "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"echo","Payload.$":"$"},"OutputPath":"$.Payload","End":true}}},"End":true}}}`
		d := runTaskDef(t, e, def, `{"xs":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}`)
		if d.Status != sfntypes.ExecutionStatusSucceeded || !strings.HasPrefix(aws.ToString(d.Output), `[{"got":0},{"got":1}`) {
			t.Fatalf("limit %d: %s %s", limit, d.Status, aws.ToString(d.Output))
		}
		if peak := l.peak.Load(); peak != int64(limit) {
			t.Errorf("MaxConcurrency %d: %d invocations ran at once", limit, peak)
		}
	}
}
