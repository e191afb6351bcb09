package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// PutEventsEntry is one PutEvents entry.
type PutEventsEntry struct {
	Source       string              `json:"Source,omitempty"`
	DetailType   string              `json:"DetailType,omitempty"`
	Detail       string              `json:"Detail,omitempty"`
	EventBusName string              `json:"EventBusName,omitempty"`
	Resources    []string            `json:"Resources,omitempty"`
	Time         *awsproto.EpochTime `json:"Time,omitempty"`
	TraceHeader  string              `json:"TraceHeader,omitempty"`
}

// PutEventsResultEntry is one PutEvents result: an EventId or an error.
type PutEventsResultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

func entrySize(e *PutEventsEntry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if e.Time != nil {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// putEvents validates, routes and archives entries. Entries fail one by
// one (the call still succeeds); a call with more than 10 entries or over
// the size limit fails whole.
func (svc *Service) putEvents(entries []PutEventsEntry) ([]PutEventsResultEntry, int, error) {
	if len(entries) == 0 || len(entries) > 10 {
		cmp := "less than or equal to 10"
		if len(entries) == 0 {
			cmp = "greater than or equal to 1"
		}
		return nil, 0, errEventsValidation("1 validation error detected: Value '%s' at 'entries' failed to satisfy constraint: Member must have length %s", describeEntries(entries), cmp)
	}
	total := 0
	for i := range entries {
		total += entrySize(&entries[i])
	}
	if total >= putEventsMaxSize {
		return nil, 0, errEventsValidation("Total size of the entries in the request is over the limit.")
	}
	results := make([]PutEventsResultEntry, len(entries))
	failed := 0
	var last uint64
	for i := range entries {
		res, seq := svc.putEvent(&entries[i], 0)
		results[i] = res
		if res.ErrorCode != "" {
			failed++
		}
		if seq > last {
			last = seq
		}
	}
	if err := svc.store.Wait(last); err != nil {
		return nil, 0, err
	}
	return results, failed, nil
}

func describeEntries(entries []PutEventsEntry) string {
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = fmt.Sprintf("PutEventsRequestEntry(time=null, source=%s, resources=null, detailType=%s, detail=%s, eventBusName=%s, traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)",
			e.Source, e.DetailType, e.Detail, e.EventBusName)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// event is an event in flight: its envelope as JSON text and decoded.
type event struct {
	id      string
	text    []byte
	decoded map[string]any
	time    time.Time
}

// putEvent validates one entry and delivers it. depth counts bus-to-bus
// hops, which AWS limits; here more than 5 stops.
func (svc *Service) putEvent(e *PutEventsEntry, depth int) (PutEventsResultEntry, uint64) {
	switch {
	case e.Source == "":
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."}, 0
	case e.DetailType == "":
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument."}, 0
	case e.Detail == "":
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument."}, 0
	}
	detail, err := jsonvalue.Decode([]byte(e.Detail))
	if _, isObj := detail.(map[string]any); err != nil || !isObj {
		return PutEventsResultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}, 0
	}
	if !utf8.ValidString(e.Source) || !utf8.ValidString(e.DetailType) {
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: invalid characters."}, 0
	}
	bn := busName(e.EventBusName)
	svc.mu.RLock()
	b := svc.buses[bn]
	var rules []*eventRule
	var archives []*eventArchive
	if b != nil {
		rules, archives = b.ruleList, b.archiveList
	}
	svc.mu.RUnlock()

	ev := svc.buildEvent(e, detail)
	if b == nil {
		if svc.acceptUnknown {
			return PutEventsResultEntry{EventID: ev.id}, 0
		}
		return PutEventsResultEntry{ErrorCode: "ResourceNotFoundException", ErrorMessage: fmt.Sprintf("Event bus %s does not exist.", bn)}, 0
	}
	seq := svc.deliver(ev, rules, archives, depth)
	if rec := svc.recent.Load(); rec != nil {
		svc.recordRecent(rec, bn, ev, rules)
	}
	return PutEventsResultEntry{EventID: ev.id}, seq
}

func (svc *Service) buildEvent(e *PutEventsEntry, detail any) *event {
	t := svc.now()
	if e.Time != nil {
		t = time.Time(*e.Time)
	}
	id := awsproto.NewUUID()
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(e.Detail)); err != nil {
		compact.WriteString(jsonvalue.Text(detail))
	}
	ts := t.UTC().Format("2006-01-02T15:04:05Z")
	var b bytes.Buffer
	b.WriteString(`{"version":"0","id":`)
	b.WriteString(jsonvalue.Text(id))
	b.WriteString(`,"detail-type":`)
	b.WriteString(jsonvalue.Text(e.DetailType))
	b.WriteString(`,"source":`)
	b.WriteString(jsonvalue.Text(e.Source))
	b.WriteString(`,"account":`)
	b.WriteString(jsonvalue.Text(svc.account))
	b.WriteString(`,"time":`)
	b.WriteString(jsonvalue.Text(ts))
	b.WriteString(`,"region":`)
	b.WriteString(jsonvalue.Text(svc.region))
	b.WriteString(`,"resources":`)
	b.WriteString(jsonvalue.Text(resources))
	b.WriteString(`,"detail":`)
	b.Write(compact.Bytes())
	b.WriteString("}")
	res := make([]any, len(resources))
	for i, r := range resources {
		res[i] = r
	}
	decoded := map[string]any{
		"version": "0", "id": id, "detail-type": e.DetailType, "source": e.Source, "account": svc.account,
		"time": ts, "region": svc.region, "resources": res, "detail": detail,
	}
	return &event{id: id, text: b.Bytes(), decoded: decoded, time: t}
}

// deliver archives ev and sends it to the targets of matching rules.
func (svc *Service) deliver(ev *event, rules []*eventRule, archives []*eventArchive, depth int) uint64 {
	var last uint64
	for _, a := range archives {
		if !a.compiled.match(ev.decoded) {
			continue
		}
		unlock := svc.store.Gate()
		a.count.Add(1)
		a.size.Add(int64(len(ev.text)))
		seq := svc.store.Append(recArchiveEvent, archiveEventRecord{Name: a.name, Size: len(ev.text)})
		unlock()
		last = max(last, seq)
	}
	for _, r := range rules {
		if r.state == "DISABLED" || r.schedule != "" && r.pattern == "" {
			continue
		}
		if !r.compiled.match(ev.decoded) {
			continue
		}
		for i := range r.targets {
			seq := svc.sendToTarget(ev, r, &r.targets[i], depth)
			last = max(last, seq)
		}
	}
	return last
}

// sendToTarget delivers an event through the Target registered for the
// service its ARN names; a target that cannot take it (a missing queue, an
// input that does not transform, an ARN of a kind nothing delivers to)
// drops it, as EventBridge does after its retries when no dead-letter
// queue is configured.
func (svc *Service) sendToTarget(ev *event, r *eventRule, t *EventTarget, depth int) uint64 {
	payload, ok := transformInput(ev, r, t)
	if !ok {
		return 0
	}
	target := svc.targets[arnService(t.Arn)]
	if target == nil {
		return 0
	}
	return target.Deliver(&Delivery{Target: t, Payload: payload, EventID: ev.id, event: ev, depth: depth})
}
