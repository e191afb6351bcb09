package sqs

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sqsapi "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The HTTP status of each error the consumer routes meet is the SQS model's (its awsQueryError
// StatusCode, aws-sdk-go-v2/service/sqs/schemas), on the JSON protocol the SDK speaks and on
// the query protocol API Gateway's integrations speak: the HTTP API route hands it on as it is.
func TestSQSErrorStatusesAreTheModels(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	queueURL := mustCreateQueue(t, e, "statuses", nil)
	// The first purge succeeds; every later one within 60 s is PurgeQueueInProgress.
	if _, err := e.sqs.PurgeQueue(ctx, &sqsapi.PurgeQueueInput{QueueUrl: aws.String(queueURL)}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		form   url.Values
		code   string // the query protocol's code
		status int
	}{
		{"a malformed receipt handle is 404 ReceiptHandleIsInvalid", url.Values{"Action": {"DeleteMessage"}, "ReceiptHandle": {"garbage!"}}, "ReceiptHandleIsInvalid", 404},
		{"a purge within 60 s of the last is 403 PurgeQueueInProgress", url.Values{"Action": {"PurgeQueue"}}, "AWS.SimpleQueueService.PurgeQueueInProgress", 403},
		{"MaxNumberOfMessages 11 is 400 InvalidParameterValue", url.Values{"Action": {"ReceiveMessage"}, "MaxNumberOfMessages": {"11"}}, "InvalidParameterValue", 400},
		{"MaxNumberOfMessages 0 is 400 InvalidParameterValue", url.Values{"Action": {"ReceiveMessage"}, "MaxNumberOfMessages": {"0"}}, "InvalidParameterValue", 400},
		{"a missing receipt handle is 400 MissingParameter", url.Values{"Action": {"DeleteMessage"}}, "MissingParameter", 400},
	} {
		t.Run(tt.name+" (query)", func(t *testing.T) {
			tt.form.Set("QueueUrl", queueURL)
			resp, err := http.Post(e.http.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), "<Code>"+tt.code+"</Code>") {
				t.Errorf("%d %s, want %d with %s", resp.StatusCode, body, tt.status, tt.code)
			}
		})
	}
	for _, tt := range []struct {
		name   string
		call   func() error
		status int
	}{
		{"a malformed receipt handle", func() error {
			_, err := e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String("garbage!")})
			return err
		}, 404},
		{"a second purge", func() error {
			_, err := e.sqs.PurgeQueue(ctx, &sqsapi.PurgeQueueInput{QueueUrl: aws.String(queueURL)})
			return err
		}, 403},
		{"MaxNumberOfMessages 11", func() error {
			_, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 11})
			return err
		}, 400},
	} {
		t.Run(tt.name+" (JSON)", func(t *testing.T) {
			var re *awshttp.ResponseError
			if err := tt.call(); !errors.As(err, &re) || re.HTTPStatusCode() != tt.status {
				t.Errorf("%v, want HTTP %d", err, tt.status)
			}
		})
	}
}

// A receipt handle is standard base64, as AWS's are, so that it carries the "+", "/" and "="
// a client must encode in a URL; the message can be deleted with it.
func TestReceiptHandlesAreStandardBase64(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	queueURL := mustCreateQueue(t, e, "handles", nil)
	for range 20 {
		if _, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("x")}); err != nil {
			t.Fatal(err)
		}
	}
	plusOrSlash := false
	for n := 0; n < 20; {
		r, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.Messages {
			n++
			h := aws.ToString(m.ReceiptHandle)
			if !strings.HasSuffix(h, "==") || len(h) < 90 {
				t.Errorf("handle %q is not a padded base64 of 70 bytes", h)
			}
			plusOrSlash = plusOrSlash || strings.ContainsAny(h, "+/")
			if _, err := e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Errorf("delete with %q: %v", h, err)
			}
		}
	}
	// 20 handles of 33 random bytes each have no "+" or "/" with probability (62/64)^(20·44).
	if !plusOrSlash {
		t.Error("no handle has a + or /")
	}
	if a, _ := e.sqs.GetQueueAttributes(ctx, &sqsapi.GetQueueAttributesInput{QueueUrl: aws.String(queueURL), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}}); a.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("after deleting every message: %v", a.Attributes)
	}
}
