package sfn

import (
	"sort"
	"strings"
	"time"
)

// Inspection: each state machine with its executions and their state-by-state history, for the
// local runner's inspector page: the states entered and exited and the failures of the
// execution's GetExecutionHistory (history.go); EXPRESS executions have none, as on AWS.

// HistoryEvent is one state entered or exited, or a failure.
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

// inspectorEvents is an execution's history as the inspector shows it: the
// states entered and exited, and every event that reports an error.
func inspectorEvents(events []histEvent) []HistoryEvent {
	out := []HistoryEvent{}
	for i := range events {
		ev := &events[i]
		h := HistoryEvent{Type: ev.typ, Timestamp: time.Unix(0, ev.ts)}
		switch sh := eventShapes[ev.typ]; {
		case sh.member == "stateEnteredEventDetails":
			h.State, h.Input = ev.name, ev.data
		case sh.member == "stateExitedEventDetails":
			h.State, h.Output = ev.name, ev.data
		case isErrorShape(ev.typ) && (ev.data != "" || ev.cause != "" || strings.HasPrefix(ev.typ, "Execution")):
			h.Error, h.Cause = ev.data, ev.cause
		default:
			continue
		}
		out = append(out, h)
	}
	return out
}

func isErrorShape(typ string) bool {
	return strings.HasSuffix(typ, "Failed") || strings.HasSuffix(typ, "TimedOut") || typ == "ExecutionAborted"
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
			v.History = inspectorEvents(e.historyEvents())
			out[i].Executions = append(out[i].Executions, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
