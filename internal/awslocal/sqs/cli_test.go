package sqs

import (
	"encoding/json"
	"sort"
	"testing"

	"firstclass/internal/awslocal/awstest"
)

// The AWS CLI, unchanged, reads the queue through --endpoint-url.
func TestAWSCLIReceivesMessages(t *testing.T) {
	e := newEnv(t, Options{})
	run := awstest.CLI(t, e.http.URL)
	url, err := e.srv.CreateQueue("cli", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"n":1}`, `{"n":2}`, "plain text"}
	for _, b := range want {
		if _, err := e.srv.SendMessage(SendMessageInput{QueueURL: url, MessageBody: b,
			MessageAttributes: map[string]MessageAttribute{"kind": {DataType: "String", StringValue: "cli-test"}}}); err != nil {
			t.Fatal(err)
		}
	}
	out := run("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
		"--message-attribute-names", "All", "--attribute-names", "All")
	var res struct {
		Messages []struct {
			Body              string
			MD5OfBody         string
			ReceiptHandle     string
			MessageAttributes map[string]struct{ StringValue, DataType string }
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("CLI output: %v\n%s", err, out)
	}
	var got []string
	for _, m := range res.Messages {
		got = append(got, m.Body)
		if m.MD5OfBody != md5Hex(m.Body) || m.MessageAttributes["kind"].StringValue != "cli-test" {
			t.Errorf("message %+v", m)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("CLI received %q, want %q", got, want)
	}
	run("sqs", "delete-message", "--queue-url", url, "--receipt-handle", res.Messages[0].ReceiptHandle)
	attrs, _ := e.srv.GetQueueAttributes(url, "ApproximateNumberOfMessagesNotVisible")
	if attrs["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Errorf("after the CLI deleted one: %v", attrs)
	}
}
