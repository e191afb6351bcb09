package events

import (
	"sort"
	"sync"
	"time"
)

// Inspection: the recent events of each bus, for the local runner's inspector page. EventBridge
// keeps no such list (an archive only counts); recording is off until KeepRecent turns it on,
// so that a service nobody inspects pays nothing for it.

// EventView is one event a bus received.
type EventView struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Source     string    `json:"source"`
	DetailType string    `json:"detailType"`
	Event      string    `json:"event"` // the envelope, as targets get it
	Rules      []string  `json:"rules"` // the rules it matched
}

// BusView is one bus with its recent events, the newest last.
type BusView struct {
	Name   string      `json:"name"`
	ARN    string      `json:"arn"`
	Rules  []string    `json:"rules"`
	Events []EventView `json:"events"`
}

type recentEvents struct {
	mu    sync.Mutex
	limit int
	byBus map[string][]EventView
}

// KeepRecent makes the service keep the last n events of each bus for Inspect.
func (svc *Service) KeepRecent(n int) {
	svc.recent.Store(&recentEvents{limit: n, byBus: map[string][]EventView{}})
}

// recordRecent keeps ev as received by bus, with the rules it matched.
func (svc *Service) recordRecent(rec *recentEvents, bus string, ev *event, rules []*eventRule) {
	v := EventView{ID: ev.id, Time: ev.time, Event: string(ev.text), Rules: []string{}}
	v.Source, _ = ev.decoded["source"].(string)
	v.DetailType, _ = ev.decoded["detail-type"].(string)
	for _, r := range rules {
		if r.state != "DISABLED" && r.compiled.match(ev.decoded) {
			v.Rules = append(v.Rules, r.name)
		}
	}
	rec.mu.Lock()
	list := append(rec.byBus[bus], v)
	if len(list) > rec.limit {
		list = append(list[:0:0], list[len(list)-rec.limit:]...)
	}
	rec.byBus[bus] = list
	rec.mu.Unlock()
}

// Inspect returns every bus with its rules and, when KeepRecent is on, its recent events.
func (svc *Service) Inspect() []BusView {
	svc.mu.RLock()
	var out []BusView
	for _, b := range svc.buses {
		v := BusView{Name: b.name, ARN: b.arn, Rules: []string{}, Events: []EventView{}}
		for name := range b.rules {
			v.Rules = append(v.Rules, name)
		}
		sort.Strings(v.Rules)
		out = append(out, v)
	}
	svc.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if rec := svc.recent.Load(); rec != nil {
		rec.mu.Lock()
		for i := range out {
			out[i].Events = append(out[i].Events, rec.byBus[out[i].Name]...)
		}
		rec.mu.Unlock()
	}
	return out
}
