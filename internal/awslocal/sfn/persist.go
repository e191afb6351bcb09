package sfn

import (
	"sort"
	"time"

	"firstclass/internal/awslocal/store"
)

// Durability: the records Step Functions appends to the store's log and its
// member of the snapshot ("sfn"). The op names and JSON shapes are the
// persisted format; a state directory written by an earlier version must
// still restore.

// Record operations.
const (
	recCreateMachine  = "sfn.createStateMachine"
	recDeleteMachine  = "sfn.deleteStateMachine"
	recUpdateMachine  = "sfn.updateStateMachine"
	recStartExecution = "sfn.start"
	recEndExecution   = "sfn.end"
)

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("sfn", "sfn.", svc, svc.snapshot, func(s sfnSnapshot) { svc.restore(&s) }, replayers)
}

type sfnSnapshot struct {
	Machines   []createMachineRecord `json:"machines"`
	Executions []execSnap            `json:"executions"`
}

type execSnap struct {
	startRecord
	Status  string        `json:"status"`
	Output  string        `json:"output,omitempty"`
	Error   string        `json:"error,omitempty"`
	Cause   string        `json:"cause,omitempty"`
	Stop    int64         `json:"stop,omitempty"`
	History []eventRecord `json:"history,omitempty"`
}

func (svc *Service) snapshot() sfnSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s sfnSnapshot
	for _, m := range svc.machines {
		s.Machines = append(s.Machines, createMachineRecord{CreateStateMachineInput: CreateStateMachineInput{Name: m.name,
			Definition: m.definition, RoleArn: m.roleArn, Type: m.typ, Description: m.description,
			LoggingConfiguration: m.logging, TracingConfiguration: m.tracing}, Created: m.created.UnixMilli()})
	}
	sort.Slice(s.Machines, func(i, j int) bool { return s.Machines[i].Name < s.Machines[j].Name })
	var arns []string
	for arn := range svc.byMachine {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		for _, e := range svc.byMachine[arn] {
			e.mu.Lock()
			es := execSnap{startRecord: startRecord{Arn: e.arn, Name: e.name, Machine: e.machine.arn, Input: e.input, Start: e.start.UnixMilli()},
				Status: e.status, Output: e.output, Error: e.errName, Cause: e.cause}
			if !e.stop.IsZero() {
				es.Stop = e.stop.UnixMilli()
				// A running execution's history starts again when it resumes.
				es.History = eventRecords(e.hist.snapshot())
			}
			e.mu.Unlock()
			s.Executions = append(s.Executions, es)
		}
	}
	return s
}

func (svc *Service) restore(s *sfnSnapshot) {
	for _, m := range s.Machines {
		svc.applyMachine(m)
	}
	for _, es := range s.Executions {
		e := svc.applyStart(es.startRecord)
		if e != nil && es.Status != "RUNNING" {
			e.status, e.output, e.errName, e.cause = es.Status, es.Output, es.Error, es.Cause
			e.stop = time.UnixMilli(es.Stop)
			e.hist = restoredHistory(es.History)
		}
	}
}

func (svc *Service) applyMachine(r createMachineRecord) {
	def, err := parseDefinition(r.Definition)
	if err != nil {
		return
	}
	arn := svc.machineARN(r.Name)
	svc.machines[arn] = &stateMachine{arn: arn, name: r.Name, typ: r.Type, definition: r.Definition, def: def, roleArn: r.RoleArn,
		description: r.Description, created: time.UnixMilli(r.Created), logging: r.LoggingConfiguration, tracing: r.TracingConfiguration}
}

func (svc *Service) applyStart(r startRecord) *execution {
	m := svc.machines[r.Machine]
	if m == nil {
		return nil
	}
	e := &execution{arn: r.Arn, name: r.Name, machine: m, input: r.Input, start: time.UnixMilli(r.Start), status: "RUNNING", done: make(chan struct{})}
	if _, dup := svc.executions[e.arn]; !dup {
		svc.byMachine[m.arn] = append(svc.byMachine[m.arn], e)
	}
	svc.executions[e.arn] = e
	return e
}

// replayers apply the records, by op.
var replayers = store.Replayers[*Service]{
	recCreateMachine: store.Redo((*Service).applyMachine),
	recUpdateMachine: store.Redo((*Service).applyMachine),
	recDeleteMachine: store.Redo(func(svc *Service, r store.NameRecord) {
		delete(svc.machines, r.Name)
	}),
	recStartExecution: store.Redo(func(svc *Service, r startRecord) { svc.applyStart(r) }),
	recEndExecution: store.Redo(func(svc *Service, r endRecord) {
		if e := svc.executions[r.Arn]; e != nil {
			e.status, e.output, e.errName, e.cause, e.stop = r.Status, r.Output, r.Error, r.Cause, time.UnixMilli(r.Stop)
			e.hist = restoredHistory(r.History)
		}
	}),
}

type createMachineRecord struct {
	CreateStateMachineInput
	Created int64 `json:"created"`
}

type startRecord struct {
	Arn     string `json:"arn"`
	Name    string `json:"name"`
	Machine string `json:"machine"`
	Input   string `json:"input"`
	Start   int64  `json:"start"`
}

// endRecord is an execution's outcome with its whole history: one record
// per execution keeps the history durable without a record per event.
type endRecord struct {
	Arn     string        `json:"arn"`
	Status  string        `json:"status"`
	Output  string        `json:"output,omitempty"`
	Error   string        `json:"error,omitempty"`
	Cause   string        `json:"cause,omitempty"`
	Stop    int64         `json:"stop"`
	History []eventRecord `json:"history,omitempty"`
}

// eventRecord is one history event in the durable state.
type eventRecord struct {
	Type  string `json:"t"`
	TS    int64  `json:"ts"` // Unix nanoseconds
	Prev  int32  `json:"p,omitempty"`
	Num   int32  `json:"n,omitempty"`
	HB    int32  `json:"hb,omitempty"`
	Name  string `json:"s,omitempty"`
	Data  string `json:"d,omitempty"`
	Cause string `json:"c,omitempty"`
}

func eventRecords(events []histEvent) []eventRecord {
	out := make([]eventRecord, len(events))
	for i, ev := range events {
		out[i] = eventRecord{Type: ev.typ, TS: ev.ts, Prev: ev.prev, Num: ev.num, HB: ev.hb, Name: ev.name, Data: ev.data, Cause: ev.cause}
	}
	return out
}

// restoredHistory is an ended execution's history from the durable state;
// nil for one written before histories were kept (historyEvents stands in).
func restoredHistory(recs []eventRecord) *historyLog {
	if len(recs) == 0 {
		return nil
	}
	log := newHistoryLog()
	log.closed = true
	log.events = make([]histEvent, len(recs))
	for i, r := range recs {
		log.events[i] = histEvent{typ: r.Type, ts: r.TS, prev: r.Prev, num: r.Num, hb: r.HB, name: r.Name, data: r.Data, cause: r.Cause}
	}
	return log
}
