package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
)

// The probes of the routes that consume a queue (ReceiveMessage, DeleteMessage) or purge one
// (PurgeQueue). Each prepares what its requests consume with the SDK before the load
// (prepare.go): messages named by the run, whose bodies carry a bench id as every other
// route's messages do ({"benchId":"RUN-ROUTE-KIND-SEQ"}), so that what is left on a queue
// says which run left it.
//
// What a 2xx proves, and how each probe checks it downstream:
//
//   - received-messages (GET /jobs): each request receives one message (max=1) and keeps it
//     in flight for the whole run (visibility covering it). A 2xx answer that named messages
//     is delivered when every one is a message the run sent for the route and is still in
//     flight under the receipt handle that answer gave (ChangeMessageVisibility with that
//     handle succeeds: a message received again since, or visible again, fails it). A 2xx
//     answer with no message is delivered only when the run's messages were all received by
//     the answers, i.e. the queue had none of them left to give. Messages named by more than
//     one answer are reported.
//   - deleted-messages (DELETE /jobs): each request deletes the message its handle names,
//     which the probe sent and received before the load. An accepted request is delivered
//     when its message is gone: ChangeMessageVisibility with its handle answers that the
//     message does not exist. A message still in flight (the call succeeds) or visible
//     (MessageNotInflight) is present, so missing: nothing in flight is ever called deleted.
//   - purges (DELETE /scratch): a purge deletes every message of the queue and SQS refuses
//     another within 60 seconds (403 PurgeQueueInProgress; the REST route's 400), which is a
//     documented refusal, not a failure. Before the load the probe puts one marker message per
//     API kind on the queue; after it, when a purge was accepted, no marker may remain. The
//     markers prove that a purge happened after they were sent: with one purge a minute, a
//     run of at most 60 seconds accepts at most one; a longer run's later purges are counted
//     on the same evidence, which only shows that one of them deleted the markers.
//
// Every message the run left (received but never deleted, sent but never received, a
// marker no purge deleted) is deleted after the check, so the next run starts from a queue
// without this run's messages; messages of other runs are never touched.

const (
	// consumeMargin is how much longer than the schedule a prepared message stays in flight:
	// the check after the load must find it still in flight.
	consumeMargin = 2 * time.Minute
	// sqsConcurrency is how many SQS calls a preparation or a check makes at once.
	sqsConcurrency = 16
	// maxVisibility is SQS's longest visibility timeout, 12 hours.
	maxVisibility = 12 * time.Hour
)

// sqsMessage is one message of a ReceiveMessage answer.
type sqsMessage struct {
	ID, Handle, Body string
}

// receivedMessages reads a ReceiveMessage answer as either API kind hands it on: SQS's
// query-protocol XML (the HTTP API) or that protocol's JSON (REST, which asks SQS for JSON).
func receivedMessages(body []byte) ([]sqsMessage, error) {
	body = bytes.TrimSpace(body)
	type message struct {
		MessageId     string `xml:"MessageId" json:"MessageId"`
		ReceiptHandle string `xml:"ReceiptHandle" json:"ReceiptHandle"`
		Body          string `xml:"Body" json:"Body"`
	}
	var ms []message
	if bytes.HasPrefix(body, []byte("<")) {
		var x struct {
			XMLName  xml.Name  `xml:"ReceiveMessageResponse"`
			Messages []message `xml:"ReceiveMessageResult>Message"`
		}
		if err := xml.Unmarshal(body, &x); err != nil {
			return nil, fmt.Errorf("not a ReceiveMessageResponse: %v", err)
		}
		ms = x.Messages
	} else {
		var j struct {
			ReceiveMessageResponse *struct {
				ReceiveMessageResult struct {
					Messages []message `json:"messages"`
				}
			}
		}
		if err := json.Unmarshal(body, &j); err != nil || j.ReceiveMessageResponse == nil {
			return nil, fmt.Errorf("not a ReceiveMessageResponse: %.100s", body)
		}
		ms = j.ReceiveMessageResponse.ReceiveMessageResult.Messages
	}
	out := make([]sqsMessage, len(ms))
	for i, m := range ms {
		out[i] = sqsMessage{ID: m.MessageId, Handle: m.ReceiptHandle, Body: m.Body}
	}
	return out, nil
}

// sendNamed sends one message per id to the queue, its body {"benchId":"ID"}, and returns
// the message IDs SQS gave them, by index.
func sendNamed(ctx context.Context, api *sqs.Client, queue string, ids []string) ([]string, error) {
	msgIDs := make([]string, len(ids))
	batches := (len(ids) + 9) / 10
	err := forEachConcurrently(ctx, batches, sqsConcurrency, func(ctx context.Context, b int) error {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i := b * 10; i < min(len(ids), b*10+10); i++ {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)),
				MessageBody: aws.String(`{"benchId":"` + ids[i] + `"}`)})
		}
		out, err := api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queue), Entries: entries})
		if err != nil {
			return fmt.Errorf("SendMessageBatch %s: %w", queue, err)
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return fmt.Errorf("SendMessageBatch %s: %d of %d failed, the first %s: %s", queue, len(out.Failed), len(entries), aws.ToString(f.Code), aws.ToString(f.Message))
		}
		for _, s := range out.Successful {
			i, _ := strconv.Atoi(aws.ToString(s.Id))
			msgIDs[i] = aws.ToString(s.MessageId)
		}
		return nil
	})
	return msgIDs, err
}

// visibilityFor is how long a message prepared for a schedule that ends end after its origin
// must stay in flight, or an error when SQS cannot keep it that long.
func visibilityFor(p preparation) (time.Duration, error) {
	v := (p.end + consumeMargin).Round(time.Second) + time.Second
	if v > maxVisibility {
		return 0, fmt.Errorf("its messages would have to stay in flight %s, longer than SQS's %s: shorten --warmup and --duration, or leave %s out of --routes", v, maxVisibility, p.route.Name)
	}
	return v, nil
}

// apiCode is the error code of an SQS error, "" for an error that is not one.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// messageState is what ChangeMessageVisibility with a receipt handle says of its message.
type messageState int

const (
	// held: the message is in flight under this handle (and its visibility was changed).
	held messageState = iota
	// goneOrStale: the message does not exist, or this is not its latest handle; SQS
	// answers both alike ("Message does not exist or is not available for visibility
	// timeout change").
	goneOrStale
	// visible: the message is there, not in flight (MessageNotInflight).
	visible
)

// visibilityState changes the visibility of the message with this receipt handle to
// visibility, and says what SQS's answer tells of the message.
func visibilityState(ctx context.Context, api *sqs.Client, queue, handle string, visibility int32) (messageState, error) {
	_, err := api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(queue),
		ReceiptHandle: aws.String(handle), VisibilityTimeout: visibility})
	switch c := apiCode(err); {
	case err == nil:
		return held, nil
	case c == "InvalidParameterValue":
		return goneOrStale, nil
	case strings.HasSuffix(c, "MessageNotInflight"):
		return visible, nil
	}
	return 0, fmt.Errorf("ChangeMessageVisibility %s: %w", queue, err)
}

// deleteLeftovers receives every visible message of the queue and deletes those whose bench
// id says this run and route made them; other messages are made visible again at once. It
// returns how many it deleted.
func deleteLeftovers(ctx context.Context, api *sqs.Client, queue, run, route string) (int, error) {
	deleted, empty := 0, 0
	for empty < 2 {
		out, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, VisibilityTimeout: 30})
		if err != nil {
			return deleted, fmt.Errorf("ReceiveMessage %s: %w", queue, err)
		}
		ours := 0
		for _, m := range out.Messages {
			if id, ok := findBenchID(aws.ToString(m.Body)); ok && id.Run == run && id.Route == route {
				ours++
				if _, err := api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
					return deleted, fmt.Errorf("DeleteMessage %s: %w", queue, err)
				}
				deleted++
			} else if _, err := api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(queue),
				ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
				return deleted, fmt.Errorf("ChangeMessageVisibility %s: %w", queue, err)
			}
		}
		if ours == 0 {
			empty++
		} else {
			empty = 0
		}
	}
	return deleted, nil
}

// The received-messages probe.

// receiveState is one API kind's prepared messages and the answers its receives got.
type receiveState struct {
	kind contract.Kind
	n    int
	sent map[string]bool // the message IDs of the messages sent for the kind's requests

	mu      sync.Mutex
	answers map[uint64][]sqsMessage // by request seq, every 2xx answer's messages
	bad     map[uint64]string       // 2xx answers that are no ReceiveMessage answer
}

// queryParam is the query-string parameter a route's HTTP mapping takes an SQS member from
// ("visibility" for VisibilityTimeout), "" when it maps none: the REST route reads the same.
func queryParam(p preparation, member string) string {
	v := p.route.HTTP.Parameters[member].Expr
	if name, ok := strings.CutPrefix(v, "$request.querystring."); ok {
		return name
	}
	return ""
}

// prepareReceives sends p.n messages for the route's receives, and has each request ask for
// one message kept in flight past the run's end.
func prepareReceives(ctx context.Context, p preparation) (*Prepared, error) {
	visibility, err := visibilityFor(p)
	if err != nil {
		return nil, err
	}
	maxParam, visParam := queryParam(p, "MaxNumberOfMessages"), queryParam(p, "VisibilityTimeout")
	if visParam == "" {
		return nil, fmt.Errorf("route %s maps no query parameter to VisibilityTimeout: its receives could not keep their messages in flight until the check", p.route.Name)
	}
	ids := make([]string, p.n)
	for seq := range ids {
		ids[seq] = p.ID(uint64(seq))
	}
	api := sqs.NewFromConfig(p.awsCfg)
	msgIDs, err := sendNamed(ctx, api, p.output, ids)
	if err != nil {
		return nil, err
	}
	st := &receiveState{kind: p.kind, n: p.n, sent: map[string]bool{}, answers: map[uint64][]sqsMessage{}, bad: map[uint64]string{}}
	for _, id := range msgIDs {
		st.sent[id] = true
	}
	q := url.Values{visParam: {strconv.Itoa(int(visibility.Seconds()))}}
	if maxParam != "" {
		q.Set(maxParam, "1")
	}
	inputs := make([]Input, p.n)
	for i := range inputs {
		inputs[i] = Input{Query: q}
	}
	return &Prepared{Inputs: inputs, State: st,
		Note: fmt.Sprintf("%d messages sent to be received, one a request, each kept in flight %s", p.n, visibility)}, nil
}

// observeReceive keeps what a 2xx receive answered.
func observeReceive(state any, id ID, r *vegeta.Result) {
	st := state.(*receiveState)
	msgs, err := receivedMessages(r.Body)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		st.bad[id.Seq] = err.Error()
		return
	}
	st.answers[id.Seq] = msgs
}

// findReceived checks every kind's 2xx answers (see the top of this file).
func findReceived(ctx context.Context, l lookup) (*seenSet, error) {
	api := sqs.NewFromConfig(l.awsCfg)
	sent := map[string]bool{}
	var states []*receiveState
	for _, kind := range contract.Kinds {
		if st, ok := l.prepared[kind].(*receiveState); ok {
			states = append(states, st)
			for id := range st.sent {
				sent[id] = true
			}
		}
	}
	type answer struct {
		id   ID
		msgs []sqsMessage
	}
	var answers []answer
	named := map[string]int{}
	for _, st := range states {
		st.mu.Lock()
		for seq, msgs := range st.answers {
			answers = append(answers, answer{ID{Run: l.run, Route: l.route, Kind: st.kind, Seq: seq}, msgs})
			for _, m := range msgs {
				named[m.ID]++
			}
		}
		for seq, why := range st.bad {
			l.log("%s %s request %d answered 2xx with %s", l.route, st.kind, seq, why)
		}
		st.mu.Unlock()
	}
	// A message is proven received by the answer whose handle still holds it in flight.
	proven := make([]bool, len(answers))
	var mu sync.Mutex
	err := forEachConcurrently(ctx, len(answers), sqsConcurrency, func(ctx context.Context, i int) error {
		ok := len(answers[i].msgs) > 0
		for _, m := range answers[i].msgs {
			if !sent[m.ID] {
				ok = false
				continue
			}
			state, err := visibilityState(ctx, api, l.output, m.Handle, 60)
			if err != nil {
				return err
			}
			if state != held {
				ok = false
				continue
			}
			if _, err := api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(l.output), ReceiptHandle: aws.String(m.Handle)}); err != nil {
				return fmt.Errorf("DeleteMessage %s: %w", l.output, err)
			}
		}
		mu.Lock()
		proven[i] = ok
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	drained := true
	for id := range sent {
		drained = drained && named[id] > 0
	}
	seen := newSeenSet()
	twice, foreign := 0, 0
	for id, n := range named {
		if n > 1 {
			twice++
		}
		if !sent[id] {
			foreign++
		}
	}
	for i, a := range answers {
		if proven[i] || (len(a.msgs) == 0 && drained) {
			seen.add(a.id, l.accepted)
		}
	}
	if twice > 0 {
		l.log("%s: %d of the run's messages were received by more than one answer (only the last answer's handle holds one)", l.route, twice)
	}
	if foreign > 0 {
		l.log("%s: the answers named %d messages this run did not send (left on %s by something else): those answers prove nothing", l.route, foreign, l.output)
	}
	if n, err := deleteLeftovers(ctx, api, l.output, l.run, l.route); err != nil {
		return nil, err
	} else if n > 0 {
		l.log("%s: deleted %d of the run's messages no answer received", l.route, n)
	}
	return seen, nil
}

// The deleted-messages probe.

// deleteState is one API kind's prepared messages: request seq deletes the message whose
// handle is handles[seq].
type deleteState struct {
	kind    contract.Kind
	handles []string
}

// prepareDeletes sends p.n messages and receives them, each kept in flight past the run's
// end, and gives request seq the receipt handle of message seq.
func prepareDeletes(ctx context.Context, p preparation) (*Prepared, error) {
	header := p.route.Delivery.InputHeader
	if header == "" {
		return nil, fmt.Errorf("route %s names no Delivery.InputHeader to carry each request's receipt handle", p.route.Name)
	}
	visibility, err := visibilityFor(p)
	if err != nil {
		return nil, err
	}
	ids := make([]string, p.n)
	bySeq := map[string]int{}
	for seq := range ids {
		ids[seq] = p.ID(uint64(seq))
		bySeq[ids[seq]] = seq
	}
	api := sqs.NewFromConfig(p.awsCfg)
	if _, err := sendNamed(ctx, api, p.output, ids); err != nil {
		return nil, err
	}
	handles := make([]string, p.n)
	began := time.Now()
	deadline := began.Add(2*time.Minute + time.Duration(p.n/100)*time.Second)
	var mu sync.Mutex
	got := 0
	for got < p.n {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("received %d of the %d messages sent to %s before %s", got, p.n, p.output, deadline.Format(time.TimeOnly))
		}
		rounds := min((p.n-got+9)/10, sqsConcurrency)
		err := forEachConcurrently(ctx, rounds, sqsConcurrency, func(ctx context.Context, _ int) error {
			out, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(p.output), MaxNumberOfMessages: 10,
				WaitTimeSeconds: 1, VisibilityTimeout: int32(visibility.Seconds())})
			if err != nil {
				return fmt.Errorf("ReceiveMessage %s: %w", p.output, err)
			}
			for _, m := range out.Messages {
				id, ok := findBenchID(aws.ToString(m.Body))
				seq, mine := bySeq[id.String()]
				if !ok || !mine {
					// Another route's or run's message: visible again at once.
					if _, err := api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(p.output),
						ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
						return fmt.Errorf("ChangeMessageVisibility %s: %w", p.output, err)
					}
					continue
				}
				mu.Lock()
				if handles[seq] == "" {
					got++
				}
				handles[seq] = aws.ToString(m.ReceiptHandle)
				mu.Unlock()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	inputs := make([]Input, p.n)
	for seq, h := range handles {
		inputs[seq] = Input{Header: http.Header{header: {h}}}
	}
	return &Prepared{Inputs: inputs, State: &deleteState{kind: p.kind, handles: handles},
		Note:  fmt.Sprintf("%d messages sent and received for their receipt handles, each in flight %s", p.n, visibility),
		Lasts: began.Add(visibility)}, nil
}

// findDeleted finds the accepted requests whose message is gone, and deletes the messages of
// the requests that were not accepted (or did not delete theirs).
func findDeleted(ctx context.Context, l lookup) (*seenSet, error) {
	api := sqs.NewFromConfig(l.awsCfg)
	seen := newSeenSet()
	var mu sync.Mutex
	left := 0
	for _, kind := range contract.Kinds {
		st, ok := l.prepared[kind].(*deleteState)
		if !ok {
			continue
		}
		err := forEachConcurrently(ctx, len(st.handles), sqsConcurrency, func(ctx context.Context, seq int) error {
			id := ID{Run: l.run, Route: l.route, Kind: kind, Seq: uint64(seq)}
			// The check keeps a message it finds in flight there (a minute more) rather
			// than making it visible: a visible one could be received by another route's
			// check on the same queue before the delete below, and a delete with this, by
			// then stale, handle succeeds without deleting (as SQS documents).
			state, err := visibilityState(ctx, api, l.output, st.handles[seq], 60)
			if err != nil {
				return err
			}
			present := state != goneOrStale
			if present {
				// Still there: delete it with the handle it still answers to.
				if _, err := api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(l.output), ReceiptHandle: aws.String(st.handles[seq])}); err != nil {
					return fmt.Errorf("DeleteMessage %s: %w", l.output, err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if present {
				left++
			} else if l.accepted(id) {
				seen.add(id, l.accepted)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// A message the check found visible (not in flight) is present too: it may have lost
	// the handle the check holds. Receive the queue dry of the run's messages.
	if n, err := deleteLeftovers(ctx, api, l.output, l.run, l.route); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("%d of the run's messages were still visible on %s after the load: they outlived the visibility the probe gave them, so which were deleted is unknown", n, l.output)
	}
	if left > 0 {
		l.log("%s: deleted %d of the run's messages that were still there after the load", l.route, left)
	}
	return seen, nil
}

// The purges probe.

// purgeState is one API kind's marker on the queue to purge.
type purgeState struct {
	kind   contract.Kind
	n      int
	marker string // its message ID
}

// preparePurges puts one marker message on the queue for the kind.
func preparePurges(ctx context.Context, p preparation) (*Prepared, error) {
	api := sqs.NewFromConfig(p.awsCfg)
	ids, err := sendNamed(ctx, api, p.output, []string{p.ID(0)})
	if err != nil {
		return nil, err
	}
	return &Prepared{State: &purgeState{kind: p.kind, n: p.n, marker: ids[0]},
		Note: "1 marker message on the queue, which an accepted purge must delete"}, nil
}

// findPurged counts every accepted purge delivered when no marker of the run is left on the
// queue. SQS may take up to 60 seconds to delete a purged queue's messages: the check looks
// until the deadline.
func findPurged(ctx context.Context, l lookup) (*seenSet, error) {
	api := sqs.NewFromConfig(l.awsCfg)
	seen := newSeenSet()
	var accepted []ID
	markers := map[string]bool{}
	for _, kind := range contract.Kinds {
		st, ok := l.prepared[kind].(*purgeState)
		if !ok {
			continue
		}
		markers[st.marker] = true
		for seq := range st.n {
			if id := (ID{Run: l.run, Route: l.route, Kind: kind, Seq: uint64(seq)}); l.accepted(id) {
				accepted = append(accepted, id)
			}
		}
	}
	for {
		left, err := markersLeft(ctx, api, l.output, markers)
		if err != nil {
			return nil, err
		}
		if left == 0 {
			for _, id := range accepted {
				seen.add(id, l.accepted)
			}
			return seen, nil
		}
		if len(accepted) == 0 || time.Now().After(l.deadline) {
			// No purge deleted them: delete them, so that they outlive no run.
			if _, err := deleteLeftovers(ctx, api, l.output, l.run, l.route); err != nil {
				return nil, err
			}
			return seen, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// markersLeft is how many of the markers are on the queue: it receives the queue's visible
// messages, making each visible again at once, until two receives in a row find no new
// marker.
func markersLeft(ctx context.Context, api *sqs.Client, queue string, markers map[string]bool) (int, error) {
	found := map[string]bool{}
	for empty := 0; empty < 2; {
		out, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1})
		if err != nil {
			return 0, fmt.Errorf("ReceiveMessage %s: %w", queue, err)
		}
		before := len(found)
		for _, m := range out.Messages {
			if markers[aws.ToString(m.MessageId)] {
				found[aws.ToString(m.MessageId)] = true
			}
			// Visible again at once, for the next look and the purge.
			if _, err := api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(queue),
				ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
				return 0, fmt.Errorf("ChangeMessageVisibility %s: %w", queue, err)
			}
		}
		if len(found) == before {
			empty++
		} else {
			empty = 0
		}
		if len(found) == len(markers) {
			break
		}
	}
	return len(found), nil
}

// log writes to the run's log, when it has one.
func (l lookup) log(format string, a ...any) {
	if l.logf != nil {
		l.logf(format, a...)
	}
}
