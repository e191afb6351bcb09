package sqs

import (
	"encoding/json"
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
	return store.Section{
		Name:     "queues",
		OpPrefix: "sqs.",
		Snapshot: func() any { return svc.snapshot() },
		Restore: func(data json.RawMessage) error {
			var qs []queueSnap
			if err := json.Unmarshal(data, &qs); err != nil {
				return err
			}
			svc.restore(qs)
			return nil
		},
		Apply: func(op string, data json.RawMessage) error { return replayers.Apply(svc, op, data) },
	}
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

func (m *message) state() msgState {
	s := msgState{ID: m.id, Body: m.body, Attrs: m.attrs, Sys: m.sysAttrs, Sender: m.senderID, Sent: m.sentAt.UnixMilli(),
		Group: m.groupID, Dedup: m.dedupID, Seq: m.seq, DLQSource: m.dlqSource, Count: m.receiveCount,
		Visible: m.visibleAt.UnixMilli(), Receipt: m.receipt}
	if !m.firstReceive.IsZero() {
		s.First = m.firstReceive.UnixMilli()
	}
	return s
}

func (s *msgState) message() *message {
	m := &message{id: s.ID, body: s.Body, md5Body: md5Hex(s.Body), attrs: s.Attrs, md5Attrs: md5OfAttributes(s.Attrs),
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
	recCreateQueue: store.Replay(func(svc *Service, r createQueueRecord) error {
		q := svc.newQueue(r.Name, strings.HasSuffix(r.Name, ".fifo"), time.UnixMilli(r.Created))
		q.applyAttrs(r.Attrs)
		q.tags = copyStrings(r.Tags)
		svc.queues[r.Name] = q
		svc.publish()
		return nil
	}),
	recDeleteQueue: store.Replay(func(svc *Service, r nameRecord) error {
		delete(svc.queues, r.Name)
		svc.publish()
		return nil
	}),
	recSetQueueAttrs: store.Replay(func(svc *Service, r setAttrsRecord) error {
		q, err := svc.recordQueue(r.Name)
		if err != nil {
			return err
		}
		q.applyAttrs(r.Attrs)
		q.modified = time.UnixMilli(r.Modified)
		return nil
	}),
	recSendMessage: store.Replay((*Service).replaySend),
	recDeleteMessage: store.Replay(func(svc *Service, r msgRecord) error {
		q, err := svc.recordQueue(r.Queue)
		if err != nil {
			return err
		}
		if m := q.byID[r.ID]; m != nil {
			q.remove(m)
		}
		return nil
	}),
	recReceive: store.Replay((*Service).replayReceive),
	recTags: store.Replay(func(svc *Service, r tagsRecord) error {
		q, err := svc.recordQueue(r.Name)
		if err != nil {
			return err
		}
		q.tags = copyStrings(r.Tags)
		return nil
	}),
	recPurge: store.Replay(func(svc *Service, r nameRecord) error {
		q, err := svc.recordQueue(r.Name)
		if err != nil {
			return err
		}
		q.clear()
		return nil
	}),
}

// recordQueue finds the queue a record names.
func (svc *Service) recordQueue(name string) (*queue, error) {
	q := svc.queues[name]
	if q == nil {
		return nil, fmt.Errorf("queue %q not found", name)
	}
	return q, nil
}

func (svc *Service) replaySend(r sendRecord) error {
	q, err := svc.recordQueue(r.Queue)
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
			q.dedup[key] = dedupEntry{messageID: m.id, seq: m.seq, expires: m.sentAt.Add(dedupWindow)}
		}
	}
	if old := q.byID[m.id]; old != nil {
		q.remove(old)
	}
	q.restoreMessage(m)
	return nil
}

func (svc *Service) replayReceive(r receiveRecord) error {
	q, err := svc.recordQueue(r.Queue)
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
	return nil
}
