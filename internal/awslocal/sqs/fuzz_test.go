package sqs

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Fuzz targets for the parsers; their seeds run as ordinary tests.

func FuzzQueryProtocol(f *testing.F) {
	f.Add("Action=SendMessage&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v")
	f.Add("Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x")
	f.Add("Action=ReceiveMessage&MaxNumberOfMessages=10&AttributeName.1=All")
	f.Add("Action=DeleteMessageBatch&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=x")
	srv, _ := newServer(Options{})
	srv.CreateQueue("fuzz", nil)
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest(http.MethodPost, "/000000000000/fuzz", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, form, rec.Body.String())
		}
	})
}
