package sqs

import (
	"container/heap"
	"context"
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// ReceiveMessageInput selects what ReceiveMessage returns.
type ReceiveMessageInput struct {
	QueueURL              string
	MaxNumberOfMessages   int  // 1-10, 0 means 1
	VisibilityTimeout     *int // nil: the queue's
	WaitTimeSeconds       *int // nil: the queue's ReceiveMessageWaitTimeSeconds
	SystemAttributeNames  []string
	MessageAttributeNames []string
}

// Message is a received message.
type Message struct {
	MessageID              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string
	MD5OfMessageAttributes string
	MessageAttributes      map[string]MessageAttribute
}

type dlqMove struct {
	target *queue
	msg    *message
}

func (svc *Service) receiveMessage(ctx context.Context, q *queue, in *ReceiveMessageInput) ([]Message, error) {
	max := in.MaxNumberOfMessages
	if max == 0 {
		max = 1
	}
	if max < 1 || max > maxMessagesPerCall {
		return nil, errMaxNumberOfMessages(max)
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibility) {
		return nil, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > maxWaitSeconds) {
		return nil, errInvalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	for _, n := range in.SystemAttributeNames {
		if !knownMessageSystemAttribute(n) {
			return nil, errInvalidAttributeName("Unknown Attribute %s.", n)
		}
	}
	q.mu.Lock()
	wait := q.waitTime
	q.mu.Unlock()
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	for {
		msgs, ch, next, err := svc.receiveOnce(q, in, max, wait > 0)
		if err != nil || len(msgs) > 0 || wait == 0 {
			return msgs, err
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			q.mu.Lock()
			q.waiters--
			q.mu.Unlock()
			return nil, nil
		}
		if !next.IsZero() {
			if d := next.Sub(svc.now()); d < remaining {
				remaining = d
			}
		}
		if remaining < time.Millisecond {
			remaining = time.Millisecond
		}
		t := time.NewTimer(remaining)
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
		case <-svc.closing:
		}
		t.Stop()
		q.mu.Lock()
		q.waiters--
		q.mu.Unlock()
		if ctx.Err() != nil {
			return nil, nil
		}
		select {
		case <-svc.closing:
			return nil, nil
		default:
		}
	}
}

// receiveOnce takes up to max visible messages. When it finds none and
// register is set, it registers the caller as a waiter and returns the
// channel a send closes, and when the next waiting message turns visible.
func (svc *Service) receiveOnce(q *queue, in *ReceiveMessageInput, max int, register bool) ([]Message, chan struct{}, time.Time, error) {
	unlock := svc.store.Gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return nil, nil, time.Time{}, errNonExistentQueue()
	}
	now := svc.now()
	vt := q.visibility
	if in.VisibilityTimeout != nil {
		vt = *in.VisibilityTimeout
	}
	var taken []*message
	var moves []dlqMove
	var dlq *queue
	if q.redrive != nil {
		dlq = svc.lookupARN(q.redrive.deadLetterTargetArn)
	}
	retention := time.Duration(q.retention) * time.Second
	// take returns false when m is not delivered (expired or redriven).
	// drop removes a message that is not delivered: a standard queue's
	// message was already popped from the ready deque.
	drop := func(m *message) {
		if q.fifo {
			q.remove(m)
		} else {
			m.deleted = true
			delete(q.byID, m.id)
			q.shrink()
		}
		if svc.store.On() {
			svc.store.Append(recDeleteMessage, msgRecord{Queue: q.name, ID: m.id})
		}
	}
	take := func(m *message) bool {
		if now.Sub(m.sentAt.Time()) >= retention {
			drop(m)
			return false
		}
		if dlq != nil && dlq != q && m.receiveCount >= q.redrive.maxReceiveCount {
			drop(m)
			moves = append(moves, dlqMove{target: dlq, msg: m})
			return false
		}
		m.receiveCount++
		if m.firstReceive.IsZero() {
			m.firstReceive = at(now)
		}
		m.receipt = newReceiptHandle(m.id)
		m.visibleAt = at(now.Add(time.Duration(vt) * time.Second))
		taken = append(taken, m)
		return true
	}
	if q.fifo {
		blocked := map[string]bool{}
		for _, m := range q.fifoList {
			if len(taken) >= max {
				break
			}
			if m.deleted || blocked[m.ext().groupID] {
				continue
			}
			if m.visibleAt.After(now) {
				blocked[m.ext().groupID] = true
				continue
			}
			if !take(m) {
				continue
			}
		}
	} else {
		q.promote(now)
		var again []*message
		for len(taken) < max {
			m := q.popReady()
			if m == nil {
				break
			}
			if !take(m) {
				continue
			}
			if vt == 0 {
				again = append(again, m)
			} else {
				q.pushWaiting(m)
			}
		}
		for _, m := range again {
			q.pushReady(m)
		}
	}
	if svc.store.On() {
		for _, m := range taken {
			// Receives are logged without forcing a sync: losing one in a
			// crash only makes the message visible again, which SQS allows.
			svc.store.AppendLazy(recReceive, receiveRecord{Queue: q.name, ID: m.id, Count: m.receiveCount,
				First: m.firstReceive.UnixMilli(), VisibleAt: m.visibleAt.UnixMilli(), Receipt: m.receipt})
		}
	}
	var ch chan struct{}
	var next time.Time
	if len(taken) == 0 && register {
		q.waiters++
		ch = q.notify
		next = q.nextVisible()
	}
	out := make([]Message, len(taken))
	for i, m := range taken {
		out[i] = q.render(m, in)
	}
	q.mu.Unlock()
	unlock()
	for _, mv := range moves {
		mv.target.acceptMoved(mv.msg, q.arn)
	}
	return out, ch, next, nil
}

// acceptMoved takes a message redriven from a source queue, keeping its ID,
// body, attributes, send time and receive count.
func (q *queue) acceptMoved(old *message, sourceArn string) {
	unlock := q.svc.store.Gate()
	defer unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return
	}
	m := *old
	m.deleted = false
	m.heapIndex = -1
	m.receipt = ""
	x := *old.ext() // the moved message's own copy
	m.extra = &x
	x.dlqSource = sourceArn
	now := q.svc.now()
	m.visibleAt = at(now)
	if q.fifo {
		q.seq++
		x.seq = q.seq
	}
	q.enqueue(&m, now)
	q.svc.store.Append(recSendMessage, sendRecord{Queue: q.name, Msg: m.state(q.svc.account)})
}

func knownMessageSystemAttribute(n string) bool {
	switch n {
	case "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
		"SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn":
		return true
	}
	return false
}

func (q *queue) render(m *message, in *ReceiveMessageInput) Message {
	out := Message{MessageID: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.md5Body(), Body: m.body}
	x := m.ext()
	if len(in.SystemAttributeNames) > 0 {
		all := false
		want := map[string]bool{}
		for _, n := range in.SystemAttributeNames {
			if n == "All" {
				all = true
			}
			want[n] = true
		}
		a := map[string]string{}
		add := func(k, v string) {
			if (all || want[k]) && v != "" {
				a[k] = v
			}
		}
		add("SenderId", q.svc.account)
		add("SentTimestamp", awsproto.Millis(m.sentAt.Time()))
		add("ApproximateReceiveCount", strconv.Itoa(m.receiveCount))
		add("ApproximateFirstReceiveTimestamp", awsproto.Millis(m.firstReceive.Time()))
		if tr, ok := x.sysAttrs["AWSTraceHeader"]; ok {
			add("AWSTraceHeader", tr.StringValue)
		}
		add("DeadLetterQueueSourceArn", x.dlqSource)
		if q.fifo {
			add("SequenceNumber", formatSeq(x.seq))
			add("MessageDeduplicationId", x.dedupID)
			add("MessageGroupId", x.groupID)
		} else if x.groupID != "" {
			add("MessageGroupId", x.groupID)
		}
		if len(a) > 0 {
			out.Attributes = a
		}
	}
	if len(in.MessageAttributeNames) > 0 && len(x.attrs) > 0 {
		sel := map[string]MessageAttribute{}
		for n, v := range x.attrs {
			if attributeNameWanted(in.MessageAttributeNames, n) {
				sel[n] = v
			}
		}
		if len(sel) > 0 {
			out.MessageAttributes = sel
			out.MD5OfMessageAttributes = md5OfAttributes(sel)
		}
	}
	return out
}

// Receipt handles encode the message ID so a stale or foreign handle can be
// told from a malformed one. Like AWS's they are standard base64 of binary
// data: long and with "+", "/" and "=" in them, so that a client passing one
// in a URL must encode it (what POST /jobs's README says, tested with real
// handles). Handles issued before this format (URL-safe base64, kept in a
// --state-dir) are still read.
func newReceiptHandle(msgID string) string {
	b := make([]byte, len(msgID)+1+receiptRandomBytes)
	copy(b, msgID)
	b[len(msgID)] = '#'
	for i := len(msgID) + 1; i < len(b); i++ {
		b[i] = byte(rand.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// receiptRandomBytes makes every handle unique; with a 36-character message ID the
// handle encodes 70 bytes, which base64 ends with "==".
const receiptRandomBytes = 33

func receiptMessageID(handle string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(handle)
	if err != nil {
		if b, err = base64.RawURLEncoding.DecodeString(handle); err != nil {
			return "", false
		}
	}
	id, _, ok := strings.Cut(string(b), "#")
	return id, ok && id != ""
}

func (svc *Service) deleteMessage(q *queue, handle string) error {
	seq, err := svc.deleteOne(q, handle)
	if err != nil {
		return err
	}
	return svc.store.Wait(seq)
}

func (svc *Service) deleteOne(q *queue, handle string) (uint64, *awsproto.Error) {
	if handle == "" {
		return 0, errMissingParameter("ReceiptHandle")
	}
	id, ok := receiptMessageID(handle)
	if !ok {
		return 0, errReceiptHandleIsInvalid(handle)
	}
	unlock := svc.store.Gate()
	defer unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return 0, errNonExistentQueue()
	}
	m := q.byID[id]
	// A stale handle (the message was received again since) succeeds
	// without deleting, as the SQS API reference documents.
	if m == nil || m.receipt != handle {
		return 0, nil
	}
	q.remove(m)
	if !svc.store.On() {
		return 0, nil
	}
	return svc.store.Append(recDeleteMessage, msgRecord{Queue: q.name, ID: m.id}), nil
}

// DeleteMessageBatchEntry is one entry of DeleteMessageBatch.
type DeleteMessageBatchEntry struct {
	ID            string
	ReceiptHandle string
}

func (svc *Service) deleteMessageBatch(q *queue, entries []DeleteMessageBatchEntry) ([]string, []BatchResultErrorEntry, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	if err := checkBatchIDs(ids, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, nil, err
	}
	var ok []string
	var failed []BatchResultErrorEntry
	var last uint64
	for _, e := range entries {
		seq, err := svc.deleteOne(q, e.ReceiptHandle)
		if err != nil {
			if err.Code == "QueueDoesNotExist" {
				return nil, nil, err
			}
			failed = append(failed, BatchResultErrorEntry{ID: e.ID, Code: err.QueryErrorCode(), Message: err.Message, SenderFault: true})
			continue
		}
		if seq > last {
			last = seq
		}
		ok = append(ok, e.ID)
	}
	if err := svc.store.Wait(last); err != nil {
		return nil, nil, err
	}
	return ok, failed, nil
}

func (svc *Service) changeVisibility(q *queue, handle string, timeout int) *awsproto.Error {
	if handle == "" {
		return errMissingParameter("ReceiptHandle")
	}
	if timeout < 0 || timeout > maxVisibility {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", timeout)
	}
	id, ok := receiptMessageID(handle)
	if !ok {
		return errReceiptHandleIsInvalid(handle)
	}
	unlock := svc.store.Gate()
	defer unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return errNonExistentQueue()
	}
	m := q.byID[id]
	if m == nil || m.receipt != handle {
		return errInvalidParameterValue("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", handle)
	}
	now := svc.now()
	if !m.visibleAt.After(now) {
		return errMessageNotInflight()
	}
	m.visibleAt = at(now.Add(time.Duration(timeout) * time.Second))
	if !q.fifo {
		heap.Fix(&q.waiting, int(m.heapIndex))
		if timeout == 0 {
			q.promote(now)
		}
	}
	if timeout == 0 {
		q.broadcast()
	}
	svc.store.AppendLazy(recReceive, receiveRecord{Queue: q.name, ID: m.id, Count: m.receiveCount,
		First: m.firstReceive.UnixMilli(), VisibleAt: m.visibleAt.UnixMilli(), Receipt: m.receipt})
	return nil
}

// ChangeVisibilityBatchEntry is one entry of ChangeMessageVisibilityBatch.
type ChangeVisibilityBatchEntry struct {
	ID                string
	ReceiptHandle     string
	VisibilityTimeout int
}

func (svc *Service) changeVisibilityBatch(q *queue, entries []ChangeVisibilityBatchEntry) ([]string, []BatchResultErrorEntry, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	if err := checkBatchIDs(ids, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, nil, err
	}
	var ok []string
	var failed []BatchResultErrorEntry
	for _, e := range entries {
		if err := svc.changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout); err != nil {
			if err.Code == "QueueDoesNotExist" {
				return nil, nil, err
			}
			failed = append(failed, BatchResultErrorEntry{ID: e.ID, Code: err.QueryErrorCode(), Message: err.Message, SenderFault: true})
			continue
		}
		ok = append(ok, e.ID)
	}
	return ok, failed, nil
}
