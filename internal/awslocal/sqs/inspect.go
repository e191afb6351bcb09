package sqs

import (
	"sort"
	"time"
)

// Inspection: a read-only view of every queue and its messages, for the local runner's
// inspector page. It changes nothing: no receive count, no visibility timeout.

// QueueView is one queue as the inspector shows it.
type QueueView struct {
	Name     string        `json:"name"`
	URL      string        `json:"url"`
	FIFO     bool          `json:"fifo"`
	Visible  int           `json:"visible"`  // ApproximateNumberOfMessages
	InFlight int           `json:"inFlight"` // ApproximateNumberOfMessagesNotVisible
	Delayed  int           `json:"delayed"`  // ApproximateNumberOfMessagesDelayed
	Messages []MessageView `json:"messages"` // the oldest first, at most the limit asked for
}

// MessageView is one message in a queue.
type MessageView struct {
	ID           string                      `json:"id"`
	Body         string                      `json:"body"`
	Attributes   map[string]MessageAttribute `json:"attributes,omitempty"`
	GroupID      string                      `json:"groupId,omitempty"`
	SentAt       time.Time                   `json:"sentAt"`
	ReceiveCount int                         `json:"receiveCount"`
	// State is "visible", "in flight" (received, not deleted, its visibility timeout
	// running) or "delayed".
	State string `json:"state"`
}

// Inspect returns every queue, by name, with up to limit of its messages each.
func (svc *Service) Inspect(limit int) []QueueView {
	queues := *svc.byName.Load()
	names := make([]string, 0, len(queues))
	for n := range queues {
		names = append(names, n)
	}
	sort.Strings(names)
	now := svc.clock.Now()
	out := make([]QueueView, 0, len(names))
	for _, n := range names {
		out = append(out, queues[n].inspect(now, limit))
	}
	return out
}

func (q *queue) inspect(now time.Time, limit int) QueueView {
	q.mu.Lock()
	defer q.mu.Unlock()
	v := QueueView{Name: q.name, URL: q.svc.queueURL(q.name), FIFO: q.fifo}
	var msgs []*message
	for _, m := range q.byID {
		if !m.deleted {
			msgs = append(msgs, m)
		}
	}
	sort.Slice(msgs, func(i, j int) bool {
		if msgs[i].sentAt != msgs[j].sentAt {
			return msgs[i].sentAt < msgs[j].sentAt
		}
		return msgs[i].ext().seq < msgs[j].ext().seq
	})
	for _, m := range msgs {
		state := "visible"
		switch {
		case m.visibleAt.After(now) && m.receiveCount > 0:
			state = "in flight"
			v.InFlight++
		case m.visibleAt.After(now):
			state = "delayed"
			v.Delayed++
		default:
			v.Visible++
		}
		if len(v.Messages) < limit {
			v.Messages = append(v.Messages, MessageView{ID: m.id, Body: m.body, Attributes: m.ext().attrs, GroupID: m.ext().groupID,
				SentAt: m.sentAt.Time(), ReceiveCount: m.receiveCount, State: state})
		}
	}
	return v
}
