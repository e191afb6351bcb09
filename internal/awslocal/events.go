package awslocal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// EventBridge on its JSON 1.1 protocol (X-Amz-Target: AWSEvents.<Action>).
// Delivery is synchronous: PutEvents matches each event against the bus's
// rules and archives and hands it to SQS queues, Step Functions state
// machines or other buses before it answers, so a test or the bench's
// delivery check finds it right away (AWS delivers asynchronously, usually
// within a second).

// putEventsMaxSize is the PutEvents request limit: the sum of the entry
// sizes as EventBridge computes them ("Calculating PutEvents event entry
// size": 14 bytes for Time, the UTF-8 bytes of Source, DetailType, Detail and
// each Resources entry). It was 256 KB until 2026; the current API reference
// (aws-sdk-go-v2/service/eventbridge api_op_PutEvents.go) says the total
// entry size must be less than 1MB.
const putEventsMaxSize = 1 << 20

type eventsService struct {
	srv           *Server
	acceptUnknown bool

	mu       sync.RWMutex
	buses    map[string]*eventBus
	archives map[string]*eventArchive
}

type eventBus struct {
	name, arn   string
	description string
	created     time.Time
	rules       map[string]*eventRule
	// ordered caches, rebuilt on change, read without copying under RLock
	ruleList    []*eventRule
	archiveList []*eventArchive
}

type eventRule struct {
	name, arn    string
	bus          string
	pattern      string
	compiled     *eventPattern
	state        string
	description  string
	schedule     string
	roleArn      string
	targets      []EventTarget
	targetsByArn map[string]bool
}

// EventTarget is a rule target (PutTargets); SQS queues, Step Functions
// state machines and event buses receive events, other ARNs are accepted
// and ignored.
type EventTarget struct {
	ID               string                 `json:"Id"`
	Arn              string                 `json:"Arn"`
	RoleArn          string                 `json:"RoleArn,omitempty"`
	Input            string                 `json:"Input,omitempty"`
	InputPath        string                 `json:"InputPath,omitempty"`
	InputTransformer *EventInputTransformer `json:"InputTransformer,omitempty"`
	SqsParameters    *struct {
		MessageGroupId string `json:"MessageGroupId,omitempty"`
	} `json:"SqsParameters,omitempty"`
}

// EventInputTransformer is a target's InputTransformer.
type EventInputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

type eventArchive struct {
	name, arn   string
	source      string // event bus ARN
	bus         string
	description string
	pattern     string
	compiled    *eventPattern
	retention   int
	created     time.Time
	count       atomic.Int64
	size        atomic.Int64
}

func newEventsService(srv *Server, acceptUnknown bool) *eventsService {
	svc := &eventsService{srv: srv, acceptUnknown: acceptUnknown, buses: map[string]*eventBus{}, archives: map[string]*eventArchive{}}
	svc.buses["default"] = svc.newBus("default", "", time.Unix(0, 0))
	return svc
}

func (svc *eventsService) newBus(name, desc string, created time.Time) *eventBus {
	return &eventBus{name: name, arn: svc.busARN(name), description: desc, created: created, rules: map[string]*eventRule{}}
}

func (svc *eventsService) busARN(name string) string {
	return "arn:aws:events:" + svc.srv.region + ":" + svc.srv.account + ":event-bus/" + name
}

func (svc *eventsService) ruleARN(bus, name string) string {
	if bus == "default" {
		return "arn:aws:events:" + svc.srv.region + ":" + svc.srv.account + ":rule/" + name
	}
	return "arn:aws:events:" + svc.srv.region + ":" + svc.srv.account + ":rule/" + bus + "/" + name
}

// busName accepts a bus name or ARN; empty means "default".
func busName(nameOrARN string) string {
	if nameOrARN == "" {
		return "default"
	}
	if strings.HasPrefix(nameOrARN, "arn:") {
		if i := strings.LastIndex(nameOrARN, "event-bus/"); i >= 0 {
			return nameOrARN[i+len("event-bus/"):]
		}
	}
	return nameOrARN
}

func errEventsNotFound(format string, args ...any) *Error {
	return &Error{Code: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

func errEventsValidation(format string, args ...any) *Error {
	return &Error{Code: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

func errEventsExists(format string, args ...any) *Error {
	return &Error{Code: "ResourceAlreadyExistsException", Message: fmt.Sprintf(format, args...)}
}

var eventsNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
var busNameRE = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

// rebuild refreshes the bus's ordered caches. Called with svc.mu held.
func (svc *eventsService) rebuild(b *eventBus) {
	rules := make([]*eventRule, 0, len(b.rules))
	for _, r := range b.rules {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].name < rules[j].name })
	b.ruleList = rules
	var archives []*eventArchive
	for _, a := range svc.archives {
		if a.bus == b.name {
			archives = append(archives, a)
		}
	}
	sort.Slice(archives, func(i, j int) bool { return archives[i].name < archives[j].name })
	b.archiveList = archives
}

// CreateEventBus creates a custom event bus and returns its ARN.
func (svc *eventsService) createEventBus(name, description string) (string, error) {
	if name == "" {
		return "", errEventsValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if name == "default" || !busNameRE.MatchString(name) {
		return "", errEventsValidation("Event bus name must not be default and must match [/\\.\\-_A-Za-z0-9]+.")
	}
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	if _, ok := svc.buses[name]; ok {
		svc.mu.Unlock()
		unlock()
		return "", errEventsExists("Event bus %s already exists.", name)
	}
	b := svc.newBus(name, description, svc.srv.now())
	svc.buses[name] = b
	svc.rebuild(b)
	seq := svc.srv.store.append(recCreateBus, busRecord{Name: name, Description: description, Created: b.created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return b.arn, svc.srv.store.wait(seq)
}

func (svc *eventsService) deleteEventBus(name string) error {
	if name == "default" {
		return errEventsValidation("Cannot delete event bus default.")
	}
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	if _, ok := svc.buses[name]; !ok {
		svc.mu.Unlock()
		unlock()
		return nil // DeleteEventBus of a missing bus succeeds
	}
	delete(svc.buses, name)
	seq := svc.srv.store.append(recDeleteBus, nameRecord{Name: name})
	svc.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

func (svc *eventsService) bus(name string) (*eventBus, *Error) {
	b := svc.buses[name]
	if b == nil {
		return nil, errEventsNotFound("Event bus %s does not exist.", name)
	}
	return b, nil
}

// PutRuleInput is a PutRule request.
type PutRuleInput struct {
	Name               string `json:"Name"`
	EventBusName       string `json:"EventBusName,omitempty"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
}

func (svc *eventsService) putRule(in PutRuleInput) (string, error) {
	if !eventsNameRE.MatchString(in.Name) {
		return "", errEventsValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return "", errEventsValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	compiled, perr := compileEventPattern(in.EventPattern)
	if perr != nil {
		return "", perr
	}
	state := in.State
	if state == "" {
		state = "ENABLED"
	}
	if state != "ENABLED" && state != "DISABLED" && state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
		return "", errEventsValidation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", state)
	}
	bn := busName(in.EventBusName)
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	b, err := svc.bus(bn)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return "", err
	}
	r := &eventRule{name: in.Name, arn: svc.ruleARN(bn, in.Name), bus: bn, pattern: in.EventPattern, compiled: compiled,
		state: state, description: in.Description, schedule: in.ScheduleExpression, roleArn: in.RoleArn}
	if old := b.rules[in.Name]; old != nil {
		r.targets = old.targets
	}
	b.rules[in.Name] = r
	svc.rebuild(b)
	in.EventBusName = bn
	in.State = state
	seq := svc.srv.store.append(recPutRule, in)
	svc.mu.Unlock()
	unlock()
	return r.arn, svc.srv.store.wait(seq)
}

func (svc *eventsService) rule(bus, name string) (*eventBus, *eventRule, *Error) {
	b, err := svc.bus(bus)
	if err != nil {
		return nil, nil, err
	}
	r := b.rules[name]
	if r == nil {
		return nil, nil, errEventsNotFound("Rule %s does not exist on EventBus %s.", name, bus)
	}
	return b, r, nil
}

var inputPlaceholderRE = regexp.MustCompile(`<([^<>]*)>`)

var predefinedPlaceholders = map[string]bool{
	"aws.events.rule-arn": true, "aws.events.rule-name": true, "aws.events.event.ingestion-time": true,
	"aws.events.event": true, "aws.events.event.json": true,
}

func validateTarget(t *EventTarget) *Error {
	if t.ID == "" || t.Arn == "" {
		return errEventsValidation("Target Id and Arn are required.")
	}
	n := 0
	if t.Input != "" {
		n++
		if _, err := decodeJSONValue([]byte(t.Input)); err != nil {
			return errEventsValidation("Input for target %s is not valid JSON text.", t.ID)
		}
	}
	if t.InputPath != "" {
		n++
		if _, err := parsePath(t.InputPath); err != nil {
			return errEventsValidation("InputPath for target %s is invalid: %v", t.ID, err)
		}
	}
	if t.InputTransformer != nil {
		n++
		it := t.InputTransformer
		if len(it.InputPathsMap) > 100 {
			return errEventsValidation("InputPathsMap for target %s has more than 100 entries.", t.ID)
		}
		for k, p := range it.InputPathsMap {
			if strings.HasPrefix(k, "aws.") || predefinedPlaceholders[k] {
				return errEventsValidation("Input template key %s for target %s is reserved.", k, t.ID)
			}
			if _, err := parsePath(p); err != nil {
				return errEventsValidation("Invalid InputPathsMap[%s] for target %s: %v", k, t.ID, err)
			}
		}
		for _, m := range inputPlaceholderRE.FindAllStringSubmatch(it.InputTemplate, -1) {
			if _, ok := it.InputPathsMap[m[1]]; !ok && !predefinedPlaceholders[m[1]] {
				return errEventsValidation("InputTemplate for target %s contains invalid placeholder %s.", t.ID, m[1])
			}
		}
	}
	if n > 1 {
		return errEventsValidation("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", t.ID)
	}
	return nil
}

func (svc *eventsService) putTargets(bus, ruleName string, targets []EventTarget) error {
	if len(targets) == 0 || len(targets) > 10 {
		return errEventsValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	for i := range targets {
		if err := validateTarget(&targets[i]); err != nil {
			return err
		}
	}
	bn := busName(bus)
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	b, r, err := svc.rule(bn, ruleName)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return err
	}
	merged := append([]EventTarget(nil), r.targets...)
	for _, t := range targets {
		replaced := false
		for i := range merged {
			if merged[i].ID == t.ID {
				merged[i] = t
				replaced = true
			}
		}
		if !replaced {
			merged = append(merged, t)
		}
	}
	if len(merged) > 5 {
		svc.mu.Unlock()
		unlock()
		return &Error{Code: "LimitExceededException", Message: "The requested resource exceeds the maximum number allowed."}
	}
	nr := *r
	nr.targets = merged
	b.rules[ruleName] = &nr
	svc.rebuild(b)
	seq := svc.srv.store.append(recPutTargets, targetsRecord{Bus: bn, Rule: ruleName, Targets: targets})
	svc.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

func (svc *eventsService) removeTargets(bus, ruleName string, ids []string) ([]string, error) {
	bn := busName(bus)
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	b, r, err := svc.rule(bn, ruleName)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return nil, err
	}
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	var kept []EventTarget
	var removed []string
	for _, t := range r.targets {
		if drop[t.ID] {
			removed = append(removed, t.ID)
			continue
		}
		kept = append(kept, t)
	}
	nr := *r
	nr.targets = kept
	b.rules[ruleName] = &nr
	svc.rebuild(b)
	seq := svc.srv.store.append(recRemoveTargets, removeTargetsRecord{Bus: bn, Rule: ruleName, IDs: ids})
	svc.mu.Unlock()
	unlock()
	return removed, svc.srv.store.wait(seq)
}

func (svc *eventsService) deleteRule(bus, name string) error {
	bn := busName(bus)
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	b, r, err := svc.rule(bn, name)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		if err.Code == "ResourceNotFoundException" && strings.HasPrefix(err.Message, "Rule") {
			return nil // deleting a missing rule succeeds
		}
		return err
	}
	if len(r.targets) > 0 {
		svc.mu.Unlock()
		unlock()
		return errEventsValidation("Rule can't be deleted since it has targets.")
	}
	delete(b.rules, name)
	svc.rebuild(b)
	seq := svc.srv.store.append(recDeleteRule, ruleRef{Bus: bn, Rule: name})
	svc.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

// CreateArchiveInput is a CreateArchive request.
type CreateArchiveInput struct {
	ArchiveName    string `json:"ArchiveName"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description,omitempty"`
	EventPattern   string `json:"EventPattern,omitempty"`
	RetentionDays  int    `json:"RetentionDays,omitempty"`
}

func (svc *eventsService) createArchive(in CreateArchiveInput, created time.Time) (*eventArchive, error) {
	if !eventsNameRE.MatchString(in.ArchiveName) || len(in.ArchiveName) > 48 {
		return nil, errEventsValidation("1 validation error detected: Value '%s' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ArchiveName)
	}
	compiled, perr := compileEventPattern(in.EventPattern)
	if perr != nil {
		return nil, perr
	}
	bn := busName(in.EventSourceArn)
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	b, err := svc.bus(bn)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return nil, errEventsNotFound("Event bus %s does not exist.", bn)
	}
	if _, ok := svc.archives[in.ArchiveName]; ok {
		svc.mu.Unlock()
		unlock()
		return nil, errEventsExists("Archive %s already exists.", in.ArchiveName)
	}
	a := &eventArchive{name: in.ArchiveName, arn: "arn:aws:events:" + svc.srv.region + ":" + svc.srv.account + ":archive/" + in.ArchiveName,
		source: b.arn, bus: bn, description: in.Description, pattern: in.EventPattern, compiled: compiled,
		retention: in.RetentionDays, created: created}
	svc.archives[a.name] = a
	svc.rebuild(b)
	seq := svc.srv.store.append(recCreateArchive, archiveRecord{CreateArchiveInput: in, Created: created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return a, svc.srv.store.wait(seq)
}

func (svc *eventsService) deleteArchive(name string) error {
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	a, ok := svc.archives[name]
	if !ok {
		svc.mu.Unlock()
		unlock()
		return errEventsNotFound("Archive %s does not exist.", name)
	}
	delete(svc.archives, name)
	if b := svc.buses[a.bus]; b != nil {
		svc.rebuild(b)
	}
	seq := svc.srv.store.append(recDeleteArchive, nameRecord{Name: name})
	svc.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

// PutEventsEntry is one PutEvents entry.
type PutEventsEntry struct {
	Source       string     `json:"Source,omitempty"`
	DetailType   string     `json:"DetailType,omitempty"`
	Detail       string     `json:"Detail,omitempty"`
	EventBusName string     `json:"EventBusName,omitempty"`
	Resources    []string   `json:"Resources,omitempty"`
	Time         *epochTime `json:"Time,omitempty"`
	TraceHeader  string     `json:"TraceHeader,omitempty"`
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
func (svc *eventsService) putEvents(entries []PutEventsEntry) ([]PutEventsResultEntry, int, error) {
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
	if err := svc.srv.store.wait(last); err != nil {
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
func (svc *eventsService) putEvent(e *PutEventsEntry, depth int) (PutEventsResultEntry, uint64) {
	switch {
	case e.Source == "":
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."}, 0
	case e.DetailType == "":
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument."}, 0
	case e.Detail == "":
		return PutEventsResultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument."}, 0
	}
	detail, err := decodeJSONValue([]byte(e.Detail))
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
	return PutEventsResultEntry{EventID: ev.id}, seq
}

func (svc *eventsService) buildEvent(e *PutEventsEntry, detail any) *event {
	t := svc.srv.now()
	if e.Time != nil {
		t = time.Time(*e.Time)
	}
	id := newUUID()
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(e.Detail)); err != nil {
		compact.WriteString(jsonText(detail))
	}
	ts := t.UTC().Format("2006-01-02T15:04:05Z")
	var b bytes.Buffer
	b.WriteString(`{"version":"0","id":`)
	b.WriteString(jsonText(id))
	b.WriteString(`,"detail-type":`)
	b.WriteString(jsonText(e.DetailType))
	b.WriteString(`,"source":`)
	b.WriteString(jsonText(e.Source))
	b.WriteString(`,"account":`)
	b.WriteString(jsonText(svc.srv.account))
	b.WriteString(`,"time":`)
	b.WriteString(jsonText(ts))
	b.WriteString(`,"region":`)
	b.WriteString(jsonText(svc.srv.region))
	b.WriteString(`,"resources":`)
	b.WriteString(jsonText(resources))
	b.WriteString(`,"detail":`)
	b.Write(compact.Bytes())
	b.WriteString("}")
	res := make([]any, len(resources))
	for i, r := range resources {
		res[i] = r
	}
	decoded := map[string]any{
		"version": "0", "id": id, "detail-type": e.DetailType, "source": e.Source, "account": svc.srv.account,
		"time": ts, "region": svc.srv.region, "resources": res, "detail": detail,
	}
	return &event{id: id, text: b.Bytes(), decoded: decoded, time: t}
}

// deliver archives ev and sends it to the targets of matching rules.
func (svc *eventsService) deliver(ev *event, rules []*eventRule, archives []*eventArchive, depth int) uint64 {
	var last uint64
	for _, a := range archives {
		if !a.compiled.match(ev.decoded) {
			continue
		}
		unlock := svc.srv.store.gate()
		a.count.Add(1)
		a.size.Add(int64(len(ev.text)))
		seq := svc.srv.store.append(recArchiveEvent, archiveEventRecord{Name: a.name, Size: len(ev.text)})
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

// sendToTarget delivers an event; a target that cannot take it (a missing
// queue, an input that does not transform) drops it, as EventBridge does
// after its retries when no dead-letter queue is configured.
func (svc *eventsService) sendToTarget(ev *event, r *eventRule, t *EventTarget, depth int) uint64 {
	payload, ok := transformInput(ev, r, t)
	if !ok {
		return 0
	}
	arn := t.Arn
	switch {
	case strings.HasPrefix(arn, "arn:aws:sqs:"):
		q := svc.srv.sqs.lookupARN(arn)
		if q == nil {
			return 0
		}
		in := SendMessageInput{MessageBody: payload}
		if q.fifo {
			if t.SqsParameters != nil {
				in.MessageGroupID = t.SqsParameters.MessageGroupId
			}
			// EventBridge deduplicates FIFO deliveries by event ID.
			in.MessageDeduplicationID = ev.id
		}
		m, err := q.prepare(&in, true)
		if err != nil {
			return 0
		}
		_, seq, _ := q.send(m, nil)
		return seq
	case strings.HasPrefix(arn, "arn:aws:states:"):
		exec, err := svc.srv.sfn.startExecution(StartExecutionInput{StateMachineArn: arn, Input: payload}, true)
		if err != nil || exec == nil {
			return 0
		}
		return exec.startSeq
	case strings.HasPrefix(arn, "arn:aws:events:") && strings.Contains(arn, ":event-bus/"):
		if depth >= 5 {
			return 0
		}
		// The event keeps its fields on the next bus.
		entry := PutEventsEntry{Source: fmt.Sprint(ev.decoded["source"]), DetailType: fmt.Sprint(ev.decoded["detail-type"]),
			Detail: jsonText(ev.decoded["detail"]), EventBusName: arn}
		tt := epochTime(ev.time)
		entry.Time = &tt
		for _, x := range ev.decoded["resources"].([]any) {
			entry.Resources = append(entry.Resources, fmt.Sprint(x))
		}
		_, seq := svc.putEvent(&entry, depth+1)
		return seq
	}
	return 0
}

// EventArchiveInfo is what DescribeArchive reports.
type EventArchiveInfo struct {
	ArchiveArn     string    `json:"ArchiveArn"`
	ArchiveName    string    `json:"ArchiveName"`
	EventSourceArn string    `json:"EventSourceArn"`
	Description    string    `json:"Description,omitempty"`
	EventPattern   string    `json:"EventPattern,omitempty"`
	State          string    `json:"State"`
	RetentionDays  int       `json:"RetentionDays"`
	SizeBytes      int64     `json:"SizeBytes"`
	EventCount     int64     `json:"EventCount"`
	CreationTime   epochTime `json:"CreationTime"`
}

func (a *eventArchive) info() EventArchiveInfo {
	return EventArchiveInfo{ArchiveArn: a.arn, ArchiveName: a.name, EventSourceArn: a.source, Description: a.description,
		EventPattern: a.pattern, State: "ENABLED", RetentionDays: a.retention, SizeBytes: a.size.Load(),
		EventCount: a.count.Load(), CreationTime: epochTime(a.created)}
}

func (svc *eventsService) describeArchive(name string) (EventArchiveInfo, error) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	a, ok := svc.archives[name]
	if !ok {
		return EventArchiveInfo{}, errEventsNotFound("Archive %s does not exist.", name)
	}
	return a.info(), nil
}

func (svc *eventsService) serveJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	rid := newRequestID()
	out, err := svc.dispatch(action, body)
	if err != nil {
		writeJSONError(w, "1.1", rid, asAWSError(err))
		return
	}
	writeJSON(w, "1.1", rid, out)
}

type ruleDescription struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventBusName       string `json:"EventBusName"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
}

func (r *eventRule) describe() ruleDescription {
	return ruleDescription{Name: r.name, Arn: r.arn, EventBusName: r.bus, EventPattern: r.pattern,
		ScheduleExpression: r.schedule, State: r.state, Description: r.description, RoleArn: r.roleArn}
}

func (svc *eventsService) dispatch(action string, body []byte) (any, error) {
	switch action {
	case "PutEvents":
		var in struct{ Entries []PutEventsEntry }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		res, failed, err := svc.putEvents(in.Entries)
		if err != nil {
			return nil, err
		}
		return struct {
			Entries          []PutEventsResultEntry `json:"Entries"`
			FailedEntryCount int                    `json:"FailedEntryCount"`
		}{res, failed}, nil

	case "CreateEventBus":
		var in struct{ Name, Description string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		arn, err := svc.createEventBus(in.Name, in.Description)
		if err != nil {
			return nil, err
		}
		return struct{ EventBusArn string }{arn}, nil

	case "DescribeEventBus":
		var in struct{ Name string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		svc.mu.RLock()
		b, err := svc.bus(busName(in.Name))
		svc.mu.RUnlock()
		if err != nil {
			return nil, err
		}
		return struct {
			Name             string    `json:"Name"`
			Arn              string    `json:"Arn"`
			Description      string    `json:"Description,omitempty"`
			CreationTime     epochTime `json:"CreationTime"`
			LastModifiedTime epochTime `json:"LastModifiedTime"`
		}{b.name, b.arn, b.description, epochTime(b.created), epochTime(b.created)}, nil

	case "ListEventBuses":
		var in struct{ NamePrefix string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		type busInfo struct {
			Name, Arn string
		}
		var out []busInfo
		svc.mu.RLock()
		for _, b := range svc.buses {
			if strings.HasPrefix(b.name, in.NamePrefix) {
				out = append(out, busInfo{b.name, b.arn})
			}
		}
		svc.mu.RUnlock()
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return struct{ EventBuses []busInfo }{out}, nil

	case "DeleteEventBus":
		var in struct{ Name string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		return struct{}{}, svc.deleteEventBus(in.Name)

	case "PutRule":
		var in PutRuleInput
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		arn, err := svc.putRule(in)
		if err != nil {
			return nil, err
		}
		return struct{ RuleArn string }{arn}, nil

	case "DescribeRule":
		var in struct{ Name, EventBusName string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		svc.mu.RLock()
		_, r, err := svc.rule(busName(in.EventBusName), in.Name)
		svc.mu.RUnlock()
		if err != nil {
			return nil, err
		}
		return r.describe(), nil

	case "ListRules":
		var in struct{ NamePrefix, EventBusName string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		svc.mu.RLock()
		b, err := svc.bus(busName(in.EventBusName))
		var out []ruleDescription
		if err == nil {
			for _, r := range b.ruleList {
				if strings.HasPrefix(r.name, in.NamePrefix) {
					out = append(out, r.describe())
				}
			}
		}
		svc.mu.RUnlock()
		if err != nil {
			return nil, err
		}
		return struct{ Rules []ruleDescription }{out}, nil

	case "DeleteRule":
		var in struct{ Name, EventBusName string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		return struct{}{}, svc.deleteRule(in.EventBusName, in.Name)

	case "PutTargets":
		var in struct {
			Rule, EventBusName string
			Targets            []EventTarget
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		if err := svc.putTargets(in.EventBusName, in.Rule, in.Targets); err != nil {
			return nil, err
		}
		return struct {
			FailedEntryCount int   `json:"FailedEntryCount"`
			FailedEntries    []any `json:"FailedEntries"`
		}{0, []any{}}, nil

	case "ListTargetsByRule":
		var in struct{ Rule, EventBusName string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		svc.mu.RLock()
		_, r, err := svc.rule(busName(in.EventBusName), in.Rule)
		svc.mu.RUnlock()
		if err != nil {
			return nil, err
		}
		return struct{ Targets []EventTarget }{r.targets}, nil

	case "RemoveTargets":
		var in struct {
			Rule, EventBusName string
			Ids                []string
		}
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		if _, err := svc.removeTargets(in.EventBusName, in.Rule, in.Ids); err != nil {
			return nil, err
		}
		return struct {
			FailedEntryCount int   `json:"FailedEntryCount"`
			FailedEntries    []any `json:"FailedEntries"`
		}{0, []any{}}, nil

	case "CreateArchive":
		var in CreateArchiveInput
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		a, err := svc.createArchive(in, svc.srv.now())
		if err != nil {
			return nil, err
		}
		return struct {
			ArchiveArn   string    `json:"ArchiveArn"`
			State        string    `json:"State"`
			CreationTime epochTime `json:"CreationTime"`
		}{a.arn, "ENABLED", epochTime(a.created)}, nil

	case "DescribeArchive":
		var in struct{ ArchiveName string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		return svc.describeArchive(in.ArchiveName)

	case "ListArchives":
		var in struct{ NamePrefix, EventSourceArn string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		var out []EventArchiveInfo
		svc.mu.RLock()
		for _, a := range svc.archives {
			if strings.HasPrefix(a.name, in.NamePrefix) && (in.EventSourceArn == "" || in.EventSourceArn == a.source) {
				out = append(out, a.info())
			}
		}
		svc.mu.RUnlock()
		sort.Slice(out, func(i, j int) bool { return out[i].ArchiveName < out[j].ArchiveName })
		return struct{ Archives []EventArchiveInfo }{out}, nil

	case "DeleteArchive":
		var in struct{ ArchiveName string }
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		return struct{}{}, svc.deleteArchive(in.ArchiveName)
	}
	return nil, &Error{Code: "UnknownOperationException", Message: fmt.Sprintf("The action %s is not supported by awslocal's EventBridge.", action)}
}

// ---- persistence ----

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

func (svc *eventsService) snapshot() eventsSnapshot {
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

func (svc *eventsService) restore(s *eventsSnapshot) {
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

func (svc *eventsService) applyRule(in PutRuleInput) {
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

func (svc *eventsService) applyTargets(t targetsRecord) {
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

func (svc *eventsService) applyArchive(a archiveRecord) {
	bn := busName(a.EventSourceArn)
	b := svc.buses[bn]
	if b == nil {
		return
	}
	compiled, _ := compileEventPattern(a.EventPattern)
	if compiled == nil {
		compiled = &eventPattern{}
	}
	ar := &eventArchive{name: a.ArchiveName, arn: "arn:aws:events:" + svc.srv.region + ":" + svc.srv.account + ":archive/" + a.ArchiveName,
		source: b.arn, bus: bn, description: a.Description, pattern: a.EventPattern, compiled: compiled,
		retention: a.RetentionDays, created: time.UnixMilli(a.Created)}
	ar.count.Store(a.Count)
	ar.size.Store(a.Size)
	svc.archives[a.ArchiveName] = ar
	svc.rebuild(b)
}

func (svc *eventsService) apply(op string, data json.RawMessage) error {
	switch op {
	case recCreateBus:
		var r busRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		b := svc.newBus(r.Name, r.Description, time.UnixMilli(r.Created))
		svc.buses[r.Name] = b
		svc.rebuild(b)
	case recDeleteBus:
		var r nameRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		delete(svc.buses, r.Name)
	case recPutRule:
		var r PutRuleInput
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		svc.applyRule(r)
	case recDeleteRule:
		var r ruleRef
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if b := svc.buses[r.Bus]; b != nil {
			delete(b.rules, r.Rule)
			svc.rebuild(b)
		}
	case recPutTargets:
		var r targetsRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		svc.applyTargets(r)
	case recRemoveTargets:
		var r removeTargetsRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if b := svc.buses[r.Bus]; b != nil && b.rules[r.Rule] != nil {
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
	case recCreateArchive:
		var r archiveRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		svc.applyArchive(r)
	case recDeleteArchive:
		var r nameRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if a := svc.archives[r.Name]; a != nil {
			delete(svc.archives, r.Name)
			if b := svc.buses[a.bus]; b != nil {
				svc.rebuild(b)
			}
		}
	case recArchiveEvent:
		var r archiveEventRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if a := svc.archives[r.Name]; a != nil {
			a.count.Add(1)
			a.size.Add(int64(r.Size))
		}
	default:
		return fmt.Errorf("unknown record %q", op)
	}
	return nil
}
