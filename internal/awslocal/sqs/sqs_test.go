package sqs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqsapi "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestSQSSendReceiveDelete(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "orders", nil)
	if want := e.http.URL + "/000000000000/orders"; url != want {
		t.Errorf("queue URL = %q, want %q", url, want)
	}

	sent, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(`{"order": 1, "note": "ünïcode & <xml>"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"trace":  {DataType: aws.String("String"), StringValue: aws.String("abc")},
			"weight": {DataType: aws.String("Number"), StringValue: aws.String("12.5")},
			"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err) // the SDK checks MD5OfMessageBody
	}
	if sent.MD5OfMessageAttributes == nil {
		t.Error("no MD5OfMessageAttributes")
	}

	got, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         10,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(got.Messages))
	}
	m := got.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Errorf("message ID %s, sent %s", aws.ToString(m.MessageId), aws.ToString(sent.MessageId))
	}
	if aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
		t.Errorf("MD5OfMessageAttributes on receive %s, on send %s", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(sent.MD5OfMessageAttributes))
	}
	if string(m.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02" {
		t.Errorf("binary attribute = %v", m.MessageAttributes["blob"].BinaryValue)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" || m.Attributes["SenderId"] == "" {
		t.Errorf("system attributes = %v", m.Attributes)
	}

	// In flight: a second receive sees nothing.
	again, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("receive while in flight: %v, %d messages", err, len(again.Messages))
	}
	attrs, err := e.sqs.GetQueueAttributes(ctx, &sqsapi.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("counts = %v", attrs.Attributes)
	}
	if attrs.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:orders" || attrs.Attributes["MaximumMessageSize"] != "1048576" {
		t.Errorf("attributes = %v", attrs.Attributes)
	}

	if _, err := e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	attrs, _ = e.sqs.GetQueueAttributes(ctx, &sqsapi.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("counts after delete = %v", attrs.Attributes)
	}
}

// The digest of message attributes must be SQS's, not just self-consistent.
func TestMD5OfMessageAttributesMatchesSQS(t *testing.T) {
	// Value from the SQS API reference's SendMessage example response
	// (attribute my_attribute_name_1 = my_attribute_value_1, String).
	attrs := map[string]MessageAttribute{
		"my_attribute_name_1": {DataType: "String", StringValue: "my_attribute_value_1"},
		"my_attribute_name_2": {DataType: "String", StringValue: "my_attribute_value_2"},
	}
	if got, want := md5Hex("This is a test message"), "fafb00f5732ab283681e124bf8747ed1"; got != want {
		t.Errorf("md5 of body = %s, want %s", got, want)
	}
	// Hand-computed from the documented encoding, independent of the code.
	var enc []byte
	put := func(s string) {
		enc = append(enc, byte(len(s)>>24), byte(len(s)>>16), byte(len(s)>>8), byte(len(s)))
		enc = append(enc, s...)
	}
	for _, n := range []string{"my_attribute_name_1", "my_attribute_name_2"} {
		put(n)
		put("String")
		enc = append(enc, 1)
		put(attrs[n].StringValue)
	}
	if got, want := md5OfAttributes(attrs), md5Hex(string(enc)); got != want {
		t.Errorf("md5OfAttributes = %s, want %s", got, want)
	}
}

func TestSQSVisibilityTimeout(t *testing.T) {
	clock := clock.NewManual(time.Unix(1_700_000_000, 0))
	e := newEnv(t, Options{Clock: clock})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "vis", map[string]string{"VisibilityTimeout": "30"})
	if _, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	first, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if len(first.Messages) != 1 {
		t.Fatal("no message")
	}
	clock.Advance(29 * time.Second)
	if r, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(r.Messages) != 0 {
		t.Fatal("message visible before its timeout")
	}
	clock.Advance(2 * time.Second)
	second, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if len(second.Messages) != 1 || second.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the timeout: %+v", second.Messages)
	}
	// The first receipt handle is stale: deleting with it succeeds but
	// does not delete (SQS API reference, DeleteMessage).
	if _, err := e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("delete with a stale handle: %v", err)
	}
	// ChangeMessageVisibility to 0 makes it visible at once.
	if _, err := e.sqs.ChangeMessageVisibility(ctx, &sqsapi.ChangeMessageVisibilityInput{QueueUrl: aws.String(url),
		ReceiptHandle: second.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	third, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 5})
	if len(third.Messages) != 1 {
		t.Fatal("message not visible after ChangeMessageVisibility 0")
	}
	clock.Advance(6 * time.Second)
	if _, err := e.sqs.ChangeMessageVisibility(ctx, &sqsapi.ChangeMessageVisibilityInput{QueueUrl: aws.String(url),
		ReceiptHandle: third.Messages[0].ReceiptHandle, VisibilityTimeout: 10}); apiCode(err) != "AWS.SimpleQueueService.MessageNotInflight" {
		t.Errorf("ChangeMessageVisibility after expiry: %v", err)
	}
}

func TestSQSDelaySeconds(t *testing.T) {
	clock := clock.NewManual(time.Unix(1_700_000_000, 0))
	e := newEnv(t, Options{Clock: clock})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "delayed", nil)
	e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("later"), DelaySeconds: 10})
	attrs, _ := e.srv.GetQueueAttributes(url, "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessages")
	if attrs["ApproximateNumberOfMessagesDelayed"] != "1" || attrs["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("counts = %v", attrs)
	}
	if r, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(r.Messages) != 0 {
		t.Fatal("delayed message delivered early")
	}
	clock.Advance(10 * time.Second)
	if r, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(r.Messages) != 1 {
		t.Fatal("delayed message not delivered")
	}
}

func TestSQSLongPollingWokenBySend(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "poll", nil)
	done := make(chan *sqsapi.ReceiveMessageOutput)
	start := time.Now()
	go func() {
		out, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 10})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	time.Sleep(100 * time.Millisecond)
	if _, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("wake")}); err != nil {
		t.Fatal(err)
	}
	out := <-done
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "wake" {
		t.Fatalf("long poll got %+v", out.Messages)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("long poll took %v; a send should wake it", d)
	}

	// With nothing sent it waits for WaitTimeSeconds and returns empty.
	start = time.Now()
	out, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("empty long poll: %v %v", err, out.Messages)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("empty long poll returned after %v, want about 1s", d)
	}
}

func TestSQSRedriveToDeadLetterQueue(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	dlq := mustCreateQueue(t, e, "jobs-dlq", nil)
	dlqArn := e.srv.QueueARN("jobs-dlq")
	// VisibilityTimeout 0 makes a received message visible again at once
	// (the SDK does not send a VisibilityTimeout of 0 on ReceiveMessage).
	url := mustCreateQueue(t, e, "jobs", map[string]string{
		"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlqArn),
		"VisibilityTimeout": "0",
	})
	sent, _ := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("poison")})
	for i := 1; i <= 2; i++ {
		r, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
		if err != nil || len(r.Messages) != 1 {
			t.Fatalf("receive %d: %v %d", i, err, len(r.Messages))
		}
	}
	// The third receive exceeds maxReceiveCount: the message moves.
	r, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if len(r.Messages) != 0 {
		t.Fatal("message delivered past maxReceiveCount")
	}
	d, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(dlq),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if err != nil || len(d.Messages) != 1 {
		t.Fatalf("dead-letter queue: %v %d", err, len(d.Messages))
	}
	if aws.ToString(d.Messages[0].MessageId) != aws.ToString(sent.MessageId) || aws.ToString(d.Messages[0].Body) != "poison" {
		t.Errorf("moved message = %+v", d.Messages[0])
	}
	if src, _ := e.srv.GetQueueAttributes(url, "All"); src["ApproximateNumberOfMessages"] != "0" || src["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("source queue counts after the move = %v", src)
	}
	if got := d.Messages[0].Attributes["DeadLetterQueueSourceArn"]; got != e.srv.QueueARN("jobs") {
		t.Errorf("DeadLetterQueueSourceArn = %q", got)
	}
	attrs, _ := e.srv.GetQueueAttributes(url, "RedrivePolicy")
	if want := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":2}`, dlqArn); attrs["RedrivePolicy"] != want {
		t.Errorf("RedrivePolicy = %s, want %s", attrs["RedrivePolicy"], want)
	}
	srcs, err := e.sqs.ListDeadLetterSourceQueues(ctx, &sqsapi.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil || len(srcs.QueueUrls) != 1 || srcs.QueueUrls[0] != url {
		t.Errorf("ListDeadLetterSourceQueues = %v, %v", srcs, err)
	}
}

func TestSQSFIFODeduplicationAndOrder(t *testing.T) {
	clock := clock.NewManual(time.Unix(1_700_000_000, 0))
	e := newEnv(t, Options{Clock: clock})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "events.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})

	first, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a"), MessageGroupId: aws.String("g1")})
	if err != nil {
		t.Fatal(err)
	}
	dup, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a"), MessageGroupId: aws.String("g1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(dup.MessageId) != aws.ToString(first.MessageId) {
		t.Errorf("duplicate got a new message ID")
	}
	e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"), MessageGroupId: aws.String("g1")})
	e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g2"),
		MessageDeduplicationId: aws.String("explicit")})

	attrs, _ := e.srv.GetQueueAttributes(url, "ApproximateNumberOfMessages")
	if attrs["ApproximateNumberOfMessages"] != "3" {
		t.Errorf("messages = %s, want 3 (one duplicate dropped)", attrs["ApproximateNumberOfMessages"])
	}

	// Receive one: g1's head. g1 is then locked; the next receive gives g2.
	r1, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
	r2, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	r3, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if len(r1.Messages) != 1 || aws.ToString(r1.Messages[0].Body) != "a" {
		t.Fatalf("first receive = %+v", r1.Messages)
	}
	if len(r2.Messages) != 1 || aws.ToString(r2.Messages[0].Body) != "x" || r2.Messages[0].Attributes["MessageGroupId"] != "g2" ||
		r2.Messages[0].Attributes["MessageDeduplicationId"] != "explicit" || r2.Messages[0].Attributes["SequenceNumber"] == "" {
		t.Fatalf("second receive = %+v", r2.Messages)
	}
	if len(r3.Messages) != 0 {
		t.Fatalf("group g1 not locked while its head is in flight: %+v", r3.Messages)
	}
	e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: r1.Messages[0].ReceiptHandle})
	r4, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if len(r4.Messages) != 1 || aws.ToString(r4.Messages[0].Body) != "b" {
		t.Fatalf("after deleting the head: %+v", r4.Messages)
	}

	// After the 5-minute window the same content is a new message.
	clock.Advance(5*time.Minute + time.Second)
	again, _ := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a"), MessageGroupId: aws.String("g1")})
	if aws.ToString(again.MessageId) == aws.ToString(first.MessageId) {
		t.Error("deduplicated after the 5-minute window")
	}

	// FIFO rules.
	_, err = e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("no group")})
	if apiCode(err) != "MissingParameter" {
		t.Errorf("send without MessageGroupId: %v", err)
	}
	plain := mustCreateQueue(t, e, "plain.fifo", map[string]string{"FifoQueue": "true"})
	_, err = e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(plain), MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	if apiCode(err) != "InvalidParameterValue" {
		t.Errorf("send without dedup ID or content-based dedup: %v", err)
	}
}

func TestSQSBatches(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "batch", nil)
	var entries []types.SendMessageBatchRequestEntry
	for i := 0; i < 10; i++ {
		body := fmt.Sprintf("msg-%d", i)
		if i == 7 {
			body = "bad\x01char"
		}
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String(body)})
	}
	out, err := e.sqs.SendMessageBatch(ctx, &sqsapi.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	if len(out.Successful) != 9 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "e7" ||
		aws.ToString(out.Failed[0].Code) != "InvalidMessageContents" || !out.Failed[0].SenderFault {
		t.Fatalf("batch result: %d ok, failed %+v", len(out.Successful), out.Failed)
	}
	var handles []types.DeleteMessageBatchRequestEntry
	for len(handles) < 9 {
		r, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		if err != nil || len(r.Messages) == 0 {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range r.Messages {
			handles = append(handles, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", len(handles))), ReceiptHandle: m.ReceiptHandle})
		}
	}
	handles = append(handles, types.DeleteMessageBatchRequestEntry{Id: aws.String("junk"), ReceiptHandle: aws.String("not a handle")})
	del, err := e.sqs.DeleteMessageBatch(ctx, &sqsapi.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: handles})
	if err != nil || len(del.Successful) != 9 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("DeleteMessageBatch: %v %+v", err, del)
	}

	// Whole-batch errors.
	tooMany := append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("e10"), MessageBody: aws.String("x")})
	_, err = e.sqs.SendMessageBatch(ctx, &sqsapi.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: tooMany})
	if apiCode(err) != "AWS.SimpleQueueService.TooManyEntriesInBatchRequest" {
		t.Errorf("11 entries: %v", err)
	}
	dupIDs := []types.SendMessageBatchRequestEntry{{Id: aws.String("a"), MessageBody: aws.String("1")}, {Id: aws.String("a"), MessageBody: aws.String("2")}}
	_, err = e.sqs.SendMessageBatch(ctx, &sqsapi.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: dupIDs})
	if apiCode(err) != "AWS.SimpleQueueService.BatchEntryIdsNotDistinct" {
		t.Errorf("repeated IDs: %v", err)
	}
}

func TestSQSErrorShapes(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "errs", nil)
	missing := e.http.URL + "/000000000000/nope"
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"send to a missing queue", func() error {
			_, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(missing), MessageBody: aws.String("x")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue"},
		{"GetQueueUrl of a missing queue", func() error {
			_, err := e.sqs.GetQueueUrl(ctx, &sqsapi.GetQueueUrlInput{QueueName: aws.String("nope")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue"},
		{"message over 1 MiB", func() error {
			_, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 1<<20+1))})
			return err
		}, "InvalidParameterValue"},
		{"invalid characters", func() error {
			_, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a\x00b")})
			return err
		}, "InvalidMessageContents"},
		{"empty body", func() error {
			_, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("")})
			return err
		}, "MissingParameter"},
		{"MaxNumberOfMessages 11", func() error {
			_, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
			return err
		}, "InvalidParameterValue"},
		{"WaitTimeSeconds 21", func() error {
			_, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
			return err
		}, "InvalidParameterValue"},
		{"unknown queue attribute", func() error {
			_, err := e.sqs.GetQueueAttributes(ctx, &sqsapi.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"FifoQueue"}})
			return err
		}, "InvalidAttributeName"},
		{"bad attribute value", func() error {
			_, err := e.sqs.SetQueueAttributes(ctx, &sqsapi.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
			return err
		}, "InvalidAttributeValue"},
		{"queue exists with other attributes", func() error {
			_, err := e.sqs.CreateQueue(ctx, &sqsapi.CreateQueueInput{QueueName: aws.String("errs"), Attributes: map[string]string{"DelaySeconds": "5"}})
			return err
		}, "QueueAlreadyExists"},
		{"bad queue name", func() error {
			_, err := e.sqs.CreateQueue(ctx, &sqsapi.CreateQueueInput{QueueName: aws.String("bad name!")})
			return err
		}, "InvalidParameterValue"},
		{"malformed receipt handle", func() error {
			_, err := e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage!")})
			return err
		}, "ReceiptHandleIsInvalid"},
		{"reserved attribute name", func() error {
			_, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
			return err
		}, "InvalidParameterValue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := apiCode(tc.call()); got != tc.code {
				t.Errorf("error code = %q, want %q", got, tc.code)
			}
		})
	}
	// The typed SDK error is chosen from __type.
	_, err := e.sqs.GetQueueUrl(ctx, &sqsapi.GetQueueUrlInput{QueueName: aws.String("nope")})
	var qdne *types.QueueDoesNotExist
	if !errorsAs(err, &qdne) {
		t.Errorf("GetQueueUrl error %T is not *types.QueueDoesNotExist", err)
	}
	// A message just under the limit passes.
	if _, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 1<<20))}); err != nil {
		t.Errorf("1 MiB message: %v", err)
	}
}

func TestSQSListAndPurgeAndDelete(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	for _, n := range []string{"a-1", "a-2", "a-3", "b-1"} {
		mustCreateQueue(t, e, n, nil)
	}
	page, err := e.sqs.ListQueues(ctx, &sqsapi.ListQueuesInput{QueueNamePrefix: aws.String("a-"), MaxResults: aws.Int32(2)})
	if err != nil || len(page.QueueUrls) != 2 || page.NextToken == nil {
		t.Fatalf("first page: %v %+v", err, page)
	}
	page2, err := e.sqs.ListQueues(ctx, &sqsapi.ListQueuesInput{QueueNamePrefix: aws.String("a-"), MaxResults: aws.Int32(2), NextToken: page.NextToken})
	if err != nil || len(page2.QueueUrls) != 1 || !strings.HasSuffix(page2.QueueUrls[0], "/a-3") {
		t.Fatalf("second page: %v %+v", err, page2)
	}
	url := e.srv.QueueURL("a-1")
	e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	if _, err := e.sqs.PurgeQueue(ctx, &sqsapi.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(r.Messages) != 0 {
		t.Error("message survived PurgeQueue")
	}
	if _, err := e.sqs.PurgeQueue(ctx, &sqsapi.PurgeQueueInput{QueueUrl: aws.String(url)}); apiCode(err) != "AWS.SimpleQueueService.PurgeQueueInProgress" {
		t.Errorf("second purge within 60s: %v", err)
	}
	if _, err := e.sqs.TagQueue(ctx, &sqsapi.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "a", "env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	e.sqs.UntagQueue(ctx, &sqsapi.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"env"}})
	if tags, err := e.sqs.ListQueueTags(ctx, &sqsapi.ListQueueTagsInput{QueueUrl: aws.String(url)}); err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "a" {
		t.Errorf("tags = %v, %v", tags, err)
	}
	if _, err := e.sqs.DeleteQueue(ctx, &sqsapi.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); apiCode(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("send to a deleted queue: %v", err)
	}
}

// Many producers and consumers: every message is received exactly once
// (visibility timeouts are long enough that SQS itself would not redeliver).
func TestSQSConcurrentNoLossNoDuplicates(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	url := mustCreateQueue(t, e, "load", map[string]string{"VisibilityTimeout": "600"})
	const producers, perProducer, consumers = 8, 150, 6
	total := producers * perProducer

	var seen sync.Map
	var received sync.WaitGroup
	var mu sync.Mutex
	count := 0
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perProducer; i++ {
				if i%10 == 0 {
					var batch []types.SendMessageBatchRequestEntry
					for j := 0; j < 10 && i < perProducer; j, i = j+1, i+1 {
						batch = append(batch, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i))})
					}
					i--
					if out, err := e.sqs.SendMessageBatch(ctx, &sqsapi.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: batch}); err != nil || len(out.Failed) > 0 {
						t.Errorf("batch: %v", err)
					}
					continue
				}
				if _, err := e.sqs.SendMessage(ctx, &sqsapi.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i))}); err != nil {
					t.Errorf("send: %v", err)
				}
			}
		}()
	}
	stop := make(chan struct{})
	for c := 0; c < consumers; c++ {
		received.Add(1)
		go func() {
			defer received.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := e.sqs.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
				if err != nil {
					t.Errorf("receive: %v", err)
					return
				}
				for _, m := range r.Messages {
					if _, dup := seen.LoadOrStore(aws.ToString(m.Body), true); dup {
						t.Errorf("message %s received twice", aws.ToString(m.Body))
					}
					if _, err := e.sqs.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
						t.Errorf("delete: %v", err)
					}
					mu.Lock()
					count++
					if count == total {
						close(stop)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	waitDone := make(chan struct{})
	go func() { received.Wait(); close(waitDone) }()
	select {
	case <-waitDone:
	case <-time.After(20 * time.Second):
		t.Fatalf("received %d of %d messages", count, total)
	}
	if count != total {
		t.Fatalf("received %d of %d", count, total)
	}
	attrs, _ := e.srv.GetQueueAttributes(url, "All")
	if attrs["ApproximateNumberOfMessages"] != "0" || attrs["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("queue not empty: %v", attrs)
	}
}

func TestSQSGoAPI(t *testing.T) {
	srv, err := newServer(Options{BaseURL: "http://127.0.0.1:4566/"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url, err := srv.CreateQueue("direct", map[string]string{"VisibilityTimeout": "5"})
	if err != nil || url != "http://127.0.0.1:4566/000000000000/direct" {
		t.Fatalf("CreateQueue = %q, %v", url, err)
	}
	if _, err := srv.SendMessage(SendMessageInput{QueueURL: url, MessageBody: "hi"}); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.ReceiveMessage(context.Background(), ReceiveMessageInput{QueueURL: url})
	if err != nil || len(msgs) != 1 || msgs[0].Body != "hi" || msgs[0].MD5OfBody != md5Hex("hi") {
		t.Fatalf("ReceiveMessage = %+v, %v", msgs, err)
	}
	if err := srv.DeleteMessage(url, msgs[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	_, err = srv.SendMessage(SendMessageInput{QueueURL: "http://x/000000000000/missing", MessageBody: "x"})
	if ae, ok := err.(*awsproto.Error); !ok || ae.QueryCode != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("send to missing queue: %v", err)
	}
}
