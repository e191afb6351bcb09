package sqs

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"firstclass/internal/awslocal/awsproto"
)

// SQS query protocol: a form (POST body or query string) with Action=...,
// sent to the queue URL or to "/". Answers are XML in the 2012-11-05
// namespace, as the SQS API reference samples and real responses show
// (e.g. `<?xml version="1.0"?><ListQueuesResponse
// xmlns="https://queue.amazonaws.com/doc/2012-11-05/">` in mhart/aws4's
// README). This is what API Gateway's HTTP API SQS-SendMessage integration
// sends, handing the XML back to its client.
//
// A REST API AwsIntegration sends the same form with Accept:
// application/json; SQS then answers the query shape as JSON, members in
// alphabetical order and absent ones null:
// {"SendMessageResponse":{"ResponseMetadata":{"RequestId":"…"},
// "SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"…",
// "MD5OfMessageSystemAttributes":null,"MessageId":"…","SequenceNumber":null}}}
// (recorded from AWS in aws-samples/serverless-patterns READMEs, e.g.
// cdk-apigw-markerplace-metering-records and the ReceiveMessage pattern with
// {"ReceiveMessageResult":{"messages":[…]}}), and errors as
// {"Error":{"Code":"…","Message":"…","Type":"Sender"},"RequestId":"…"}.

const sqsXMLNS = "https://queue.amazonaws.com/doc/2012-11-05/"

// ServeQuery answers an SQS query-protocol request: a form in the body or
// the query string with an Action, on the queue URL's path or on "/".
func (svc *Service) ServeQuery(w http.ResponseWriter, r *http.Request) {
	rid := awsproto.NewRequestID()
	jsonOut := awsproto.WantsJSON(r)
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, awsproto.MaxRequestBody)
	}
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			awsproto.WriteQueryError(w, jsonOut, sqsXMLNS, rid, awsproto.ErrRequestTooLarge)
			return
		}
		awsproto.WriteQueryError(w, jsonOut, sqsXMLNS, rid, &awsproto.Error{Code: "MalformedQueryString", Message: err.Error()})
		return
	}
	f := queryForm{awsproto.Form{Values: r.Form}}
	action := f.Get("Action")
	if action == "" {
		// What SQS answers a request that is neither JSON nor a form with an
		// Action (e.g. a REST integration without the form Content-Type).
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-Requestid", rid)
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<UnknownOperationException/>")
		return
	}
	queueURL := f.Get("QueueUrl")
	if queueURL == "" && r.URL.Path != "/" && r.URL.Path != "" {
		queueURL = r.URL.Path
	}
	res, err := svc.dispatchQuery(r.Context(), action, f, queueURL)
	if err != nil {
		awsproto.WriteQueryError(w, jsonOut, sqsXMLNS, rid, awsproto.AsError(err))
		return
	}
	awsproto.WriteQueryResponse(w, jsonOut, sqsXMLNS, action, rid, res)
}

// queryForm is a query request's form with SQS's readers.
type queryForm struct{ awsproto.Form }

func (f queryForm) intp(k string) (*int, *awsproto.Error) {
	v, ok := f.Values[k]
	if !ok || len(v) == 0 || v[0] == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v[0]))
	if err != nil {
		return nil, errInvalidParameterValue("Value %s for parameter %s is invalid. Reason: must be an integer.", v[0], k)
	}
	return &n, nil
}

func (f queryForm) messageAttributes(prefix string) (map[string]MessageAttribute, *awsproto.Error) {
	idx := f.Indexes(prefix)
	if len(idx) == 0 {
		return nil, nil
	}
	out := make(map[string]MessageAttribute, len(idx))
	for _, n := range idx {
		p := prefix + "." + strconv.Itoa(n) + "."
		a := MessageAttribute{DataType: f.Get(p + "Value.DataType"), StringValue: f.Get(p + "Value.StringValue")}
		if b := f.Get(p + "Value.BinaryValue"); b != "" {
			dec, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				return nil, errInvalidParameterValue("Value %s for parameter BinaryValue is invalid. Reason: not valid base64.", b)
			}
			a.BinaryValue = dec
		}
		out[f.Get(p+"Name")] = a
	}
	return out, nil
}

func (f queryForm) sendInput(prefix string) (SendMessageInput, *awsproto.Error) {
	in := SendMessageInput{
		MessageBody:            f.Get(prefix + "MessageBody"),
		MessageGroupID:         f.Get(prefix + "MessageGroupId"),
		MessageDeduplicationID: f.Get(prefix + "MessageDeduplicationId"),
	}
	var err *awsproto.Error
	if in.DelaySeconds, err = f.intp(prefix + "DelaySeconds"); err != nil {
		return in, err
	}
	if in.MessageAttributes, err = f.messageAttributes(prefix + "MessageAttribute"); err != nil {
		return in, err
	}
	if in.MessageSystemAttributes, err = f.messageAttributes(prefix + "MessageSystemAttribute"); err != nil {
		return in, err
	}
	return in, nil
}

func sendOutputJSON(o SendMessageOutput) map[string]any {
	return map[string]any{
		"MD5OfMessageAttributes":       awsproto.Nullable(o.MD5OfMessageAttributes),
		"MD5OfMessageBody":             o.MD5OfMessageBody,
		"MD5OfMessageSystemAttributes": awsproto.Nullable(o.MD5OfMessageSystemAttributes),
		"MessageId":                    o.MessageID,
		"SequenceNumber":               awsproto.Nullable(o.SequenceNumber),
	}
}

func writeSendOutputXML(x *awsproto.XMLWriter, o SendMessageOutput) {
	x.Elem("MessageId", o.MessageID)
	x.Elem("MD5OfMessageBody", o.MD5OfMessageBody)
	x.Opt("MD5OfMessageAttributes", o.MD5OfMessageAttributes)
	x.Opt("MD5OfMessageSystemAttributes", o.MD5OfMessageSystemAttributes)
	x.Opt("SequenceNumber", o.SequenceNumber)
}

func writeBatchErrorsXML(x *awsproto.XMLWriter, failed []BatchResultErrorEntry) {
	for _, e := range failed {
		x.Open("BatchResultErrorEntry")
		x.Elem("Id", e.ID)
		x.Elem("Code", e.Code)
		x.Elem("Message", e.Message)
		x.Elem("SenderFault", strconv.FormatBool(e.SenderFault))
		x.Close("BatchResultErrorEntry")
	}
}

func batchErrorsJSON(failed []BatchResultErrorEntry) []any {
	out := make([]any, len(failed))
	for i, e := range failed {
		out[i] = map[string]any{"Code": e.Code, "Id": e.ID, "Message": e.Message, "SenderFault": e.SenderFault}
	}
	return out
}

// idBatchToQuery encodes a batch result whose successes are IDs, each in
// an entry element.
func idBatchToQuery(entry string) func(idBatchOutput) awsproto.QueryResult {
	return func(o idBatchOutput) awsproto.QueryResult {
		succ := make([]any, len(o.Successful))
		for i, id := range o.Successful {
			succ[i] = map[string]any{"Id": id}
		}
		return awsproto.QueryResult{
			XML: func(x *awsproto.XMLWriter) {
				for _, id := range o.Successful {
					x.Open(entry)
					x.Elem("Id", id)
					x.Close(entry)
				}
				writeBatchErrorsXML(x, o.Failed)
			},
			JSON: map[string]any{"Failed": batchErrorsJSON(o.Failed), "Successful": succ},
		}
	}
}

func writeAttrsXML(x *awsproto.XMLWriter, elem, k, v string, m map[string]string) {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		x.Open(elem)
		x.Elem(k, key)
		x.Elem(v, m[key])
		x.Close(elem)
	}
}

func writeMessageXML(x *awsproto.XMLWriter, m Message) {
	x.Open("Message")
	x.Elem("MessageId", m.MessageID)
	x.Elem("ReceiptHandle", m.ReceiptHandle)
	x.Elem("MD5OfBody", m.MD5OfBody)
	x.Elem("Body", m.Body)
	writeAttrsXML(x, "Attribute", "Name", "Value", m.Attributes)
	x.Opt("MD5OfMessageAttributes", m.MD5OfMessageAttributes)
	names := make([]string, 0, len(m.MessageAttributes))
	for n := range m.MessageAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := m.MessageAttributes[n]
		x.Open("MessageAttribute")
		x.Elem("Name", n)
		x.Open("Value")
		if a.isBinary() {
			x.Elem("BinaryValue", base64.StdEncoding.EncodeToString(a.BinaryValue))
		} else {
			x.Elem("StringValue", a.StringValue)
		}
		x.Elem("DataType", a.DataType)
		x.Close("Value")
		x.Close("MessageAttribute")
	}
	x.Close("Message")
}

func receivedJSON(m Message) map[string]any {
	out := map[string]any{
		"Attributes":             nil,
		"Body":                   m.Body,
		"MD5OfBody":              m.MD5OfBody,
		"MD5OfMessageAttributes": awsproto.Nullable(m.MD5OfMessageAttributes),
		"MessageAttributes":      nil,
		"MessageId":              m.MessageID,
		"ReceiptHandle":          m.ReceiptHandle,
	}
	if len(m.Attributes) > 0 {
		out["Attributes"] = m.Attributes
	}
	if len(m.MessageAttributes) > 0 {
		attrs := map[string]any{}
		for n, a := range m.MessageAttributes {
			v := map[string]any{"BinaryListValues": nil, "BinaryValue": nil, "DataType": a.DataType,
				"StringListValues": nil, "StringValue": nil}
			if a.isBinary() {
				v["BinaryValue"] = base64.StdEncoding.EncodeToString(a.BinaryValue)
			} else {
				v["StringValue"] = a.StringValue
			}
			attrs[n] = v
		}
		out["MessageAttributes"] = attrs
	}
	return out
}

// The query codecs of the actions (operations.go): each reads the form's
// flattened members and renders the output as XML and as the JSON shape.

func emptyQuery(noOutput) awsproto.QueryResult { return awsproto.QueryResult{} }

func queueOnlyFromQuery(queryForm) (noInput, error) { return noInput{}, nil }

func sendMessageFromQuery(f queryForm) (SendMessageInput, error) {
	in, err := f.sendInput("")
	if err != nil {
		return in, err
	}
	return in, nil
}

func sendMessageToQuery(o SendMessageOutput) awsproto.QueryResult {
	return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { writeSendOutputXML(x, o) }, JSON: sendOutputJSON(o)}
}

func sendBatchFromQuery(f queryForm) ([]SendMessageBatchEntry, error) {
	var entries []SendMessageBatchEntry
	for _, n := range f.Indexes("SendMessageBatchRequestEntry") {
		p := "SendMessageBatchRequestEntry." + strconv.Itoa(n) + "."
		in, err := f.sendInput(p)
		if err != nil {
			return nil, err
		}
		entries = append(entries, SendMessageBatchEntry{ID: f.Get(p + "Id"), SendMessageInput: in})
	}
	return entries, nil
}

func sendBatchToQuery(o sendBatchOutput) awsproto.QueryResult {
	succ := make([]any, len(o.Successful))
	for i, e := range o.Successful {
		m := sendOutputJSON(e.SendMessageOutput)
		m["Id"] = e.ID
		succ[i] = m
	}
	return awsproto.QueryResult{
		XML: func(x *awsproto.XMLWriter) {
			for _, e := range o.Successful {
				x.Open("SendMessageBatchResultEntry")
				x.Elem("Id", e.ID)
				writeSendOutputXML(x, e.SendMessageOutput)
				x.Close("SendMessageBatchResultEntry")
			}
			writeBatchErrorsXML(x, o.Failed)
		},
		JSON: map[string]any{"Failed": batchErrorsJSON(o.Failed), "Successful": succ},
	}
}

func receiveFromQuery(f queryForm) (ReceiveMessageInput, error) {
	in := ReceiveMessageInput{
		SystemAttributeNames:  append(f.List("MessageSystemAttributeName"), f.List("AttributeName")...),
		MessageAttributeNames: f.List("MessageAttributeName"),
	}
	max, err := f.intp("MaxNumberOfMessages")
	if err != nil {
		return in, err
	}
	if max != nil {
		in.MaxNumberOfMessages = *max
		if *max == 0 {
			in.MaxNumberOfMessages = -1 // explicit 0 is out of range
		}
	}
	if in.VisibilityTimeout, err = f.intp("VisibilityTimeout"); err != nil {
		return in, err
	}
	if in.WaitTimeSeconds, err = f.intp("WaitTimeSeconds"); err != nil {
		return in, err
	}
	if in.MaxNumberOfMessages == -1 {
		return in, errMaxNumberOfMessages(0)
	}
	return in, nil
}

func receiveToQuery(msgs []Message) awsproto.QueryResult {
	var jmsgs any // null when empty, as AWS renders it
	if len(msgs) > 0 {
		list := make([]any, len(msgs))
		for i, m := range msgs {
			list[i] = receivedJSON(m)
		}
		jmsgs = list
	}
	return awsproto.QueryResult{
		XML: func(x *awsproto.XMLWriter) {
			for _, m := range msgs {
				writeMessageXML(x, m)
			}
		},
		JSON: map[string]any{"messages": jmsgs},
	}
}

func deleteFromQuery(f queryForm) (string, error) { return f.Get("ReceiptHandle"), nil }

func deleteBatchFromQuery(f queryForm) ([]DeleteMessageBatchEntry, error) {
	var entries []DeleteMessageBatchEntry
	for _, n := range f.Indexes("DeleteMessageBatchRequestEntry") {
		p := "DeleteMessageBatchRequestEntry." + strconv.Itoa(n) + "."
		entries = append(entries, DeleteMessageBatchEntry{ID: f.Get(p + "Id"), ReceiptHandle: f.Get(p + "ReceiptHandle")})
	}
	return entries, nil
}

func visibilityFromQuery(f queryForm) (visibilityInput, error) {
	vt, err := f.intp("VisibilityTimeout")
	if err != nil {
		return visibilityInput{}, err
	}
	return visibilityInput{ReceiptHandle: f.Get("ReceiptHandle"), VisibilityTimeout: vt}, nil
}

func visibilityBatchFromQuery(f queryForm) ([]ChangeVisibilityBatchEntry, error) {
	var entries []ChangeVisibilityBatchEntry
	for _, n := range f.Indexes("ChangeMessageVisibilityBatchRequestEntry") {
		p := "ChangeMessageVisibilityBatchRequestEntry." + strconv.Itoa(n) + "."
		vt, err := f.intp(p + "VisibilityTimeout")
		if err != nil {
			return nil, err
		}
		e := ChangeVisibilityBatchEntry{ID: f.Get(p + "Id"), ReceiptHandle: f.Get(p + "ReceiptHandle")}
		if vt != nil {
			e.VisibilityTimeout = *vt
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func createQueueFromQuery(f queryForm) (createQueueInput, error) {
	return createQueueInput{Name: f.Get("QueueName"), Attributes: f.Pairs("Attribute", "Name", "Value"),
		Tags: f.Pairs("Tag", "Key", "Value")}, nil
}

func queueNameFromQuery(f queryForm) (string, error) { return f.Get("QueueName"), nil }

func queueURLToQuery(u string) awsproto.QueryResult {
	return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { x.Elem("QueueUrl", u) }, JSON: map[string]any{"QueueUrl": u}}
}

func listQueuesFromQuery(f queryForm) (listQueuesInput, error) {
	max, err := f.intp("MaxResults")
	if err != nil {
		return listQueuesInput{}, err
	}
	in := listQueuesInput{Prefix: f.Get("QueueNamePrefix"), NextToken: f.Get("NextToken")}
	if max != nil {
		in.MaxResults = *max
	}
	return in, nil
}

func listQueuesToQuery(o listQueuesOutput) awsproto.QueryResult {
	return awsproto.QueryResult{
		XML: func(x *awsproto.XMLWriter) {
			for _, u := range o.URLs {
				x.Elem("QueueUrl", u)
			}
			x.Opt("NextToken", o.NextToken)
		},
		JSON: map[string]any{"NextToken": awsproto.Nullable(o.NextToken), "QueueUrls": o.URLs},
	}
}

func attributeNamesFromQuery(f queryForm) ([]string, error) { return f.List("AttributeName"), nil }

func attributesToQuery(attrs map[string]string) awsproto.QueryResult {
	return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { writeAttrsXML(x, "Attribute", "Name", "Value", attrs) },
		JSON: map[string]any{"Attributes": attrs}}
}

func attributesFromQuery(f queryForm) (map[string]string, error) {
	return f.Pairs("Attribute", "Name", "Value"), nil
}

func tagsToQuery(tags map[string]string) awsproto.QueryResult {
	return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { writeAttrsXML(x, "Tag", "Key", "Value", tags) },
		JSON: map[string]any{"Tags": tags}}
}

func tagsFromQuery(f queryForm) (tagInput, error) {
	return tagInput{Tags: f.Pairs("Tag", "Key", "Value"), TagKeys: f.List("TagKey")}, nil
}

func deadLetterSourcesToQuery(urls []string) awsproto.QueryResult {
	return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) {
		for _, u := range urls {
			x.Elem("QueueUrl", u)
		}
	}, JSON: map[string]any{"queueUrls": urls}}
}
