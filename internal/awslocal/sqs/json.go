package sqs

import (
	"firstclass/internal/awslocal/awsproto"
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

// The JSON codecs of the actions (operations.go): each decodes the request
// members the SQS model gives the action, and encodes the output members.

type emptyOutput struct{}

func emptyJSON(noOutput) any { return emptyOutput{} }

func queueOnlyFromJSON(body []byte) (noInput, string, error) {
	var j struct{ QueueUrl string }
	err := awsproto.DecodeJSON(body, &j)
	return noInput{}, j.QueueUrl, err
}

func sendMessageFromJSON(body []byte) (SendMessageInput, string, error) {
	var j jsonSendInput
	err := awsproto.DecodeJSON(body, &j)
	return j.input(), j.QueueUrl, err
}

func sendMessageToJSON(o SendMessageOutput) any { return toJSONSendOutput(o) }

func sendBatchFromJSON(body []byte) ([]SendMessageBatchEntry, string, error) {
	var j struct {
		QueueUrl string `json:"QueueUrl"`
		Entries  []struct {
			Id string `json:"Id"`
			jsonSendInput
		} `json:"Entries"`
	}
	if err := awsproto.DecodeJSON(body, &j); err != nil {
		return nil, "", err
	}
	entries := make([]SendMessageBatchEntry, len(j.Entries))
	for i, e := range j.Entries {
		entries[i] = SendMessageBatchEntry{ID: e.Id, SendMessageInput: e.input()}
	}
	return entries, j.QueueUrl, nil
}

func sendBatchToJSON(o sendBatchOutput) any {
	type okEntry struct {
		Id string `json:"Id"`
		jsonSendOutput
	}
	res := struct {
		Failed     []jsonBatchError `json:"Failed"`
		Successful []okEntry        `json:"Successful"`
	}{Failed: toJSONBatchErrors(o.Failed), Successful: make([]okEntry, len(o.Successful))}
	for i, e := range o.Successful {
		res.Successful[i] = okEntry{e.ID, toJSONSendOutput(e.SendMessageOutput)}
	}
	return res
}

func receiveFromJSON(body []byte) (ReceiveMessageInput, string, error) {
	var j struct {
		QueueUrl                    string   `json:"QueueUrl"`
		AttributeNames              []string `json:"AttributeNames"`
		MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
		MessageAttributeNames       []string `json:"MessageAttributeNames"`
		MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
		VisibilityTimeout           *int     `json:"VisibilityTimeout"`
		WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
	}
	err := awsproto.DecodeJSON(body, &j)
	in := ReceiveMessageInput{
		QueueURL:              j.QueueUrl,
		VisibilityTimeout:     j.VisibilityTimeout,
		WaitTimeSeconds:       j.WaitTimeSeconds,
		SystemAttributeNames:  append(j.MessageSystemAttributeNames, j.AttributeNames...),
		MessageAttributeNames: j.MessageAttributeNames,
	}
	if err == nil && j.MaxNumberOfMessages != nil {
		// An explicit 0 is out of range; only an absent value means 1.
		if *j.MaxNumberOfMessages == 0 {
			err = errMaxNumberOfMessages(0)
		}
		in.MaxNumberOfMessages = *j.MaxNumberOfMessages
	}
	return in, j.QueueUrl, err
}

func receiveToJSON(msgs []Message) any {
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
	return res
}

func deleteFromJSON(body []byte) (string, string, error) {
	var j struct{ QueueUrl, ReceiptHandle string }
	err := awsproto.DecodeJSON(body, &j)
	return j.ReceiptHandle, j.QueueUrl, err
}

func deleteBatchFromJSON(body []byte) ([]DeleteMessageBatchEntry, string, error) {
	var j struct {
		QueueUrl string
		Entries  []struct{ Id, ReceiptHandle string }
	}
	if err := awsproto.DecodeJSON(body, &j); err != nil {
		return nil, "", err
	}
	entries := make([]DeleteMessageBatchEntry, len(j.Entries))
	for i, e := range j.Entries {
		entries[i] = DeleteMessageBatchEntry{ID: e.Id, ReceiptHandle: e.ReceiptHandle}
	}
	return entries, j.QueueUrl, nil
}

func idBatchToJSON(o idBatchOutput) any {
	res := struct {
		Failed     []jsonBatchError `json:"Failed"`
		Successful []jsonIDs        `json:"Successful"`
	}{Failed: toJSONBatchErrors(o.Failed), Successful: make([]jsonIDs, len(o.Successful))}
	for i, id := range o.Successful {
		res.Successful[i] = jsonIDs{id}
	}
	return res
}

func visibilityFromJSON(body []byte) (visibilityInput, string, error) {
	var j struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       *int
	}
	err := awsproto.DecodeJSON(body, &j)
	return visibilityInput{ReceiptHandle: j.ReceiptHandle, VisibilityTimeout: j.VisibilityTimeout}, j.QueueUrl, err
}

func visibilityBatchFromJSON(body []byte) ([]ChangeVisibilityBatchEntry, string, error) {
	var j struct {
		QueueUrl string
		Entries  []struct {
			Id, ReceiptHandle string
			VisibilityTimeout int
		}
	}
	if err := awsproto.DecodeJSON(body, &j); err != nil {
		return nil, "", err
	}
	entries := make([]ChangeVisibilityBatchEntry, len(j.Entries))
	for i, e := range j.Entries {
		entries[i] = ChangeVisibilityBatchEntry{ID: e.Id, ReceiptHandle: e.ReceiptHandle, VisibilityTimeout: e.VisibilityTimeout}
	}
	return entries, j.QueueUrl, nil
}

func createQueueFromJSON(body []byte) (createQueueInput, string, error) {
	var j struct {
		QueueName  string
		Attributes map[string]string
		Tags       map[string]string `json:"tags"`
	}
	err := awsproto.DecodeJSON(body, &j)
	return createQueueInput{Name: j.QueueName, Attributes: j.Attributes, Tags: j.Tags}, "", err
}

func queueNameFromJSON(body []byte) (string, string, error) {
	var j struct{ QueueName string }
	err := awsproto.DecodeJSON(body, &j)
	return j.QueueName, "", err
}

func queueURLToJSON(url string) any { return struct{ QueueUrl string }{url} }

func listQueuesFromJSON(body []byte) (listQueuesInput, string, error) {
	var j struct {
		QueueNamePrefix string
		MaxResults      int
		NextToken       string
	}
	err := awsproto.DecodeJSON(body, &j)
	return listQueuesInput{Prefix: j.QueueNamePrefix, MaxResults: j.MaxResults, NextToken: j.NextToken}, "", err
}

func listQueuesToJSON(o listQueuesOutput) any {
	return struct {
		QueueUrls []string `json:"QueueUrls,omitempty"`
		NextToken string   `json:"NextToken,omitempty"`
	}{o.URLs, o.NextToken}
}

func attributeNamesFromJSON(body []byte) ([]string, string, error) {
	var j struct {
		QueueUrl       string
		AttributeNames []string
	}
	err := awsproto.DecodeJSON(body, &j)
	return j.AttributeNames, j.QueueUrl, err
}

func attributesToJSON(attrs map[string]string) any {
	return struct {
		Attributes map[string]string `json:"Attributes,omitempty"`
	}{attrs}
}

func attributesFromJSON(body []byte) (map[string]string, string, error) {
	var j struct {
		QueueUrl   string
		Attributes map[string]string
	}
	err := awsproto.DecodeJSON(body, &j)
	return j.Attributes, j.QueueUrl, err
}

func tagsToJSON(tags map[string]string) any {
	return struct {
		Tags map[string]string `json:"Tags,omitempty"`
	}{tags}
}

func tagsFromJSON(body []byte) (tagInput, string, error) {
	var j struct {
		QueueUrl string
		Tags     map[string]string
		TagKeys  []string
	}
	err := awsproto.DecodeJSON(body, &j)
	return tagInput{Tags: j.Tags, TagKeys: j.TagKeys}, j.QueueUrl, err
}

func deadLetterSourcesToJSON(urls []string) any {
	return struct {
		QueueUrls []string `json:"queueUrls"`
	}{urls}
}
