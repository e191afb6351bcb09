package sqs

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// postForm sends a query-protocol request the way API Gateway integrations
// do: a form body, optionally to the queue URL, optionally Accept JSON.
func postForm(t *testing.T, h http.Handler, path string, form url.Values, accept string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Header(), string(b)
}

func TestQueryProtocolSendMessageXML(t *testing.T) {
	srv, _ := newServer(Options{BaseURL: "http://127.0.0.1:4566"})
	defer srv.Close()
	qurl, _ := srv.CreateQueue("api", nil)

	// What the HTTP API SQS-SendMessage integration sends: the form to the
	// queue URL's path.
	form := url.Values{
		"Action":                                     {"SendMessage"},
		"MessageBody":                                {`{"hello":"world & \"you\""}`},
		"MessageAttribute.1.Name":                    {"source"},
		"MessageAttribute.1.Value.DataType":          {"String"},
		"MessageAttribute.1.Value.StringValue":       {"api"},
		"MessageSystemAttribute.1.Name":              {"AWSTraceHeader"},
		"MessageSystemAttribute.1.Value.DataType":    {"String"},
		"MessageSystemAttribute.1.Value.StringValue": {"Root=1-5759e988-bd862e3fe1be46a994272793"},
		"Version": {"2012-11-05"},
	}
	code, hdr, body := postForm(t, srv, "/000000000000/api", form, "")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "text/xml" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.HasPrefix(body, `<?xml version="1.0"?><SendMessageResponse xmlns="https://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult><MessageId>`) {
		t.Errorf("XML prefix: %s", body)
	}
	var resp struct {
		XMLName xml.Name `xml:"SendMessageResponse"`
		Result  struct {
			MessageID        string `xml:"MessageId"`
			MD5OfMessageBody string
			MD5OfAttrs       string `xml:"MD5OfMessageAttributes"`
			MD5OfSys         string `xml:"MD5OfMessageSystemAttributes"`
		} `xml:"SendMessageResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("XML: %v\n%s", err, body)
	}
	if resp.Result.MD5OfMessageBody != md5Hex(form.Get("MessageBody")) || resp.Result.MessageID == "" || resp.RequestID == "" ||
		resp.Result.MD5OfAttrs == "" || resp.Result.MD5OfSys == "" {
		t.Errorf("response = %+v", resp)
	}
	if hdr.Get("X-Amzn-Requestid") != resp.RequestID {
		t.Errorf("x-amzn-RequestId header %q differs from body %q", hdr.Get("X-Amzn-Requestid"), resp.RequestID)
	}

	// QueueUrl in the form to "/" works too; ReceiveMessage returns XML with
	// attributes and SQS's escaping of quotes.
	code, _, body = postForm(t, srv, "/", url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {qurl},
		"AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"}}, "")
	if code != 200 {
		t.Fatalf("receive status %d: %s", code, body)
	}
	for _, want := range []string{
		`<Body>{&quot;hello&quot;:&quot;world &amp; \&quot;you\&quot;&quot;}</Body>`,
		`<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>`,
		`<Attribute><Name>AWSTraceHeader</Name><Value>Root=1-5759e988-bd862e3fe1be46a994272793</Value></Attribute>`,
		`<MessageAttribute><Name>source</Name><Value><StringValue>api</StringValue><DataType>String</DataType></Value></MessageAttribute>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("ReceiveMessage XML lacks %s:\n%s", want, body)
		}
	}
}

func TestQueryProtocolJSONForRESTIntegration(t *testing.T) {
	srv, _ := newServer(Options{})
	defer srv.Close()
	srv.CreateQueue("rest", nil)
	form := url.Values{"Action": {"SendMessage"}, "MessageBody": {"from rest"}}
	code, hdr, body := postForm(t, srv, "/000000000000/rest", form, "application/json")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	// The shape AWS returns (aws-samples/serverless-patterns READMEs):
	// alphabetical members, absent ones null.
	re := regexp.MustCompile(`^\{"SendMessageResponse":\{"ResponseMetadata":\{"RequestId":"[0-9a-f-]{36}"\},"SendMessageResult":\{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"` +
		md5Hex("from rest") + `","MD5OfMessageSystemAttributes":null,"MessageId":"[0-9a-f-]{36}","SequenceNumber":null\}\}\}$`)
	if !re.MatchString(body) {
		t.Errorf("JSON shape:\n%s", body)
	}

	// ReceiveMessage: "messages" null when empty, a list otherwise.
	_, _, body = postForm(t, srv, "/000000000000/rest", url.Values{"Action": {"ReceiveMessage"}}, "application/json")
	var rec struct {
		ReceiveMessageResponse struct {
			ReceiveMessageResult struct {
				Messages []map[string]any `json:"messages"`
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &rec); err != nil || len(rec.ReceiveMessageResponse.ReceiveMessageResult.Messages) != 1 {
		t.Fatalf("receive JSON: %v\n%s", err, body)
	}
	m := rec.ReceiveMessageResponse.ReceiveMessageResult.Messages[0]
	if m["Body"] != "from rest" || m["MD5OfMessageAttributes"] != nil || m["ReceiptHandle"] == "" {
		t.Errorf("message = %v", m)
	}
	_, _, body = postForm(t, srv, "/000000000000/rest", url.Values{"Action": {"ReceiveMessage"}}, "application/json")
	if !strings.Contains(body, `"ReceiveMessageResult":{"messages":null}`) {
		t.Errorf("empty receive JSON: %s", body)
	}

	// Errors in the query shape as JSON.
	code, _, body = postForm(t, srv, "/000000000000/missing", form, "application/json")
	var e struct {
		Error     struct{ Code, Message, Type string }
		RequestID string `json:"RequestId"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || code != 400 || e.Error.Code != "AWS.SimpleQueueService.NonExistentQueue" ||
		e.Error.Type != "Sender" || e.RequestID == "" {
		t.Errorf("JSON error %d: %s", code, body)
	}
}

func TestQueryProtocolErrorsXML(t *testing.T) {
	srv, _ := newServer(Options{})
	defer srv.Close()
	srv.CreateQueue("q", nil)
	tests := []struct {
		name string
		path string
		form url.Values
		code string
	}{
		{"missing queue", "/000000000000/nope", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}}, "AWS.SimpleQueueService.NonExistentQueue"},
		{"missing body", "/000000000000/q", url.Values{"Action": {"SendMessage"}}, "MissingParameter"},
		{"invalid characters", "/000000000000/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"\x02"}}, "InvalidMessageContents"},
		{"bad delay", "/000000000000/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}, "DelaySeconds": {"901"}}, "InvalidParameterValue"},
		{"unknown action", "/", url.Values{"Action": {"Frobnicate"}}, "InvalidAction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := postForm(t, srv, tc.path, tc.form, "")
			var e struct {
				XMLName xml.Name `xml:"ErrorResponse"`
				Error   struct{ Type, Code, Message string }
				ReqID   string `xml:"RequestId"`
			}
			if err := xml.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("%v\n%s", err, body)
			}
			if code != 400 || e.Error.Code != tc.code || e.Error.Type != "Sender" || e.ReqID == "" {
				t.Errorf("%d %+v\n%s", code, e, body)
			}
		})
	}
	// No Action (e.g. a JSON body without the form Content-Type).
	req := httptest.NewRequest(http.MethodPost, "/000000000000/q", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "UnknownOperationException") {
		t.Errorf("no Action: %d %s", rec.Code, rec.Body.String())
	}
}

// The JSON protocol's error shape, byte for byte where it matters.
func TestJSONProtocolErrorShape(t *testing.T) {
	srv, _ := newServer(Options{})
	defer srv.Close()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"QueueUrl":"http://localhost/000000000000/nope","MessageBody":"x"}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Fatalf("status %d", rec.Code)
	}
	if got := rec.Header().Get("X-Amzn-Query-Error"); got != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Errorf("x-amzn-query-error = %q", got)
	}
	if got := rec.Body.String(); got != `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}` {
		t.Errorf("body = %s", got)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestRequestsAWSRejectsGetAWSsError covers what the SDK cannot send (an explicit
// MaxNumberOfMessages of 0) and queue URLs of another account, over both protocols.
func TestRequestsAWSRejectsGetAWSsError(t *testing.T) {
	srv, _ := newServer(Options{BaseURL: "http://127.0.0.1:4566"})
	defer srv.Close()
	qurl, _ := srv.CreateQueue("work", nil)
	srv.SendMessage(SendMessageInput{QueueURL: qurl, MessageBody: "m"})
	other := strings.Replace(qurl, "/000000000000/", "/123456789012/", 1)
	const tooFew = "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
	const tooMany = "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
	for _, tc := range []struct {
		name, action, json string
		form               url.Values
		status             int
		message            string
	}{
		{name: "json MaxNumberOfMessages 0", action: "ReceiveMessage", json: `{"QueueUrl":"` + qurl + `","MaxNumberOfMessages":0}`, status: 400, message: tooFew},
		{name: "json MaxNumberOfMessages 11", action: "ReceiveMessage", json: `{"QueueUrl":"` + qurl + `","MaxNumberOfMessages":11}`, status: 400, message: tooMany},
		{name: "query MaxNumberOfMessages 0", form: url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {qurl}, "MaxNumberOfMessages": {"0"}}, status: 400, message: tooFew},
		{name: "json another account's queue", action: "SendMessage", json: `{"QueueUrl":"` + other + `","MessageBody":"x"}`, status: 400, message: "The specified queue does not exist."},
		{name: "query another account's queue", form: url.Values{"Action": {"SendMessage"}, "QueueUrl": {other}, "MessageBody": {"x"}}, status: 400, message: "The specified queue does not exist."},
		{name: "json this account's queue", action: "SendMessage", json: `{"QueueUrl":"` + qurl + `","MessageBody":"x"}`, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			var body string
			if tc.form != nil {
				status, _, body = postForm(t, srv, "/", tc.form, "")
			} else {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.json))
				req.Header.Set("X-Amz-Target", "AmazonSQS."+tc.action)
				req.Header.Set("Content-Type", "application/x-amz-json-1.0")
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				status, body = rec.Code, rec.Body.String()
			}
			if status != tc.status || !strings.Contains(body, tc.message) {
				t.Errorf("%d %s, want %d with %q", status, body, tc.status, tc.message)
			}
		})
	}
}
