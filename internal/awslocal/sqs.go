package awslocal

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SQS limits (API reference, 2025: the maximum message size and its default
// were raised from 256 KiB to 1 MiB; see MaximumMessageSize in
// aws-sdk-go-v2/service/sqs api_op_CreateQueue.go).
const (
	sqsMaxMessageSize     = 1 << 20
	sqsMaxBatchSize       = 1 << 20
	sqsDedupWindow        = 5 * time.Minute
	sqsPurgeInterval      = 60 * time.Second
	sqsMaxVisibility      = 43200
	sqsMaxWaitSeconds     = 20
	sqsMaxDelaySeconds    = 900
	sqsDefaultRetention   = 345600
	sqsDefaultVisibility  = 30
	sqsMaxMessagesPerCall = 10
)

type sqsService struct {
	srv *Server
	// mu serializes creating and deleting queues. queues maps names to
	// queues; the account in a URL or ARN is not checked, so clients that
	// build URLs with another host or account still work. The map is the
	// writers' copy; readers load an immutable copy from byName without a
	// lock, so the message path takes only its queue's lock.
	mu     sync.Mutex
	queues map[string]*sqsQueue
	byName atomic.Pointer[map[string]*sqsQueue]
}

func newSQSService(srv *Server) *sqsService {
	svc := &sqsService{srv: srv, queues: make(map[string]*sqsQueue)}
	svc.publish()
	return svc
}

// publish makes the current queue map visible to readers. Called with
// svc.mu held (or before the service is shared).
func (svc *sqsService) publish() {
	m := make(map[string]*sqsQueue, len(svc.queues))
	for k, v := range svc.queues {
		m[k] = v
	}
	svc.byName.Store(&m)
}

func (svc *sqsService) loaded() map[string]*sqsQueue { return *svc.byName.Load() }

func (svc *sqsService) queueURL(name string) string {
	return svc.srv.BaseURL() + "/" + svc.srv.account + "/" + name
}

func (svc *sqsService) queueARN(name string) string {
	return "arn:aws:sqs:" + svc.srv.region + ":" + svc.srv.account + ":" + name
}

// lookupURL finds the queue a QueueUrl names. Only the last path segment
// counts; a bare queue name works too.
func (svc *sqsService) lookupURL(url string) (*sqsQueue, *Error) {
	if url == "" {
		return nil, errMissingParameter("QueueUrl")
	}
	name := strings.TrimRight(url, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return svc.lookup(name)
}

func (svc *sqsService) lookup(name string) (*sqsQueue, *Error) {
	q := svc.loaded()[name]
	if q == nil {
		return nil, errNonExistentQueue()
	}
	return q, nil
}

// lookupARN finds a queue by ARN (arn:aws:sqs:REGION:ACCOUNT:NAME).
func (svc *sqsService) lookupARN(arn string) *sqsQueue {
	i := strings.LastIndexByte(arn, ':')
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return nil
	}
	return svc.loaded()[arn[i+1:]]
}

func (svc *sqsService) wakeAll() {
	for _, q := range svc.loaded() {
		q.mu.Lock()
		q.broadcast()
		q.mu.Unlock()
	}
}

// sqsMessage is one message. While in a standard queue it sits either in
// the ready deque (visible) or in the waiting heap (delayed or in flight);
// a FIFO queue keeps all its messages in send order instead.
type sqsMessage struct {
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

type sqsQueue struct {
	svc     *sqsService
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

	byID map[string]*sqsMessage

	// standard queues
	ready     []*sqsMessage
	readyHead int
	nReady    int
	waiting   msgHeap
	nDelayed  int
	nInflight int

	// FIFO queues
	fifoList []*sqsMessage
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
type msgHeap []*sqsMessage

func (h msgHeap) Len() int           { return len(h) }
func (h msgHeap) Less(i, j int) bool { return h[i].visibleAt.Before(h[j].visibleAt) }
func (h msgHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex = i
	h[j].heapIndex = j
}
func (h *msgHeap) Push(x any) {
	m := x.(*sqsMessage)
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

func (q *sqsQueue) broadcast() {
	if q.waiters > 0 {
		close(q.notify)
		q.notify = make(chan struct{})
	}
}

// defaultQueueAttributes are the settable attributes a new queue has.
func defaultQueueAttributes(fifo bool) map[string]string {
	a := map[string]string{
		"VisibilityTimeout":             strconv.Itoa(sqsDefaultVisibility),
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            strconv.Itoa(sqsMaxMessageSize),
		"MessageRetentionPeriod":        strconv.Itoa(sqsDefaultRetention),
		"ReceiveMessageWaitTimeSeconds": "0",
		"SqsManagedSseEnabled":          "true",
	}
	if fifo {
		a["FifoQueue"] = "true"
		a["ContentBasedDeduplication"] = "false"
		a["DeduplicationScope"] = "queue"
		a["FifoThroughputLimit"] = "perQueue"
	}
	return a
}

var queueIntAttributes = map[string][2]int{
	"VisibilityTimeout":             {0, sqsMaxVisibility},
	"DelaySeconds":                  {0, sqsMaxDelaySeconds},
	"MaximumMessageSize":            {1024, sqsMaxMessageSize},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, sqsMaxWaitSeconds},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
}

// checkQueueAttributes validates attributes for CreateQueue (creating) or
// SetQueueAttributes and returns them normalized.
func checkQueueAttributes(attrs map[string]string, fifo, creating bool) (map[string]string, *Error) {
	out := make(map[string]string, len(attrs))
	for name, v := range attrs {
		if r, ok := queueIntAttributes[name]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < r[0] || n > r[1] {
				return nil, errInvalidAttributeValue("Invalid value for the parameter %s.", name)
			}
			out[name] = strconv.Itoa(n)
			continue
		}
		switch name {
		case "FifoQueue":
			want := strings.EqualFold(v, "true")
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return nil, errInvalidAttributeValue("Invalid value for the parameter FifoQueue.")
			}
			if !creating {
				return nil, errInvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
			}
			if want != fifo {
				if want {
					return nil, errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
				}
				return nil, errInvalidAttributeValue("Invalid value for the parameter FifoQueue.")
			}
			if fifo {
				out[name] = "true"
			}
		case "ContentBasedDeduplication":
			if !fifo {
				return nil, errInvalidAttributeName("Unknown Attribute ContentBasedDeduplication.")
			}
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return nil, errInvalidAttributeValue("Invalid value for the parameter ContentBasedDeduplication.")
			}
			out[name] = strings.ToLower(v)
		case "DeduplicationScope", "FifoThroughputLimit":
			if !fifo {
				return nil, errInvalidAttributeName("You can specify the %s only when FifoQueue is set to true.", name)
			}
			ok := v == "queue" || v == "messageGroup"
			if name == "FifoThroughputLimit" {
				ok = v == "perQueue" || v == "perMessageGroupId"
			}
			if !ok {
				return nil, errInvalidAttributeValue("Invalid value for the parameter %s.", name)
			}
			out[name] = v
		case "RedrivePolicy":
			if v == "" {
				out[name] = ""
				continue
			}
			rp, err := parseRedrivePolicy(v)
			if err != nil {
				return nil, err
			}
			out[name] = formatRedrivePolicy(rp)
		case "Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled":
			out[name] = v
		default:
			// Read-only attributes (QueueArn, ...) cannot be set either.
			return nil, errInvalidAttributeName("Unknown Attribute %s.", name)
		}
	}
	return out, nil
}

// parseRedrivePolicy reads {"deadLetterTargetArn": "...", "maxReceiveCount": N}
// (the count may be a number or a numeric string, as CloudFormation sends it).
func parseRedrivePolicy(v string) (*redrivePolicy, *Error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for the parameter RedrivePolicy.", v)
	}
	arn, _ := raw["deadLetterTargetArn"].(string)
	if arn == "" {
		return nil, errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.", v)
	}
	var n int
	switch c := raw["maxReceiveCount"].(type) {
	case float64:
		n = int(c)
	case string:
		n, _ = strconv.Atoi(c)
	case nil:
		return nil, errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.", v)
	}
	if n < 1 || n > 1000 {
		return nil, errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %v, valid values are from 1 to 1000 both inclusive.", v, raw["maxReceiveCount"])
	}
	return &redrivePolicy{deadLetterTargetArn: arn, maxReceiveCount: n}, nil
}

func formatRedrivePolicy(rp *redrivePolicy) string {
	b, _ := json.Marshal(struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}{rp.deadLetterTargetArn, rp.maxReceiveCount})
	return string(b)
}

// applyAttrs merges validated attributes and refreshes the parsed fields.
// Called with q.mu held (or before the queue is shared).
func (q *sqsQueue) applyAttrs(attrs map[string]string) {
	for k, v := range attrs {
		if k == "RedrivePolicy" && v == "" {
			delete(q.attrs, k)
			continue
		}
		q.attrs[k] = v
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(q.attrs[k]); return n }
	q.visibility = atoi("VisibilityTimeout")
	q.delay = atoi("DelaySeconds")
	q.maxSize = atoi("MaximumMessageSize")
	q.retention = atoi("MessageRetentionPeriod")
	q.waitTime = atoi("ReceiveMessageWaitTimeSeconds")
	q.cbDedup = q.attrs["ContentBasedDeduplication"] == "true"
	q.dedupByGrp = q.attrs["DeduplicationScope"] == "messageGroup"
	q.redrive = nil
	if v := q.attrs["RedrivePolicy"]; v != "" {
		q.redrive, _ = parseRedrivePolicy(v)
	}
}

// CreateQueue creates a queue, or returns the existing one when its
// attributes are the same, as SQS does.
func (svc *sqsService) createQueue(name string, attrs, tags map[string]string) (*sqsQueue, error) {
	if name == "" {
		return nil, errMissingParameter("QueueName")
	}
	fifo := strings.HasSuffix(name, ".fifo")
	if v, ok := attrs["FifoQueue"]; ok && strings.EqualFold(v, "true") && !fifo {
		return nil, errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	if fifo && !strings.EqualFold(attrs["FifoQueue"], "true") {
		// A .fifo name without FifoQueue=true is an invalid standard queue name.
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if !validQueueName(name, fifo) {
		if fifo {
			return nil, errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	norm, aerr := checkQueueAttributes(attrs, fifo, true)
	if aerr != nil {
		return nil, aerr
	}
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	if q := svc.queues[name]; q != nil {
		svc.mu.Unlock()
		err := q.sameAttributes(norm)
		unlock()
		if err != nil {
			return nil, err
		}
		return q, nil
	}
	now := svc.srv.now()
	q := svc.newQueue(name, fifo, now)
	q.applyAttrs(norm)
	for k, v := range tags {
		q.tags[k] = v
	}
	svc.queues[name] = q
	svc.publish()
	seq := svc.srv.store.append(recCreateQueue, createQueueRecord{Name: name, Attrs: copyStrings(q.attrs), Tags: copyStrings(q.tags), Created: now.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	if err := svc.srv.store.wait(seq); err != nil {
		return nil, err
	}
	return q, nil
}

// sameAttributes reports, as CreateQueue's QueueNameExists error, the first
// attribute in which an existing queue differs from a create request.
func (q *sqsQueue) sameAttributes(norm map[string]string) *Error {
	q.mu.Lock()
	defer q.mu.Unlock()
	want := defaultQueueAttributes(q.fifo)
	for k, v := range norm {
		want[k] = v
	}
	for k, v := range want {
		if k == "RedrivePolicy" && v == "" {
			continue
		}
		if q.attrs[k] != v {
			return errQueueNameExists(k)
		}
	}
	return nil
}

func (svc *sqsService) newQueue(name string, fifo bool, now time.Time) *sqsQueue {
	q := &sqsQueue{
		svc:      svc,
		name:     name,
		arn:      svc.queueARN(name),
		fifo:     fifo,
		created:  now,
		modified: now,
		attrs:    defaultQueueAttributes(fifo),
		tags:     map[string]string{},
		byID:     make(map[string]*sqsMessage),
		notify:   make(chan struct{}),
	}
	if fifo {
		q.dedup = make(map[string]dedupEntry)
	}
	q.applyAttrs(nil)
	return q
}

func (svc *sqsService) deleteQueue(q *sqsQueue) error {
	unlock := svc.srv.store.gate()
	svc.mu.Lock()
	if svc.queues[q.name] != q {
		svc.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	delete(svc.queues, q.name)
	svc.publish()
	seq := svc.srv.store.append(recDeleteQueue, nameRecord{Name: q.name})
	svc.mu.Unlock()
	q.mu.Lock()
	q.gone = true
	q.broadcast()
	q.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

// tagQueue adds (set) or removes (keys) queue tags.
func (svc *sqsService) tagQueue(q *sqsQueue, set map[string]string, remove []string) error {
	unlock := svc.srv.store.gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	for k, v := range set {
		q.tags[k] = v
	}
	for _, k := range remove {
		delete(q.tags, k)
	}
	seq := svc.srv.store.append(recTags, tagsRecord{Name: q.name, Tags: copyStrings(q.tags)})
	q.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

func (svc *sqsService) listQueues(prefix string) []string {
	all := svc.loaded()
	names := make([]string, 0, len(all))
	for n := range all {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func (svc *sqsService) setQueueAttributes(q *sqsQueue, attrs map[string]string) error {
	norm, aerr := checkQueueAttributes(attrs, q.fifo, false)
	if aerr != nil {
		return aerr
	}
	unlock := svc.srv.store.gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	q.applyAttrs(norm)
	q.modified = svc.srv.now()
	seq := svc.srv.store.append(recSetQueueAttrs, setAttrsRecord{Name: q.name, Attrs: norm, Modified: q.modified.UnixMilli()})
	q.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

var allQueueAttributeNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
	"ContentBasedDeduplication", "CreatedTimestamp", "DeduplicationScope", "DelaySeconds", "FifoQueue",
	"FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "LastModifiedTimestamp",
	"MaximumMessageSize", "MessageRetentionPeriod", "Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds",
	"RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout",
}

var fifoOnlyAttributes = map[string]bool{"FifoQueue": true, "ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

func (svc *sqsService) getQueueAttributes(q *sqsQueue, names []string) (map[string]string, error) {
	want := map[string]bool{}
	for _, n := range names {
		if n == "All" {
			for _, a := range allQueueAttributeNames {
				want[a] = true
			}
			continue
		}
		known := false
		for _, a := range allQueueAttributeNames {
			if a == n {
				known = true
				break
			}
		}
		if !known || (!q.fifo && fifoOnlyAttributes[n]) {
			return nil, errInvalidAttributeName("Unknown Attribute %s.", n)
		}
		want[n] = true
	}
	out := map[string]string{}
	if len(want) == 0 {
		return out, nil
	}
	now := svc.srv.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return nil, errNonExistentQueue()
	}
	visible, notVisible, delayed := q.counts(now)
	for n := range want {
		switch n {
		case "ApproximateNumberOfMessages":
			out[n] = strconv.Itoa(visible)
		case "ApproximateNumberOfMessagesNotVisible":
			out[n] = strconv.Itoa(notVisible)
		case "ApproximateNumberOfMessagesDelayed":
			out[n] = strconv.Itoa(delayed)
		case "CreatedTimestamp":
			out[n] = unixSeconds(q.created)
		case "LastModifiedTimestamp":
			out[n] = unixSeconds(q.modified)
		case "QueueArn":
			out[n] = q.arn
		default:
			if v, ok := q.attrs[n]; ok && v != "" {
				out[n] = v
			}
		}
	}
	return out, nil
}

// counts returns the visible, in-flight and delayed message counts.
func (q *sqsQueue) counts(now time.Time) (visible, notVisible, delayed int) {
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
func (q *sqsQueue) promote(now time.Time) {
	for len(q.waiting) > 0 && !q.waiting[0].visibleAt.After(now) {
		m := heap.Pop(&q.waiting).(*sqsMessage)
		if m.receiveCount == 0 {
			q.nDelayed--
		} else {
			q.nInflight--
		}
		q.pushReady(m)
	}
}

func (q *sqsQueue) pushReady(m *sqsMessage) {
	q.ready = append(q.ready, m)
	q.nReady++
}

func (q *sqsQueue) pushWaiting(m *sqsMessage) {
	if m.receiveCount == 0 {
		q.nDelayed++
	} else {
		q.nInflight++
	}
	heap.Push(&q.waiting, m)
}

func (q *sqsQueue) popReady() *sqsMessage {
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
func (q *sqsQueue) nextVisible() time.Time {
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
func (q *sqsQueue) remove(m *sqsMessage) {
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
func (q *sqsQueue) enqueue(m *sqsMessage, now time.Time) {
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

// prepare validates a message for q and builds it; the returned size counts
// toward the batch limit.
func (q *sqsQueue) prepare(in *SendMessageInput, hasBody bool) (*sqsMessage, *Error) {
	if !hasBody || in.MessageBody == "" {
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
		if d < 0 || d > sqsMaxDelaySeconds {
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
	m := &sqsMessage{
		id:          newUUID(),
		body:        in.MessageBody,
		md5Body:     md5Hex(in.MessageBody),
		attrs:       in.MessageAttributes,
		md5Attrs:    md5OfAttributes(in.MessageAttributes),
		sysAttrs:    in.MessageSystemAttributes,
		md5SysAttrs: md5OfAttributes(in.MessageSystemAttributes),
		groupID:     in.MessageGroupID,
		dedupID:     in.MessageDeduplicationID,
		heapIndex:   -1,
	}
	return m, nil
}

func (m *sqsMessage) size() int { return len(m.body) + attributesSize(m.attrs) }

// send enqueues m (already prepared), applying size, FIFO deduplication and
// delay. It returns the record sequence to wait for before answering.
func (q *sqsQueue) send(m *sqsMessage, delay *int) (SendMessageOutput, uint64, *Error) {
	svc := q.svc
	unlock := svc.srv.store.gate()
	defer unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.gone {
		return SendMessageOutput{}, 0, errNonExistentQueue()
	}
	if m.size() > q.maxSize {
		return SendMessageOutput{}, 0, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.maxSize)
	}
	now := svc.srv.now()
	m.sentAt = now
	m.senderID = svc.srv.account
	out := SendMessageOutput{MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: m.md5Attrs, MD5OfMessageSystemAttributes: m.md5SysAttrs}
	if q.fifo {
		if m.dedupID == "" {
			if !q.cbDedup {
				return SendMessageOutput{}, 0, errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(m.body))
			m.dedupID = hex.EncodeToString(sum[:])
		}
		key := m.dedupID
		if q.dedupByGrp {
			key = m.groupID + "\x00" + key
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
		m.seq = q.seq
		q.dedup[key] = dedupEntry{messageID: m.id, seq: m.seq, expires: now.Add(sqsDedupWindow)}
		out.SequenceNumber = formatSeq(m.seq)
	}
	d := q.delay
	if delay != nil {
		d = *delay
	}
	m.visibleAt = now.Add(time.Duration(d) * time.Second)
	q.enqueue(m, now)
	out.MessageID = m.id
	var seq uint64
	if svc.srv.store.on() {
		seq = svc.srv.store.append(recSendMessage, sendRecord{Queue: q.name, Msg: m.state(), DedupKeyed: q.fifo})
	}
	return out, seq, nil
}

// formatSeq renders a FIFO sequence number as the large 20-digit decimal
// SQS returns.
func formatSeq(n uint64) string {
	return fmt.Sprintf("%020d", 18000000000000000000/2+n)
}

func (svc *sqsService) sendMessage(q *sqsQueue, in *SendMessageInput) (SendMessageOutput, error) {
	m, err := q.prepare(in, true)
	if err != nil {
		return SendMessageOutput{}, err
	}
	out, seq, err := q.send(m, in.DelaySeconds)
	if err != nil {
		return SendMessageOutput{}, err
	}
	if werr := svc.srv.store.wait(seq); werr != nil {
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
	hasBody bool
}

// SendMessageBatchResultEntry is a sent entry of SendMessageBatch.
type SendMessageBatchResultEntry struct {
	ID string
	SendMessageOutput
}

func checkBatchIDs(ids []string, entryName string) *Error {
	if len(ids) == 0 {
		return errEmptyBatch(entryName)
	}
	if len(ids) > sqsMaxMessagesPerCall {
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

func (svc *sqsService) sendMessageBatch(q *sqsQueue, entries []SendMessageBatchEntry) ([]SendMessageBatchResultEntry, []BatchResultErrorEntry, error) {
	ids := make([]string, len(entries))
	total := 0
	for i, e := range entries {
		ids[i] = e.ID
		total += len(e.MessageBody) + attributesSize(e.MessageAttributes)
	}
	if err := checkBatchIDs(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, nil, err
	}
	if total > sqsMaxBatchSize {
		return nil, nil, errBatchRequestTooLong(sqsMaxBatchSize, total)
	}
	var ok []SendMessageBatchResultEntry
	var failed []BatchResultErrorEntry
	var last uint64
	for i := range entries {
		e := &entries[i]
		m, err := q.prepare(&e.SendMessageInput, e.hasBody)
		var out SendMessageOutput
		var seq uint64
		if err == nil {
			out, seq, err = q.send(m, e.DelaySeconds)
		}
		if err != nil {
			if err.Code == "QueueDoesNotExist" {
				return nil, nil, err
			}
			failed = append(failed, BatchResultErrorEntry{ID: e.ID, Code: err.queryCode(), Message: err.Message, SenderFault: true})
			continue
		}
		if seq > last {
			last = seq
		}
		ok = append(ok, SendMessageBatchResultEntry{ID: e.ID, SendMessageOutput: out})
	}
	if err := svc.srv.store.wait(last); err != nil {
		return nil, nil, err
	}
	return ok, failed, nil
}

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
	target *sqsQueue
	msg    *sqsMessage
}

func (svc *sqsService) receiveMessage(ctx context.Context, q *sqsQueue, in *ReceiveMessageInput) ([]Message, error) {
	max := in.MaxNumberOfMessages
	if max == 0 {
		max = 1
	}
	if max < 1 || max > sqsMaxMessagesPerCall {
		return nil, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > sqsMaxVisibility) {
		return nil, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > sqsMaxWaitSeconds) {
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
			if d := next.Sub(svc.srv.now()); d < remaining {
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
		case <-svc.srv.closing:
		}
		t.Stop()
		q.mu.Lock()
		q.waiters--
		q.mu.Unlock()
		if ctx.Err() != nil {
			return nil, nil
		}
		select {
		case <-svc.srv.closing:
			return nil, nil
		default:
		}
	}
}

// receiveOnce takes up to max visible messages. When it finds none and
// register is set, it registers the caller as a waiter and returns the
// channel a send closes, and when the next waiting message turns visible.
func (svc *sqsService) receiveOnce(q *sqsQueue, in *ReceiveMessageInput, max int, register bool) ([]Message, chan struct{}, time.Time, error) {
	unlock := svc.srv.store.gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return nil, nil, time.Time{}, errNonExistentQueue()
	}
	now := svc.srv.now()
	vt := q.visibility
	if in.VisibilityTimeout != nil {
		vt = *in.VisibilityTimeout
	}
	var taken []*sqsMessage
	var moves []dlqMove
	var dlq *sqsQueue
	if q.redrive != nil {
		dlq = svc.lookupARN(q.redrive.deadLetterTargetArn)
	}
	retention := time.Duration(q.retention) * time.Second
	// take returns false when m is not delivered (expired or redriven).
	// drop removes a message that is not delivered: a standard queue's
	// message was already popped from the ready deque.
	drop := func(m *sqsMessage) {
		if q.fifo {
			q.remove(m)
		} else {
			m.deleted = true
			delete(q.byID, m.id)
		}
		if svc.srv.store.on() {
			svc.srv.store.append(recDeleteMessage, msgRecord{Queue: q.name, ID: m.id})
		}
	}
	take := func(m *sqsMessage) bool {
		if now.Sub(m.sentAt) >= retention {
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
			m.firstReceive = now
		}
		m.receipt = newReceiptHandle(m.id)
		m.visibleAt = now.Add(time.Duration(vt) * time.Second)
		taken = append(taken, m)
		return true
	}
	if q.fifo {
		blocked := map[string]bool{}
		for _, m := range q.fifoList {
			if len(taken) >= max {
				break
			}
			if m.deleted || blocked[m.groupID] {
				continue
			}
			if m.visibleAt.After(now) {
				blocked[m.groupID] = true
				continue
			}
			if !take(m) {
				continue
			}
		}
	} else {
		q.promote(now)
		var again []*sqsMessage
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
	if svc.srv.store.on() {
		for _, m := range taken {
			// Receives are logged without forcing a sync: losing one in a
			// crash only makes the message visible again, which SQS allows.
			svc.srv.store.appendLazy(recReceive, receiveRecord{Queue: q.name, ID: m.id, Count: m.receiveCount,
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
func (q *sqsQueue) acceptMoved(old *sqsMessage, sourceArn string) {
	unlock := q.svc.srv.store.gate()
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
	m.dlqSource = sourceArn
	now := q.svc.srv.now()
	m.visibleAt = now
	if q.fifo {
		q.seq++
		m.seq = q.seq
	}
	q.enqueue(&m, now)
	q.svc.srv.store.append(recSendMessage, sendRecord{Queue: q.name, Msg: m.state()})
}

func knownMessageSystemAttribute(n string) bool {
	switch n {
	case "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
		"SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn":
		return true
	}
	return false
}

func (q *sqsQueue) render(m *sqsMessage, in *ReceiveMessageInput) Message {
	out := Message{MessageID: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.md5Body, Body: m.body}
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
		add("SenderId", m.senderID)
		add("SentTimestamp", millis(m.sentAt))
		add("ApproximateReceiveCount", strconv.Itoa(m.receiveCount))
		add("ApproximateFirstReceiveTimestamp", millis(m.firstReceive))
		if tr, ok := m.sysAttrs["AWSTraceHeader"]; ok {
			add("AWSTraceHeader", tr.StringValue)
		}
		add("DeadLetterQueueSourceArn", m.dlqSource)
		if q.fifo {
			add("SequenceNumber", formatSeq(m.seq))
			add("MessageDeduplicationId", m.dedupID)
			add("MessageGroupId", m.groupID)
		} else if m.groupID != "" {
			add("MessageGroupId", m.groupID)
		}
		if len(a) > 0 {
			out.Attributes = a
		}
	}
	if len(in.MessageAttributeNames) > 0 && len(m.attrs) > 0 {
		sel := map[string]MessageAttribute{}
		for n, v := range m.attrs {
			if attributeNameWanted(in.MessageAttributeNames, n) {
				sel[n] = v
			}
		}
		if len(sel) > 0 {
			out.MessageAttributes = sel
			if len(sel) == len(m.attrs) {
				out.MD5OfMessageAttributes = m.md5Attrs
			} else {
				out.MD5OfMessageAttributes = md5OfAttributes(sel)
			}
		}
	}
	return out
}

// Receipt handles encode the message ID so a stale or foreign handle can be
// told from a malformed one.
func newReceiptHandle(msgID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(msgID + "#" + newUUID()))
}

func receiptMessageID(handle string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil {
		return "", false
	}
	id, _, ok := strings.Cut(string(b), "#")
	return id, ok && id != ""
}

func (svc *sqsService) deleteMessage(q *sqsQueue, handle string) error {
	seq, err := svc.deleteOne(q, handle)
	if err != nil {
		return err
	}
	return svc.srv.store.wait(seq)
}

func (svc *sqsService) deleteOne(q *sqsQueue, handle string) (uint64, *Error) {
	if handle == "" {
		return 0, errMissingParameter("ReceiptHandle")
	}
	id, ok := receiptMessageID(handle)
	if !ok {
		return 0, errReceiptHandleIsInvalid(handle)
	}
	unlock := svc.srv.store.gate()
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
	if !svc.srv.store.on() {
		return 0, nil
	}
	return svc.srv.store.append(recDeleteMessage, msgRecord{Queue: q.name, ID: m.id}), nil
}

// DeleteMessageBatchEntry is one entry of DeleteMessageBatch.
type DeleteMessageBatchEntry struct {
	ID            string
	ReceiptHandle string
}

func (svc *sqsService) deleteMessageBatch(q *sqsQueue, entries []DeleteMessageBatchEntry) ([]string, []BatchResultErrorEntry, error) {
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
			failed = append(failed, BatchResultErrorEntry{ID: e.ID, Code: err.queryCode(), Message: err.Message, SenderFault: true})
			continue
		}
		if seq > last {
			last = seq
		}
		ok = append(ok, e.ID)
	}
	if err := svc.srv.store.wait(last); err != nil {
		return nil, nil, err
	}
	return ok, failed, nil
}

func (svc *sqsService) changeVisibility(q *sqsQueue, handle string, timeout int) *Error {
	if handle == "" {
		return errMissingParameter("ReceiptHandle")
	}
	if timeout < 0 || timeout > sqsMaxVisibility {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", timeout)
	}
	id, ok := receiptMessageID(handle)
	if !ok {
		return errReceiptHandleIsInvalid(handle)
	}
	unlock := svc.srv.store.gate()
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
	now := svc.srv.now()
	if !m.visibleAt.After(now) {
		return errMessageNotInflight()
	}
	m.visibleAt = now.Add(time.Duration(timeout) * time.Second)
	if !q.fifo {
		heap.Fix(&q.waiting, m.heapIndex)
		if timeout == 0 {
			q.promote(now)
		}
	}
	if timeout == 0 {
		q.broadcast()
	}
	svc.srv.store.appendLazy(recReceive, receiveRecord{Queue: q.name, ID: m.id, Count: m.receiveCount,
		First: m.firstReceive.UnixMilli(), VisibleAt: m.visibleAt.UnixMilli(), Receipt: m.receipt})
	return nil
}

// ChangeVisibilityBatchEntry is one entry of ChangeMessageVisibilityBatch.
type ChangeVisibilityBatchEntry struct {
	ID                string
	ReceiptHandle     string
	VisibilityTimeout int
}

func (svc *sqsService) changeVisibilityBatch(q *sqsQueue, entries []ChangeVisibilityBatchEntry) ([]string, []BatchResultErrorEntry, error) {
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
			failed = append(failed, BatchResultErrorEntry{ID: e.ID, Code: err.queryCode(), Message: err.Message, SenderFault: true})
			continue
		}
		ok = append(ok, e.ID)
	}
	return ok, failed, nil
}

func (svc *sqsService) purge(q *sqsQueue) error {
	unlock := svc.srv.store.gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	now := svc.srv.now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < sqsPurgeInterval {
		q.mu.Unlock()
		unlock()
		return errPurgeQueueInProgress(q.name)
	}
	q.lastPurge = now
	q.clear()
	seq := svc.srv.store.append(recPurge, nameRecord{Name: q.name})
	q.mu.Unlock()
	unlock()
	return svc.srv.store.wait(seq)
}

func (q *sqsQueue) clear() {
	for _, m := range q.byID {
		m.deleted = true
	}
	q.byID = make(map[string]*sqsMessage)
	q.ready, q.readyHead, q.nReady = nil, 0, 0
	q.waiting, q.nDelayed, q.nInflight = nil, 0, 0
	q.fifoList, q.fifoDead = nil, 0
}
