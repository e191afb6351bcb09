package sqs

import (
	"container/heap"
	"sync"
	"time"

	"firstclass/internal/awslocal/store"
)

// message is one message. While in a standard queue it sits either in
// the ready deque (visible) or in the waiting heap (delayed or in flight);
// a FIFO queue keeps all its messages in send order instead.
//
// Every unconsumed message is one of these, so it is kept small (see
// BenchmarkStoredMessageOverhead): times are instants, not time.Time; the
// MD5 digests are computed when asked for, not stored; the sender is the
// account, always; what only FIFO queues, redriven messages or attributes
// use is in extra, nil for a plain message.
type message struct {
	id        string
	body      string
	sentAt    instant
	visibleAt instant
	extra     *messageExtra

	receiveCount int
	firstReceive instant
	receipt      string
	heapIndex    int32 // index in waiting heap, -1 when not there
	deleted      bool
}

// messageExtra is what few messages carry.
type messageExtra struct {
	attrs     map[string]MessageAttribute
	sysAttrs  map[string]MessageAttribute
	groupID   string
	dedupID   string
	seq       uint64
	dlqSource string
}

// noExtra is the extra of a message that has none, so reads need no nil check.
var noExtra = &messageExtra{}

// ext is m's extra for reading.
func (m *message) ext() *messageExtra {
	if m.extra == nil {
		return noExtra
	}
	return m.extra
}

// setExtra gives m its own extra, for writing.
func (m *message) setExtra() *messageExtra {
	if m.extra == nil || m.extra == noExtra {
		m.extra = &messageExtra{}
	}
	return m.extra
}

// withExtra returns e, or nil when it holds nothing.
func withExtra(e messageExtra) *messageExtra {
	if e.attrs == nil && e.sysAttrs == nil && e.groupID == "" && e.dedupID == "" && e.seq == 0 && e.dlqSource == "" {
		return nil
	}
	return &e
}

func (m *message) md5Body() string { return md5Hex(m.body) }

// instant is a time as Unix nanoseconds, 0 for none: 8 bytes where a time.Time takes 24.
type instant int64

func at(t time.Time) instant {
	if t.IsZero() {
		return 0
	}
	return instant(t.UnixNano())
}

func (i instant) Time() time.Time {
	if i == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(i))
}

func (i instant) IsZero() bool            { return i == 0 }
func (i instant) After(t time.Time) bool  { return i.Time().After(t) }
func (i instant) Before(t time.Time) bool { return i.Time().Before(t) }
func (i instant) UnixMilli() int64        { return i.Time().UnixMilli() }

type redrivePolicy struct {
	deadLetterTargetArn string
	maxReceiveCount     int
}

type queue struct {
	svc     *Service
	name    string
	arn     string
	fifo    bool
	created time.Time

	mu       sync.Mutex
	attrs    map[string]string // settable attributes as set (defaults filled in)
	modified time.Time
	tags     map[string]string

	visibility int
	delay      int
	maxSize    int
	retention  int
	waitTime   int
	redrive    *redrivePolicy
	cbDedup    bool
	dedupByGrp bool

	byID map[string]*message
	peak int // the most messages byID held since it was last rebuilt

	// standard queues
	ready     []*message
	readyHead int
	nReady    int
	waiting   msgHeap
	nDelayed  int
	nInflight int

	// FIFO queues
	fifoList []*message
	fifoDead int
	dedup    map[string]dedupEntry
	seq      uint64

	lastPurge time.Time
	gone      bool

	notify  chan struct{}
	waiters int
}

type dedupEntry struct {
	messageID string
	seq       uint64
	expires   time.Time
}

// msgHeap orders waiting messages by the time they become visible.
type msgHeap []*message

func (h msgHeap) Len() int           { return len(h) }
func (h msgHeap) Less(i, j int) bool { return h[i].visibleAt < h[j].visibleAt }
func (h msgHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex = int32(i)
	h[j].heapIndex = int32(j)
}
func (h *msgHeap) Push(x any) {
	m := x.(*message)
	m.heapIndex = int32(len(*h))
	*h = append(*h, m)
}
func (h *msgHeap) Pop() any {
	old := *h
	n := len(old)
	m := old[n-1]
	old[n-1] = nil
	m.heapIndex = -1
	*h = old[:n-1]
	return m
}

func (q *queue) broadcast() {
	if q.waiters > 0 {
		close(q.notify)
		q.notify = make(chan struct{})
	}
}

// counts returns the visible, in-flight and delayed message counts.
func (q *queue) counts(now time.Time) (visible, notVisible, delayed int) {
	if !q.fifo {
		q.promote(now)
		return q.nReady, q.nInflight, q.nDelayed
	}
	for _, m := range q.fifoList {
		if m.deleted {
			continue
		}
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.receiveCount == 0:
			delayed++
		default:
			notVisible++
		}
	}
	return
}

// promote moves waiting messages whose time has come to the ready deque.
func (q *queue) promote(now time.Time) {
	for len(q.waiting) > 0 && !q.waiting[0].visibleAt.After(now) {
		m := heap.Pop(&q.waiting).(*message)
		if m.receiveCount == 0 {
			q.nDelayed--
		} else {
			q.nInflight--
		}
		q.pushReady(m)
	}
}

func (q *queue) pushReady(m *message) {
	q.ready = append(q.ready, m)
	q.nReady++
}

func (q *queue) pushWaiting(m *message) {
	if m.receiveCount == 0 {
		q.nDelayed++
	} else {
		q.nInflight++
	}
	heap.Push(&q.waiting, m)
}

func (q *queue) popReady() *message {
	for q.readyHead < len(q.ready) {
		m := q.ready[q.readyHead]
		q.ready[q.readyHead] = nil
		q.readyHead++
		if q.readyHead > 1024 && q.readyHead*2 > len(q.ready) {
			n := copy(q.ready, q.ready[q.readyHead:])
			for i := n; i < len(q.ready); i++ {
				q.ready[i] = nil
			}
			q.ready = q.ready[:n]
			q.readyHead = 0
		}
		if m.deleted {
			continue
		}
		q.nReady--
		return m
	}
	q.ready = q.ready[:0]
	q.readyHead = 0
	return nil
}

// nextVisible returns when the next waiting message becomes visible (zero
// if none), so a long poll can wake for it.
func (q *queue) nextVisible() time.Time {
	if !q.fifo {
		if len(q.waiting) > 0 {
			return q.waiting[0].visibleAt.Time()
		}
		return time.Time{}
	}
	var next time.Time
	for _, m := range q.fifoList {
		if !m.deleted && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt.Time()
		}
	}
	return next
}

// remove drops m from the queue, wherever it is. Called with q.mu held.
func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.byID, m.id)
	defer q.shrink()
	if q.fifo {
		q.fifoDead++
		if q.fifoDead > 64 && q.fifoDead*2 > len(q.fifoList) {
			live := q.fifoList[:0]
			for _, x := range q.fifoList {
				if !x.deleted {
					live = append(live, x)
				}
			}
			for i := len(live); i < len(q.fifoList); i++ {
				q.fifoList[i] = nil
			}
			q.fifoList = live
			q.fifoDead = 0
		}
		return
	}
	if m.heapIndex >= 0 {
		heap.Remove(&q.waiting, int(m.heapIndex))
		if m.receiveCount == 0 {
			q.nDelayed--
		} else {
			q.nInflight--
		}
	} else {
		q.nReady-- // lazily skipped by popReady
	}
}

// enqueue adds a new message. Called with q.mu held.
func (q *queue) enqueue(m *message, now time.Time) {
	m.heapIndex = -1
	q.byID[m.id] = m
	q.peak = max(q.peak, len(q.byID))
	if q.fifo {
		q.fifoList = append(q.fifoList, m)
	} else if m.visibleAt.After(now) {
		q.pushWaiting(m)
	} else {
		q.pushReady(m)
	}
	q.broadcast()
}

// shrinkFrom is the size from which a queue gives its storage back once it holds an eighth
// of its peak: Go maps and slices never shrink by themselves, so a queue drained after a
// burst would keep the burst's index and deques for good.
const shrinkFrom = 4096

// shrink rebuilds the index and the deques at their live size when the queue holds an
// eighth of its peak or less. The rebuild is O(live messages), paid once per eightfold
// shrink, so its cost amortizes over the removals that led to it.
func (q *queue) shrink() {
	n := len(q.byID)
	if q.peak < shrinkFrom || n > q.peak/8 {
		return
	}
	byID := make(map[string]*message, n)
	for id, m := range q.byID {
		byID[id] = m
	}
	q.byID, q.peak = byID, n
	if q.fifo {
		live := make([]*message, 0, n)
		for _, m := range q.fifoList {
			if !m.deleted {
				live = append(live, m)
			}
		}
		q.fifoList, q.fifoDead = live, 0
		return
	}
	var ready []*message
	for _, m := range q.ready[q.readyHead:] {
		if m != nil && !m.deleted {
			ready = append(ready, m)
		}
	}
	q.ready, q.readyHead = ready, 0
	// The heap's order is kept: a copy at its exact length keeps every heapIndex.
	q.waiting = append(msgHeap(nil), q.waiting...)
}

func (svc *Service) purge(q *queue) error {
	unlock := svc.store.Gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	now := svc.now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeInterval {
		q.mu.Unlock()
		unlock()
		return errPurgeQueueInProgress(q.name)
	}
	q.lastPurge = now
	q.clear()
	seq := svc.store.Append(recPurge, store.NameRecord{Name: q.name})
	q.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

func (q *queue) clear() {
	for _, m := range q.byID {
		m.deleted = true
	}
	q.byID = make(map[string]*message)
	q.ready, q.readyHead, q.nReady = nil, 0, 0
	q.waiting, q.nDelayed, q.nInflight = nil, 0, 0
	q.fifoList, q.fifoDead = nil, 0
}
