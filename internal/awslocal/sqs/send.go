package sqs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// SendMessageInput is one message to send; SendMessage and each
// SendMessageBatch entry use it.
type SendMessageInput struct {
	QueueURL                string
	MessageBody             string
	DelaySeconds            *int
	MessageAttributes       map[string]MessageAttribute
	MessageSystemAttributes map[string]MessageAttribute
	MessageGroupID          string
	MessageDeduplicationID  string
}

// SendMessageOutput is what SQS returns for a sent message.
type SendMessageOutput struct {
	MessageID                    string
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string
	MD5OfMessageSystemAttributes string
	SequenceNumber               string
}

// prepare validates a message for q and builds it. A request without a
// MessageBody member decodes to an empty body, which is missing too.
func (q *queue) prepare(in *SendMessageInput) (*message, *awsproto.Error) {
	if in.MessageBody == "" {
		return nil, errMissingParameter("MessageBody")
	}
	if !validMessageText(in.MessageBody) {
		return nil, errInvalidMessageContents()
	}
	if err := validateMessageAttributes(in.MessageAttributes, "user"); err != nil {
		return nil, err
	}
	if err := validateSystemAttributes(in.MessageSystemAttributes); err != nil {
		return nil, err
	}
	if in.DelaySeconds != nil {
		d := *in.DelaySeconds
		if q.fifo {
			return nil, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", d)
		}
		if d < 0 || d > maxDelaySeconds {
			return nil, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", d)
		}
	}
	if q.fifo {
		if in.MessageGroupID == "" {
			return nil, errMissingParameter("MessageGroupId")
		}
		if !validFIFOID(in.MessageGroupID) {
			return nil, errInvalidParameterValue("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", in.MessageGroupID)
		}
		if in.MessageDeduplicationID != "" && !validFIFOID(in.MessageDeduplicationID) {
			return nil, errInvalidParameterValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", in.MessageDeduplicationID)
		}
	} else if in.MessageDeduplicationID != "" {
		return nil, errInvalidParameterValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.", in.MessageDeduplicationID)
	} else if in.MessageGroupID != "" && !validFIFOID(in.MessageGroupID) {
		return nil, errInvalidParameterValue("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", in.MessageGroupID)
	}
	m := &message{
		id:        awsproto.NewUUID(),
		body:      in.MessageBody,
		heapIndex: -1,
		extra: withExtra(messageExtra{attrs: in.MessageAttributes, sysAttrs: in.MessageSystemAttributes,
			groupID: in.MessageGroupID, dedupID: in.MessageDeduplicationID}),
	}
	return m, nil
}

func (m *message) size() int { return len(m.body) + attributesSize(m.ext().attrs) }

// send enqueues m (already prepared), applying size, FIFO deduplication and
// delay. It returns the record sequence to wait for before answering.
func (q *queue) send(m *message, delay *int) (SendMessageOutput, uint64, *awsproto.Error) {
	svc := q.svc
	unlock := svc.store.Gate()
	defer unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return SendMessageOutput{}, 0, errNonExistentQueue()
	}
	if m.size() > q.maxSize {
		return SendMessageOutput{}, 0, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.maxSize)
	}
	now := svc.now()
	m.sentAt = at(now)
	x := m.ext()
	out := SendMessageOutput{MD5OfMessageBody: m.md5Body(), MD5OfMessageAttributes: md5OfAttributes(x.attrs), MD5OfMessageSystemAttributes: md5OfAttributes(x.sysAttrs)}
	if q.fifo {
		x = m.setExtra()
		if x.dedupID == "" {
			if !q.cbDedup {
				return SendMessageOutput{}, 0, errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(m.body))
			x.dedupID = hex.EncodeToString(sum[:])
		}
		key := x.dedupID
		if q.dedupByGrp {
			key = x.groupID + "\x00" + key
		}
		if e, ok := q.dedup[key]; ok && now.Before(e.expires) {
			// A duplicate within the window is accepted and not enqueued.
			out.MessageID = e.messageID
			out.SequenceNumber = formatSeq(e.seq)
			return out, 0, nil
		}
		if len(q.dedup) > 1024 {
			for k, e := range q.dedup {
				if !now.Before(e.expires) {
					delete(q.dedup, k)
				}
			}
		}
		q.seq++
		x.seq = q.seq
		q.dedup[key] = dedupEntry{messageID: m.id, seq: x.seq, expires: now.Add(dedupWindow)}
		out.SequenceNumber = formatSeq(x.seq)
	}
	d := q.delay
	if delay != nil {
		d = *delay
	}
	m.visibleAt = at(now.Add(time.Duration(d) * time.Second))
	q.enqueue(m, now)
	out.MessageID = m.id
	var seq uint64
	if svc.store.On() {
		seq = svc.store.Append(recSendMessage, sendRecord{Queue: q.name, Msg: m.state(svc.account), DedupKeyed: q.fifo})
	}
	return out, seq, nil
}

// formatSeq renders a FIFO sequence number as the large 20-digit decimal
// SQS returns.
func formatSeq(n uint64) string {
	return fmt.Sprintf("%020d", 18000000000000000000/2+n)
}

func (svc *Service) sendMessage(q *queue, in *SendMessageInput) (SendMessageOutput, error) {
	m, err := q.prepare(in)
	if err != nil {
		return SendMessageOutput{}, err
	}
	out, seq, err := q.send(m, in.DelaySeconds)
	if err != nil {
		return SendMessageOutput{}, err
	}
	if werr := svc.store.Wait(seq); werr != nil {
		return SendMessageOutput{}, werr
	}
	return out, nil
}

// BatchResultErrorEntry is a failed entry of a batch call.
type BatchResultErrorEntry struct {
	ID          string
	Code        string
	Message     string
	SenderFault bool
}

// SendMessageBatchEntry is one entry of SendMessageBatch.
type SendMessageBatchEntry struct {
	ID string
	SendMessageInput
}

// SendMessageBatchResultEntry is a sent entry of SendMessageBatch.
type SendMessageBatchResultEntry struct {
	ID string
	SendMessageOutput
}

func checkBatchIDs(ids []string, entryName string) *awsproto.Error {
	if len(ids) == 0 {
		return errEmptyBatch(entryName)
	}
	if len(ids) > maxMessagesPerCall {
		return errTooManyEntries(len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validBatchEntryID(id) {
			return errInvalidBatchEntryID()
		}
		if seen[id] {
			return errBatchIdsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

func (svc *Service) sendMessageBatch(q *queue, entries []SendMessageBatchEntry) ([]SendMessageBatchResultEntry, []BatchResultErrorEntry, error) {
	ids := make([]string, len(entries))
	total := 0
	for i, e := range entries {
		ids[i] = e.ID
		total += len(e.MessageBody) + attributesSize(e.MessageAttributes)
	}
	if err := checkBatchIDs(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, nil, err
	}
	if total > maxBatchSize {
		return nil, nil, errBatchRequestTooLong(maxBatchSize, total)
	}
	var ok []SendMessageBatchResultEntry
	var failed []BatchResultErrorEntry
	var last uint64
	for i := range entries {
		e := &entries[i]
		m, err := q.prepare(&e.SendMessageInput)
		var out SendMessageOutput
		var seq uint64
		if err == nil {
			out, seq, err = q.send(m, e.DelaySeconds)
		}
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
		ok = append(ok, SendMessageBatchResultEntry{ID: e.ID, SendMessageOutput: out})
	}
	if err := svc.store.Wait(last); err != nil {
		return nil, nil, err
	}
	return ok, failed, nil
}
