package sqs

import (
	"context"

	"firstclass/internal/awslocal/awsproto"
)

// Each SQS action is written once, as an operation: run takes the
// protocol-neutral input that the JSON and the query codecs decode from
// their requests and returns the neutral output they encode. An action on
// a queue gets the queue its request names already looked up. Adding an
// action costs one entry in actions, its run function and its two codecs.

// operation is one action with neutral input In and output Out.
type operation[In, Out any] struct {
	// onQueue: the action is on the queue its request names (QueueUrl, or
	// the query request's path), which must exist.
	onQueue bool
	// fromJSON decodes a JSON 1.0 body into the input and the QueueUrl.
	fromJSON func(body []byte) (In, string, error)
	// fromQuery decodes a query form. The queue, if any, is looked up first.
	fromQuery func(f queryForm) (In, error)
	run       func(svc *Service, ctx context.Context, q *queue, in In) (Out, error)
	toJSON    func(Out) any
	toQuery   func(Out) awsproto.QueryResult
}

// action is an operation with its types erased, for the table.
type action interface {
	serveJSON(svc *Service, ctx context.Context, body []byte) (any, error)
	serveQuery(svc *Service, ctx context.Context, f queryForm, queueURL string) (awsproto.QueryResult, error)
}

// The JSON protocol decodes the body before it looks up the queue; the
// query protocol looks up the queue (from the path or the form) first.

func (op operation[In, Out]) serveJSON(svc *Service, ctx context.Context, body []byte) (any, error) {
	in, url, err := op.fromJSON(body)
	if err != nil {
		return nil, err
	}
	var q *queue
	if op.onQueue {
		var qerr *awsproto.Error
		if q, qerr = svc.lookupURL(url); qerr != nil {
			return nil, qerr
		}
	}
	out, err := op.run(svc, ctx, q, in)
	if err != nil {
		return nil, err
	}
	return op.toJSON(out), nil
}

func (op operation[In, Out]) serveQuery(svc *Service, ctx context.Context, f queryForm, queueURL string) (awsproto.QueryResult, error) {
	var q *queue
	if op.onQueue {
		var qerr *awsproto.Error
		if q, qerr = svc.lookupURL(queueURL); qerr != nil {
			return awsproto.QueryResult{}, qerr
		}
	}
	in, err := op.fromQuery(f)
	if err != nil {
		return awsproto.QueryResult{}, err
	}
	out, err := op.run(svc, ctx, q, in)
	if err != nil {
		return awsproto.QueryResult{}, err
	}
	return op.toQuery(out), nil
}

// actions are the SQS actions by name.
var actions = map[string]action{
	"SendMessage": operation[SendMessageInput, SendMessageOutput]{onQueue: true,
		fromJSON: sendMessageFromJSON, fromQuery: sendMessageFromQuery, run: runSendMessage,
		toJSON: sendMessageToJSON, toQuery: sendMessageToQuery},
	"SendMessageBatch": operation[[]SendMessageBatchEntry, sendBatchOutput]{onQueue: true,
		fromJSON: sendBatchFromJSON, fromQuery: sendBatchFromQuery, run: runSendMessageBatch,
		toJSON: sendBatchToJSON, toQuery: sendBatchToQuery},
	"ReceiveMessage": operation[ReceiveMessageInput, []Message]{onQueue: true,
		fromJSON: receiveFromJSON, fromQuery: receiveFromQuery, run: runReceiveMessage,
		toJSON: receiveToJSON, toQuery: receiveToQuery},
	"DeleteMessage": operation[string, noOutput]{onQueue: true,
		fromJSON: deleteFromJSON, fromQuery: deleteFromQuery, run: runDeleteMessage,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"DeleteMessageBatch": operation[[]DeleteMessageBatchEntry, idBatchOutput]{onQueue: true,
		fromJSON: deleteBatchFromJSON, fromQuery: deleteBatchFromQuery, run: runDeleteMessageBatch,
		toJSON: idBatchToJSON, toQuery: idBatchToQuery("DeleteMessageBatchResultEntry")},
	"ChangeMessageVisibility": operation[visibilityInput, noOutput]{onQueue: true,
		fromJSON: visibilityFromJSON, fromQuery: visibilityFromQuery, run: runChangeVisibility,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"ChangeMessageVisibilityBatch": operation[[]ChangeVisibilityBatchEntry, idBatchOutput]{onQueue: true,
		fromJSON: visibilityBatchFromJSON, fromQuery: visibilityBatchFromQuery, run: runChangeVisibilityBatch,
		toJSON: idBatchToJSON, toQuery: idBatchToQuery("ChangeMessageVisibilityBatchResultEntry")},
	"CreateQueue": operation[createQueueInput, string]{
		fromJSON: createQueueFromJSON, fromQuery: createQueueFromQuery, run: runCreateQueue,
		toJSON: queueURLToJSON, toQuery: queueURLToQuery},
	"GetQueueUrl": operation[string, string]{
		fromJSON: queueNameFromJSON, fromQuery: queueNameFromQuery, run: runGetQueueURL,
		toJSON: queueURLToJSON, toQuery: queueURLToQuery},
	"ListQueues": operation[listQueuesInput, listQueuesOutput]{
		fromJSON: listQueuesFromJSON, fromQuery: listQueuesFromQuery, run: runListQueues,
		toJSON: listQueuesToJSON, toQuery: listQueuesToQuery},
	"DeleteQueue": operation[noInput, noOutput]{onQueue: true,
		fromJSON: queueOnlyFromJSON, fromQuery: queueOnlyFromQuery, run: runDeleteQueue,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"PurgeQueue": operation[noInput, noOutput]{onQueue: true,
		fromJSON: queueOnlyFromJSON, fromQuery: queueOnlyFromQuery, run: runPurgeQueue,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"GetQueueAttributes": operation[[]string, map[string]string]{onQueue: true,
		fromJSON: attributeNamesFromJSON, fromQuery: attributeNamesFromQuery, run: runGetQueueAttributes,
		toJSON: attributesToJSON, toQuery: attributesToQuery},
	"SetQueueAttributes": operation[map[string]string, noOutput]{onQueue: true,
		fromJSON: attributesFromJSON, fromQuery: attributesFromQuery, run: runSetQueueAttributes,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"ListQueueTags": operation[noInput, map[string]string]{onQueue: true,
		fromJSON: queueOnlyFromJSON, fromQuery: queueOnlyFromQuery, run: runListQueueTags,
		toJSON: tagsToJSON, toQuery: tagsToQuery},
	// TagQueue and UntagQueue take the same input and both apply all of it.
	"TagQueue": operation[tagInput, noOutput]{onQueue: true,
		fromJSON: tagsFromJSON, fromQuery: tagsFromQuery, run: runTagQueue,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"UntagQueue": operation[tagInput, noOutput]{onQueue: true,
		fromJSON: tagsFromJSON, fromQuery: tagsFromQuery, run: runTagQueue,
		toJSON: emptyJSON, toQuery: emptyQuery},
	"ListDeadLetterSourceQueues": operation[noInput, []string]{onQueue: true,
		fromJSON: queueOnlyFromJSON, fromQuery: queueOnlyFromQuery, run: runListDeadLetterSources,
		toJSON: deadLetterSourcesToJSON, toQuery: deadLetterSourcesToQuery},
}

func (svc *Service) dispatchJSON(ctx context.Context, name string, body []byte) (any, error) {
	a, ok := actions[name]
	if !ok {
		return nil, errUnsupportedSQSOperation(name)
	}
	return a.serveJSON(svc, ctx, body)
}

func (svc *Service) dispatchQuery(ctx context.Context, name string, f queryForm, queueURL string) (awsproto.QueryResult, error) {
	a, ok := actions[name]
	if !ok {
		return awsproto.QueryResult{}, errUnsupportedSQSOperation(name)
	}
	return a.serveQuery(svc, ctx, f, queueURL)
}

// The neutral inputs and outputs that are not part of the Go API.
type (
	noInput         struct{}
	noOutput        struct{}
	visibilityInput struct {
		ReceiptHandle     string
		VisibilityTimeout *int
	}
	createQueueInput struct {
		Name       string
		Attributes map[string]string
		Tags       map[string]string
	}
	listQueuesInput struct {
		Prefix     string
		MaxResults int
		NextToken  string
	}
	listQueuesOutput struct {
		URLs      []string
		NextToken string
	}
	tagInput struct {
		Tags    map[string]string
		TagKeys []string
	}
	sendBatchOutput struct {
		Successful []SendMessageBatchResultEntry
		Failed     []BatchResultErrorEntry
	}
	// idBatchOutput is a batch result whose successes are entry IDs.
	idBatchOutput struct {
		Successful []string
		Failed     []BatchResultErrorEntry
	}
)

// The run functions, one per action.

func runSendMessage(svc *Service, _ context.Context, q *queue, in SendMessageInput) (SendMessageOutput, error) {
	return svc.sendMessage(q, &in)
}

func runSendMessageBatch(svc *Service, _ context.Context, q *queue, entries []SendMessageBatchEntry) (sendBatchOutput, error) {
	ok, failed, err := svc.sendMessageBatch(q, entries)
	return sendBatchOutput{ok, failed}, err
}

func runReceiveMessage(svc *Service, ctx context.Context, q *queue, in ReceiveMessageInput) ([]Message, error) {
	return svc.receiveMessage(ctx, q, &in)
}

func runDeleteMessage(svc *Service, _ context.Context, q *queue, receiptHandle string) (noOutput, error) {
	return noOutput{}, svc.deleteMessage(q, receiptHandle)
}

func runDeleteMessageBatch(svc *Service, _ context.Context, q *queue, entries []DeleteMessageBatchEntry) (idBatchOutput, error) {
	ok, failed, err := svc.deleteMessageBatch(q, entries)
	return idBatchOutput{ok, failed}, err
}

func runChangeVisibility(svc *Service, _ context.Context, q *queue, in visibilityInput) (noOutput, error) {
	if in.VisibilityTimeout == nil {
		return noOutput{}, errMissingParameter("VisibilityTimeout")
	}
	if err := svc.changeVisibility(q, in.ReceiptHandle, *in.VisibilityTimeout); err != nil {
		return noOutput{}, err
	}
	return noOutput{}, nil
}

func runChangeVisibilityBatch(svc *Service, _ context.Context, q *queue, entries []ChangeVisibilityBatchEntry) (idBatchOutput, error) {
	ok, failed, err := svc.changeVisibilityBatch(q, entries)
	return idBatchOutput{ok, failed}, err
}

func runCreateQueue(svc *Service, _ context.Context, _ *queue, in createQueueInput) (string, error) {
	q, err := svc.createQueue(in.Name, in.Attributes, in.Tags)
	if err != nil {
		return "", err
	}
	return svc.queueURL(q.name), nil
}

func runGetQueueURL(svc *Service, _ context.Context, _ *queue, name string) (string, error) {
	if name == "" {
		return "", errMissingParameter("QueueName")
	}
	q, err := svc.lookup(name)
	if err != nil {
		return "", err
	}
	return svc.queueURL(q.name), nil
}

func runListQueues(svc *Service, _ context.Context, _ *queue, in listQueuesInput) (listQueuesOutput, error) {
	urls, next, err := svc.listQueuePage(in.Prefix, in.MaxResults, in.NextToken)
	return listQueuesOutput{urls, next}, err
}

func runDeleteQueue(svc *Service, _ context.Context, q *queue, _ noInput) (noOutput, error) {
	return noOutput{}, svc.deleteQueue(q)
}

func runPurgeQueue(svc *Service, _ context.Context, q *queue, _ noInput) (noOutput, error) {
	return noOutput{}, svc.purge(q)
}

func runGetQueueAttributes(svc *Service, _ context.Context, q *queue, names []string) (map[string]string, error) {
	return svc.getQueueAttributes(q, names)
}

func runSetQueueAttributes(svc *Service, _ context.Context, q *queue, attrs map[string]string) (noOutput, error) {
	return noOutput{}, svc.setQueueAttributes(q, attrs)
}

func runListQueueTags(_ *Service, _ context.Context, q *queue, _ noInput) (map[string]string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return copyStrings(q.tags), nil
}

func runTagQueue(svc *Service, _ context.Context, q *queue, in tagInput) (noOutput, error) {
	return noOutput{}, svc.tagQueue(q, in.Tags, in.TagKeys)
}

func runListDeadLetterSources(svc *Service, _ context.Context, q *queue, _ noInput) ([]string, error) {
	return svc.deadLetterSources(q), nil
}
