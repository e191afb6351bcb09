package sfn

import (
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// Execution history: the events GetExecutionHistory returns, recorded by the
// interpreter as it moves between states (asl.go's run, runTask, parallel,
// mapState) for every STANDARD execution; EXPRESS executions have none, as on
// AWS. The event types, their details members and the previousEventId chain
// follow AWS's answers recorded in LocalStack's snapshots
// (tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios,
// services/test_lambda_task_service, callback/test_callback,
// timeouts/test_timeouts, test_sfn_api's test_stop_execution):
//
//   - ExecutionStarted is id 1; the first state's …StateEntered has
//     previousEventId 0; every other event points at the one before it in
//     its branch or iteration;
//   - a Fail state has only FailStateEntered; a state that fails without a
//     catcher has no …StateExited (Task: TaskFailed, Map: MapStateFailed,
//     Parallel: ParallelStateFailed); a caught one exits with the catcher's
//     output;
//   - MapIterationSucceeded/Failed and Map/ParallelStateSucceeded point at the
//     iteration's (branch's) last event without becoming the next event's
//     previous one; MapStateFailed and ParallelStateFailed do;
//   - StopExecution's ExecutionAborted has previousEventId 0 and ends the
//     history: what the stopped interpreter does afterwards is not recorded.

// maxHistoryEvents is AWS's quota of events in one execution's history
// ("Step Functions service quotas": 25,000); reaching it fails the
// execution.
const maxHistoryEvents = 25000

// maxEventData is the most of an input or output an event carries; longer
// data is cut and its details say truncated (payloads are limited to 256 KiB).
const maxEventData = maxPayload

// histEvent is one event, kept small: the strings are shared with the
// definition (state names, resources) or between a state's exit and the next
// state's entry wherever the interpreter can.
type histEvent struct {
	ts   int64 // Unix nanoseconds
	prev int32
	num  int32 // MapStateStarted length, MapIteration index, Scheduled timeoutInSeconds
	hb   int32 // TaskScheduled heartbeatInSeconds
	typ  string
	// name is the state's name (…Entered, …Exited, MapIteration…) or the
	// Task's resource ARN (Task…, LambdaFunctionScheduled).
	name string
	// data is the input, output or parameters, or the error name of a
	// failure event; cause its cause.
	data, cause string
}

// historyLog is one execution's history. Events stop being recorded once the
// execution has ended or the quota is reached.
type historyLog struct {
	mu       sync.Mutex
	events   []histEvent
	closed   bool
	limit    int
	overflow func() // called once when the quota is reached
}

func newHistoryLog() *historyLog { return &historyLog{limit: maxHistoryEvents} }

// newHistory is a history that starts with the execution's ExecutionStarted,
// which the first state's entry does not follow (previousEventId 0).
func (e *execution) newHistory() *historyLog {
	l := newHistoryLog()
	l.append(histEvent{typ: "ExecutionStarted", name: e.machine.roleArn, data: e.input}, 0, e.start, false)
	return l
}

func (l *historyLog) setOverflow(f func()) {
	l.mu.Lock()
	l.overflow = f
	l.mu.Unlock()
}

// histThread is one line of events: the execution's top level, a Parallel
// branch or a Map iteration. last is the id the next event points at.
type histThread struct {
	log  *historyLog
	last int32
}

// add records an event on thread t (t.last is its previousEventId); with
// advance the event becomes t's last. It returns the event's id, 0 when it
// was not recorded.
func (t *histThread) add(ev histEvent, at time.Time, advance bool) int32 {
	if t == nil {
		return 0
	}
	id := t.log.append(ev, t.last, at, false)
	if advance && id != 0 {
		t.last = id
	}
	return id
}

// append records ev with previousEventId prev. The last slot under the quota
// is kept for the ExecutionFailed that reaching it causes (final).
func (l *historyLog) append(ev histEvent, prev int32, at time.Time, final bool) int32 {
	l.mu.Lock()
	if l.closed || (!final && len(l.events) >= l.limit-1) {
		var overflow func()
		if !l.closed && l.overflow != nil {
			overflow, l.overflow = l.overflow, nil
		}
		l.mu.Unlock()
		if overflow != nil {
			overflow()
		}
		return 0
	}
	ev.prev, ev.ts = prev, at.UnixNano()
	l.events = append(l.events, ev)
	id := int32(len(l.events))
	if final {
		l.closed = true
		// An ended history no longer grows: give back what append's
		// doubling reserved.
		if cap(l.events)-len(l.events) > len(l.events)/8 {
			l.events = append(make([]histEvent, 0, len(l.events)), l.events...)
		}
	}
	l.mu.Unlock()
	return id
}

func (l *historyLog) snapshot() []histEvent {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]histEvent(nil), l.events...)
}

// historyEvents are the execution's events. One restored from a state
// directory written before histories were kept has none recorded: its start
// and, once it has ended, its outcome stand for them.
func (e *execution) historyEvents() []histEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.hist != nil {
		return e.hist.snapshot()
	}
	events := []histEvent{{typ: "ExecutionStarted", ts: e.start.UnixNano(), name: e.machine.roleArn, data: e.input}}
	if typ := endEvents[e.status]; typ != "" {
		end := histEvent{typ: typ, ts: e.stop.UnixNano(), prev: 1, data: e.errName, cause: e.cause}
		if e.status == "SUCCEEDED" {
			end.data = e.output
		}
		events = append(events, end)
	}
	return events
}

// enteredType and exitedType are the event types of a state type, built once
// so that recording allocates nothing for them.
var enteredType, exitedType = func() (map[string]string, map[string]string) {
	en, ex := map[string]string{}, map[string]string{}
	for t := range validStateTypes {
		en[t], ex[t] = t+"StateEntered", t+"StateExited"
	}
	return en, ex
}()

// ---- the wire shape ----

// eventShape renders one event type's details member.
type eventShape struct {
	member string
	render func(ev *histEvent, region string, data bool) map[string]any
}

// eventShapes are the details of each event type the interpreter records, as
// aws-sdk-go-v2/service/sfn/types.HistoryEvent has them.
var eventShapes = map[string]eventShape{
	"ExecutionStarted": {"executionStartedEventDetails", func(ev *histEvent, _ string, data bool) map[string]any {
		d := map[string]any{"roleArn": ev.name}
		withData(d, "input", ev.data, data)
		return d
	}},
	"ExecutionSucceeded":      {"executionSucceededEventDetails", outputDetails},
	"ExecutionFailed":         {"executionFailedEventDetails", errorDetails},
	"ExecutionAborted":        {"executionAbortedEventDetails", errorDetails},
	"ExecutionTimedOut":       {"executionTimedOutEventDetails", errorDetails},
	"TaskScheduled":           {"taskScheduledEventDetails", taskScheduled},
	"TaskStarted":             {"taskStartedEventDetails", taskDetails(nil)},
	"TaskSubmitted":           {"taskSubmittedEventDetails", taskDetails(outputDetails)},
	"TaskSucceeded":           {"taskSucceededEventDetails", taskDetails(outputDetails)},
	"TaskFailed":              {"taskFailedEventDetails", taskDetails(errorDetails)},
	"TaskTimedOut":            {"taskTimedOutEventDetails", taskDetails(errorDetails)},
	"LambdaFunctionScheduled": {"lambdaFunctionScheduledEventDetails", lambdaScheduled},
	"LambdaFunctionStarted":   {},
	"LambdaFunctionSucceeded": {"lambdaFunctionSucceededEventDetails", outputDetails},
	"LambdaFunctionFailed":    {"lambdaFunctionFailedEventDetails", errorDetails},
	"LambdaFunctionTimedOut":  {"lambdaFunctionTimedOutEventDetails", errorDetails},
	"MapStateStarted": {"mapStateStartedEventDetails", func(ev *histEvent, _ string, _ bool) map[string]any {
		return map[string]any{"length": ev.num}
	}},
	"MapIterationStarted":    {"mapIterationStartedEventDetails", mapIteration},
	"MapIterationSucceeded":  {"mapIterationSucceededEventDetails", mapIteration},
	"MapIterationFailed":     {"mapIterationFailedEventDetails", mapIteration},
	"MapIterationAborted":    {"mapIterationAbortedEventDetails", mapIteration},
	"MapStateSucceeded":      {},
	"MapStateFailed":         {},
	"ParallelStateStarted":   {},
	"ParallelStateSucceeded": {},
	"ParallelStateFailed":    {},
}

func init() {
	for t := range validStateTypes {
		eventShapes[t+"StateEntered"] = eventShape{"stateEnteredEventDetails", func(ev *histEvent, _ string, data bool) map[string]any {
			d := map[string]any{"name": ev.name}
			withData(d, "input", ev.data, data)
			return d
		}}
		if t != "Fail" {
			eventShapes[t+"StateExited"] = eventShape{"stateExitedEventDetails", func(ev *histEvent, _ string, data bool) map[string]any {
				d := map[string]any{"name": ev.name}
				withData(d, "output", ev.data, data)
				return d
			}}
		}
	}
}

// withData sets d[key] and d[key+"Details"] unless data is excluded
// (includeExecutionData false), cutting it at maxEventData.
func withData(d map[string]any, key, v string, data bool) {
	if !data {
		return
	}
	truncated := len(v) > maxEventData
	if truncated {
		v = v[:maxEventData]
	}
	d[key] = v
	d[key+"Details"] = map[string]bool{"truncated": truncated}
}

func outputDetails(ev *histEvent, _ string, data bool) map[string]any {
	d := map[string]any{}
	withData(d, "output", ev.data, data)
	return d
}

// errorDetails leaves out an empty error or cause, as AWS does (a Fail state
// without Cause, StopExecution without either).
func errorDetails(ev *histEvent, _ string, _ bool) map[string]any {
	d := map[string]any{}
	if ev.data != "" {
		d["error"] = ev.data
	}
	if ev.cause != "" {
		d["cause"] = ev.cause
	}
	return d
}

func mapIteration(ev *histEvent, _ string, _ bool) map[string]any {
	return map[string]any{"name": ev.name, "index": ev.num}
}

// taskResource splits an optimized integration's ARN as the Task… events name
// it: arn:aws:states:::sqs:sendMessage.waitForTaskToken is resource type
// "sqs", resource "sendMessage.waitForTaskToken".
func splitTaskResource(arn string) (typ, resource string) {
	rest := arn
	if i := strings.Index(arn, ":::"); i >= 0 {
		rest = arn[i+3:]
	}
	typ, resource, _ = strings.Cut(rest, ":")
	return typ, resource
}

func taskDetails(more func(*histEvent, string, bool) map[string]any) func(*histEvent, string, bool) map[string]any {
	return func(ev *histEvent, region string, data bool) map[string]any {
		d := map[string]any{}
		if more != nil {
			d = more(ev, region, data)
		}
		d["resourceType"], d["resource"] = splitTaskResource(ev.name)
		return d
	}
}

func taskScheduled(ev *histEvent, region string, data bool) map[string]any {
	d := map[string]any{"region": region}
	d["resourceType"], d["resource"] = splitTaskResource(ev.name)
	if data {
		d["parameters"] = ev.data
	}
	if ev.num > 0 {
		d["timeoutInSeconds"] = ev.num
	}
	if ev.hb > 0 {
		d["heartbeatInSeconds"] = ev.hb
	}
	return d
}

func lambdaScheduled(ev *histEvent, _ string, data bool) map[string]any {
	d := map[string]any{"resource": ev.name}
	withData(d, "input", ev.data, data)
	if ev.num > 0 {
		d["timeoutInSeconds"] = ev.num
	}
	return d
}

// wireEvent is one event as GetExecutionHistory answers it.
func wireEvent(ev *histEvent, id int, region string, data bool) map[string]any {
	w := map[string]any{"id": id, "previousEventId": ev.prev, "type": ev.typ,
		"timestamp": awsproto.EpochTime(time.Unix(0, ev.ts))}
	if sh, ok := eventShapes[ev.typ]; ok && sh.render != nil {
		w[sh.member] = sh.render(ev, region, data)
	}
	return w
}
