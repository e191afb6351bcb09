package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/jsonvalue"
)

// An interpreter for the Amazon States Language (JSONPath flavour): Pass,
// Task (task.go), Choice, Wait, Succeed, Fail, Parallel and inline Map,
// with InputPath, Parameters/ItemSelector (".$" keys, the context object $$
// and intrinsic functions), ResultSelector, ResultPath, OutputPath, Retry
// and Catch. A distributed Map and JSONata fail the execution with error
// States.Runtime and a cause naming the state.

// Errors the interpreter raises (ASL "Error names").
const (
	errStatesRuntime          = "States.Runtime"
	errStatesNoChoiceMatched  = "States.NoChoiceMatched"
	errStatesIntrinsicFailure = "States.IntrinsicFailure"
	errStatesTimeout          = "States.Timeout"
	errStatesResultPath       = "States.ResultPathMatchFailure"
	errStatesParameterPath    = "States.ParameterPathFailure"
	errStatesAll              = "States.ALL"
)

type machineDef struct {
	StartAt        string
	States         map[string]*aslState
	TimeoutSeconds int
	QueryLanguage  string
}

// optPath is a path field that may be absent (default "$") or null.
type optPath struct {
	set  bool
	null bool
	path string
}

func (p optPath) orDefault() (string, bool) {
	if !p.set {
		return "$", false
	}
	return p.path, p.null
}

type aslState struct {
	Name          string
	Type          string
	Next          string
	End           bool
	QueryLanguage string

	InputPath, OutputPath, ResultPath optPath
	Parameters                        any
	hasParameters                     bool
	ResultSelector                    any
	hasResultSel                      bool
	Result                            any
	hasResult                         bool

	Choices []*choiceRule
	Default string

	Seconds       *float64
	Timestamp     string
	SecondsPath   string
	TimestampPath string

	Error, Cause, ErrorPath, CausePath string

	Branches []*machineDef

	ItemsPath          optPath
	ItemSelector       any
	hasItemSelector    bool
	Processor          *machineDef
	MaxConcurrency     int
	MaxConcurrencyPath string
	Distributed        bool

	Retry []retrier
	Catch []catcher

	// Task states (task.go)
	Resource                                 taskResource
	TimeoutSeconds, HeartbeatSeconds         float64
	TimeoutSecondsPath, HeartbeatSecondsPath string
}

type retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int
	BackoffRate     float64
	MaxDelaySeconds float64
}

type catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  optPath
}

func errInvalidDefinition(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: '" + fmt.Sprintf(format, args...) + "'"}
}

// parseDefinition parses and validates a definition (CreateStateMachine's
// InvalidDefinition errors).
func parseDefinition(src string) (*machineDef, *awsproto.Error) {
	v, err := jsonvalue.Decode([]byte(src))
	if err != nil {
		return nil, errInvalidDefinition("INVALID_JSON_DESCRIPTION: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errInvalidDefinition("INVALID_JSON_DESCRIPTION: the definition is not a JSON object")
	}
	return buildMachine(obj, "")
}

func buildMachine(obj map[string]any, at string) (*machineDef, *awsproto.Error) {
	m := &machineDef{States: map[string]*aslState{}}
	m.StartAt, _ = obj["StartAt"].(string)
	if m.StartAt == "" {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'StartAt' is required but was missing at %s/", at)
	}
	m.QueryLanguage, _ = obj["QueryLanguage"].(string)
	if n, ok := obj["TimeoutSeconds"].(json.Number); ok {
		t, _ := n.Int64()
		m.TimeoutSeconds = int(t)
	}
	states, ok := obj["States"].(map[string]any)
	if !ok || len(states) == 0 {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'States' is required but was missing at %s/", at)
	}
	for name, sv := range states {
		so, ok := sv.(map[string]any)
		if !ok {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: state %q is not an object at %s/States/%s", name, at, name)
		}
		st, err := buildState(name, so, at+"/States/"+name)
		if err != nil {
			return nil, err
		}
		m.States[name] = st
	}
	if m.States[m.StartAt] == nil {
		return nil, errInvalidDefinition("MISSING_TRANSITION_TARGET: Missing 'Next' target: %s at %s/StartAt", m.StartAt, at)
	}
	for name, st := range m.States {
		targets := []string{st.Next, st.Default}
		for _, c := range st.Choices {
			targets = append(targets, c.Next)
		}
		for _, c := range st.Catch {
			targets = append(targets, c.Next)
		}
		for _, t := range targets {
			if t != "" && m.States[t] == nil {
				return nil, errInvalidDefinition("MISSING_TRANSITION_TARGET: Missing 'Next' target: %s at %s/States/%s", t, at, name)
			}
		}
	}
	return m, nil
}

var validStateTypes = map[string]bool{"Pass": true, "Task": true, "Choice": true, "Wait": true, "Succeed": true, "Fail": true, "Parallel": true, "Map": true}

func readOptPath(so map[string]any, key string) (optPath, *awsproto.Error) {
	v, ok := so[key]
	if !ok {
		return optPath{}, nil
	}
	if v == nil {
		return optPath{set: true, null: true}, nil
	}
	s, ok := v.(string)
	if !ok {
		return optPath{}, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: %s must be a string or null", key)
	}
	if _, err := jsonvalue.ParsePath(s); err != nil {
		return optPath{}, errInvalidDefinition("INVALID_JSON_PATH: %s: %v", key, err)
	}
	return optPath{set: true, path: s}, nil
}

func numField(so map[string]any, key string) (float64, bool) {
	n, ok := so[key].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func buildState(name string, so map[string]any, at string) (*aslState, *awsproto.Error) {
	st := &aslState{Name: name}
	st.Type, _ = so["Type"].(string)
	if !validStateTypes[st.Type] {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at %s/Type", at)
	}
	st.Next, _ = so["Next"].(string)
	st.End, _ = so["End"].(bool)
	st.QueryLanguage, _ = so["QueryLanguage"].(string)
	switch st.Type {
	case "Choice", "Succeed", "Fail":
	default:
		if st.Next == "" && !st.End {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: No transition found in state at %s", at)
		}
		if st.Next != "" && st.End {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: Next and End are mutually exclusive at %s", at)
		}
	}
	var err *awsproto.Error
	for key, dst := range map[string]*optPath{"InputPath": &st.InputPath, "OutputPath": &st.OutputPath, "ResultPath": &st.ResultPath, "ItemsPath": &st.ItemsPath} {
		if *dst, err = readOptPath(so, key); err != nil {
			return nil, err
		}
	}
	if st.ResultPath.set && !st.ResultPath.null {
		p, _ := jsonvalue.ParsePath(st.ResultPath.path)
		if !p.IsReference() || p.IsContext() {
			return nil, errInvalidDefinition("INVALID_JSON_PATH: ResultPath must be a reference path at %s/ResultPath", at)
		}
	}
	st.Parameters, st.hasParameters = so["Parameters"]
	if sel, ok := so["ItemSelector"]; ok {
		st.ItemSelector, st.hasItemSelector = sel, true
	} else if st.Type == "Map" && st.hasParameters {
		// Parameters is the legacy name of a Map state's ItemSelector.
		st.ItemSelector, st.hasItemSelector = st.Parameters, true
		st.Parameters, st.hasParameters = nil, false
	}
	st.ResultSelector, st.hasResultSel = so["ResultSelector"]
	st.Result, st.hasResult = so["Result"]
	for _, tmpl := range []any{st.Parameters, st.ItemSelector, st.ResultSelector} {
		if err := checkTemplate(tmpl, at); err != nil {
			return nil, err
		}
	}
	if build := stateBuilder(st.Type); build != nil {
		if err := build(st, so, at); err != nil {
			return nil, err
		}
	}
	if err := buildRetry(st, so, at); err != nil {
		return nil, err
	}
	if err := buildCatch(st, so, at); err != nil {
		return nil, err
	}
	return st, nil
}

// stateBuilder reads the fields of one state type, after the fields every
// state has; nil for types with none of their own. (A switch, not a map:
// Parallel and Map build machines, which build states.)
func stateBuilder(typ string) func(st *aslState, so map[string]any, at string) *awsproto.Error {
	switch typ {
	case "Task":
		return buildTaskState
	case "Choice":
		return buildChoiceState
	case "Wait":
		return buildWaitState
	case "Fail":
		return buildFailState
	case "Parallel":
		return buildParallelState
	case "Map":
		return buildMapState
	}
	return nil
}

func buildChoiceState(st *aslState, so map[string]any, at string) *awsproto.Error {
	var err *awsproto.Error
	st.Choices, err = buildList(so, "Choices", "choice rule", at, func(co map[string]any, where string) (*choiceRule, *awsproto.Error) {
		return buildChoice(co, where, true)
	})
	st.Default, _ = so["Default"].(string)
	return err
}

func buildWaitState(st *aslState, so map[string]any, at string) *awsproto.Error {
	if f, ok := numField(so, "Seconds"); ok {
		st.Seconds = &f
	}
	st.Timestamp, _ = so["Timestamp"].(string)
	st.SecondsPath, _ = so["SecondsPath"].(string)
	st.TimestampPath, _ = so["TimestampPath"].(string)
	n := 0
	if st.Seconds != nil {
		n++
	}
	for _, s := range []string{st.Timestamp, st.SecondsPath, st.TimestampPath} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: A Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath at %s", at)
	}
	if st.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339, st.Timestamp); err != nil {
			return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The value for the field 'Timestamp' must be a valid RFC3339 timestamp at %s/Timestamp", at)
		}
	}
	return nil
}

func buildFailState(st *aslState, so map[string]any, _ string) *awsproto.Error {
	st.Error, _ = so["Error"].(string)
	st.Cause, _ = so["Cause"].(string)
	st.ErrorPath, _ = so["ErrorPath"].(string)
	st.CausePath, _ = so["CausePath"].(string)
	return nil
}

func buildParallelState(st *aslState, so map[string]any, at string) *awsproto.Error {
	var err *awsproto.Error
	st.Branches, err = buildList(so, "Branches", "branch", at, buildMachine)
	return err
}

func buildMapState(st *aslState, so map[string]any, at string) *awsproto.Error {
	proc, _ := so["ItemProcessor"].(map[string]any)
	if proc == nil {
		proc, _ = so["Iterator"].(map[string]any)
	}
	if proc == nil {
		return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'ItemProcessor' is required but was missing at %s", at)
	}
	if cfg, ok := proc["ProcessorConfig"].(map[string]any); ok && cfg["Mode"] == "DISTRIBUTED" {
		st.Distributed = true
	}
	if _, ok := so["ItemReader"]; ok {
		st.Distributed = true
	}
	def, err := buildMachine(proc, at+"/ItemProcessor")
	if err != nil {
		return err
	}
	st.Processor = def
	if f, ok := numField(so, "MaxConcurrency"); ok {
		st.MaxConcurrency = int(f)
	}
	st.MaxConcurrencyPath, _ = so["MaxConcurrencyPath"].(string)
	return nil
}

// buildList reads the non-empty list of objects so[field] (a Choice state's
// rules, a Parallel state's branches), each with build; what names an
// element in errors.
func buildList[T any](so map[string]any, field, what, at string, build func(obj map[string]any, at string) (T, *awsproto.Error)) ([]T, *awsproto.Error) {
	list, _ := so[field].([]any)
	if len(list) == 0 {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field '%s' is required but was missing at %s", field, at)
	}
	var out []T
	for i, v := range list {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: %s is not an object at %s/%s[%d]", what, at, field, i)
		}
		x, err := build(obj, fmt.Sprintf("%s/%s[%d]", at, field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// buildRetry reads a state's Retry list.
func buildRetry(st *aslState, so map[string]any, at string) *awsproto.Error {
	list, _ := so["Retry"].([]any)
	for _, rv := range list {
		ro, _ := rv.(map[string]any)
		r := retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		r.ErrorEquals = stringList(ro["ErrorEquals"])
		if len(r.ErrorEquals) == 0 {
			return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'ErrorEquals' is required but was missing at %s/Retry", at)
		}
		if f, ok := numField(ro, "IntervalSeconds"); ok {
			r.IntervalSeconds = f
		}
		if f, ok := numField(ro, "MaxAttempts"); ok {
			r.MaxAttempts = int(f)
		}
		if f, ok := numField(ro, "BackoffRate"); ok {
			r.BackoffRate = f
		}
		if f, ok := numField(ro, "MaxDelaySeconds"); ok {
			r.MaxDelaySeconds = f
		}
		st.Retry = append(st.Retry, r)
	}
	return nil
}

// buildCatch reads a state's Catch list.
func buildCatch(st *aslState, so map[string]any, at string) *awsproto.Error {
	list, _ := so["Catch"].([]any)
	for _, cv := range list {
		co, _ := cv.(map[string]any)
		c := catcher{ErrorEquals: stringList(co["ErrorEquals"])}
		c.Next, _ = co["Next"].(string)
		if len(c.ErrorEquals) == 0 || c.Next == "" {
			return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: a Catch needs ErrorEquals and Next at %s/Catch", at)
		}
		var err *awsproto.Error
		if c.ResultPath, err = readOptPath(co, "ResultPath"); err != nil {
			return err
		}
		st.Catch = append(st.Catch, c)
	}
	return nil
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// checkTemplate validates the ".$" entries of a Parameters-like template.
func checkTemplate(t any, at string) *awsproto.Error {
	switch x := t.(type) {
	case map[string]any:
		for k, v := range x {
			if strings.HasSuffix(k, ".$") {
				s, ok := v.(string)
				if !ok {
					return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The value for the field '%s' must be a STRING that contains a JSONPath but was a %T at %s", k, v, at)
				}
				if strings.HasPrefix(s, "States.") {
					if _, err := parseIntrinsic(s); err != nil {
						return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The value for the field '%s' must be a valid intrinsic function: %v at %s", k, err, at)
					}
				} else if _, err := jsonvalue.ParsePath(s); err != nil {
					return errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call at %s", k, at)
				}
				continue
			}
			if err := checkTemplate(v, at); err != nil {
				return err
			}
		}
	case []any:
		for _, v := range x {
			if err := checkTemplate(v, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- interpreter ----

// stateFailure is an error raised while running: an ASL error name and
// cause. Fatal failures (unsupported features) are not caught or retried.
type stateFailure struct {
	Error string
	Cause string
	fatal bool
	// task marks a failure a Task state raised (States.TaskFailed matches
	// it), heartbeat a task's heartbeat timeout (States.HeartbeatTimeout
	// matches it), noError a SendTaskFailure without error and cause.
	task, heartbeat, noError bool
	// located marks a cause that already names the state it happened in.
	located bool
}

func (f *stateFailure) String() string { return f.Error + ": " + f.Cause }

func failf(name, format string, args ...any) *stateFailure {
	return &stateFailure{Error: name, Cause: fmt.Sprintf(format, args...)}
}

type interp struct {
	ctx   context.Context
	clock clock.Clock
	svc   *Service // Task states' integrations and tokens
	// the context object's fixed parts: Execution and StateMachine
	execution    map[string]any
	stateMachine map[string]any
	// hist, for a STANDARD execution, is the line of history events this
	// interpreter (the execution, a branch, an iteration) records on.
	hist *histThread
}

// text is v's JSON text for an event, "" when no history is kept.
func (in *interp) text(v any) string {
	if in.hist == nil {
		return ""
	}
	return jsonvalue.Text(v)
}

// contextObject builds $$ for a state; item is the Map item, if any.
func (in *interp) contextObject(state string, entered time.Time, item map[string]any) map[string]any {
	c := map[string]any{
		"Execution":    in.execution,
		"StateMachine": in.stateMachine,
		"State":        map[string]any{"Name": state, "EnteredTime": entered.UTC().Format("2006-01-02T15:04:05.000Z")},
	}
	if item != nil {
		c["Map"] = map[string]any{"Item": item}
	}
	return c
}

// run executes a machine (or a branch) on input.
func (in *interp) run(def *machineDef, input any, item map[string]any) (any, *stateFailure) {
	if def.QueryLanguage == "JSONata" {
		return nil, &stateFailure{Error: errStatesRuntime, Cause: "awslocal: QueryLanguage JSONata is not supported by the local Step Functions interpreter", fatal: true}
	}
	name := def.StartAt
	// inText is input's JSON text when the previous state's exit has
	// already encoded it: its …StateExited and the next …StateEntered
	// share the string.
	inText, haveText := "", false
	for steps := 0; ; steps++ {
		if err := in.ctx.Err(); err != nil {
			return nil, &stateFailure{Error: "States.Aborted", Cause: "execution stopped", fatal: true}
		}
		// EXPRESS executions have no history, whose quota would end a loop
		// that never ends.
		if steps > maxHistoryEvents {
			return nil, &stateFailure{Error: errStatesRuntime, Cause: "awslocal: more than 25000 state transitions (the AWS history limit)", fatal: true}
		}
		st := def.States[name]
		var entered int32
		if in.hist != nil {
			if !haveText {
				inText = in.text(input)
			}
			entered = in.hist.add(histEvent{typ: enteredType[st.Type], name: st.Name, data: inText}, in.clock.Now(), true)
		}
		out, next, fail := in.runState(st, input, item)
		if fail != nil {
			// An evaluation error names the state and its entry event, as
			// AWS words it ("An error occurred while executing the state
			// 'X' (entered at the event id #2). Invalid path …"), once.
			if fail.Error == errStatesRuntime && !fail.fatal && !fail.task && !fail.located && entered != 0 {
				fail = &stateFailure{Error: fail.Error, located: true,
					Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", st.Name, entered, fail.Cause)}
			}
			// A state that fails has no …StateExited: the failure's own
			// event (TaskFailed, MapStateFailed…) or ExecutionFailed follows.
			return nil, fail
		}
		if in.hist != nil {
			inText, haveText = in.text(out), true
			in.hist.add(histEvent{typ: exitedType[st.Type], name: st.Name, data: inText}, in.clock.Now(), true)
		}
		if next == "" {
			return out, nil
		}
		input, name = out, next
	}
}

// runState returns the state's output and next state ("" at the end).
func (in *interp) runState(st *aslState, input any, item map[string]any) (any, string, *stateFailure) {
	if st.QueryLanguage == "JSONata" {
		return nil, "", &stateFailure{Error: errStatesRuntime, Cause: fmt.Sprintf("awslocal: state %q uses JSONata, which the local Step Functions interpreter does not support", st.Name), fatal: true}
	}
	ctxObj := in.contextObject(st.Name, in.clock.Now(), item)
	next := st.Next
	switch st.Type {
	case "Succeed":
		eff, f := in.inputPath(st, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		out, f := in.outputPath(st, eff, ctxObj)
		return out, "", f
	case "Fail":
		errName, cause := st.Error, st.Cause
		if st.ErrorPath != "" {
			v, f := in.evalArg(st.ErrorPath, input, ctxObj, "ErrorPath")
			if f != nil {
				return nil, "", f
			}
			errName = jsonvalue.PlainText(v)
		}
		if st.CausePath != "" {
			v, f := in.evalArg(st.CausePath, input, ctxObj, "CausePath")
			if f != nil {
				return nil, "", f
			}
			cause = jsonvalue.PlainText(v)
		}
		return nil, "", &stateFailure{Error: errName, Cause: cause}
	case "Choice":
		eff, f := in.inputPath(st, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		next = st.Default
		matched := false
		for _, c := range st.Choices {
			ok, f := c.eval(eff, ctxObj)
			if f != nil {
				return nil, "", f
			}
			if ok {
				next, matched = c.Next, true
				break
			}
		}
		if !matched && next == "" {
			return nil, "", failf(errStatesNoChoiceMatched, "No Choice Rules matched and no Default specified in state %q", st.Name)
		}
		out, f := in.outputPath(st, eff, ctxObj)
		return out, next, f
	case "Wait":
		eff, f := in.inputPath(st, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		if f := in.wait(st, eff, ctxObj); f != nil {
			return nil, "", f
		}
		out, f := in.outputPath(st, eff, ctxObj)
		if st.End {
			next = ""
		}
		return out, next, f
	case "Pass":
		eff, f := in.inputPath(st, input, ctxObj)
		if f != nil {
			return nil, "", f
		}
		if st.hasParameters {
			if eff, f = in.template(st.Parameters, eff, ctxObj); f != nil {
				return nil, "", f
			}
		}
		result := eff
		if st.hasResult {
			result = st.Result
		}
		out, f := in.finish(st, input, result, ctxObj)
		if st.End {
			next = ""
		}
		return out, next, f
	case "Task", "Parallel", "Map":
		out, catchNext, f := in.withRetry(st, input, ctxObj, func() (any, *stateFailure) {
			if st.Type == "Task" {
				return in.runTask(st, input, ctxObj)
			}
			eff, f := in.inputPath(st, input, ctxObj)
			if f != nil {
				return nil, f
			}
			if st.Type == "Parallel" {
				if st.hasParameters {
					if eff, f = in.template(st.Parameters, eff, ctxObj); f != nil {
						return nil, f
					}
				}
				return in.parallel(st, eff)
			}
			return in.mapState(st, eff, ctxObj)
		})
		if f != nil {
			return nil, "", f
		}
		if catchNext != "" {
			return out, catchNext, nil
		}
		out, f = in.finish(st, input, out, ctxObj)
		if st.End {
			next = ""
		}
		return out, next, f
	}
	return nil, "", &stateFailure{Error: errStatesRuntime, Cause: fmt.Sprintf("awslocal: unsupported state type %q in state %q", st.Type, st.Name), fatal: true}
}

// finish applies ResultSelector, ResultPath and OutputPath.
func (in *interp) finish(st *aslState, rawInput, result any, ctxObj map[string]any) (any, *stateFailure) {
	var f *stateFailure
	if st.hasResultSel {
		if result, f = in.template(st.ResultSelector, result, ctxObj); f != nil {
			return nil, f
		}
	}
	out, f := applyResultPath(st.ResultPath, rawInput, result)
	if f != nil {
		return nil, f
	}
	return in.outputPath(st, out, ctxObj)
}

func applyResultPath(rp optPath, rawInput, result any) (any, *stateFailure) {
	path, null := rp.orDefault()
	if null {
		return rawInput, nil
	}
	p, err := jsonvalue.ParsePath(path)
	if err != nil {
		return nil, failf(errStatesRuntime, "%v", err)
	}
	out, err := p.Set(deepCopy(rawInput), result)
	if err != nil {
		return nil, failf(errStatesResultPath, "%v", err)
	}
	return out, nil
}

func (in *interp) inputPath(st *aslState, input any, ctxObj map[string]any) (any, *stateFailure) {
	return selectPath(st.InputPath, input, ctxObj, "InputPath")
}

func (in *interp) outputPath(st *aslState, v any, ctxObj map[string]any) (any, *stateFailure) {
	return selectPath(st.OutputPath, v, ctxObj, "OutputPath")
}

func selectPath(op optPath, v any, ctxObj map[string]any, field string) (any, *stateFailure) {
	path, null := op.orDefault()
	if null {
		return map[string]any{}, nil
	}
	if path == "$" {
		return v, nil
	}
	p, err := jsonvalue.ParsePath(path)
	if err != nil {
		return nil, failf(errStatesRuntime, "%v", err)
	}
	root := v
	if p.IsContext() {
		root = ctxObj
	}
	out, ok := p.Eval(root)
	if !ok {
		return nil, failf(errStatesRuntime, "Invalid path '%s' : No results for path: %s in %s", path, path, field)
	}
	return out, nil
}

// evalArg evaluates a path (or intrinsic) used as a value.
func (in *interp) evalArg(expr string, input any, ctxObj map[string]any, field string) (any, *stateFailure) {
	if strings.HasPrefix(expr, "States.") {
		call, err := parseIntrinsic(expr)
		if err != nil {
			return nil, failf(errStatesIntrinsicFailure, "%v", err)
		}
		return call.eval(input, ctxObj)
	}
	p, err := jsonvalue.ParsePath(expr)
	if err != nil {
		return nil, failf(errStatesRuntime, "%v", err)
	}
	root := input
	if p.IsContext() {
		root = ctxObj
	}
	v, ok := p.Eval(root)
	if !ok {
		return nil, failf(errStatesRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", expr, field, jsonvalue.Text(input))
	}
	return v, nil
}

// template evaluates a Parameters/ItemSelector/ResultSelector template.
func (in *interp) template(t any, input any, ctxObj map[string]any) (any, *stateFailure) {
	switch x := t.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			if strings.HasSuffix(k, ".$") {
				s, _ := v.(string)
				val, f := in.evalArg(s, input, ctxObj, k)
				if f != nil {
					if f.Error == errStatesRuntime {
						f.Error = errStatesParameterPath
					}
					return nil, f
				}
				out[strings.TrimSuffix(k, ".$")] = val
				continue
			}
			val, f := in.template(v, input, ctxObj)
			if f != nil {
				return nil, f
			}
			out[k] = val
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			val, f := in.template(v, input, ctxObj)
			if f != nil {
				return nil, f
			}
			out[i] = val
		}
		return out, nil
	}
	return t, nil
}

func (in *interp) wait(st *aslState, eff any, ctxObj map[string]any) *stateFailure {
	var d time.Duration
	now := in.clock.Now()
	switch {
	case st.Seconds != nil:
		d = time.Duration(*st.Seconds * float64(time.Second))
	case st.Timestamp != "":
		t, _ := time.Parse(time.RFC3339, st.Timestamp)
		d = t.Sub(now)
	case st.SecondsPath != "":
		v, f := in.evalArg(st.SecondsPath, eff, ctxObj, "SecondsPath")
		if f != nil {
			return f
		}
		secs, ok := jsonvalue.Number(v)
		if !ok || secs < 0 {
			return failf(errStatesRuntime, "The SecondsPath parameter does not reference a valid non-negative integer value in state %q", st.Name)
		}
		d = time.Duration(secs * float64(time.Second))
	case st.TimestampPath != "":
		v, f := in.evalArg(st.TimestampPath, eff, ctxObj, "TimestampPath")
		if f != nil {
			return f
		}
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return failf(errStatesRuntime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string in state %q", st.Name)
		}
		d = t.Sub(now)
	}
	if d <= 0 {
		return nil
	}
	if err := in.clock.Sleep(in.ctx, d); err != nil {
		return &stateFailure{Error: "States.Aborted", Cause: "execution stopped", fatal: true}
	}
	return nil
}

// withRetry runs body with the state's Retry and Catch. When a catcher
// takes the error it returns the catcher's output and Next.
func (in *interp) withRetry(st *aslState, rawInput any, ctxObj map[string]any, body func() (any, *stateFailure)) (any, string, *stateFailure) {
	attempts := make([]int, len(st.Retry))
	for {
		out, f := body()
		if f == nil {
			return out, "", nil
		}
		if f.fatal {
			return nil, "", f
		}
		retried := false
		for i, r := range st.Retry {
			if !errorMatches(r.ErrorEquals, f) {
				continue
			}
			if attempts[i] >= r.MaxAttempts {
				break
			}
			delay := r.IntervalSeconds * math.Pow(r.BackoffRate, float64(attempts[i]))
			if r.MaxDelaySeconds > 0 && delay > r.MaxDelaySeconds {
				delay = r.MaxDelaySeconds
			}
			attempts[i]++
			if err := in.clock.Sleep(in.ctx, time.Duration(delay*float64(time.Second))); err != nil {
				return nil, "", &stateFailure{Error: "States.Aborted", Cause: "execution stopped", fatal: true}
			}
			retried = true
			break
		}
		if retried {
			continue
		}
		for _, c := range st.Catch {
			if !errorMatches(c.ErrorEquals, f) {
				continue
			}
			errOut := map[string]any{"Error": f.Error, "Cause": f.Cause}
			if f.noError {
				errOut = map[string]any{"Error": nil, "Cause": nil}
			}
			rp := c.ResultPath
			out, rf := applyResultPath(rp, rawInput, errOut)
			if rf != nil {
				return nil, "", rf
			}
			return out, c.Next, nil
		}
		return nil, "", f
	}
}

// errorMatches applies ErrorEquals as the States Language specification
// says: States.ALL matches every error but States.Runtime and
// States.DataLimitExceeded; States.TaskFailed every error a Task state
// raised but States.Timeout. A heartbeat timeout is States.Timeout (as AWS
// reports it) and also matches States.HeartbeatTimeout.
func errorMatches(list []string, f *stateFailure) bool {
	name := f.Error
	for _, e := range list {
		switch {
		case e == name:
			return true
		case e == errStatesAll && name != errStatesRuntime && name != "States.DataLimitExceeded":
			return true
		case e == errStatesTaskFailed && f.task && name != errStatesTimeout:
			return true
		case e == errStatesHeartbeatTimeout && f.heartbeat:
			return true
		}
	}
	return false
}

func (in *interp) parallel(st *aslState, eff any) (any, *stateFailure) {
	ctx, cancel := context.WithCancel(in.ctx)
	defer cancel()
	results := make([]any, len(st.Branches))
	fails := make([]*stateFailure, len(st.Branches))
	var wg sync.WaitGroup
	in.hist.add(histEvent{typ: "ParallelStateStarted"}, in.clock.Now(), true)
	threads := make([]*histThread, len(st.Branches))
	for i, b := range st.Branches {
		wg.Add(1)
		sub := *in
		sub.ctx = ctx
		if in.hist != nil {
			sub.hist = &histThread{log: in.hist.log, last: in.hist.last}
			threads[i] = sub.hist
		}
		go func() {
			defer wg.Done()
			out, f := sub.run(b, deepCopy(eff), nil)
			results[i], fails[i] = out, f
			if f != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	if in.hist != nil {
		// The state's next event follows the branches' latest one.
		for _, th := range threads {
			in.hist.last = max(in.hist.last, th.last)
		}
	}
	if f := firstFailure(fails); f != nil {
		in.hist.add(histEvent{typ: "ParallelStateFailed"}, in.clock.Now(), true)
		return nil, f
	}
	in.hist.add(histEvent{typ: "ParallelStateSucceeded"}, in.clock.Now(), false)
	return results, nil
}

// firstFailure prefers a real failure over the aborts it caused.
func firstFailure(fails []*stateFailure) *stateFailure {
	var aborted *stateFailure
	for _, f := range fails {
		if f == nil {
			continue
		}
		if f.Error != "States.Aborted" {
			return f
		}
		aborted = f
	}
	return aborted
}

func (in *interp) mapState(st *aslState, eff any, ctxObj map[string]any) (any, *stateFailure) {
	if st.Distributed {
		return nil, &stateFailure{Error: errStatesRuntime, fatal: true,
			Cause: fmt.Sprintf("awslocal: state %q is a distributed Map (ItemReader or DISTRIBUTED mode), which the local Step Functions interpreter does not support", st.Name)}
	}
	itemsV, f := selectPath(st.ItemsPath, eff, ctxObj, "ItemsPath")
	if f != nil {
		return nil, f
	}
	items, ok := itemsV.([]any)
	if !ok {
		return nil, failf(errStatesRuntime, "Map state %q: ItemsPath did not select a JSON array (got %s)", st.Name, jsonvalue.Text(itemsV))
	}
	limit := st.MaxConcurrency
	if st.MaxConcurrencyPath != "" {
		v, f := in.evalArg(st.MaxConcurrencyPath, eff, ctxObj, "MaxConcurrencyPath")
		if f != nil {
			return nil, f
		}
		n, _ := jsonvalue.Number(v)
		limit = int(n)
	}
	if limit <= 0 || limit > 40 {
		limit = 40 // an inline Map runs at most 40 iterations at once
	}
	ctx, cancel := context.WithCancel(in.ctx)
	defer cancel()
	results := make([]any, len(items))
	fails := make([]*stateFailure, len(items))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	in.hist.add(histEvent{typ: "MapStateStarted", num: int32(len(items))}, in.clock.Now(), true)
	// An iteration's first event follows the latest event of the iterations
	// that have ended (AWS's order when they run one at a time).
	var lastMu sync.Mutex
	var last int32
	if in.hist != nil {
		last = in.hist.last
	}
	for i, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			sub := *in
			sub.ctx = ctx
			if in.hist != nil {
				lastMu.Lock()
				sub.hist = &histThread{log: in.hist.log, last: last}
				lastMu.Unlock()
				sub.hist.add(histEvent{typ: "MapIterationStarted", name: st.Name, num: int32(i)}, in.clock.Now(), true)
			}
			out, f := in.mapIteration(&sub, st, eff, i, it)
			results[i], fails[i] = out, f
			if f != nil {
				cancel()
			}
			if sub.hist != nil {
				typ := "MapIterationSucceeded"
				switch {
				case f != nil && f.Error == "States.Aborted":
					typ = "MapIterationAborted"
				case f != nil:
					typ = "MapIterationFailed"
				}
				sub.hist.add(histEvent{typ: typ, name: st.Name, num: int32(i)}, in.clock.Now(), false)
				lastMu.Lock()
				last = max(last, sub.hist.last)
				lastMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if in.hist != nil {
		in.hist.last = last
	}
	if f := firstFailure(fails); f != nil {
		in.hist.add(histEvent{typ: "MapStateFailed"}, in.clock.Now(), true)
		return nil, f
	}
	if err := in.ctx.Err(); err != nil {
		return nil, &stateFailure{Error: "States.Aborted", Cause: "execution stopped", fatal: true}
	}
	in.hist.add(histEvent{typ: "MapStateSucceeded"}, in.clock.Now(), false)
	return results, nil
}

// mapIteration runs one item of a Map state on sub, the iteration's
// interpreter: its ItemSelector, then the item processor.
func (in *interp) mapIteration(sub *interp, st *aslState, eff any, i int, it any) (any, *stateFailure) {
	item := map[string]any{"Index": json.Number(fmt.Sprint(i)), "Value": it}
	itemInput := deepCopy(it)
	if st.hasItemSelector {
		sel, f := in.template(st.ItemSelector, eff, in.contextObject(st.Name, in.clock.Now(), item))
		if f != nil {
			return nil, f
		}
		itemInput = sel
	}
	return sub.run(st.Processor, itemInput, item)
}

// deepCopy copies JSON values so states never share mutable maps.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
