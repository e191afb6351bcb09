package awslocal

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
)

// Durability (Options.StateDir). Every mutation appends a JSON line to the
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
	snapshotName  = "snapshot.json"
)

// Record operations.
const (
	recCreateQueue    = "sqs.createQueue"
	recDeleteQueue    = "sqs.deleteQueue"
	recSetQueueAttrs  = "sqs.setAttributes"
	recSendMessage    = "sqs.send"
	recDeleteMessage  = "sqs.delete"
	recReceive        = "sqs.receive"
	recPurge          = "sqs.purge"
	recTags           = "sqs.tags"
	recCreateBus      = "events.createBus"
	recDeleteBus      = "events.deleteBus"
	recPutRule        = "events.putRule"
	recDeleteRule     = "events.deleteRule"
	recPutTargets     = "events.putTargets"
	recRemoveTargets  = "events.removeTargets"
	recCreateArchive  = "events.createArchive"
	recDeleteArchive  = "events.deleteArchive"
	recArchiveEvent   = "events.archive"
	recCreateMachine  = "sfn.createStateMachine"
	recDeleteMachine  = "sfn.deleteStateMachine"
	recStartExecution = "sfn.start"
	recEndExecution   = "sfn.end"
)

type store struct {
	srv *Server
	dir string

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
	err    atomic.Pointer[Error]

	kick chan struct{}
	quit chan struct{}
	done chan struct{}
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

// on reports whether records are kept; hot paths check it before building
// a record.
func (st *store) on() bool { return st != nil }

// gate enters a mutation; the returned func leaves it.
func (st *store) gate() func() {
	if st == nil {
		return noop
	}
	st.gateMu.RLock()
	return st.gateMu.RUnlock
}

// append adds a record and returns its sequence number for wait. The
// flusher encodes it, so callers under a lock pay only for the append.
func (st *store) append(op string, data any) uint64 {
	return st.add(op, data, true)
}

// appendLazy adds a record that is flushed with the next one (or within
// lazyFlushTick) and needs no wait.
func (st *store) appendLazy(op string, data any) uint64 {
	return st.add(op, data, false)
}

func (st *store) add(op string, data any, urgent bool) uint64 {
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

// wait blocks until record seq is on disk.
func (st *store) wait(seq uint64) error {
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

func (st *store) signal() {
	ch := make(chan struct{})
	old := st.syncCh.Swap(&ch)
	close(*old)
}

func (st *store) flusher() {
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
			if err := st.compact(); err != nil {
				st.fail(err)
			}
		}
	}
}

func (st *store) fail(err error) {
	st.err.CompareAndSwap(nil, &Error{Code: "InternalFailure", Status: 500, Receiver: true, Message: "awslocal: state log: " + err.Error()})
	st.signal()
}

// flush encodes, writes and fsyncs everything appended so far.
func (st *store) flush() {
	st.flushMu.Lock()
	defer st.flushMu.Unlock()
	st.flushLocked()
}

func (st *store) flushLocked() {
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

func logPath(dir string, n int) string { return filepath.Join(dir, fmt.Sprintf("log-%08d.jsonl", n)) }

// openStore restores state from dir into srv and starts logging.
func openStore(dir string, srv *Server) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("awslocal: state dir: %w", err)
	}
	st := &store{srv: srv, dir: dir, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	ch := make(chan struct{})
	st.syncCh.Store(&ch)
	next := 0
	if b, err := os.ReadFile(filepath.Join(dir, snapshotName)); err == nil {
		var snap stateSnapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			return nil, fmt.Errorf("awslocal: %s: %w", filepath.Join(dir, snapshotName), err)
		}
		srv.restoreSnapshot(&snap)
		next = snap.NextLog
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("awslocal: reading snapshot: %w", err)
	}
	logs, err := listLogs(dir)
	if err != nil {
		return nil, err
	}
	last := next
	for _, n := range logs {
		if n < next {
			continue
		}
		if err := srv.replayLog(logPath(dir, n)); err != nil {
			return nil, err
		}
		last = n
	}
	// Start a fresh log after everything replayed and snapshot right away,
	// so the next crash replays only new records.
	st.logNum = last + 1
	f, err := os.OpenFile(logPath(dir, st.logNum), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("awslocal: opening log: %w", err)
	}
	st.file = f
	if err := st.writeSnapshot(srv.collectSnapshot(st.logNum)); err != nil {
		f.Close()
		return nil, err
	}
	st.removeLogsBefore(st.logNum)
	go st.flusher()
	return st, nil
}

func listLogs(dir string) ([]int, error) {
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

func (st *store) removeLogsBefore(n int) {
	logs, _ := listLogs(st.dir)
	for _, l := range logs {
		if l < n {
			os.Remove(logPath(st.dir, l))
		}
	}
}

// compact cuts a snapshot at a consistent point and starts a new log.
func (st *store) compact() error {
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
	snap := st.srv.collectSnapshot(st.logNum + 1)
	f, err := os.OpenFile(logPath(st.dir, st.logNum+1), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
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

func (st *store) writeSnapshot(snap *stateSnapshot) error {
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("awslocal: encoding snapshot: %w", err)
	}
	tmp := filepath.Join(st.dir, snapshotName+".tmp")
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
		err = os.Rename(tmp, filepath.Join(st.dir, snapshotName))
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

// close stops the flusher after a final flush; with snapshot it also
// compacts so the next open reads one snapshot and an empty log.
func (st *store) close(snapshot bool) error {
	close(st.quit)
	<-st.done
	var err error
	if snapshot {
		err = st.compact()
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
	return err
}

// replayLog applies a log file's records; a torn last line (the process
// died mid-write, before the fsync its caller waited for) is ignored.
func (srv *Server) replayLog(path string) error {
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
		if err := srv.apply(l.Op, l.Data); err != nil {
			return fmt.Errorf("awslocal: %s: replaying %s: %w", path, l.Op, err)
		}
	}
}

func (srv *Server) apply(op string, data json.RawMessage) error {
	switch {
	case strings.HasPrefix(op, "sqs."):
		return srv.sqs.apply(op, data)
	case strings.HasPrefix(op, "events."):
		return srv.events.apply(op, data)
	case strings.HasPrefix(op, "sfn."):
		return srv.sfn.apply(op, data)
	}
	return fmt.Errorf("unknown record %q", op)
}

// stateSnapshot is the whole durable state.
type stateSnapshot struct {
	NextLog int            `json:"nextLog"`
	Queues  []queueSnap    `json:"queues"`
	Events  eventsSnapshot `json:"events"`
	SFN     sfnSnapshot    `json:"sfn"`
}

func (srv *Server) collectSnapshot(nextLog int) *stateSnapshot {
	return &stateSnapshot{NextLog: nextLog, Queues: srv.sqs.snapshot(), Events: srv.events.snapshot(), SFN: srv.sfn.snapshot()}
}

func (srv *Server) restoreSnapshot(s *stateSnapshot) {
	srv.sqs.restore(s.Queues)
	srv.events.restore(&s.Events)
	srv.sfn.restore(&s.SFN)
}

// ---- SQS records and snapshot ----

type msgState struct {
	ID        string                      `json:"id"`
	Body      string                      `json:"body"`
	Attrs     map[string]MessageAttribute `json:"attrs,omitempty"`
	Sys       map[string]MessageAttribute `json:"sys,omitempty"`
	Sender    string                      `json:"sender,omitempty"`
	Sent      int64                       `json:"sent"`
	Group     string                      `json:"group,omitempty"`
	Dedup     string                      `json:"dedup,omitempty"`
	Seq       uint64                      `json:"seq,omitempty"`
	DLQSource string                      `json:"dlq,omitempty"`
	Count     int                         `json:"count,omitempty"`
	First     int64                       `json:"first,omitempty"`
	Visible   int64                       `json:"visible"`
	Receipt   string                      `json:"receipt,omitempty"`
}

func (m *sqsMessage) state() msgState {
	s := msgState{ID: m.id, Body: m.body, Attrs: m.attrs, Sys: m.sysAttrs, Sender: m.senderID, Sent: m.sentAt.UnixMilli(),
		Group: m.groupID, Dedup: m.dedupID, Seq: m.seq, DLQSource: m.dlqSource, Count: m.receiveCount,
		Visible: m.visibleAt.UnixMilli(), Receipt: m.receipt}
	if !m.firstReceive.IsZero() {
		s.First = m.firstReceive.UnixMilli()
	}
	return s
}

func (s *msgState) message() *sqsMessage {
	m := &sqsMessage{id: s.ID, body: s.Body, md5Body: md5Hex(s.Body), attrs: s.Attrs, md5Attrs: md5OfAttributes(s.Attrs),
		sysAttrs: s.Sys, md5SysAttrs: md5OfAttributes(s.Sys), senderID: s.Sender, sentAt: time.UnixMilli(s.Sent),
		groupID: s.Group, dedupID: s.Dedup, seq: s.Seq, dlqSource: s.DLQSource, receiveCount: s.Count,
		visibleAt: time.UnixMilli(s.Visible), receipt: s.Receipt, heapIndex: -1}
	if s.First != 0 {
		m.firstReceive = time.UnixMilli(s.First)
	}
	return m
}

type createQueueRecord struct {
	Name    string            `json:"name"`
	Attrs   map[string]string `json:"attrs"`
	Tags    map[string]string `json:"tags,omitempty"`
	Created int64             `json:"created"`
}

type nameRecord struct {
	Name string `json:"name"`
}

type setAttrsRecord struct {
	Name     string            `json:"name"`
	Attrs    map[string]string `json:"attrs"`
	Modified int64             `json:"modified"`
}

type tagsRecord struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

type sendRecord struct {
	Queue      string   `json:"q"`
	Msg        msgState `json:"m"`
	DedupKeyed bool     `json:"dk,omitempty"`
}

type msgRecord struct {
	Queue string `json:"q"`
	ID    string `json:"id"`
}

type receiveRecord struct {
	Queue     string `json:"q"`
	ID        string `json:"id"`
	Count     int    `json:"count"`
	First     int64  `json:"first"`
	VisibleAt int64  `json:"visible"`
	Receipt   string `json:"receipt"`
}

type dedupSnap struct {
	Key     string `json:"key"`
	ID      string `json:"id"`
	Seq     uint64 `json:"seq"`
	Expires int64  `json:"expires"`
}

type queueSnap struct {
	Name      string            `json:"name"`
	Created   int64             `json:"created"`
	Modified  int64             `json:"modified"`
	Attrs     map[string]string `json:"attrs"`
	Tags      map[string]string `json:"tags,omitempty"`
	Seq       uint64            `json:"seq,omitempty"`
	LastPurge int64             `json:"lastPurge,omitempty"`
	Messages  []msgState        `json:"messages"`
	Dedup     []dedupSnap       `json:"dedup,omitempty"`
}

func (svc *sqsService) snapshot() []queueSnap {
	all := svc.loaded()
	qs := make([]*sqsQueue, 0, len(all))
	for _, q := range all {
		qs = append(qs, q)
	}
	out := make([]queueSnap, 0, len(qs))
	for _, q := range qs {
		q.mu.Lock()
		s := queueSnap{Name: q.name, Created: q.created.UnixMilli(), Modified: q.modified.UnixMilli(), Attrs: q.attrs,
			Tags: q.tags, Seq: q.seq}
		if !q.lastPurge.IsZero() {
			s.LastPurge = q.lastPurge.UnixMilli()
		}
		msgs := make([]*sqsMessage, 0, len(q.byID))
		for _, m := range q.byID {
			msgs = append(msgs, m)
		}
		sort.Slice(msgs, func(i, j int) bool {
			if q.fifo {
				return msgs[i].seq < msgs[j].seq
			}
			return msgs[i].sentAt.Before(msgs[j].sentAt)
		})
		for _, m := range msgs {
			s.Messages = append(s.Messages, m.state())
		}
		for k, e := range q.dedup {
			s.Dedup = append(s.Dedup, dedupSnap{Key: k, ID: e.messageID, Seq: e.seq, Expires: e.expires.UnixMilli()})
		}
		// Copy maps: the snapshot is encoded after the lock is released.
		s.Attrs = copyStrings(q.attrs)
		s.Tags = copyStrings(q.tags)
		q.mu.Unlock()
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func copyStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (svc *sqsService) restore(qs []queueSnap) {
	for _, s := range qs {
		q := svc.newQueue(s.Name, strings.HasSuffix(s.Name, ".fifo"), time.UnixMilli(s.Created))
		q.modified = time.UnixMilli(s.Modified)
		q.applyAttrs(s.Attrs)
		q.tags = copyStrings(s.Tags)
		q.seq = s.Seq
		if s.LastPurge != 0 {
			q.lastPurge = time.UnixMilli(s.LastPurge)
		}
		for _, d := range s.Dedup {
			q.dedup[d.Key] = dedupEntry{messageID: d.ID, seq: d.Seq, expires: time.UnixMilli(d.Expires)}
		}
		for i := range s.Messages {
			q.restoreMessage(s.Messages[i].message())
		}
		svc.queues[s.Name] = q
	}
	svc.publish()
}

// restoreMessage places a recovered message where its state puts it.
func (q *sqsQueue) restoreMessage(m *sqsMessage) {
	q.byID[m.id] = m
	if q.fifo {
		// Records and snapshots list FIFO messages in sequence order.
		q.fifoList = append(q.fifoList, m)
		return
	}
	// Everything goes to the waiting heap; promote moves what is due.
	q.pushWaiting(m)
}

func (svc *sqsService) apply(op string, data json.RawMessage) error {
	queue := func(name string) (*sqsQueue, error) {
		q := svc.queues[name]
		if q == nil {
			return nil, fmt.Errorf("queue %q not found", name)
		}
		return q, nil
	}
	switch op {
	case recCreateQueue:
		var r createQueueRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q := svc.newQueue(r.Name, strings.HasSuffix(r.Name, ".fifo"), time.UnixMilli(r.Created))
		q.applyAttrs(r.Attrs)
		q.tags = copyStrings(r.Tags)
		svc.queues[r.Name] = q
		svc.publish()
	case recDeleteQueue:
		var r nameRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		delete(svc.queues, r.Name)
		svc.publish()
	case recSetQueueAttrs:
		var r setAttrsRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q, err := queue(r.Name)
		if err != nil {
			return err
		}
		q.applyAttrs(r.Attrs)
		q.modified = time.UnixMilli(r.Modified)
	case recSendMessage:
		var r sendRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q, err := queue(r.Queue)
		if err != nil {
			return err
		}
		m := r.Msg.message()
		if q.fifo {
			if m.seq > q.seq {
				q.seq = m.seq
			}
			if r.DedupKeyed {
				key := m.dedupID
				if q.dedupByGrp {
					key = m.groupID + "\x00" + key
				}
				q.dedup[key] = dedupEntry{messageID: m.id, seq: m.seq, expires: m.sentAt.Add(sqsDedupWindow)}
			}
		}
		if old := q.byID[m.id]; old != nil {
			q.remove(old)
		}
		q.restoreMessage(m)
	case recDeleteMessage:
		var r msgRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q, err := queue(r.Queue)
		if err != nil {
			return err
		}
		if m := q.byID[r.ID]; m != nil {
			q.remove(m)
		}
	case recReceive:
		var r receiveRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q, err := queue(r.Queue)
		if err != nil {
			return err
		}
		m := q.byID[r.ID]
		if m == nil {
			return nil
		}
		if q.fifo {
			m.receiveCount, m.firstReceive, m.visibleAt, m.receipt = r.Count, time.UnixMilli(r.First), time.UnixMilli(r.VisibleAt), r.Receipt
			return nil
		}
		// During recovery every standard-queue message sits in the waiting
		// heap (restoreMessage); take it out, update it, put it back.
		q.remove(m)
		m.deleted = false
		q.byID[m.id] = m
		m.receiveCount, m.firstReceive, m.visibleAt, m.receipt = r.Count, time.UnixMilli(r.First), time.UnixMilli(r.VisibleAt), r.Receipt
		q.pushWaiting(m)
	case recTags:
		var r tagsRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q, err := queue(r.Name)
		if err != nil {
			return err
		}
		q.tags = copyStrings(r.Tags)
	case recPurge:
		var r nameRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		q, err := queue(r.Name)
		if err != nil {
			return err
		}
		q.clear()
	default:
		return fmt.Errorf("unknown record %q", op)
	}
	return nil
}
