package store

import (
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
// snapshot.json holds the whole state as of the start of log-N (NextLog)
// and the number of the first record after it (nextSeq); recovery loads it
// and replays log-N, log-N+1, ... Each record carries its number ("n",
// consecutive across files) and a CRC-32C of its op and data ("c"), so a
// deleted log file, removed lines or a damaged record are found and
// reported (replay.go), never skipped silently; the one thing dropped
// without a report is a torn last line (a record whose write a crash cut
// short, which no caller was told was stored), and even that gets a line. The log is compacted into a new snapshot at open, at Close, and
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

	// Log receives what recovery found damaged and dropped, and the torn last
	// record it ignored; nil discards it. Set before Open.
	Log io.Writer
	// Damage is what Open found damaged in the directory and dropped, one line
	// each, in the order found; empty for a clean directory.
	Damage []string
}

// pendingRecord is a record waiting to be encoded by the flusher. Its data
// must not change after append: records hold copies or immutable values.
type pendingRecord struct {
	op   string
	data any
	n    uint64 // the record's number
}

// logLine is one record as written: {"op":…,"n":…,"d":…,"c":…}. Logs written
// before records were numbered have neither n nor c.
type logLine struct {
	Op   string          `json:"op"`
	N    *uint64         `json:"n"`
	Data json.RawMessage `json:"d"`
	C    string          `json:"c"`
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
	st.seq++
	seq := st.seq
	st.pending = append(st.pending, pendingRecord{op, data, seq})
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
		buf = append(buf, `,"n":`...)
		buf = strconv.AppendUint(buf, recs[i].n, 10)
		buf = append(buf, `,"d":`...)
		buf = append(buf, d...)
		buf = append(buf, `,"c":"`...)
		buf = appendChecksum(buf, recs[i].op, d)
		buf = append(buf, "\"}\n"...)
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
	next, nextSeq, hasSnapshot, err := st.restoreSnapshot()
	if err != nil {
		return err
	}
	last, err := st.replayLogs(next, nextSeq, hasSnapshot)
	if err != nil {
		return err
	}
	// Start a fresh log after everything replayed and snapshot right away,
	// so the next crash replays only new records.
	st.logNum = last + 1
	f, err := os.OpenFile(LogPath(dir, st.logNum), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("awslocal: opening log: %w", err)
	}
	st.file = f
	if err := st.writeSnapshot(st.collectSnapshot(st.logNum, st.seq+1)); err != nil {
		f.Close()
		return err
	}
	st.removeLogsBefore(st.logNum)
	go st.flusher()
	return nil
}

// restoreSnapshot loads snapshot.json, if any, and returns its NextLog and the
// number of the first record after it (0 in a snapshot from before records
// were numbered).
func (st *Store) restoreSnapshot() (next int, nextSeq uint64, found bool, err error) {
	path := filepath.Join(st.dir, SnapshotName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("awslocal: reading snapshot: %w", err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return 0, 0, false, fmt.Errorf("awslocal: %s: %w", path, err)
	}
	for name, v := range map[string]any{"nextLog": &next, "nextSeq": &nextSeq} {
		if raw, ok := members[name]; ok {
			if err := json.Unmarshal(raw, v); err != nil {
				return 0, 0, false, fmt.Errorf("awslocal: %s: %s: %w", path, name, err)
			}
		}
	}
	for _, sec := range st.sections {
		raw, ok := members[sec.Name]
		if !ok {
			continue
		}
		if err := sec.Restore(raw); err != nil {
			return 0, 0, false, fmt.Errorf("awslocal: %s: %w", path, err)
		}
	}
	return next, nextSeq, true, nil
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
	st.mu.Lock()
	nextSeq := st.seq + 1
	st.mu.Unlock()
	snap := st.collectSnapshot(st.logNum+1, nextSeq)
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

func (st *Store) apply(op string, data json.RawMessage) error {
	for _, sec := range st.sections {
		if strings.HasPrefix(op, sec.OpPrefix) {
			return sec.Apply(op, data)
		}
	}
	return fmt.Errorf("unknown record %q", op)
}

// snapshot is the whole durable state as of the start of log nextLog, whose
// first record is number nextSeq, encoded as
// {"nextLog":N,"nextSeq":S,"<section>":…,…} with the sections in order.
type snapshot struct {
	nextLog int
	nextSeq uint64
	names   []string
	values  []any
}

func (st *Store) collectSnapshot(nextLog int, nextSeq uint64) *snapshot {
	s := &snapshot{nextLog: nextLog, nextSeq: nextSeq, names: make([]string, len(st.sections)), values: make([]any, len(st.sections))}
	for i, sec := range st.sections {
		s.names[i], s.values[i] = sec.Name, sec.Snapshot()
	}
	return s
}

func (s *snapshot) encode() ([]byte, error) {
	b := append([]byte(`{"nextLog":`), strconv.Itoa(s.nextLog)...)
	b = append(b, `,"nextSeq":`...)
	b = strconv.AppendUint(b, s.nextSeq, 10)
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
