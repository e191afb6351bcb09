package sqs

import "context"

// The Go API: the operations for direct callers (awslocal.Server, tests).
// Errors are *awsproto.Error values with the codes the wire protocols
// report.

// QueueURL returns the URL of the named queue, whether or not it exists.
func (svc *Service) QueueURL(name string) string { return svc.queueURL(name) }

// QueueARN returns the ARN of the named queue, whether or not it exists.
func (svc *Service) QueueARN(name string) string { return svc.queueARN(name) }

// CreateQueue creates a queue with CreateQueue's attributes (VisibilityTimeout,
// RedrivePolicy as JSON, FifoQueue, ...) and returns its URL. Creating an
// existing queue with the same attributes returns its URL.
func (svc *Service) CreateQueue(name string, attributes map[string]string) (string, error) {
	q, err := svc.createQueue(name, attributes, nil)
	if err != nil {
		return "", err
	}
	return svc.queueURL(q.name), nil
}

// DeleteQueue deletes the queue at queueURL.
func (svc *Service) DeleteQueue(queueURL string) error {
	q, err := svc.lookupURL(queueURL)
	if err != nil {
		return err
	}
	return svc.deleteQueue(q)
}

// SendMessage sends a message to in.QueueURL.
func (svc *Service) SendMessage(in SendMessageInput) (SendMessageOutput, error) {
	q, err := svc.lookupURL(in.QueueURL)
	if err != nil {
		return SendMessageOutput{}, err
	}
	return svc.sendMessage(q, &in)
}

// ReceiveMessage receives messages from in.QueueURL, long polling when
// in.WaitTimeSeconds (or the queue's ReceiveMessageWaitTimeSeconds) says so.
func (svc *Service) ReceiveMessage(ctx context.Context, in ReceiveMessageInput) ([]Message, error) {
	q, err := svc.lookupURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	return svc.receiveMessage(ctx, q, &in)
}

// DeleteMessage deletes a received message.
func (svc *Service) DeleteMessage(queueURL, receiptHandle string) error {
	q, err := svc.lookupURL(queueURL)
	if err != nil {
		return err
	}
	return svc.deleteMessage(q, receiptHandle)
}

// GetQueueAttributes returns the named attributes ("All" for every one).
func (svc *Service) GetQueueAttributes(queueURL string, names ...string) (map[string]string, error) {
	q, err := svc.lookupURL(queueURL)
	if err != nil {
		return nil, err
	}
	return svc.getQueueAttributes(q, names)
}

// SetQueueAttributes changes queue attributes.
func (svc *Service) SetQueueAttributes(queueURL string, attributes map[string]string) error {
	q, err := svc.lookupURL(queueURL)
	if err != nil {
		return err
	}
	return svc.setQueueAttributes(q, attributes)
}

// SendToARN sends body to the queue with this ARN, as an EventBridge
// target delivers (events.QueueSender). On a FIFO queue the message gets
// groupID and dedupID; a standard queue ignores them. It returns the
// durable-log record to wait for, 0 when nothing was sent: a missing queue
// or a message the queue refuses drops the delivery.
func (svc *Service) SendToARN(queueARN, body, groupID, dedupID string) uint64 {
	q := svc.lookupARN(queueARN)
	if q == nil {
		return 0
	}
	in := SendMessageInput{MessageBody: body}
	if q.fifo {
		in.MessageGroupID, in.MessageDeduplicationID = groupID, dedupID
	}
	m, err := q.prepare(&in)
	if err != nil {
		return 0
	}
	_, seq, _ := q.send(m, nil)
	return seq
}

// HasQueueARN reports whether the queue with this ARN exists.
func (svc *Service) HasQueueARN(arn string) bool { return svc.lookupARN(arn) != nil }
