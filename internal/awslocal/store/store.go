package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// Durability (awslocal.Options.StateDir). Every mutation appends a JSON line to the
// current log file log-N.jsonl while its resource lock is held, so the log
// order is the order the mutations took effect; the caller then waits, with
// no lock held, until a flusher goroutine has written and fsynced the line.
// Concurrent callers share one fsync (group commit). Receives and visibility
// changes are appended without waiting: losing one in a crash only makes a
// message visible again, which SQS's at-least-once delivery allows.
//
// snapshot.json holds the whole state as of the start of log-N (NextLog);
// recovery loads it and replays log-N, log-N+1, ... ignoring a torn last
// line. The log is compacted into a new snapshot at open, at Close, and
// when it grows past compactBytes; compaction briefly stops all mutators
// (the gate) to cut a consistent snapshot.

const (
	compactBytes  = 64 << 20
	lazyFlushTick = 200 * time.Millisecond
)

// SnapshotName is the snapshot's file in the state directory.
const SnapshotName = "snapshot.json"

// Store is the durable state of a Server: the snapshot and log in one
// directory, shared by every service. A nil *Store keeps nothing: its
// methods do nothing and return at once, so in-memory services call them
// unconditionally.
type Store struct {
	dir      string
	sections []Section

	// gateMu: mutators hold it shared while they change state and append;
	// compaction holds it exclusively. Never taken twice by one goroutine.
	gateMu sync.RWMutex

	// flushMu serializes flushes and log rotation: one writer at a time,
	// so records reach the file in order.
	flushMu sync.Mutex
	buf     []byte // encoding buffer, used under flushMu

	mu      sync.Mutex
	pending []pendingRecord
	spare   []pendingRecord
	seq     uint64 // last appended record
	file    *os.File
	logNum  int
	logSize int64

	// synced is the last record on disk; syncCh is closed (and replaced)
	// each time it advances, waking waiters without a lock.
	synced atomic.Uint64
	syncCh atomic.Pointer[chan struct{}]
	err    atomic.Pointer[awsproto.Error]

	kick chan struct{}
	quit chan struct{}
	done chan struct{}

	lock *dirLock // held from Open to Close
}

// pendingRecord is a record waiting to be encoded by the flusher. Its data
// must not change after append: records hold copies or immutable values.
type pendingRecord struct {
	op   string
	data any
}

type logLine struct {
	Op   string          `json:"op"`
	Data json.RawMessage `json:"d"`
}

func noop() {}

// On reports whether records are kept; hot paths check it before building
// a record.
func (st *Store) On() bool { return st != nil }

// Gate enters a mutation; the returned func leaves it. A mutation changes
// state and appends its record inside the gate, so a snapshot never sees
// the one without the other.
func (st *Store) Gate() func() {
	if st == nil {
		return noop
	}
	st.gateMu.RLock()
	return st.gateMu.RUnlock
}

// Append adds a record and returns its sequence number for Wait. The
// flusher encodes data (as JSON, after the call), so callers under a lock
// pay only for the append; data must not change afterwards.
func (st *Store) Append(op string, data any) uint64 {
	return st.add(op, data, true)
}

// AppendLazy adds a record that is flushed with the next one (or within
// lazyFlushTick) and needs no wait.
func (st *Store) AppendLazy(op string, data any) uint64 {
	return st.add(op, data, false)
}

func (st *Store) add(op string, data any, urgent bool) uint64 {
	if st == nil {
		return 0
	}
	st.mu.Lock()
	st.pending = append(st.pending, pendingRecord{op, data})
	st.seq++
	seq := st.seq
	st.mu.Unlock()
	if urgent {
		select {
		case st.kick <- struct{}{}:
		default:
		}
	}
	return seq
}

// Wait blocks until record seq is on disk; 0 is no record.
func (st *Store) Wait(seq uint64) error {
	if st == nil || seq == 0 {
		return nil
	}
	for {
		if st.synced.Load() >= seq {
			return nil
		}
		if e := st.err.Load(); e != nil {
			return e
		}
		ch := *st.syncCh.Load()
		// Re-check after taking the channel: the flusher advances synced
		// before it swaps and closes the channel.
		if st.synced.Load() >= seq {
			return nil
		}
		if e := st.err.Load(); e != nil {
			return e
		}
		<-ch
	}
}

func (st *Store) signal() {
	ch := make(chan struct{})
	old := st.syncCh.Swap(&ch)
	close(*old)
}

func (st *Store) flusher() {
	defer close(st.done)
	tick := time.NewTicker(lazyFlushTick)
	defer tick.Stop()
	for {
		select {
		case <-st.kick:
		case <-tick.C:
		case <-st.quit:
			st.flush()
			return
		}
		st.flush()
		st.mu.Lock()
		big := st.logSize > compactBytes
		st.mu.Unlock()
		if big {
			if err := st.Compact(); err != nil {
				st.fail(err)
			}
		}
	}
}

func (st *Store) fail(err error) {
	st.err.CompareAndSwap(nil, &awsproto.Error{Code: "InternalFailure", Status: 500, Receiver: true, Message: "awslocal: state log: " + err.Error()})
	st.signal()
}

// flush encodes, writes and fsyncs everything appended so far.
func (st *Store) flush() {
	st.flushMu.Lock()
	defer st.flushMu.Unlock()
	st.flushLocked()
}

func (st *Store) flushLocked() {
	st.mu.Lock()
	if len(st.pending) == 0 || st.err.Load() != nil {
		st.mu.Unlock()
		return
	}
	recs := st.pending
	st.pending = st.spare[:0]
	target := st.seq
	f := st.file
	st.mu.Unlock()

	buf := st.buf[:0]
	var err error
	for i := range recs {
		var d []byte
		if d, err = json.Marshal(recs[i].data); err != nil {
			err = fmt.Errorf("encoding %s record: %w", recs[i].op, err)
			break
		}
		buf = append(buf, `{"op":`...)
		buf = strconv.AppendQuote(buf, recs[i].op)
		buf = append(buf, `,"d":`...)
		buf = append(buf, d...)
		buf = append(buf, "}\n"...)
		recs[i] = pendingRecord{}
	}
	if err == nil {
		_, err = f.Write(buf)
	}
	if err == nil {
		err = f.Sync()
	}
	if cap(buf) <= 4<<20 {
		st.buf = buf[:0]
	} else {
		st.buf = nil
	}

	st.mu.Lock()
	st.spare = recs[:0]
	if err == nil {
		st.logSize += int64(len(buf))
	}
	st.mu.Unlock()
	if err != nil {
		st.fail(err)
		return
	}
	st.synced.Store(target)
	st.signal()
}

// LogPath is the path of log file n in dir.
func LogPath(dir string, n int) string { return filepath.Join(dir, fmt.Sprintf("log-%08d.jsonl", n)) }

// Section is one service's part of the durable state: a member of the
// snapshot and the log records whose op starts with OpPrefix.
type Section struct {
	// Name is the snapshot member ("queues", "events", "sfn").
	Name string
	// OpPrefix selects the records Apply replays ("sqs.", ...).
	OpPrefix string
	// Snapshot returns the section's state to encode as JSON. It runs
	// inside the gate, with no mutation in progress; what it returns is
	// encoded later and must not share anything a mutation changes.
	Snapshot func() any
	// Restore loads the section from a snapshot, before any record.
	Restore func(data json.RawMessage) error
	// Apply replays one record.
	Apply func(op string, data json.RawMessage) error
}

// New returns the store for dir. Nothing is read or written until Open.
func New(dir string) *Store {
	st := &Store{dir: dir, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	ch := make(chan struct{})
	st.syncCh.Store(&ch)
	return st
}

// Open restores the sections from the directory (the snapshot, then the
// logs after it), writes a fresh snapshot and starts logging. The sections
// are snapshotted in the order given.
func (st *Store) Open(sections ...Section) (err error) {
	st.sections = sections
	dir := st.dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("awslocal: state dir: %w", err)
	}
	if st.lock, err = lockDir(dir); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			st.lock.release()
			st.lock = nil
		}
	}()
	next, err := st.restoreSnapshot()
	if err != nil {
		return err
	}
	logs, err := ListLogs(dir)
	if err != nil {
		return err
	}
	last := next
	for _, n := range logs {
		if n < next {
			continue
		}
		if err := st.replayLog(LogPath(dir, n)); err != nil {
			return err
		}
		last = n
	}
	// Start a fresh log after everything replayed and snapshot right away,
	// so the next crash replays only new records.
	st.logNum = last + 1
	f, err := os.OpenFile(LogPath(dir, st.logNum), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("awslocal: opening log: %w", err)
	}
	st.file = f
	if err := st.writeSnapshot(st.collectSnapshot(st.logNum)); err != nil {
		f.Close()
		return err
	}
	st.removeLogsBefore(st.logNum)
	go st.flusher()
	return nil
}

// restoreSnapshot loads snapshot.json, if any, and returns its NextLog.
func (st *Store) restoreSnapshot() (int, error) {
	path := filepath.Join(st.dir, SnapshotName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("awslocal: reading snapshot: %w", err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return 0, fmt.Errorf("awslocal: %s: %w", path, err)
	}
	var next int
	if raw, ok := members["nextLog"]; ok {
		if err := json.Unmarshal(raw, &next); err != nil {
			return 0, fmt.Errorf("awslocal: %s: %w", path, err)
		}
	}
	for _, sec := range st.sections {
		raw, ok := members[sec.Name]
		if !ok {
			continue
		}
		if err := sec.Restore(raw); err != nil {
			return 0, fmt.Errorf("awslocal: %s: %w", path, err)
		}
	}
	return next, nil
}

// ListLogs returns the numbers of the log files in dir, in order.
func ListLogs(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("awslocal: reading state dir: %w", err)
	}
	var out []int
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "log-") || !strings.HasSuffix(name, ".jsonl") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "log-"), ".jsonl"))
		if err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

func (st *Store) removeLogsBefore(n int) {
	logs, _ := ListLogs(st.dir)
	for _, l := range logs {
		if l < n {
			os.Remove(LogPath(st.dir, l))
		}
	}
}

// Compact cuts a snapshot at a consistent point and starts a new log.
func (st *Store) Compact() error {
	st.gateMu.Lock()
	st.flushMu.Lock()
	unlock := func() {
		st.flushMu.Unlock()
		st.gateMu.Unlock()
	}
	st.flushLocked()
	if e := st.err.Load(); e != nil {
		unlock()
		return e
	}
	snap := st.collectSnapshot(st.logNum + 1)
	f, err := os.OpenFile(LogPath(st.dir, st.logNum+1), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		unlock()
		return err
	}
	st.mu.Lock()
	old := st.file
	st.file = f
	st.logNum++
	st.logSize = 0
	st.mu.Unlock()
	unlock()
	old.Close()
	if err := st.writeSnapshot(snap); err != nil {
		return err
	}
	st.removeLogsBefore(st.logNum)
	return nil
}

func (st *Store) writeSnapshot(snap *snapshot) error {
	b, err := snap.encode()
	if err != nil {
		return fmt.Errorf("awslocal: encoding snapshot: %w", err)
	}
	tmp := filepath.Join(st.dir, SnapshotName+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("awslocal: writing snapshot: %w", err)
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(st.dir, SnapshotName))
	}
	if err != nil {
		return fmt.Errorf("awslocal: writing snapshot: %w", err)
	}
	if d, err := os.Open(st.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Close stops the flusher after a final flush. withSnapshot also compacts,
// so the next open reads one snapshot and an empty log; without, the
// directory is left as a killed process leaves it.
func (st *Store) Close(withSnapshot bool) error {
	close(st.quit)
	<-st.done
	var err error
	if withSnapshot {
		err = st.Compact()
	}
	if e := st.err.Load(); e != nil && err == nil {
		err = e
	}
	st.mu.Lock()
	f := st.file
	st.mu.Unlock()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if lerr := st.lock.release(); err == nil {
		err = lerr
	}
	return err
}

// replayLog applies a log file's records; a torn last line (the process
// died mid-write, before the fsync its caller waited for) is ignored.
func (st *Store) replayLog(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("awslocal: opening log: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // a partial line without '\n' was never acknowledged
		}
		if err != nil {
			return fmt.Errorf("awslocal: reading %s: %w", path, err)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var l logLine
		if err := json.Unmarshal(line, &l); err != nil {
			return fmt.Errorf("awslocal: %s: corrupt record: %w", path, err)
		}
		if err := st.apply(l.Op, l.Data); err != nil {
			return fmt.Errorf("awslocal: %s: replaying %s: %w", path, l.Op, err)
		}
	}
}

func (st *Store) apply(op string, data json.RawMessage) error {
	for _, sec := range st.sections {
		if strings.HasPrefix(op, sec.OpPrefix) {
			return sec.Apply(op, data)
		}
	}
	return fmt.Errorf("unknown record %q", op)
}

// snapshot is the whole durable state as of the start of log nextLog,
// encoded as {"nextLog":N,"<section>":…,…} with the sections in order.
type snapshot struct {
	nextLog int
	names   []string
	values  []any
}

func (st *Store) collectSnapshot(nextLog int) *snapshot {
	s := &snapshot{nextLog: nextLog, names: make([]string, len(st.sections)), values: make([]any, len(st.sections))}
	for i, sec := range st.sections {
		s.names[i], s.values[i] = sec.Name, sec.Snapshot()
	}
	return s
}

func (s *snapshot) encode() ([]byte, error) {
	b := append([]byte(`{"nextLog":`), strconv.Itoa(s.nextLog)...)
	for i, v := range s.values {
		member, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", s.names[i], err)
		}
		b = append(b, ',')
		b = strconv.AppendQuote(b, s.names[i])
		b = append(b, ':')
		b = append(b, member...)
	}
	return append(b, '}'), nil
}
