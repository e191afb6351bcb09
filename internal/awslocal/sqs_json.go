package awslocal

import (
	"net/http"
	"strings"
)

// SQS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Action>), what current SDKs
// and the AWS CLI send. Member names follow the SQS Smithy model.

type jsonAttrValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

func fromJSONAttrs(in map[string]jsonAttrValue) map[string]MessageAttribute {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]MessageAttribute, len(in))
	for k, v := range in {
		a := MessageAttribute{DataType: v.DataType, BinaryValue: v.BinaryValue}
		if v.StringValue != nil {
			a.StringValue = *v.StringValue
		}
		out[k] = a
	}
	return out
}

func toJSONAttrs(in map[string]MessageAttribute) map[string]jsonAttrValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]jsonAttrValue, len(in))
	for k, v := range in {
		j := jsonAttrValue{DataType: v.DataType}
		if v.isBinary() {
			j.BinaryValue = v.BinaryValue
		} else {
			s := v.StringValue
			j.StringValue = &s
		}
		out[k] = j
	}
	return out
}

type jsonSendInput struct {
	QueueUrl                string                   `json:"QueueUrl"`
	MessageBody             *string                  `json:"MessageBody"`
	DelaySeconds            *int                     `json:"DelaySeconds"`
	MessageAttributes       map[string]jsonAttrValue `json:"MessageAttributes"`
	MessageSystemAttributes map[string]jsonAttrValue `json:"MessageSystemAttributes"`
	MessageDeduplicationId  string                   `json:"MessageDeduplicationId"`
	MessageGroupId          string                   `json:"MessageGroupId"`
}

func (j *jsonSendInput) input() SendMessageInput {
	in := SendMessageInput{
		QueueURL:                j.QueueUrl,
		DelaySeconds:            j.DelaySeconds,
		MessageAttributes:       fromJSONAttrs(j.MessageAttributes),
		MessageSystemAttributes: fromJSONAttrs(j.MessageSystemAttributes),
		MessageDeduplicationID:  j.MessageDeduplicationId,
		MessageGroupID:          j.MessageGroupId,
	}
	if j.MessageBody != nil {
		in.MessageBody = *j.MessageBody
	}
	return in
}

type jsonSendOutput struct {
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

func toJSONSendOutput(o SendMessageOutput) jsonSendOutput {
	return jsonSendOutput{o.MD5OfMessageAttributes, o.MD5OfMessageBody, o.MD5OfMessageSystemAttributes, o.MessageID, o.SequenceNumber}
}

type jsonBatchError struct {
	Code        string `json:"Code"`
	Id          string `json:"Id"`
	Message     string `json:"Message,omitempty"`
	SenderFault bool   `json:"SenderFault"`
}

func toJSONBatchErrors(in []BatchResultErrorEntry) []jsonBatchError {
	out := make([]jsonBatchError, len(in))
	for i, e := range in {
		out[i] = jsonBatchError{e.Code, e.ID, e.Message, e.SenderFault}
	}
	return out
}

type jsonMessage struct {
	Attributes             map[string]string        `json:"Attributes,omitempty"`
	Body                   string                   `json:"Body"`
	MD5OfBody              string                   `json:"MD5OfBody"`
	MD5OfMessageAttributes string                   `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]jsonAttrValue `json:"MessageAttributes,omitempty"`
	MessageId              string                   `json:"MessageId"`
	ReceiptHandle          string                   `json:"ReceiptHandle"`
}

type jsonIDs struct {
	Id string `json:"Id"`
}

func (svc *sqsService) serveJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	rid := newRequestID()
	out, err := svc.dispatchJSON(r, action, body)
	if err != nil {
		writeJSONError(w, "1.0", rid, asAWSError(err))
		return
	}
	writeJSON(w, "1.0", rid, out)
}

type emptyOutput struct{}

func (svc *sqsService) dispatchJSON(r *http.Request, action string, body []byte) (any, error) {
	switch action {
	case "SendMessage":
		var j jsonSendInput
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		in := j.input()
		m, perr := q.prepare(&in, j.MessageBody != nil)
		if perr != nil {
			return nil, perr
		}
		o, seq, perr := q.send(m, in.DelaySeconds)
		if perr != nil {
			return nil, perr
		}
		if err := svc.srv.store.wait(seq); err != nil {
			return nil, err
		}
		return toJSONSendOutput(o), nil

	case "SendMessageBatch":
		var j struct {
			QueueUrl string `json:"QueueUrl"`
			Entries  []struct {
				Id string `json:"Id"`
				jsonSendInput
			} `json:"Entries"`
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		entries := make([]SendMessageBatchEntry, len(j.Entries))
		for i, e := range j.Entries {
			entries[i] = SendMessageBatchEntry{ID: e.Id, SendMessageInput: e.input(), hasBody: e.MessageBody != nil}
		}
		ok, failed, berr := svc.sendMessageBatch(q, entries)
		if berr != nil {
			return nil, berr
		}
		type okEntry struct {
			Id string `json:"Id"`
			jsonSendOutput
		}
		res := struct {
			Failed     []jsonBatchError `json:"Failed"`
			Successful []okEntry        `json:"Successful"`
		}{Failed: toJSONBatchErrors(failed), Successful: make([]okEntry, len(ok))}
		for i, e := range ok {
			res.Successful[i] = okEntry{e.ID, toJSONSendOutput(e.SendMessageOutput)}
		}
		return res, nil

	case "ReceiveMessage":
		var j struct {
			QueueUrl                    string   `json:"QueueUrl"`
			AttributeNames              []string `json:"AttributeNames"`
			MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
			MessageAttributeNames       []string `json:"MessageAttributeNames"`
			MaxNumberOfMessages         int      `json:"MaxNumberOfMessages"`
			VisibilityTimeout           *int     `json:"VisibilityTimeout"`
			WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		in := ReceiveMessageInput{
			QueueURL:              j.QueueUrl,
			MaxNumberOfMessages:   j.MaxNumberOfMessages,
			VisibilityTimeout:     j.VisibilityTimeout,
			WaitTimeSeconds:       j.WaitTimeSeconds,
			SystemAttributeNames:  append(j.MessageSystemAttributeNames, j.AttributeNames...),
			MessageAttributeNames: j.MessageAttributeNames,
		}
		msgs, rerr := svc.receiveMessage(r.Context(), q, &in)
		if rerr != nil {
			return nil, rerr
		}
		res := struct {
			Messages []jsonMessage `json:"Messages,omitempty"`
		}{}
		for _, m := range msgs {
			res.Messages = append(res.Messages, jsonMessage{
				Attributes: m.Attributes, Body: m.Body, MD5OfBody: m.MD5OfBody,
				MD5OfMessageAttributes: m.MD5OfMessageAttributes, MessageAttributes: toJSONAttrs(m.MessageAttributes),
				MessageId: m.MessageID, ReceiptHandle: m.ReceiptHandle,
			})
		}
		return res, nil

	case "DeleteMessage":
		var j struct{ QueueUrl, ReceiptHandle string }
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		if derr := svc.deleteMessage(q, j.ReceiptHandle); derr != nil {
			return nil, derr
		}
		return emptyOutput{}, nil

	case "DeleteMessageBatch":
		var j struct {
			QueueUrl string
			Entries  []struct{ Id, ReceiptHandle string }
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		entries := make([]DeleteMessageBatchEntry, len(j.Entries))
		for i, e := range j.Entries {
			entries[i] = DeleteMessageBatchEntry{ID: e.Id, ReceiptHandle: e.ReceiptHandle}
		}
		ok, failed, berr := svc.deleteMessageBatch(q, entries)
		if berr != nil {
			return nil, berr
		}
		return batchIDResult(ok, failed), nil

	case "ChangeMessageVisibility":
		var j struct {
			QueueUrl, ReceiptHandle string
			VisibilityTimeout       *int
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		if j.VisibilityTimeout == nil {
			return nil, errMissingParameter("VisibilityTimeout")
		}
		if cerr := svc.changeVisibility(q, j.ReceiptHandle, *j.VisibilityTimeout); cerr != nil {
			return nil, cerr
		}
		return emptyOutput{}, nil

	case "ChangeMessageVisibilityBatch":
		var j struct {
			QueueUrl string
			Entries  []struct {
				Id, ReceiptHandle string
				VisibilityTimeout int
			}
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		entries := make([]ChangeVisibilityBatchEntry, len(j.Entries))
		for i, e := range j.Entries {
			entries[i] = ChangeVisibilityBatchEntry{ID: e.Id, ReceiptHandle: e.ReceiptHandle, VisibilityTimeout: e.VisibilityTimeout}
		}
		ok, failed, berr := svc.changeVisibilityBatch(q, entries)
		if berr != nil {
			return nil, berr
		}
		return batchIDResult(ok, failed), nil

	case "CreateQueue":
		var j struct {
			QueueName  string
			Attributes map[string]string
			Tags       map[string]string `json:"tags"`
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.createQueue(j.QueueName, j.Attributes, j.Tags)
		if err != nil {
			return nil, err
		}
		return struct{ QueueUrl string }{svc.queueURL(q.name)}, nil

	case "GetQueueUrl":
		var j struct{ QueueName string }
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		if j.QueueName == "" {
			return nil, errMissingParameter("QueueName")
		}
		q, err := svc.lookup(j.QueueName)
		if err != nil {
			return nil, err
		}
		return struct{ QueueUrl string }{svc.queueURL(q.name)}, nil

	case "ListQueues":
		var j struct {
			QueueNamePrefix string
			MaxResults      int
			NextToken       string
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		urls, next, lerr := svc.listQueuePage(j.QueueNamePrefix, j.MaxResults, j.NextToken)
		if lerr != nil {
			return nil, lerr
		}
		return struct {
			QueueUrls []string `json:"QueueUrls,omitempty"`
			NextToken string   `json:"NextToken,omitempty"`
		}{urls, next}, nil

	case "DeleteQueue", "PurgeQueue":
		var j struct{ QueueUrl string }
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		var derr error
		if action == "DeleteQueue" {
			derr = svc.deleteQueue(q)
		} else {
			derr = svc.purge(q)
		}
		if derr != nil {
			return nil, derr
		}
		return emptyOutput{}, nil

	case "GetQueueAttributes":
		var j struct {
			QueueUrl       string
			AttributeNames []string
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		attrs, aerr := svc.getQueueAttributes(q, j.AttributeNames)
		if aerr != nil {
			return nil, aerr
		}
		return struct {
			Attributes map[string]string `json:"Attributes,omitempty"`
		}{attrs}, nil

	case "SetQueueAttributes":
		var j struct {
			QueueUrl   string
			Attributes map[string]string
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		if serr := svc.setQueueAttributes(q, j.Attributes); serr != nil {
			return nil, serr
		}
		return emptyOutput{}, nil

	case "ListQueueTags":
		var j struct{ QueueUrl string }
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		q.mu.Lock()
		tags := make(map[string]string, len(q.tags))
		for k, v := range q.tags {
			tags[k] = v
		}
		q.mu.Unlock()
		return struct {
			Tags map[string]string `json:"Tags,omitempty"`
		}{tags}, nil

	case "TagQueue", "UntagQueue":
		var j struct {
			QueueUrl string
			Tags     map[string]string
			TagKeys  []string
		}
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		if terr := svc.tagQueue(q, j.Tags, j.TagKeys); terr != nil {
			return nil, terr
		}
		return emptyOutput{}, nil

	case "ListDeadLetterSourceQueues":
		var j struct{ QueueUrl string }
		if err := decodeJSON(body, &j); err != nil {
			return nil, err
		}
		q, err := svc.lookupURL(j.QueueUrl)
		if err != nil {
			return nil, err
		}
		return struct {
			QueueUrls []string `json:"queueUrls"`
		}{svc.deadLetterSources(q)}, nil
	}
	return nil, errUnsupportedSQSOperation(action)
}

func batchIDResult(ok []string, failed []BatchResultErrorEntry) any {
	res := struct {
		Failed     []jsonBatchError `json:"Failed"`
		Successful []jsonIDs        `json:"Successful"`
	}{Failed: toJSONBatchErrors(failed), Successful: make([]jsonIDs, len(ok))}
	for i, id := range ok {
		res.Successful[i] = jsonIDs{id}
	}
	return res
}

// listQueuePage pages ListQueues; the token is the last name returned.
func (svc *sqsService) listQueuePage(prefix string, max int, token string) ([]string, string, error) {
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

func (svc *sqsService) deadLetterSources(dlq *sqsQueue) []string {
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
