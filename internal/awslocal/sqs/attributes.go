package sqs

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/store"
)

// defaultQueueAttributes are the settable attributes a new queue has.
func defaultQueueAttributes(fifo bool) map[string]string {
	a := map[string]string{
		"VisibilityTimeout":             strconv.Itoa(defaultVisibility),
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            strconv.Itoa(maxMessageSize),
		"MessageRetentionPeriod":        strconv.Itoa(defaultRetention),
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
	"VisibilityTimeout":             {0, maxVisibility},
	"DelaySeconds":                  {0, maxDelaySeconds},
	"MaximumMessageSize":            {1024, maxMessageSize},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, maxWaitSeconds},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
}

// checkQueueAttributes validates attributes for CreateQueue (creating) or
// SetQueueAttributes and returns them normalized.
func checkQueueAttributes(attrs map[string]string, fifo, creating bool) (map[string]string, *awsproto.Error) {
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
func parseRedrivePolicy(v string) (*redrivePolicy, *awsproto.Error) {
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
func (q *queue) applyAttrs(attrs map[string]string) {
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
func (svc *Service) createQueue(name string, attrs, tags map[string]string) (*queue, error) {
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
	unlock := svc.store.Gate()
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
	now := svc.now()
	q := svc.newQueue(name, fifo, now)
	q.applyAttrs(norm)
	for k, v := range tags {
		q.tags[k] = v
	}
	svc.queues[name] = q
	svc.publish()
	seq := svc.store.Append(recCreateQueue, createQueueRecord{Name: name, Attrs: copyStrings(q.attrs), Tags: copyStrings(q.tags), Created: now.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	if err := svc.store.Wait(seq); err != nil {
		return nil, err
	}
	return q, nil
}

// sameAttributes reports, as CreateQueue's QueueNameExists error, the first
// attribute in which an existing queue differs from a create request.
func (q *queue) sameAttributes(norm map[string]string) *awsproto.Error {
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

func (svc *Service) newQueue(name string, fifo bool, now time.Time) *queue {
	q := &queue{
		svc:      svc,
		name:     name,
		arn:      svc.queueARN(name),
		fifo:     fifo,
		created:  now,
		modified: now,
		attrs:    defaultQueueAttributes(fifo),
		tags:     map[string]string{},
		byID:     make(map[string]*message),
		notify:   make(chan struct{}),
	}
	if fifo {
		q.dedup = make(map[string]dedupEntry)
	}
	q.applyAttrs(nil)
	return q
}

func (svc *Service) deleteQueue(q *queue) error {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if svc.queues[q.name] != q {
		svc.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	delete(svc.queues, q.name)
	svc.publish()
	seq := svc.store.Append(recDeleteQueue, store.NameRecord{Name: q.name})
	svc.mu.Unlock()
	q.mu.Lock()
	q.gone = true
	q.broadcast()
	q.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// tagQueue adds (set) or removes (keys) queue tags.
func (svc *Service) tagQueue(q *queue, set map[string]string, remove []string) error {
	unlock := svc.store.Gate()
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
	seq := svc.store.Append(recTags, tagsRecord{Name: q.name, Tags: copyStrings(q.tags)})
	q.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

func (svc *Service) listQueues(prefix string) []string {
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

func (svc *Service) setQueueAttributes(q *queue, attrs map[string]string) error {
	norm, aerr := checkQueueAttributes(attrs, q.fifo, false)
	if aerr != nil {
		return aerr
	}
	unlock := svc.store.Gate()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		unlock()
		return errNonExistentQueue()
	}
	q.applyAttrs(norm)
	q.modified = svc.now()
	seq := svc.store.Append(recSetQueueAttrs, setAttrsRecord{Name: q.name, Attrs: norm, Modified: q.modified.UnixMilli()})
	q.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

var allQueueAttributeNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
	"ContentBasedDeduplication", "CreatedTimestamp", "DeduplicationScope", "DelaySeconds", "FifoQueue",
	"FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "LastModifiedTimestamp",
	"MaximumMessageSize", "MessageRetentionPeriod", "Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds",
	"RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout",
}

var fifoOnlyAttributes = map[string]bool{"FifoQueue": true, "ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

func (svc *Service) getQueueAttributes(q *queue, names []string) (map[string]string, error) {
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
	now := svc.now()
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
			out[n] = awsproto.UnixSeconds(q.created)
		case "LastModifiedTimestamp":
			out[n] = awsproto.UnixSeconds(q.modified)
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

// listQueuePage pages ListQueues; the token is the last name returned.
func (svc *Service) listQueuePage(prefix string, max int, token string) ([]string, string, error) {
	if max < 0 || max > 1000 {
		return nil, "", errInvalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", max)
	}
	if token != "" && max == 0 {
		return nil, "", errInvalidParameterValue("MaxResults is a mandatory parameter when you provide a value for NextToken.")
	}
	names := svc.listQueues(prefix)
	start := 0
	if token != "" {
		for start < len(names) && names[start] <= token {
			start++
		}
	}
	names = names[start:]
	limit := 1000
	if max > 0 {
		limit = max
	}
	next := ""
	if len(names) > limit {
		names = names[:limit]
		if max > 0 {
			next = names[len(names)-1]
		}
	}
	urls := make([]string, len(names))
	for i, n := range names {
		urls[i] = svc.queueURL(n)
	}
	return urls, next, nil
}

func (svc *Service) deadLetterSources(dlq *queue) []string {
	var out []string
	for _, n := range svc.listQueues("") {
		q, err := svc.lookup(n)
		if err != nil {
			continue
		}
		q.mu.Lock()
		if q.redrive != nil && strings.HasSuffix(q.redrive.deadLetterTargetArn, ":"+dlq.name) {
			out = append(out, svc.queueURL(n))
		}
		q.mu.Unlock()
	}
	return out
}
