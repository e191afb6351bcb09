package sqs

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"firstclass/internal/awslocal/store"
)

// Durability: the records SQS appends to the store's log and its member
// of the snapshot ("queues"). The op names and JSON shapes are the
// persisted format; a state directory written by an earlier version must
// still restore, so they only ever gain optional fields.

// Record operations.
const (
	recCreateQueue   = "sqs.createQueue"
	recDeleteQueue   = "sqs.deleteQueue"
	recSetQueueAttrs = "sqs.setAttributes"
	recSendMessage   = "sqs.send"
	recDeleteMessage = "sqs.delete"
	recReceive       = "sqs.receive"
	recPurge         = "sqs.purge"
	recTags          = "sqs.tags"
)

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("queues", "sqs.", svc, svc.snapshot, svc.restore, replayers)
}

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

func (m *message) state(sender string) msgState {
	x := m.ext()
	s := msgState{ID: m.id, Body: m.body, Attrs: x.attrs, Sys: x.sysAttrs, Sender: sender, Sent: m.sentAt.UnixMilli(),
		Group: x.groupID, Dedup: x.dedupID, Seq: x.seq, DLQSource: x.dlqSource, Count: m.receiveCount,
		Visible: m.visibleAt.UnixMilli(), Receipt: m.receipt}
	if !m.firstReceive.IsZero() {
		s.First = m.firstReceive.UnixMilli()
	}
	return s
}

// message is the message s records. Its sender is not kept: it is always the account.
func (s *msgState) message() *message {
	m := &message{id: s.ID, body: s.Body, sentAt: at(time.UnixMilli(s.Sent)), receiveCount: s.Count,
		visibleAt: at(time.UnixMilli(s.Visible)), receipt: s.Receipt, heapIndex: -1,
		extra: withExtra(messageExtra{attrs: s.Attrs, sysAttrs: s.Sys, groupID: s.Group, dedupID: s.Dedup, seq: s.Seq, dlqSource: s.DLQSource})}
	if s.First != 0 {
		m.firstReceive = at(time.UnixMilli(s.First))
	}
	return m
}

type createQueueRecord struct {
	Name    string            `json:"name"`
	Attrs   map[string]string `json:"attrs"`
	Tags    map[string]string `json:"tags,omitempty"`
	Created int64             `json:"created"`
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

func (svc *Service) snapshot() []queueSnap {
	all := svc.loaded()
	qs := make([]*queue, 0, len(all))
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
		msgs := make([]*message, 0, len(q.byID))
		for _, m := range q.byID {
			msgs = append(msgs, m)
		}
		sort.Slice(msgs, func(i, j int) bool {
			if q.fifo {
				return msgs[i].ext().seq < msgs[j].ext().seq
			}
			return msgs[i].sentAt < msgs[j].sentAt
		})
		for _, m := range msgs {
			s.Messages = append(s.Messages, m.state(svc.account))
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

func (svc *Service) restore(qs []queueSnap) {
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
func (q *queue) restoreMessage(m *message) {
	q.byID[m.id] = m
	if q.fifo {
		// Records and snapshots list FIFO messages in sequence order.
		q.fifoList = append(q.fifoList, m)
		return
	}
	// Everything goes to the waiting heap; promote moves what is due.
	q.pushWaiting(m)
}

// replayers apply the records, by op.
var replayers = store.Replayers[*Service]{
	recCreateQueue: store.Redo(func(svc *Service, r createQueueRecord) {
		q := svc.newQueue(r.Name, strings.HasSuffix(r.Name, ".fifo"), time.UnixMilli(r.Created))
		q.applyAttrs(r.Attrs)
		q.tags = copyStrings(r.Tags)
		svc.queues[r.Name] = q
		svc.publish()
	}),
	recDeleteQueue: store.Redo(func(svc *Service, r store.NameRecord) {
		delete(svc.queues, r.Name)
		svc.publish()
	}),
	recSetQueueAttrs: store.Replay(func(svc *Service, r setAttrsRecord) error {
		return svc.onQueue(r.Name, func(q *queue) {
			q.applyAttrs(r.Attrs)
			q.modified = time.UnixMilli(r.Modified)
		})
	}),
	recSendMessage: store.Replay((*Service).replaySend),
	recDeleteMessage: store.Replay(func(svc *Service, r msgRecord) error {
		return svc.onQueue(r.Queue, func(q *queue) {
			if m := q.byID[r.ID]; m != nil {
				q.remove(m)
			}
		})
	}),
	recReceive: store.Replay((*Service).replayReceive),
	recTags: store.Replay(func(svc *Service, r tagsRecord) error {
		return svc.onQueue(r.Name, func(q *queue) { q.tags = copyStrings(r.Tags) })
	}),
	recPurge: store.Replay(func(svc *Service, r store.NameRecord) error {
		return svc.onQueue(r.Name, (*queue).clear)
	}),
}

// onQueue replays a record on the queue it names, which must exist.
func (svc *Service) onQueue(name string, apply func(q *queue)) error {
	q := svc.queues[name]
	if q == nil {
		return fmt.Errorf("queue %q not found", name)
	}
	apply(q)
	return nil
}

func (svc *Service) replaySend(r sendRecord) error {
	return svc.onQueue(r.Queue, func(q *queue) { q.replaySend(r) })
}

func (q *queue) replaySend(r sendRecord) {
	m := r.Msg.message()
	if q.fifo {
		x := m.ext()
		if x.seq > q.seq {
			q.seq = x.seq
		}
		if r.DedupKeyed {
			key := x.dedupID
			if q.dedupByGrp {
				key = x.groupID + "\x00" + key
			}
			q.dedup[key] = dedupEntry{messageID: m.id, seq: x.seq, expires: m.sentAt.Time().Add(dedupWindow)}
		}
	}
	if old := q.byID[m.id]; old != nil {
		q.remove(old)
	}
	q.restoreMessage(m)
}

func (svc *Service) replayReceive(r receiveRecord) error {
	return svc.onQueue(r.Queue, func(q *queue) { q.replayReceive(r) })
}

func (q *queue) replayReceive(r receiveRecord) {
	m := q.byID[r.ID]
	if m == nil {
		return
	}
	if q.fifo {
		m.receiveCount, m.firstReceive, m.visibleAt, m.receipt = r.Count, at(time.UnixMilli(r.First)), at(time.UnixMilli(r.VisibleAt)), r.Receipt
		return
	}
	// During recovery every standard-queue message sits in the waiting
	// heap (restoreMessage); take it out, update it, put it back.
	q.remove(m)
	m.deleted = false
	q.byID[m.id] = m
	m.receiveCount, m.firstReceive, m.visibleAt, m.receipt = r.Count, at(time.UnixMilli(r.First)), at(time.UnixMilli(r.VisibleAt)), r.Receipt
	q.pushWaiting(m)
}
