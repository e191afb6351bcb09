package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"firstclass/internal/contract"
)

// The delivery check finds every accepted request downstream, one by one, by its bench id, with
// the probe each route's spec.Delivery names (probe.go). For firstclass's routes:
//
//	SendToQueue         the queue's messages (their body is the request body)
//	PutEvent            the audit queue's messages (the bus's audit rule copies every event
//	                    there; the message is the event, whose detail is the request body)
//	StartWorkflow       ListExecutions of the STANDARD machine (the execution's name is the id)
//	StopWorkflow        ListExecutions ABORTED of the STANDARD machine: each request stops the
//	                    execution started for it before the load, named by its id (prepare.go)
//	RunExpressWorkflow  the response (express executions are not listable; the 200 carries the
//	                    execution's output, which carries the id)
//	Greeting            the response ("Hello, ID!")

// acceptedSet is a set of schedule request numbers: a bitset, or the Accepted shards of the
// generators that loaded a route × kind together.
type acceptedSet interface {
	has(seq uint64) bool
	count() uint64
	each(fn func(seq uint64))
}

// matchDeliveries compares the accepted requests of one route × kind with the copies of each
// seen downstream (seq → copies).
func matchDeliveries(method string, run string, route string, kind contract.Kind, accepted acceptedSet, seen map[uint64]int) *Delivery {
	d := &Delivery{Method: method, Checked: true, Accepted: accepted.count()}
	accepted.each(func(seq uint64) {
		n := seen[seq]
		if n == 0 {
			d.Missing++
			if len(d.MissingIDs) < maxListedIDs {
				d.MissingIDs = append(d.MissingIDs, formatID(run, route, kind, seq))
			}
			return
		}
		d.Delivered++
		if n > 1 {
			d.Duplicated++
			if len(d.DuplicatedIDs) < maxListedIDs {
				d.DuplicatedIDs = append(d.DuplicatedIDs, formatID(run, route, kind, seq))
			}
		}
	})
	for seq := range seen {
		if !accepted.has(seq) {
			d.Unaccepted++
		}
	}
	return d
}

// seenSet counts the copies of each bench id seen downstream, per route × kind.
type seenSet struct {
	mu  sync.Mutex
	m   map[string]map[uint64]int // key: route/kind
	new int                       // accepted ids seen for the first time
}

func newSeenSet() *seenSet { return &seenSet{m: map[string]map[uint64]int{}} }

func (s *seenSet) add(id ID, accepted func(ID) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := id.Route + "/" + string(id.Kind)
	m := s.m[k]
	if m == nil {
		m = map[uint64]int{}
		s.m[k] = m
	}
	m[id.Seq]++
	if m[id.Seq] == 1 && accepted(id) {
		s.new++
	}
}

func (s *seenSet) of(route string, kind contract.Kind) map[uint64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[route+"/"+string(kind)]
}

func (s *seenSet) found() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.new
}

// sqsAPI is the part of the SQS client the drain uses.
type sqsAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// drainVisibility is the visibility timeout of the drain's receives. A receive can take
// messages and still fail in the client (the answer lost on the way, then retried): those
// messages are hidden for this long, so the drain keeps polling until they are visible
// again, and never calls a message lost that a failed receive hid.
const drainVisibility = 10 * time.Second

// queueDrain receives a queue's messages until every accepted request of the routes that
// deliver there is found or the deadline passes, deleting the run's own messages. Messages
// of other runs and other traffic are left on the queue for their owners: their visibility
// is extended past the drain, so they are not received again meanwhile.
//
// Nothing is called missing while it may be in flight: receives hide messages for
// visibility only, and when the deadline passes with messages still missing the drain polls
// for one more visibility period, after which every message a receive of the drain hid
// (one that failed in the client included) is visible again.
type queueDrain struct {
	api        sqsAPI
	url        string
	run        string
	route      string
	want       int           // accepted requests to find
	accepted   func(ID) bool // whether an id was accepted
	receivers  int           // concurrent ReceiveMessage loops
	seen       *seenSet      // filled in
	deadline   time.Time     // stop then, found or not, after one more visibility period
	visibility time.Duration // the receives' visibility timeout; default drainVisibility

	lastMessage atomic.Int64 // when a receive last brought a message, any message (Unix ns)
}

func (q *queueDrain) drain(ctx context.Context) error {
	if q.visibility <= 0 {
		q.visibility = drainVisibility
	}
	ctx, cancel := context.WithDeadline(ctx, q.deadline.Add(drainOvertime+q.visibility+5*time.Second))
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, q.receivers)
	for i := range q.receivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = q.receive(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// drainOvertime bounds how long a drain that still finds messages goes on past its deadline.
const drainOvertime = 5 * time.Minute

// end is when a receiver stops: the deadline when everything is found; with messages still
// missing, one visibility period after the deadline or after the last receive that brought
// any message, whichever is later (a queue that still yields messages, say the backlog of an
// overloaded runner, is not drained yet), but at most drainOvertime past the deadline.
func (q *queueDrain) end() time.Time {
	if q.seen.found() >= q.want {
		return q.deadline
	}
	last := time.Unix(0, q.lastMessage.Load())
	if last.Before(q.deadline) {
		last = q.deadline
	}
	if cap := q.deadline.Add(drainOvertime); last.After(cap) {
		last = cap
	}
	return last.Add(q.visibility)
}

func (q *queueDrain) receive(ctx context.Context) error {
	swept := false
	vis := int32(q.visibility / time.Second)
	for time.Now().Before(q.end()) {
		// Once every accepted request is found, one more receive that brings none of the
		// run's messages (a one-second long poll) ends the drain: later copies would be
		// duplicates, and duplicates SQS and EventBridge deliver late are not bounded.
		if q.seen.found() >= q.want {
			if swept {
				return nil
			}
			swept = true
		}
		// Short long polls: a receiver waiting on an empty queue notices within a second
		// that another found the last message.
		out, err := q.api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: vis,
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil // the deadline: what was not found is missing
			}
			return fmt.Errorf("ReceiveMessage %s: %w", q.url, err)
		}
		if len(out.Messages) > 0 {
			q.lastMessage.Store(time.Now().UnixNano())
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		var hide []sqstypes.ChangeMessageVisibilityBatchRequestEntry
		for _, m := range out.Messages {
			id, ok := findBenchID(aws.ToString(m.Body))
			if !ok || id.Run != q.run || id.Route != q.route {
				hide = append(hide, sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(len(hide))), ReceiptHandle: m.ReceiptHandle})
				continue
			}
			q.seen.add(id, q.accepted)
			swept = false
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(len(del))), ReceiptHandle: m.ReceiptHandle})
		}
		if len(del) > 0 {
			if _, err := q.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url), Entries: del}); err != nil && ctx.Err() == nil {
				return fmt.Errorf("DeleteMessageBatch %s: %w", q.url, err)
			}
		}
		if len(hide) > 0 {
			// Other owners' messages stay hidden until the drain is over (and 30 s more),
			// so this drain does not receive them again.
			until := int32(min(43200, int(time.Until(q.deadline.Add(q.visibility))/time.Second)+30))
			for i := range hide {
				hide[i].VisibilityTimeout = until
			}
			if _, err := q.api.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.url), Entries: hide}); err != nil && ctx.Err() == nil {
				return fmt.Errorf("ChangeMessageVisibilityBatch %s: %w", q.url, err)
			}
		}
	}
	return nil
}

// sfnAPI is the part of the Step Functions client the check uses.
type sfnAPI interface {
	ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, opts ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
}

// executionList finds the run's executions of a STANDARD machine by name. ListExecutions
// lists newest first, so paging stops at the first execution older than the run.
type executionList struct {
	api      sfnAPI
	arn      string
	run      string
	route    string
	want     int
	accepted func(ID) bool
	since    time.Time // the run's start, less a margin for clock skew
	deadline time.Time
	// status, when set, lists only the executions in that status (ABORTED for stopped
	// ones): an id is found once its execution is.
	status sfntypes.ExecutionStatus
}

func (l *executionList) find(ctx context.Context) (*seenSet, error) {
	ctx, cancel := context.WithDeadline(ctx, l.deadline)
	defer cancel()
	for {
		seen, err := l.pass(ctx)
		if err != nil {
			if ctx.Err() != nil && seen != nil {
				return seen, nil
			}
			return seen, err
		}
		if seen.found() >= l.want {
			return seen, nil
		}
		select {
		case <-ctx.Done():
			return seen, nil
		case <-time.After(time.Second):
		}
	}
}

func (l *executionList) pass(ctx context.Context) (*seenSet, error) {
	seen := newSeenSet()
	in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(l.arn), MaxResults: 1000, StatusFilter: l.status}
	for {
		out, err := l.api.ListExecutions(ctx, in)
		if err != nil {
			return seen, fmt.Errorf("ListExecutions %s: %w", l.arn, err)
		}
		for _, e := range out.Executions {
			if e.StartDate != nil && e.StartDate.Before(l.since) {
				return seen, nil
			}
			id, ok := ParseID(aws.ToString(e.Name))
			if ok && id.Run == l.run && id.Route == l.route {
				seen.add(id, l.accepted)
			}
		}
		if out.NextToken == nil {
			return seen, nil
		}
		in.NextToken = out.NextToken
	}
}
