package awslocal

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
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

type queryForm struct{ url.Values }

func (f queryForm) has(k string) bool { _, ok := f.Values[k]; return ok }

func (f queryForm) intp(k string) (*int, *Error) {
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

// indexes returns the sorted N of keys "prefix.N" or "prefix.N.*".
func (f queryForm) indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range f.Values {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func (f queryForm) list(prefix string) []string {
	var out []string
	for _, n := range f.indexes(prefix) {
		out = append(out, f.Get(prefix+"."+strconv.Itoa(n)))
	}
	if v := f.Get(prefix); v != "" {
		out = append(out, v)
	}
	return out
}

// pairs reads "prefix.N.<key>"/"prefix.N.<value>" maps (Attribute.N.Name,
// Tag.N.Key, ...).
func (f queryForm) pairs(prefix, key, value string) map[string]string {
	out := map[string]string{}
	for _, n := range f.indexes(prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		out[f.Get(p+key)] = f.Get(p + value)
	}
	if f.has(prefix + "." + key) {
		out[f.Get(prefix+"."+key)] = f.Get(prefix + "." + value)
	}
	return out
}

func (f queryForm) messageAttributes(prefix string) (map[string]MessageAttribute, *Error) {
	idx := f.indexes(prefix)
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

func (f queryForm) sendInput(prefix string) (SendMessageInput, bool, *Error) {
	in := SendMessageInput{
		MessageBody:            f.Get(prefix + "MessageBody"),
		MessageGroupID:         f.Get(prefix + "MessageGroupId"),
		MessageDeduplicationID: f.Get(prefix + "MessageDeduplicationId"),
	}
	var err *Error
	if in.DelaySeconds, err = f.intp(prefix + "DelaySeconds"); err != nil {
		return in, false, err
	}
	if in.MessageAttributes, err = f.messageAttributes(prefix + "MessageAttribute"); err != nil {
		return in, false, err
	}
	if in.MessageSystemAttributes, err = f.messageAttributes(prefix + "MessageSystemAttribute"); err != nil {
		return in, false, err
	}
	return in, f.has(prefix + "MessageBody"), nil
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "json")
}

func (svc *sqsService) serveQuery(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	jsonOut := wantsJSON(r)
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	}
	if err := r.ParseForm(); err != nil {
		writeQueryError(w, jsonOut, rid, &Error{Code: "MalformedQueryString", Message: err.Error()})
		return
	}
	f := queryForm{r.Form}
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
	res, err := svc.dispatchQuery(r, action, f, queueURL)
	if err != nil {
		writeQueryError(w, jsonOut, rid, asAWSError(err))
		return
	}
	if jsonOut {
		body := map[string]any{"ResponseMetadata": map[string]any{"RequestId": rid}}
		if res.json != nil {
			body[action+"Result"] = res.json
		}
		b, _ := json.Marshal(map[string]any{action + "Response": body})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", rid)
		w.Write(b)
		return
	}
	var x xmlWriter
	x.raw(`<?xml version="1.0"?><`)
	x.raw(action)
	x.raw(`Response xmlns="` + sqsXMLNS + `">`)
	if res.xml != nil {
		x.open(action + "Result")
		res.xml(&x)
		x.close(action + "Result")
	}
	x.raw("<ResponseMetadata>")
	x.elem("RequestId", rid)
	x.raw("</ResponseMetadata></" + action + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", rid)
	w.Write(x.b)
}

func writeQueryError(w http.ResponseWriter, jsonOut bool, rid string, e *Error) {
	fault := "Sender"
	if e.Receiver {
		fault = "Receiver"
	}
	w.Header().Set("X-Amzn-Requestid", rid)
	if jsonOut {
		b, _ := json.Marshal(map[string]any{
			"Error":     map[string]any{"Code": e.queryCode(), "Message": e.Message, "Type": fault},
			"RequestId": rid,
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status())
		w.Write(b)
		return
	}
	var x xmlWriter
	x.raw(`<?xml version="1.0"?><ErrorResponse xmlns="` + sqsXMLNS + `"><Error>`)
	x.elem("Type", fault)
	x.elem("Code", e.queryCode())
	x.elem("Message", e.Message)
	x.raw("<Detail/></Error>")
	x.elem("RequestId", rid)
	x.raw("</ErrorResponse>")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status())
	w.Write(x.b)
}

// queryResult renders one action's result both ways.
type queryResult struct {
	xml  func(*xmlWriter)
	json any // the <Action>Result member for the JSON rendering; nil for none
}

func sendOutputJSON(o SendMessageOutput) map[string]any {
	return map[string]any{
		"MD5OfMessageAttributes":       nullable(o.MD5OfMessageAttributes),
		"MD5OfMessageBody":             o.MD5OfMessageBody,
		"MD5OfMessageSystemAttributes": nullable(o.MD5OfMessageSystemAttributes),
		"MessageId":                    o.MessageID,
		"SequenceNumber":               nullable(o.SequenceNumber),
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeSendOutputXML(x *xmlWriter, o SendMessageOutput) {
	x.elem("MessageId", o.MessageID)
	x.elem("MD5OfMessageBody", o.MD5OfMessageBody)
	x.opt("MD5OfMessageAttributes", o.MD5OfMessageAttributes)
	x.opt("MD5OfMessageSystemAttributes", o.MD5OfMessageSystemAttributes)
	x.opt("SequenceNumber", o.SequenceNumber)
}

func writeBatchErrorsXML(x *xmlWriter, failed []BatchResultErrorEntry) {
	for _, e := range failed {
		x.open("BatchResultErrorEntry")
		x.elem("Id", e.ID)
		x.elem("Code", e.Code)
		x.elem("Message", e.Message)
		x.elem("SenderFault", strconv.FormatBool(e.SenderFault))
		x.close("BatchResultErrorEntry")
	}
}

func batchErrorsJSON(failed []BatchResultErrorEntry) []any {
	out := make([]any, len(failed))
	for i, e := range failed {
		out[i] = map[string]any{"Code": e.Code, "Id": e.ID, "Message": e.Message, "SenderFault": e.SenderFault}
	}
	return out
}

func idBatchResult(entry string, ok []string, failed []BatchResultErrorEntry) queryResult {
	succ := make([]any, len(ok))
	for i, id := range ok {
		succ[i] = map[string]any{"Id": id}
	}
	return queryResult{
		xml: func(x *xmlWriter) {
			for _, id := range ok {
				x.open(entry)
				x.elem("Id", id)
				x.close(entry)
			}
			writeBatchErrorsXML(x, failed)
		},
		json: map[string]any{"Failed": batchErrorsJSON(failed), "Successful": succ},
	}
}

func (svc *sqsService) dispatchQuery(r *http.Request, action string, f queryForm, queueURL string) (queryResult, error) {
	queue := func() (*sqsQueue, *Error) { return svc.lookupURL(queueURL) }
	switch action {
	case "SendMessage":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		in, hasBody, perr := f.sendInput("")
		if perr != nil {
			return queryResult{}, perr
		}
		m, perr := q.prepare(&in, hasBody)
		if perr != nil {
			return queryResult{}, perr
		}
		o, seq, perr := q.send(m, in.DelaySeconds)
		if perr != nil {
			return queryResult{}, perr
		}
		if err := svc.srv.store.wait(seq); err != nil {
			return queryResult{}, err
		}
		return queryResult{xml: func(x *xmlWriter) { writeSendOutputXML(x, o) }, json: sendOutputJSON(o)}, nil

	case "SendMessageBatch":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		var entries []SendMessageBatchEntry
		for _, n := range f.indexes("SendMessageBatchRequestEntry") {
			p := "SendMessageBatchRequestEntry." + strconv.Itoa(n) + "."
			in, hasBody, perr := f.sendInput(p)
			if perr != nil {
				return queryResult{}, perr
			}
			entries = append(entries, SendMessageBatchEntry{ID: f.Get(p + "Id"), SendMessageInput: in, hasBody: hasBody})
		}
		ok, failed, berr := svc.sendMessageBatch(q, entries)
		if berr != nil {
			return queryResult{}, berr
		}
		succ := make([]any, len(ok))
		for i, e := range ok {
			m := sendOutputJSON(e.SendMessageOutput)
			m["Id"] = e.ID
			succ[i] = m
		}
		return queryResult{
			xml: func(x *xmlWriter) {
				for _, e := range ok {
					x.open("SendMessageBatchResultEntry")
					x.elem("Id", e.ID)
					writeSendOutputXML(x, e.SendMessageOutput)
					x.close("SendMessageBatchResultEntry")
				}
				writeBatchErrorsXML(x, failed)
			},
			json: map[string]any{"Failed": batchErrorsJSON(failed), "Successful": succ},
		}, nil

	case "ReceiveMessage":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		in := ReceiveMessageInput{
			QueueURL:              queueURL,
			SystemAttributeNames:  append(f.list("MessageSystemAttributeName"), f.list("AttributeName")...),
			MessageAttributeNames: f.list("MessageAttributeName"),
		}
		max, perr := f.intp("MaxNumberOfMessages")
		if perr != nil {
			return queryResult{}, perr
		}
		if max != nil {
			in.MaxNumberOfMessages = *max
			if *max == 0 {
				in.MaxNumberOfMessages = -1 // explicit 0 is out of range
			}
		}
		if in.VisibilityTimeout, perr = f.intp("VisibilityTimeout"); perr != nil {
			return queryResult{}, perr
		}
		if in.WaitTimeSeconds, perr = f.intp("WaitTimeSeconds"); perr != nil {
			return queryResult{}, perr
		}
		if in.MaxNumberOfMessages == -1 {
			return queryResult{}, errInvalidParameterValue("Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
		}
		msgs, rerr := svc.receiveMessage(r.Context(), q, &in)
		if rerr != nil {
			return queryResult{}, rerr
		}
		var jmsgs any // null when empty, as AWS renders it
		if len(msgs) > 0 {
			list := make([]any, len(msgs))
			for i, m := range msgs {
				list[i] = receivedJSON(m)
			}
			jmsgs = list
		}
		return queryResult{
			xml: func(x *xmlWriter) {
				for _, m := range msgs {
					writeMessageXML(x, m)
				}
			},
			json: map[string]any{"messages": jmsgs},
		}, nil

	case "DeleteMessage":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		if derr := svc.deleteMessage(q, f.Get("ReceiptHandle")); derr != nil {
			return queryResult{}, derr
		}
		return queryResult{}, nil

	case "DeleteMessageBatch":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		var entries []DeleteMessageBatchEntry
		for _, n := range f.indexes("DeleteMessageBatchRequestEntry") {
			p := "DeleteMessageBatchRequestEntry." + strconv.Itoa(n) + "."
			entries = append(entries, DeleteMessageBatchEntry{ID: f.Get(p + "Id"), ReceiptHandle: f.Get(p + "ReceiptHandle")})
		}
		ok, failed, berr := svc.deleteMessageBatch(q, entries)
		if berr != nil {
			return queryResult{}, berr
		}
		return idBatchResult("DeleteMessageBatchResultEntry", ok, failed), nil

	case "ChangeMessageVisibility":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		vt, perr := f.intp("VisibilityTimeout")
		if perr != nil {
			return queryResult{}, perr
		}
		if vt == nil {
			return queryResult{}, errMissingParameter("VisibilityTimeout")
		}
		if cerr := svc.changeVisibility(q, f.Get("ReceiptHandle"), *vt); cerr != nil {
			return queryResult{}, cerr
		}
		return queryResult{}, nil

	case "ChangeMessageVisibilityBatch":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		var entries []ChangeVisibilityBatchEntry
		for _, n := range f.indexes("ChangeMessageVisibilityBatchRequestEntry") {
			p := "ChangeMessageVisibilityBatchRequestEntry." + strconv.Itoa(n) + "."
			vt, perr := f.intp(p + "VisibilityTimeout")
			if perr != nil {
				return queryResult{}, perr
			}
			e := ChangeVisibilityBatchEntry{ID: f.Get(p + "Id"), ReceiptHandle: f.Get(p + "ReceiptHandle")}
			if vt != nil {
				e.VisibilityTimeout = *vt
			}
			entries = append(entries, e)
		}
		ok, failed, berr := svc.changeVisibilityBatch(q, entries)
		if berr != nil {
			return queryResult{}, berr
		}
		return idBatchResult("ChangeMessageVisibilityBatchResultEntry", ok, failed), nil

	case "CreateQueue":
		q, err := svc.createQueue(f.Get("QueueName"), f.pairs("Attribute", "Name", "Value"), f.pairs("Tag", "Key", "Value"))
		if err != nil {
			return queryResult{}, err
		}
		u := svc.queueURL(q.name)
		return queryResult{xml: func(x *xmlWriter) { x.elem("QueueUrl", u) }, json: map[string]any{"QueueUrl": u}}, nil

	case "GetQueueUrl":
		name := f.Get("QueueName")
		if name == "" {
			return queryResult{}, errMissingParameter("QueueName")
		}
		q, err := svc.lookup(name)
		if err != nil {
			return queryResult{}, err
		}
		u := svc.queueURL(q.name)
		return queryResult{xml: func(x *xmlWriter) { x.elem("QueueUrl", u) }, json: map[string]any{"QueueUrl": u}}, nil

	case "ListQueues":
		max, perr := f.intp("MaxResults")
		if perr != nil {
			return queryResult{}, perr
		}
		m := 0
		if max != nil {
			m = *max
		}
		urls, next, lerr := svc.listQueuePage(f.Get("QueueNamePrefix"), m, f.Get("NextToken"))
		if lerr != nil {
			return queryResult{}, lerr
		}
		return queryResult{
			xml: func(x *xmlWriter) {
				for _, u := range urls {
					x.elem("QueueUrl", u)
				}
				x.opt("NextToken", next)
			},
			json: map[string]any{"NextToken": nullable(next), "QueueUrls": urls},
		}, nil

	case "DeleteQueue", "PurgeQueue":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		var derr error
		if action == "DeleteQueue" {
			derr = svc.deleteQueue(q)
		} else {
			derr = svc.purge(q)
		}
		return queryResult{}, derr

	case "GetQueueAttributes":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		attrs, aerr := svc.getQueueAttributes(q, f.list("AttributeName"))
		if aerr != nil {
			return queryResult{}, aerr
		}
		return queryResult{xml: func(x *xmlWriter) { writeAttrsXML(x, "Attribute", "Name", "Value", attrs) },
			json: map[string]any{"Attributes": attrs}}, nil

	case "SetQueueAttributes":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		return queryResult{}, svc.setQueueAttributes(q, f.pairs("Attribute", "Name", "Value"))

	case "ListQueueTags":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		q.mu.Lock()
		tags := make(map[string]string, len(q.tags))
		for k, v := range q.tags {
			tags[k] = v
		}
		q.mu.Unlock()
		return queryResult{xml: func(x *xmlWriter) { writeAttrsXML(x, "Tag", "Key", "Value", tags) },
			json: map[string]any{"Tags": tags}}, nil

	case "TagQueue", "UntagQueue":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		return queryResult{}, svc.tagQueue(q, f.pairs("Tag", "Key", "Value"), f.list("TagKey"))

	case "ListDeadLetterSourceQueues":
		q, err := queue()
		if err != nil {
			return queryResult{}, err
		}
		urls := svc.deadLetterSources(q)
		return queryResult{xml: func(x *xmlWriter) {
			for _, u := range urls {
				x.elem("QueueUrl", u)
			}
		}, json: map[string]any{"queueUrls": urls}}, nil
	}
	return queryResult{}, errUnsupportedSQSOperation(action)
}

func writeAttrsXML(x *xmlWriter, elem, k, v string, m map[string]string) {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		x.open(elem)
		x.elem(k, key)
		x.elem(v, m[key])
		x.close(elem)
	}
}

func writeMessageXML(x *xmlWriter, m Message) {
	x.open("Message")
	x.elem("MessageId", m.MessageID)
	x.elem("ReceiptHandle", m.ReceiptHandle)
	x.elem("MD5OfBody", m.MD5OfBody)
	x.elem("Body", m.Body)
	writeAttrsXML(x, "Attribute", "Name", "Value", m.Attributes)
	x.opt("MD5OfMessageAttributes", m.MD5OfMessageAttributes)
	names := make([]string, 0, len(m.MessageAttributes))
	for n := range m.MessageAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := m.MessageAttributes[n]
		x.open("MessageAttribute")
		x.elem("Name", n)
		x.open("Value")
		if a.isBinary() {
			x.elem("BinaryValue", base64.StdEncoding.EncodeToString(a.BinaryValue))
		} else {
			x.elem("StringValue", a.StringValue)
		}
		x.elem("DataType", a.DataType)
		x.close("Value")
		x.close("MessageAttribute")
	}
	x.close("Message")
}

func receivedJSON(m Message) map[string]any {
	out := map[string]any{
		"Attributes":             nil,
		"Body":                   m.Body,
		"MD5OfBody":              m.MD5OfBody,
		"MD5OfMessageAttributes": nullable(m.MD5OfMessageAttributes),
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

// xmlWriter builds the small, flat XML documents of the query protocol.
type xmlWriter struct{ b []byte }

func (x *xmlWriter) raw(s string)   { x.b = append(x.b, s...) }
func (x *xmlWriter) open(n string)  { x.b = append(append(append(x.b, '<'), n...), '>') }
func (x *xmlWriter) close(n string) { x.b = append(append(append(x.b, "</"...), n...), '>') }

func (x *xmlWriter) elem(n, v string) {
	x.open(n)
	x.text(v)
	x.close(n)
}

func (x *xmlWriter) opt(n, v string) {
	if v != "" {
		x.elem(n, v)
	}
}

// text escapes like SQS: quotes as &quot; and carriage returns as &#xD;.
func (x *xmlWriter) text(s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			x.b = append(x.b, "&amp;"...)
		case '<':
			x.b = append(x.b, "&lt;"...)
		case '>':
			x.b = append(x.b, "&gt;"...)
		case '"':
			x.b = append(x.b, "&quot;"...)
		case '\r':
			x.b = append(x.b, "&#xD;"...)
		default:
			x.b = append(x.b, c)
		}
	}
}
