package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/store"
)

// Shapes and error texts are CloudWatch Logs' (API reference; LocalStack's
// tests/aws/services/logs/*.snapshot.json recorded against AWS).

// Options configures a Service.
type Options struct {
	Identity awsproto.Identity
	Clock    clock.Clock
	// Store, when not nil, keeps every mutation durable; the caller opens it with Section.
	Store *store.Store
	// Dir, when set, receives one file per log group (GROUP.log, "/" as "_") with a line per
	// event: "TIMESTAMP STREAM MESSAGE".
	Dir string
}

// Service is an in-memory CloudWatch Logs. Its methods are safe for concurrent use.
type Service struct {
	region, account string
	clock           clock.Clock
	store           *store.Store
	dir             string

	mu     sync.RWMutex
	groups map[string]*group
	files  map[string]*os.File
	nextID uint64
}

type group struct {
	name      string
	created   int64
	retention int
	streams   map[string]*stream
}

type stream struct {
	name    string
	created int64
	events  []Event
}

// Event is one log event.
type Event struct {
	Timestamp     int64  `json:"t"`
	Message       string `json:"m"`
	IngestionTime int64  `json:"i"`
	ID            string `json:"id"`
}

// New returns a service with no log groups.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	return &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store, dir: opts.Dir,
		groups: map[string]*group{}, files: map[string]*os.File{}}
}

// Close closes the mirrored files.
func (svc *Service) Close() error {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	var first error
	for _, f := range svc.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	svc.files = map[string]*os.File{}
	return first
}

func logsErr(code, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

var (
	errNoGroup  = logsErr("ResourceNotFoundException", "The specified log group does not exist.")
	errNoStream = logsErr("ResourceNotFoundException", "The specified log stream does not exist.")
)

func (svc *Service) groupARN(name string) string {
	return "arn:aws:logs:" + svc.region + ":" + svc.account + ":log-group:" + name
}

// groupName accepts a name or an ARN (logGroupIdentifier).
func groupName(s string) string {
	if _, n, ok := strings.Cut(s, ":log-group:"); ok {
		return strings.TrimSuffix(n, ":*")
	}
	return s
}

func validName(name string) *awsproto.Error {
	if name == "" || len(name) > 512 {
		return logsErr("InvalidParameterException", "Invalid LogGroup or LogStream, both must have length less than or equal to 512.")
	}
	return nil
}

// CreateLogGroup creates a log group.
func (svc *Service) CreateLogGroup(name string, retentionDays int) error {
	if err := validName(name); err != nil {
		return err
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if svc.groups[name] != nil {
		svc.mu.Unlock()
		unlock()
		return logsErr("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	r := groupRecord{Name: name, Created: svc.clock.Now().UnixMilli(), Retention: retentionDays}
	svc.applyGroup(r)
	seq := svc.store.Append(recCreateGroup, r)
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// GroupExists reports whether the log group exists.
func (svc *Service) GroupExists(name string) bool {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	return svc.groups[groupName(name)] != nil
}

func (svc *Service) deleteLogGroup(name string) error {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if svc.groups[name] == nil {
		svc.mu.Unlock()
		unlock()
		return errNoGroup
	}
	delete(svc.groups, name)
	seq := svc.store.Append(recDeleteGroup, store.NameRecord{Name: name})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

func (svc *Service) createLogStream(groupName, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	g := svc.groups[groupName]
	switch {
	case g == nil:
		svc.mu.Unlock()
		unlock()
		return errNoGroup
	case g.streams[name] != nil:
		svc.mu.Unlock()
		unlock()
		return logsErr("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	r := streamRecord{Group: groupName, Name: name, Created: svc.clock.Now().UnixMilli()}
	svc.applyStream(r)
	seq := svc.store.Append(recCreateStream, r)
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// put appends events to a stream (created when create is set), with svc.mu held, and
// returns the log record.
func (svc *Service) putLocked(groupName, streamName string, events []Event, create bool) (uint64, *awsproto.Error) {
	g := svc.groups[groupName]
	if g == nil {
		return 0, errNoGroup
	}
	if g.streams[streamName] == nil {
		if !create {
			return 0, errNoStream
		}
		r := streamRecord{Group: groupName, Name: streamName, Created: svc.clock.Now().UnixMilli()}
		svc.applyStream(r)
		svc.store.Append(recCreateStream, r)
	}
	now := svc.clock.Now().UnixMilli()
	for i := range events {
		svc.nextID++
		events[i].IngestionTime = now
		events[i].ID = fmt.Sprintf("%056d", uint64(now)*1_000_000+svc.nextID%1_000_000)
	}
	r := putRecord{Group: groupName, Stream: streamName, Events: events}
	svc.applyPut(r)
	svc.mirror(groupName, streamName, events)
	return svc.store.Append(recPut, r), nil
}

// WriteEvent writes one event to a stream of a group, creating the stream, as an EventBridge
// log group target does; it returns the record to wait for (0 when the group is missing).
func (svc *Service) WriteEvent(groupName, streamName string, timestamp int64, message string) uint64 {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	seq, _ := svc.putLocked(groupName, streamName, []Event{{Timestamp: timestamp, Message: message}}, true)
	svc.mu.Unlock()
	unlock()
	return seq
}

// mirror appends events to the group's file, with svc.mu held.
func (svc *Service) mirror(groupName, streamName string, events []Event) {
	if svc.dir == "" {
		return
	}
	f := svc.files[groupName]
	if f == nil {
		var err error
		if err = os.MkdirAll(svc.dir, 0o755); err == nil {
			f, err = os.OpenFile(FilePath(svc.dir, groupName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		}
		if err != nil {
			return
		}
		svc.files[groupName] = f
	}
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "%s %s %s\n", time.UnixMilli(e.Timestamp).UTC().Format("2006-01-02T15:04:05.000Z"), streamName, e.Message)
	}
	f.WriteString(b.String())
}

// FilePath is the file a group is mirrored to in dir.
func FilePath(dir, groupName string) string {
	return filepath.Join(dir, strings.NewReplacer("/", "_", "\\", "_", ":", "_", " ", "_").Replace(groupName)+".log")
}

func sortedGroups(m map[string]*group) []*group {
	out := make([]*group, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func sortedStreams(m map[string]*stream) []*stream {
	out := make([]*stream, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
