package events

import (
	"sort"
	"time"

	"firstclass/internal/awslocal/store"
)

// Durability: the records EventBridge appends to the store's log and its
// member of the snapshot ("events"). The op names and JSON shapes are the
// persisted format; a state directory written by an earlier version must
// still restore.

// Record operations.
const (
	recCreateBus     = "events.createBus"
	recDeleteBus     = "events.deleteBus"
	recPutRule       = "events.putRule"
	recDeleteRule    = "events.deleteRule"
	recPutTargets    = "events.putTargets"
	recRemoveTargets = "events.removeTargets"
	recCreateArchive = "events.createArchive"
	recDeleteArchive = "events.deleteArchive"
	recArchiveEvent  = "events.archive"
)

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("events", "events.", svc, svc.snapshot, func(s eventsSnapshot) { svc.restore(&s) }, replayers)
}

type busRecord struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Created     int64  `json:"created"`
}

type targetsRecord struct {
	Bus     string        `json:"bus"`
	Rule    string        `json:"rule"`
	Targets []EventTarget `json:"targets"`
}

type removeTargetsRecord struct {
	Bus  string   `json:"bus"`
	Rule string   `json:"rule"`
	IDs  []string `json:"ids"`
}

type ruleRef struct {
	Bus  string `json:"bus"`
	Rule string `json:"rule"`
}

type archiveRecord struct {
	CreateArchiveInput
	Created int64 `json:"created"`
	Count   int64 `json:"count,omitempty"`
	Size    int64 `json:"size,omitempty"`
}

type archiveEventRecord struct {
	Name string `json:"name"`
	Size int    `json:"size"`
}

type eventsSnapshot struct {
	Buses    []busRecord     `json:"buses"`
	Rules    []PutRuleInput  `json:"rules"`
	Targets  []targetsRecord `json:"targets"`
	Archives []archiveRecord `json:"archives"`
}

func (svc *Service) snapshot() eventsSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s eventsSnapshot
	names := make([]string, 0, len(svc.buses))
	for n := range svc.buses {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := svc.buses[n]
		if n != "default" {
			s.Buses = append(s.Buses, busRecord{Name: n, Description: b.description, Created: b.created.UnixMilli()})
		}
		for _, r := range b.ruleList {
			s.Rules = append(s.Rules, PutRuleInput{Name: r.name, EventBusName: n, EventPattern: r.pattern,
				ScheduleExpression: r.schedule, State: r.state, Description: r.description, RoleArn: r.roleArn})
			if len(r.targets) > 0 {
				s.Targets = append(s.Targets, targetsRecord{Bus: n, Rule: r.name, Targets: r.targets})
			}
		}
	}
	for _, a := range svc.archives {
		s.Archives = append(s.Archives, archiveRecord{CreateArchiveInput: CreateArchiveInput{ArchiveName: a.name,
			EventSourceArn: a.source, Description: a.description, EventPattern: a.pattern, RetentionDays: a.retention},
			Created: a.created.UnixMilli(), Count: a.count.Load(), Size: a.size.Load()})
	}
	sort.Slice(s.Archives, func(i, j int) bool { return s.Archives[i].ArchiveName < s.Archives[j].ArchiveName })
	return s
}

func (svc *Service) restore(s *eventsSnapshot) {
	for _, b := range s.Buses {
		svc.buses[b.Name] = svc.newBus(b.Name, b.Description, time.UnixMilli(b.Created))
	}
	for _, r := range s.Rules {
		svc.applyRule(r)
	}
	for _, t := range s.Targets {
		svc.applyTargets(t)
	}
	for _, a := range s.Archives {
		svc.applyArchive(a)
	}
	for _, b := range svc.buses {
		svc.rebuild(b)
	}
}

func (svc *Service) applyRule(in PutRuleInput) {
	b := svc.buses[in.EventBusName]
	if b == nil {
		return
	}
	compiled, _ := compileEventPattern(in.EventPattern)
	if compiled == nil {
		compiled = &eventPattern{}
	}
	r := &eventRule{name: in.Name, arn: svc.ruleARN(in.EventBusName, in.Name), bus: in.EventBusName, pattern: in.EventPattern,
		compiled: compiled, state: in.State, description: in.Description, schedule: in.ScheduleExpression, roleArn: in.RoleArn}
	if old := b.rules[in.Name]; old != nil {
		r.targets = old.targets
	}
	b.rules[in.Name] = r
	svc.rebuild(b)
}

func (svc *Service) applyTargets(t targetsRecord) {
	b := svc.buses[t.Bus]
	if b == nil || b.rules[t.Rule] == nil {
		return
	}
	r := *b.rules[t.Rule]
	merged := append([]EventTarget(nil), r.targets...)
	for _, nt := range t.Targets {
		replaced := false
		for i := range merged {
			if merged[i].ID == nt.ID {
				merged[i], replaced = nt, true
			}
		}
		if !replaced {
			merged = append(merged, nt)
		}
	}
	r.targets = merged
	b.rules[t.Rule] = &r
	svc.rebuild(b)
}

func (svc *Service) applyArchive(a archiveRecord) {
	bn := busName(a.EventSourceArn)
	b := svc.buses[bn]
	if b == nil {
		return
	}
	compiled, _ := compileEventPattern(a.EventPattern)
	if compiled == nil {
		compiled = &eventPattern{}
	}
	ar := &eventArchive{name: a.ArchiveName, arn: "arn:aws:events:" + svc.region + ":" + svc.account + ":archive/" + a.ArchiveName,
		source: b.arn, bus: bn, description: a.Description, pattern: a.EventPattern, compiled: compiled,
		retention: a.RetentionDays, created: time.UnixMilli(a.Created)}
	ar.count.Store(a.Count)
	ar.size.Store(a.Size)
	svc.archives[a.ArchiveName] = ar
	svc.rebuild(b)
}

// replayers apply the records, by op.
var replayers = store.Replayers[*Service]{
	recCreateBus: store.Redo(func(svc *Service, r busRecord) {
		b := svc.newBus(r.Name, r.Description, time.UnixMilli(r.Created))
		svc.buses[r.Name] = b
		svc.rebuild(b)
	}),
	recDeleteBus: store.Redo(func(svc *Service, r store.NameRecord) {
		delete(svc.buses, r.Name)
	}),
	recPutRule: store.Redo((*Service).applyRule),
	recDeleteRule: store.Redo(func(svc *Service, r ruleRef) {
		if b := svc.buses[r.Bus]; b != nil {
			delete(b.rules, r.Rule)
			svc.rebuild(b)
		}
	}),
	recPutTargets:    store.Redo((*Service).applyTargets),
	recRemoveTargets: store.Redo((*Service).replayRemoveTargets),
	recCreateArchive: store.Redo((*Service).applyArchive),
	recDeleteArchive: store.Redo(func(svc *Service, r store.NameRecord) {
		if a := svc.archives[r.Name]; a != nil {
			delete(svc.archives, r.Name)
			if b := svc.buses[a.bus]; b != nil {
				svc.rebuild(b)
			}
		}
	}),
	recArchiveEvent: store.Redo(func(svc *Service, r archiveEventRecord) {
		if a := svc.archives[r.Name]; a != nil {
			a.count.Add(1)
			a.size.Add(int64(r.Size))
		}
	}),
}

func (svc *Service) replayRemoveTargets(r removeTargetsRecord) {
	b := svc.buses[r.Bus]
	if b == nil || b.rules[r.Rule] == nil {
		return
	}
	rule := *b.rules[r.Rule]
	drop := map[string]bool{}
	for _, id := range r.IDs {
		drop[id] = true
	}
	var kept []EventTarget
	for _, t := range rule.targets {
		if !drop[t.ID] {
			kept = append(kept, t)
		}
	}
	rule.targets = kept
	b.rules[r.Rule] = &rule
	svc.rebuild(b)
}
