package localapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"firstclass/internal/contract"
)

func TestAnswerFieldFindsTheMemberInJSONOrXML(t *testing.T) {
	for _, tt := range []struct {
		name, body, field, want string
	}{
		{"a top-level JSON member", `{"executionArn":"arn:1","startDate":1.7E9}`, "executionArn", "arn:1"},
		{"a nested JSON member (SQS's query-protocol JSON)",
			`{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":[{"Body":"x","ReceiptHandle":"AQ+/=="}]},"ResponseMetadata":{"RequestId":"r"}}}`,
			"ReceiptHandle", "AQ+/=="},
		{"an XML element (SQS's XML), entities decoded",
			`<?xml version="1.0"?><ReceiveMessageResponse xmlns="https://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult><Message><MessageId>m</MessageId><ReceiptHandle>AQ&amp;+/==</ReceiptHandle></Message></ReceiveMessageResult></ReceiveMessageResponse>`,
			"ReceiptHandle", "AQ&+/=="},
		{"none in an empty receive (XML)", `<ReceiveMessageResponse><ReceiveMessageResult></ReceiveMessageResult></ReceiveMessageResponse>`, "ReceiptHandle", ""},
		{"none in an empty receive (JSON)", `{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":null}}}`, "ReceiptHandle", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := answerField(tt.body, tt.field)
			if err != nil || got != tt.want {
				t.Errorf("answerField = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := answerField("Hello, World", "x"); err == nil {
		t.Error("text that is neither JSON nor XML is no error")
	}
}

// A sample whose needed request answers without the value is skipped when the need says why
// that is no failure, and failed when it does not; with the value it is sent with it.
func TestASampleNeedWithoutItsValueIsSkippedOnlyWhenItSaysWhy(t *testing.T) {
	empty := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "GET":
			if empty {
				w.Write([]byte(`<ReceiveMessageResponse><ReceiveMessageResult/></ReceiveMessageResponse>`))
				return
			}
			w.Write([]byte(`<ReceiveMessageResponse><ReceiveMessageResult><Message><ReceiptHandle>h+/=</ReceiptHandle></Message></ReceiveMessageResult></ReceiveMessageResponse>`))
		case "DELETE":
			w.Write([]byte("deleted " + r.Header.Get("X-Receipt-Handle")))
		}
	}))
	defer srv.Close()
	need := func(why string) Target {
		return Target{Kind: contract.HTTP, Base: srv.URL, Sample: Sample{Method: "DELETE", Path: "/jobs",
			Needs: &Need{Sample: Sample{Method: "GET", Path: "/jobs", Query: "max=1"}, Field: "ReceiptHandle", Header: "X-Receipt-Handle", WhenMissing: why}}}
	}
	ctx := context.Background()
	if got := TryAll(ctx, []Target{need("the queue is empty")})[0]; got.Failed() || got.OK() || !strings.Contains(got.Skipped, "the queue is empty") ||
		!strings.Contains(got.String(), "not sent: GET /jobs answered without ReceiptHandle: the queue is empty") {
		t.Errorf("with WhenMissing: %+v (%s)", got, got.String())
	}
	if got := TryAll(ctx, []Target{need("")})[0]; !got.Failed() || got.Err == nil {
		t.Errorf("without WhenMissing: %+v, want a failure", got)
	}
	empty = false
	if got := TryAll(ctx, []Target{need("the queue is empty")})[0]; !got.OK() || got.Body != "deleted h+/=" {
		t.Errorf("with a message: %+v, want the delete sent with its handle", got)
	}
}

func TestASampleRefusedAsTheServiceDocumentsIsNoFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		w.Write([]byte(`<ErrorResponse><Error><Code>AWS.SimpleQueueService.` + r.URL.Query().Get("code") + `</Code></Error></ErrorResponse>`))
	}))
	defer srv.Close()
	try := func(code string) Try {
		return TryAll(context.Background(), []Target{{Kind: contract.HTTP, Base: srv.URL,
			Sample: Sample{Method: "DELETE", Path: "/scratch", Query: "code=" + code, Refusal: "PurgeQueueInProgress"}}})[0]
	}
	if got := try("PurgeQueueInProgress"); !got.Refused || got.Failed() || got.OK() || !strings.Contains(got.String(), "403 refused as the service documents (PurgeQueueInProgress)") {
		t.Errorf("the refusal: %+v (%s)", got, got.String())
	}
	if got := try("NonExistentQueue"); got.Refused || !got.Failed() {
		t.Errorf("another error: %+v, want a failure", got)
	}
}
