package sqs

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// The AWS CLI, unchanged, reads the queue through --endpoint-url.
func TestAWSCLIReceivesMessages(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed; install it with `apt-get install awscli` to run this test")
	}
	e := newEnv(t, Options{})
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
	dir := t.TempDir()
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsPath, append([]string{"--endpoint-url", e.http.URL, "--region", awsproto.DefaultRegion, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		return out
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
