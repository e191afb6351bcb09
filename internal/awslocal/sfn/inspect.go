package sfn

import (
	"sort"
	"time"

	"firstclass/internal/awslocal/jsonvalue"
)

// Inspection: each state machine with its executions and their state-by-state history, for the
// local runner's inspector page. The history has the event types of GetExecutionHistory
// (PassStateEntered, PassStateExited, ChoiceStateEntered, …) but is kept only while
// KeepHistory is on, so that a service nobody inspects pays nothing for it; EXPRESS executions
// have none, as on AWS.

// HistoryEvent is one state entered or exited.
type HistoryEvent struct {
	Type      string    `json:"type"` // "PassStateEntered", "ChoiceStateExited", "FailStateEntered", …
	State     string    `json:"state"`
	Timestamp time.Time `json:"timestamp"`
	Input     string    `json:"input,omitempty"`  // for …Entered
	Output    string    `json:"output,omitempty"` // for …Exited
	Error     string    `json:"error,omitempty"`
	Cause     string    `json:"cause,omitempty"`
}

// ExecutionView is one execution with its history.
type ExecutionView struct {
	Execution
	History []HistoryEvent `json:"history"`
}

// MachineView is one state machine with its most recent executions, the newest first.
type MachineView struct {
	Name       string          `json:"name"`
	ARN        string          `json:"arn"`
	Type       string          `json:"type"`
	Executions []ExecutionView `json:"executions"`
}

// maxHistory bounds one execution's kept history.
const maxHistory = 1000

// KeepHistory makes the service keep the state-by-state history of STANDARD executions
// started from now on.
func (svc *Service) KeepHistory(on bool) { svc.history.Store(on) }

// historyRecorder returns the recorder of an execution's history, nil when none is kept.
func (svc *Service) historyRecorder(e *execution) func(HistoryEvent) {
	if e.express || !svc.history.Load() {
		return nil
	}
	return func(h HistoryEvent) {
		e.mu.Lock()
		if len(e.history) < maxHistory {
			e.history = append(e.history, h)
		}
		e.mu.Unlock()
	}
}

// recordState reports a state's entry or exit to the interpreter's recorder.
func (in *interp) recordState(st *aslState, suffix string, v any, f *stateFailure) {
	h := HistoryEvent{Type: st.Type + "State" + suffix, State: st.Name, Timestamp: in.clock.Now()}
	switch {
	case f != nil:
		h.Type, h.Error, h.Cause = st.Type+"StateFailed", f.Error, f.Cause
	case suffix == "Entered":
		h.Input = jsonvalue.Text(v)
	default:
		h.Output = jsonvalue.Text(v)
	}
	in.record(h)
}

// Inspect returns every state machine with up to limit of its most recent executions each.
func (svc *Service) Inspect(limit int) []MachineView {
	svc.mu.RLock()
	var out []MachineView
	var lists [][]*execution
	for _, m := range svc.machines {
		out = append(out, MachineView{Name: m.name, ARN: m.arn, Type: m.typ, Executions: []ExecutionView{}})
		list := svc.byMachine[m.arn]
		if len(list) > limit {
			list = list[len(list)-limit:]
		}
		lists = append(lists, append([]*execution(nil), list...))
	}
	svc.mu.RUnlock()
	for i := range out {
		for j := len(lists[i]) - 1; j >= 0; j-- {
			e := lists[i][j]
			v := ExecutionView{Execution: e.info()}
			e.mu.Lock()
			v.History = append([]HistoryEvent{}, e.history...)
			e.mu.Unlock()
			out[i].Executions = append(out[i].Executions, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
