package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Task states. A Task's Resource names a service integration
// (arn:aws:states:::SERVICE:ACTION, optionally .sync, .sync:2 or
// .waitForTaskToken) or a Lambda function ARN. Each service action is one
// Integration in the service's registry (RegisterIntegration): the package
// registers Lambda (through the Options.Lambda hook) and Step Functions
// StartExecution itself; the root package registers SQS, EventBridge and
// SNS. A resource no integration runs is reported by UnsupportedTasks before
// anything runs, and fails an execution that reaches it with States.Runtime.
//
// The error names and result shapes are AWS's, from the Step Functions
// Developer Guide ("Error handling", the optimized integrations' pages) and
// LocalStack's snapshots recorded against AWS
// (tests/aws/services/stepfunctions/v2/services/*.snapshot.json,
// error_handling/test_task_service_*.snapshot.json, callback/,
// timeouts/test_heartbeats.snapshot.json).

// Task error names beyond the interpreter's own.
const (
	errStatesTaskFailed       = "States.TaskFailed"
	errStatesHeartbeatTimeout = "States.HeartbeatTimeout"
)

// defaultTaskTimeout is a Task state's TimeoutSeconds when it has none
// (the States Language's 99999999 seconds).
const defaultTaskTimeout = 99999999 * time.Second

// Integration runs the Task states of one service action.
type Integration struct {
	// Patterns are the integration patterns it supports besides
	// request-response: "waitForTaskToken", "sync", "sync:2".
	Patterns []string
	// Call performs the action with the state's effective parameters and
	// returns the task's result. For .sync patterns it returns once the
	// job is done. It honours ctx, which ends on the task's timeout.
	Call func(ctx context.Context, t *TaskCall) (any, *TaskFailure)
}

// TaskCall is one Task state's call of an Integration.
type TaskCall struct {
	// Parameters are the state's effective parameters: Parameters
	// evaluated against the state's input, or the input itself.
	Parameters any
	// Resource is the state's Resource ARN.
	Resource string
	// Pattern is "" (request-response), "sync", "sync:2" or
	// "waitForTaskToken".
	Pattern string
	// ExecutionARN and StateMachineARN identify the running execution.
	ExecutionARN, StateMachineARN string
}

// TaskFailure is a failed task: the error name Catch and Retry match and
// its cause.
type TaskFailure struct {
	Name, Cause string
}

func (f *TaskFailure) Error() string { return f.Name + ": " + f.Cause }

// ServiceFailure is the failure of a task whose service call answered an
// AWS error, named and worded as Step Functions reports it: prefix plus the
// exception name ("SQS.AmazonSQSException", "StepFunctions.
// StateMachineDoesNotExistException") and a cause ending with the SDK's
// "(Service: …; Status Code: …; Error Code: …; Request ID: …; Proxy:
// null)".
func ServiceFailure(name, service string, err error) *TaskFailure {
	var e *awsproto.Error
	if !errors.As(err, &e) {
		return &TaskFailure{Name: name, Cause: err.Error()}
	}
	return &TaskFailure{Name: name, Cause: fmt.Sprintf("%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		e.Message, service, e.HTTPStatus(), e.QueryErrorCode(), awsproto.NewRequestID())}
}

// RegisterIntegration makes Task states whose resource is
// arn:aws:states:::KEY (KEY "sqs:sendMessage") run through in. Call it
// before the service is shared.
func (svc *Service) RegisterIntegration(key string, in Integration) { svc.integrations[key] = in }

// taskResource is a Task state's Resource, parsed.
type taskResource struct {
	arn string
	// key is the integration ("sqs:sendMessage"), or lambdaFunctionKey for a
	// Lambda function ARN; "" for a resource of no known form (an
	// activity, an aws-sdk integration's key is "aws-sdk:dynamodb:putItem").
	key     string
	pattern string
}

// lambdaFunctionKey is the key of a Task whose Resource is a Lambda
// function's ARN (the legacy form, whose result is the function's own).
const lambdaFunctionKey = "lambda:function"

// integration patterns, as the resource suffix spells them.
var resourcePatterns = []string{"waitForTaskToken", "sync:2", "sync"}

func parseResource(arn string) taskResource {
	r := taskResource{arn: arn}
	if strings.HasPrefix(arn, "arn:aws:lambda:") && strings.Contains(arn, ":function:") {
		r.key = lambdaFunctionKey
		return r
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "states" || parts[3] != "" || parts[4] != "" {
		return r // an activity, another partition, another region's integration
	}
	key := parts[5]
	for _, p := range resourcePatterns {
		if k, ok := strings.CutSuffix(key, "."+p); ok {
			key, r.pattern = k, p
			break
		}
	}
	r.key = key
	return r
}

func buildTaskState(st *aslState, so map[string]any, at string) *awsproto.Error {
	res, _ := so["Resource"].(string)
	if res == "" {
		return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'Resource' is required but was missing at %s", at)
	}
	if !strings.HasPrefix(res, "arn:") {
		return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is not available in this region. at %s/Resource", res, at)
	}
	st.Resource = parseResource(res)
	for _, f := range []struct {
		key  string
		dst  *float64
		path *string
	}{{"TimeoutSeconds", &st.TimeoutSeconds, &st.TimeoutSecondsPath}, {"HeartbeatSeconds", &st.HeartbeatSeconds, &st.HeartbeatSecondsPath}} {
		if v, ok := numField(so, f.key); ok {
			if v <= 0 {
				return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The value for the field '%s' must be greater than 0 at %s/%s", f.key, at, f.key)
			}
			*f.dst = v
		}
		*f.path, _ = so[f.key+"Path"].(string)
	}
	if st.TimeoutSeconds > 0 && st.HeartbeatSeconds >= st.TimeoutSeconds {
		return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds' at %s", at)
	}
	return nil
}

// UnsupportedTask is a Task state the local service cannot run.
type UnsupportedTask struct {
	// State names the state and where it is: `"Put"`, or `"Put" in branch
	// 2 of Parallel "Fan"`, `"Invoke" in the iterator of Map "Each"`.
	State    string
	Resource string
	// Why says what is missing; Supported, when no integration runs the
	// resource, lists those that would.
	Why, Supported string
}

// UnsupportedTasks lists every Task state of a definition that this
// service cannot run, in every branch and iterator: a resource no
// integration runs, an integration pattern it does not support, a Lambda
// function the Lambda hook does not know.
func (svc *Service) UnsupportedTasks(definition string) ([]UnsupportedTask, error) {
	def, err := parseDefinition(definition)
	if err != nil {
		return nil, err
	}
	var out []UnsupportedTask
	svc.walkTasks(def, "", &out)
	sort.Slice(out, func(i, j int) bool { return out[i].State < out[j].State })
	return out, nil
}

func (svc *Service) walkTasks(def *machineDef, where string, out *[]UnsupportedTask) {
	for _, name := range sortedStateNames(def) {
		st := def.States[name]
		switch st.Type {
		case "Task":
			if why := svc.taskProblem(st); why != "" {
				u := UnsupportedTask{State: fmt.Sprintf("%q%s", name, where), Resource: st.Resource.arn, Why: why}
				if _, ok := svc.integrations[st.Resource.key]; !ok {
					u.Supported = svc.supportedList()
				}
				*out = append(*out, u)
			}
		case "Parallel":
			for i, b := range st.Branches {
				svc.walkTasks(b, fmt.Sprintf(" in branch %d of Parallel %q%s", i+1, name, where), out)
			}
		case "Map":
			svc.walkTasks(st.Processor, fmt.Sprintf(" in the iterator of Map %q%s", name, where), out)
		}
	}
}

func sortedStateNames(def *machineDef) []string {
	names := make([]string, 0, len(def.States))
	for n := range def.States {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// taskProblem says why a Task state cannot run here, "" when it can.
func (svc *Service) taskProblem(st *aslState) string {
	r := st.Resource
	in, ok := svc.integrations[r.key]
	if !ok {
		return "no local integration runs this resource"
	}
	if r.pattern != "" && !contains(in.Patterns, r.pattern) {
		return fmt.Sprintf("the local %s integration does not support .%s", r.key, r.pattern)
	}
	if fn := svc.staticFunction(st); fn != "" && svc.lambda != nil && !svc.lambda.Exists(fn) {
		return fmt.Sprintf("Lambda function %s is not in the stack", fn)
	}
	return ""
}

// staticFunction is the Lambda function a task invokes when the definition
// names it literally.
func (svc *Service) staticFunction(st *aslState) string {
	switch st.Resource.key {
	case lambdaFunctionKey:
		return st.Resource.arn
	case "lambda:invoke":
		if p, ok := st.Parameters.(map[string]any); ok {
			s, _ := p["FunctionName"].(string)
			return s
		}
	}
	return ""
}

func (svc *Service) supportedList() string {
	var keys []string
	for k, in := range svc.integrations {
		if k == lambdaFunctionKey {
			keys = append(keys, "Lambda function ARNs")
			continue
		}
		s := "arn:aws:states:::" + k
		for _, p := range in.Patterns {
			s += "[." + p + "]"
		}
		keys = append(keys, s)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- running a Task state ----

// runTask is one attempt at a Task state: parameters, the call with its
// timeout and heartbeat, and for .waitForTaskToken the wait for the token.
func (in *interp) runTask(st *aslState, input any, ctxObj map[string]any) (any, *stateFailure) {
	integ, ok := in.svc.integrations[st.Resource.key]
	if !ok || (st.Resource.pattern != "" && !contains(integ.Patterns, st.Resource.pattern)) {
		return nil, &stateFailure{Error: errStatesRuntime, fatal: true,
			Cause: fmt.Sprintf("awslocal: state %q: the local Step Functions cannot run Task resource %s", st.Name, st.Resource.arn)}
	}
	eff, f := in.inputPath(st, input, ctxObj)
	if f != nil {
		return nil, f
	}
	timeout, f := in.seconds(st.TimeoutSeconds, st.TimeoutSecondsPath, eff, ctxObj, "TimeoutSecondsPath")
	if f != nil {
		return nil, f
	}
	heartbeat, f := in.seconds(st.HeartbeatSeconds, st.HeartbeatSecondsPath, eff, ctxObj, "HeartbeatSecondsPath")
	if f != nil {
		return nil, f
	}
	if timeout == 0 {
		timeout = defaultTaskTimeout
	}
	var pending *pendingTask
	if st.Resource.pattern == "waitForTaskToken" {
		pending = in.svc.tokens.issue()
		defer in.svc.tokens.finish(pending)
		ctxObj["Task"] = map[string]any{"Token": pending.token}
	}
	if st.hasParameters {
		if eff, f = in.template(st.Parameters, eff, ctxObj); f != nil {
			return nil, f
		}
	}
	ctx, cancel := context.WithCancelCause(in.ctx)
	defer cancel(nil)
	go in.timeoutAfter(ctx, cancel, timeout, errTaskTimedOut)
	if pending != nil && heartbeat > 0 {
		go in.heartbeatWatch(ctx, cancel, heartbeat, pending.beats)
	}
	call := &TaskCall{Parameters: eff, Resource: st.Resource.arn, Pattern: st.Resource.pattern, ExecutionARN: jsonvalue.PlainText(in.execution["Id"]),
		StateMachineARN: jsonvalue.PlainText(in.stateMachine["Id"])}
	ev := in.taskEvents(st, eff, timeout, heartbeat)
	out, tf := integ.Call(ctx, call)
	if tf == nil && pending != nil {
		in.hist.add(histEvent{typ: ev.submitted, name: st.Resource.arn, data: in.text(out)}, in.clock.Now(), true)
		out, tf = pending.wait(ctx)
	}
	if cause := context.Cause(ctx); cause == errTaskTimedOut || cause == errHeartbeatTimedOut {
		in.hist.add(histEvent{typ: ev.timedOut, name: st.Resource.arn, data: errStatesTimeout}, in.clock.Now(), true)
		return nil, &stateFailure{Error: errStatesTimeout, task: true, heartbeat: cause == errHeartbeatTimedOut}
	}
	if in.ctx.Err() != nil {
		return nil, &stateFailure{Error: "States.Aborted", Cause: "execution stopped", fatal: true}
	}
	if tf != nil {
		in.hist.add(histEvent{typ: ev.failed, name: st.Resource.arn, data: tf.Name, cause: tf.Cause}, in.clock.Now(), true)
		return nil, &stateFailure{Error: tf.Name, Cause: tf.Cause, task: true, noError: tf == errNoErrorFailure}
	}
	in.hist.add(histEvent{typ: ev.succeeded, name: st.Resource.arn, data: in.text(out)}, in.clock.Now(), true)
	return out, nil
}

// taskEventTypes are the history events of one kind of Task: a Lambda
// function ARN's (LambdaFunction…) or an optimized integration's (Task…).
type taskEventTypes struct {
	scheduled, started, submitted, succeeded, failed, timedOut string
}

var (
	lambdaFunctionEvents = taskEventTypes{"LambdaFunctionScheduled", "LambdaFunctionStarted", "TaskSubmitted",
		"LambdaFunctionSucceeded", "LambdaFunctionFailed", "LambdaFunctionTimedOut"}
	integrationEvents = taskEventTypes{"TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskFailed", "TaskTimedOut"}
)

// taskEvents records that a Task is scheduled and started, with its
// parameters and the timeouts the state sets, and returns the types of the
// events that follow.
func (in *interp) taskEvents(st *aslState, eff any, timeout, heartbeat time.Duration) taskEventTypes {
	ev := integrationEvents
	if st.Resource.key == lambdaFunctionKey {
		ev = lambdaFunctionEvents
	}
	if in.hist == nil {
		return ev
	}
	sched := histEvent{typ: ev.scheduled, name: st.Resource.arn, data: in.text(eff)}
	if st.TimeoutSeconds > 0 || st.TimeoutSecondsPath != "" {
		sched.num = int32(timeout / time.Second)
	}
	if st.Resource.key != lambdaFunctionKey {
		sched.hb = int32(heartbeat / time.Second)
	}
	now := in.clock.Now()
	in.hist.add(sched, now, true)
	in.hist.add(histEvent{typ: ev.started, name: st.Resource.arn}, now, true)
	return ev
}

var (
	errTaskTimedOut      = fmt.Errorf("awslocal: task timed out")
	errHeartbeatTimedOut = fmt.Errorf("awslocal: task heartbeat timed out")
)

// seconds is a TimeoutSeconds-like value: the literal, or the positive
// integer its Path selects.
func (in *interp) seconds(lit float64, path string, eff any, ctxObj map[string]any, field string) (time.Duration, *stateFailure) {
	if path == "" {
		return time.Duration(lit * float64(time.Second)), nil
	}
	v, f := in.evalArg(path, eff, ctxObj, field)
	if f != nil {
		return 0, f
	}
	n, ok := jsonvalue.Number(v)
	if !ok || n <= 0 || n != float64(int64(n)) {
		return 0, failf(errStatesRuntime, "The %s field references a value that is not a positive integer: %s", field, jsonvalue.Text(v))
	}
	return time.Duration(n) * time.Second, nil
}

// timeoutAfter cancels ctx with why once d passed on the service clock.
func (in *interp) timeoutAfter(ctx context.Context, cancel context.CancelCauseFunc, d time.Duration, why error) {
	if in.clock.Sleep(ctx, d) == nil {
		cancel(why)
	}
}

// heartbeatWatch cancels ctx when no heartbeat arrives for d.
func (in *interp) heartbeatWatch(ctx context.Context, cancel context.CancelCauseFunc, d time.Duration, beats <-chan struct{}) {
	for {
		wait, stop := context.WithCancel(ctx)
		timedOut := make(chan bool, 1)
		go func() { timedOut <- in.clock.Sleep(wait, d) == nil }()
		select {
		case <-beats:
			stop()
			<-timedOut
		case t := <-timedOut:
			stop()
			if t {
				cancel(errHeartbeatTimedOut)
			}
			return
		}
	}
}

// decodePayload is a response body as a task result: its JSON value, or
// the text itself when it is not JSON.
func decodePayload(b []byte) any {
	if len(b) == 0 {
		return ""
	}
	v, err := jsonvalue.Decode(b)
	if err != nil {
		return string(b)
	}
	return v
}

// jsonText is a parameter that the service takes as a string (a message
// body, an execution's input): a string as it is, any other value as its
// JSON text.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonvalue.Text(v)
}

// SdkHTTPMetadata is the SdkHttpMetadata member AWS adds to the result of
// an optimized integration's call, as the Java SDK reports the response:
// every header as a list (AllHttpHeaders) and as a value (HttpHeaders).
func SdkHTTPMetadata(contentType string, contentLength int, requestID string, extra map[string]string) map[string]any {
	headers := map[string]string{
		"Content-Type": contentType, "Content-Length": fmt.Sprint(contentLength), "Date": time.Now().UTC().Format(time.RFC1123),
		"x-amzn-RequestId": requestID, "connection": "keep-alive",
	}
	for k, v := range extra {
		headers[k] = v
	}
	all, single := map[string]any{}, map[string]any{}
	for k, v := range headers {
		all[k] = []any{v}
		single[k] = v
	}
	return map[string]any{"AllHttpHeaders": all, "HttpHeaders": single, "HttpStatusCode": json.Number("200")}
}

// SdkResult adds SdkHttpMetadata and SdkResponseMetadata to a service's
// response members, as the optimized integrations return them.
func SdkResult(members map[string]any, contentType string) map[string]any {
	id := awsproto.NewRequestID()
	members["SdkHttpMetadata"] = SdkHTTPMetadata(contentType, len(jsonvalue.Text(members)), id, nil)
	members["SdkResponseMetadata"] = map[string]any{"RequestId": id}
	return members
}
