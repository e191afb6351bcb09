package events

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/store"
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

// Options configures a Service. The zero value is an in-memory service for
// us-east-1 and account 000000000000 on the real clock, with no target
// kinds but other buses (RegisterTarget adds them).
type Options struct {
	// Identity appears in every ARN and event envelope.
	Identity awsproto.Identity
	Clock    clock.Clock
	// Store, when not nil, keeps every mutation durable; the caller opens
	// it with Section after New.
	Store *store.Store
	// AcceptUnknownEventBus makes PutEvents accept entries for an event bus
	// that does not exist and drop them, as AWS does (aws/aws-cli#9186).
	// By default such an entry fails with ResourceNotFoundException.
	AcceptUnknownEventBus bool
}

// Service is an in-memory EventBridge. All methods are safe for concurrent
// use; RegisterTarget must be called before the service is shared.
type Service struct {
	region        string
	account       string
	clock         clock.Clock
	store         *store.Store
	acceptUnknown bool
	// targets deliver to the resources of rule targets, by the service
	// part of the target ARN ("sqs", "states", "events").
	targets map[string]Target

	mu       sync.RWMutex
	buses    map[string]*eventBus
	archives map[string]*eventArchive

	recent atomic.Pointer[recentEvents] // nil until KeepRecent
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

// EventTarget is a rule target (PutTargets): a queue, a state machine, a
// Lambda function, a log group or a bus, by the Targets registered.
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

// New returns a service with the default bus.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	svc := &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store,
		acceptUnknown: opts.AcceptUnknownEventBus, targets: map[string]Target{},
		buses: map[string]*eventBus{}, archives: map[string]*eventArchive{}}
	svc.buses["default"] = svc.newBus("default", "", time.Unix(0, 0))
	svc.RegisterTarget("events", busTarget{svc})
	return svc
}

func (svc *Service) now() time.Time { return svc.clock.Now() }

func (svc *Service) newBus(name, desc string, created time.Time) *eventBus {
	return &eventBus{name: name, arn: svc.busARN(name), description: desc, created: created, rules: map[string]*eventRule{}}
}

func (svc *Service) busARN(name string) string {
	return "arn:aws:events:" + svc.region + ":" + svc.account + ":event-bus/" + name
}

func (svc *Service) ruleARN(bus, name string) string {
	if bus == "default" {
		return "arn:aws:events:" + svc.region + ":" + svc.account + ":rule/" + name
	}
	return "arn:aws:events:" + svc.region + ":" + svc.account + ":rule/" + bus + "/" + name
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

func errEventsNotFound(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

func errEventsValidation(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

func errEventsExists(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: "ResourceAlreadyExistsException", Message: fmt.Sprintf(format, args...)}
}

var eventsNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
var busNameRE = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

// rebuild refreshes the bus's ordered caches. Called with svc.mu held.
func (svc *Service) rebuild(b *eventBus) {
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
func (svc *Service) createEventBus(name, description string) (string, error) {
	if name == "" {
		return "", errEventsValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if name == "default" || !busNameRE.MatchString(name) {
		return "", errEventsValidation("Event bus name must not be default and must match [/\\.\\-_A-Za-z0-9]+.")
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if _, ok := svc.buses[name]; ok {
		svc.mu.Unlock()
		unlock()
		return "", errEventsExists("Event bus %s already exists.", name)
	}
	b := svc.newBus(name, description, svc.now())
	svc.buses[name] = b
	svc.rebuild(b)
	seq := svc.store.Append(recCreateBus, busRecord{Name: name, Description: description, Created: b.created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return b.arn, svc.store.Wait(seq)
}

func (svc *Service) deleteEventBus(name string) error {
	if name == "default" {
		return errEventsValidation("Cannot delete event bus default.")
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if _, ok := svc.buses[name]; !ok {
		svc.mu.Unlock()
		unlock()
		return nil // DeleteEventBus of a missing bus succeeds
	}
	delete(svc.buses, name)
	seq := svc.store.Append(recDeleteBus, store.NameRecord{Name: name})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

func (svc *Service) bus(name string) (*eventBus, *awsproto.Error) {
	b := svc.buses[name]
	if b == nil {
		return nil, errEventsNotFound("Event bus %s does not exist.", name)
	}
	return b, nil
}
