package bench

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"firstclass/internal/awslocal"
	"firstclass/internal/contract"
)

// competitor is an SDK HTTP client that, after each ChangeMessageVisibility, receives the
// queue as another consumer would: what a concurrent check of another route on the same
// queue (checks run at once) does between two calls of this one.
type competitor struct {
	aws.HTTPClient
	srv   *awslocal.Server
	queue string
	mu    sync.Mutex
	took  int
}

func (c *competitor) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.HTTPClient.Do(req)
	if err == nil && req.Header.Get("X-Amz-Target") == "AmazonSQS.ChangeMessageVisibility" {
		vis := 30
		msgs, rerr := c.srv.ReceiveMessage(req.Context(), awslocal.ReceiveMessageInput{QueueURL: c.queue, MaxNumberOfMessages: 10, VisibilityTimeout: &vis})
		if rerr == nil {
			c.mu.Lock()
			c.took += len(msgs)
			c.mu.Unlock()
		}
	}
	return resp, err
}

// The delete check deletes the prepared message of a request that did not delete it without
// ever making it visible: another consumer receiving between the check's calls cannot take
// it, which would leave the check's delete stale (SQS answers success and deletes nothing)
// and the message on the queue.
func TestDeleteCheckNeverLetsAnotherConsumerTakeAPreparedMessage(t *testing.T) {
	srv, cfg := localAWS(t)
	url, _ := srv.CreateQueue("jobs", nil)
	body := `{"benchId":"` + formatID("r", "DeleteJob", contract.HTTP, 0) + `"}`
	if _, err := srv.SendMessage(awslocal.SendMessageInput{QueueURL: url, MessageBody: body}); err != nil {
		t.Fatal(err)
	}
	vis := 600
	msgs, err := srv.ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: url, VisibilityTimeout: &vis})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("receive: %d messages, %v", len(msgs), err)
	}
	c := &competitor{HTTPClient: cfg.HTTPClient, srv: srv, queue: url}
	cfg.HTTPClient = c
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The request was not accepted: the check must delete its message itself.
	_, err = findDeleted(ctx, lookup{awsCfg: cfg, output: url, run: "r", route: "DeleteJob",
		accepted: func(ID) bool { return false }, deadline: time.Now().Add(5 * time.Second),
		prepared: map[contract.Kind]any{contract.HTTP: &deleteState{kind: contract.HTTP, handles: []string{msgs[0].ReceiptHandle}}}})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := srv.GetQueueAttributes(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
	if err != nil {
		t.Fatal(err)
	}
	if c.took != 0 || attrs["ApproximateNumberOfMessages"] != "0" || attrs["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("another consumer took %d messages during the check; the queue holds %s visible and %s in flight, want none",
			c.took, attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"])
	}
}
