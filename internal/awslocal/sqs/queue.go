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
type message struct {
	id          string
	body        string
	md5Body     string
	attrs       map[string]MessageAttribute
	md5Attrs    string
	sysAttrs    map[string]MessageAttribute
	md5SysAttrs string
	senderID    string
	sentAt      time.Time
	groupID     string
	dedupID     string
	seq         uint64
	dlqSource   string

	receiveCount int
	firstReceive time.Time
	visibleAt    time.Time
	receipt      string
	deleted      bool
	heapIndex    int // index in waiting heap, -1 when not there
}

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
func (h msgHeap) Less(i, j int) bool { return h[i].visibleAt.Before(h[j].visibleAt) }
func (h msgHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex = i
	h[j].heapIndex = j
}
func (h *msgHeap) Push(x any) {
	m := x.(*message)
	m.heapIndex = len(*h)
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
			return q.waiting[0].visibleAt
		}
		return time.Time{}
	}
	var next time.Time
	for _, m := range q.fifoList {
		if !m.deleted && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
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
		heap.Remove(&q.waiting, m.heapIndex)
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
	if q.fifo {
		q.fifoList = append(q.fifoList, m)
	} else if m.visibleAt.After(now) {
		q.pushWaiting(m)
	} else {
		q.pushReady(m)
	}
	q.broadcast()
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
