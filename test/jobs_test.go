package test

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"firstclass/internal/contract"
	"firstclass/routes"
)

// GET /jobs, DELETE /jobs and DELETE /scratch on `firstclass local`, end to end: messages sent
// with the AWS SDK are received through each API kind (SQS's XML on the HTTP API, its JSON on
// REST), stay in flight for the visibility asked, and are deleted by the receipt handle in
// X-Receipt-Handle; the scratch queue is purged once a minute; each bad input is answered as
// SQS and the gateway answer it.
func TestJobsRoutesEndToEndWithTheSDK(t *testing.T) {
	e := localEndToEnd(t)
	ctx, out := e.ctx, e.out
	q := sqs.NewFromConfig(e.cfg)
	jobs, scratch := out[routes.JobsQueueURLOutput], out[routes.ScratchQueueURLOutput]
	send := func(t *testing.T, queue, body string) string {
		t.Helper()
		s, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: &body})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(s.MessageId)
	}
	notVisible := func(t *testing.T) string {
		t.Helper()
		a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &jobs,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			t.Fatal(err)
		}
		return a.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)]
	}
	// received reads a ReceiveMessage answer as each kind hands it on.
	type message struct{ MessageId, ReceiptHandle, Body string }
	received := func(t *testing.T, kind contract.Kind, body string) []message {
		t.Helper()
		if kind == contract.HTTP {
			var x struct {
				XMLName  xml.Name  `xml:"ReceiveMessageResponse"`
				Messages []message `xml:"ReceiveMessageResult>Message"`
			}
			if err := xml.Unmarshal([]byte(body), &x); err != nil {
				t.Fatalf("the HTTP API's answer %s is not SQS's XML: %v", body, err)
			}
			return x.Messages
		}
		var j struct {
			ReceiveMessageResponse *struct {
				ReceiveMessageResult struct {
					Messages []message `json:"messages"`
				}
			}
		}
		if err := json.Unmarshal([]byte(body), &j); err != nil || j.ReceiveMessageResponse == nil {
			t.Fatalf("the REST answer %s is not SQS's JSON: %v", body, err)
		}
		return j.ReceiveMessageResponse.ReceiveMessageResult.Messages
	}

	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Run("an empty queue answers 200 with no message", func(t *testing.T) {
				status, body := e.call(t, kind, "GET", "/jobs", "", "")
				if status != 200 || len(received(t, kind, body)) != 0 {
					t.Errorf("%d %s, want 200 and no message", status, body)
				}
			})
			var handle string
			t.Run("a received message is in flight for the visibility asked, and its handle deletes it", func(t *testing.T) {
				ids := map[string]bool{send(t, jobs, `{"job":1}`): true, send(t, jobs, `{"job":2}`): true}
				status, body := e.call(t, kind, "GET", "/jobs", "max=10&visibility=600&wait=1", "")
				msgs := received(t, kind, body)
				if status != 200 || len(msgs) != 2 {
					t.Fatalf("%d %s, want 200 with both messages", status, body)
				}
				for _, m := range msgs {
					if !ids[m.MessageId] || !strings.HasPrefix(m.Body, `{"job":`) || m.ReceiptHandle == "" {
						t.Errorf("message %+v is not one sent", m)
					}
				}
				if n := notVisible(t); n != "2" {
					t.Errorf("%s messages in flight, want 2", n)
				}
				// A real handle carries what a URL would mangle; a header carries it as it is.
				if !strings.ContainsAny(msgs[0].ReceiptHandle+msgs[1].ReceiptHandle, "+/=") {
					t.Errorf("handles %q, %q carry no + / =", msgs[0].ReceiptHandle, msgs[1].ReceiptHandle)
				}
				for _, m := range msgs {
					if status, body := e.call(t, kind, "DELETE", "/jobs", "", "", "X-Receipt-Handle", m.ReceiptHandle); status != 200 ||
						!strings.Contains(body, "DeleteMessageResponse") {
						t.Errorf("delete: %d %s, want 200 with SQS's DeleteMessageResponse", status, body)
					}
				}
				if n := notVisible(t); n != "0" {
					t.Errorf("%s messages in flight after deleting both, want 0", n)
				}
				r, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &jobs, MaxNumberOfMessages: 10})
				if err != nil || len(r.Messages) != 0 {
					t.Errorf("after the deletes the queue gives %v (%v)", r.Messages, err)
				}
				handle = msgs[0].ReceiptHandle
			})
			t.Run("a stale handle (its message already deleted) answers 200 as SQS does", func(t *testing.T) {
				if handle == "" {
					t.Skip("no handle: the receive failed")
				}
				if status, body := e.call(t, kind, "DELETE", "/jobs", "", "", "X-Receipt-Handle", handle); status != 200 || !strings.Contains(body, "DeleteMessageResponse") {
					t.Errorf("%d %s, want 200", status, body)
				}
			})
			// The HTTP API hands SQS's own status and XML on; REST's error response maps any
			// 4xx to 400 with SQS's JSON error.
			status := func(sqsStatus int) int {
				if kind == contract.REST {
					return 400
				}
				return sqsStatus
			}
			// SQS's XML escapes the message's quotes, its JSON backslashes them.
			quote := map[contract.Kind]string{contract.HTTP: "&quot;", contract.REST: `\"`}[kind]
			for _, tt := range []struct {
				name, method, path, query string
				header                    []string
				status                    int
				code, message             string
			}{
				{"a malformed handle is SQS's ReceiptHandleIsInvalid", "DELETE", "/jobs", "", []string{"X-Receipt-Handle", "not-a-handle"},
					status(404), "ReceiptHandleIsInvalid", "The input receipt handle " + quote + "not-a-handle" + quote + " is not a valid receipt handle."},
				{"max=0 is SQS's InvalidParameterValue", "GET", "/jobs", "max=0", nil,
					400, "InvalidParameterValue", "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."},
				{"max=11 is SQS's InvalidParameterValue", "GET", "/jobs", "max=11", nil,
					400, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."},
				{"visibility=43201 is SQS's InvalidParameterValue", "GET", "/jobs", "visibility=43201", nil,
					400, "InvalidParameterValue", "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be "}, // ">= 0 and <= 43200", escaped by each format
				{"wait=21 is SQS's InvalidParameterValue", "GET", "/jobs", "wait=21", nil,
					400, "InvalidParameterValue", "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be "},
			} {
				t.Run(tt.name, func(t *testing.T) {
					got, body := e.call(t, kind, tt.method, tt.path, tt.query, "", tt.header...)
					if got != tt.status || !strings.Contains(body, tt.code) || !strings.Contains(body, tt.message) {
						t.Errorf("%d %s, want %d with %s: %s", got, body, tt.status, tt.code, tt.message)
					}
				})
			}
			t.Run("without the handle the gateway refuses it", func(t *testing.T) {
				want := map[contract.Kind]string{
					contract.HTTP: `{"message":"Bad Request"}`,
					contract.REST: `{"message":"Missing required request parameters: [X-Receipt-Handle]"}`,
				}[kind]
				if status, body := e.call(t, kind, "DELETE", "/jobs", "", ""); status != 400 || body != want {
					t.Errorf("%d %s, want 400 %s", status, body, want)
				}
			})
		})
	}

	// One purge a minute per queue, whichever API asks: the first deletes the scratch queue's
	// messages, every other within 60 seconds is SQS's PurgeQueueInProgress (403 on the HTTP
	// API, 400 through REST's error response), and deletes nothing sent since.
	t.Run("the scratch queue is purged once a minute", func(t *testing.T) {
		send(t, scratch, `{"scratch":1}`)
		if status, body := e.call(t, contract.HTTP, "DELETE", "/scratch", "", ""); status != 200 || !strings.Contains(body, "PurgeQueueResponse") {
			t.Fatalf("first purge: %d %s, want 200 with SQS's PurgeQueueResponse", status, body)
		}
		if r, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &scratch, MaxNumberOfMessages: 10}); err != nil || len(r.Messages) != 0 {
			t.Errorf("after the purge the scratch queue gives %v (%v)", r.Messages, err)
		}
		kept := send(t, scratch, `{"scratch":2}`)
		for _, kind := range contract.Kinds {
			want := map[contract.Kind]int{contract.HTTP: 403, contract.REST: 400}[kind]
			if status, body := e.call(t, kind, "DELETE", "/scratch", "", ""); status != want || !strings.Contains(body, "PurgeQueueInProgress") ||
				!strings.Contains(body, "Only one PurgeQueue operation on ") {
				t.Errorf("%s purge within 60 s: %d %s, want %d PurgeQueueInProgress", kind, status, body, want)
			}
		}
		r, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &scratch, MaxNumberOfMessages: 10})
		if err != nil || len(r.Messages) != 1 || aws.ToString(r.Messages[0].MessageId) != kept {
			t.Fatalf("a refused purge deleted %s: the queue gives %v (%v)", kept, r.Messages, err)
		}
		q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &scratch, ReceiptHandle: r.Messages[0].ReceiptHandle})
	})
}
