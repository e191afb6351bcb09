package sdkhttp

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/logging"

	"firstclass/internal/awslocal"
)

// TestStressDrainThroughTheSDKLosesNoAnswer is the probabilistic reproducer of the race that
// TestReceiveMessageAnswerIsReadWhenTheSDKClosesTheRequestBodyEarly replays: the local AWS
// endpoint in another process (a child of this test binary, on loopback), 16 SendMessageBatch
// loops and two drains of 4 ReceiveMessage loops each (the bench's shape: 10 messages, 1 s
// long polls), through the SDK with its retries logged, for FIRSTCLASS_SDK_STRESS seconds. It
// fails on any retried ReceiveMessage. FIRSTCLASS_SDK_STRESS_CLIENT=sdk uses the SDK's own
// client instead of Client, to see the race (a few retries a minute on a 2-core machine):
//
//	FIRSTCLASS_SDK_STRESS=60 go test ./internal/sdkhttp -run Stress -v
func TestStressDrainThroughTheSDKLosesNoAnswer(t *testing.T) {
	seconds, _ := strconv.Atoi(os.Getenv("FIRSTCLASS_SDK_STRESS"))
	if seconds <= 0 {
		t.Skip("a stress run of a minute: set FIRSTCLASS_SDK_STRESS to its length in seconds")
	}
	addr := startStressServer(t, time.Duration(seconds+30)*time.Second)
	url := "http://" + addr + "/000000000000/q"
	var retries atomic.Int64
	newClient := func() *sqs.Client {
		var hc aws.HTTPClient = Client(nil)
		if os.Getenv("FIRSTCLASS_SDK_STRESS_CLIENT") == "sdk" {
			hc = nil // the SDK's default BuildableClient
		}
		return sqs.New(sqs.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr), HTTPClient: hc,
			Credentials:   credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
			ClientLogMode: aws.LogRetries,
			Logger: logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
				if strings.Contains(format, "retrying") {
					retries.Add(1)
				}
				t.Logf("SDK: "+format, v...)
			}),
		})
	}
	body := strings.Repeat(`{"version":"0","detail-type":"bench","source":"bench","detail":{"id":"run/route/rest/123"}}`, 6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
	defer cancel()
	var sent, received atomic.Int64
	var wg sync.WaitGroup
	sender := newClient()
	for range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				entries := make([]sqstypes.SendMessageBatchRequestEntry, 10)
				for i := range entries {
					entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body)}
				}
				if _, err := sender.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err == nil {
					sent.Add(10)
				}
				for sent.Load()-received.Load() > 5000 && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	for range 2 {
		drain := newClient()
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					out, err := drain.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 10})
					if err != nil {
						continue
					}
					received.Add(int64(len(out.Messages)))
					if len(out.Messages) == 0 {
						continue
					}
					del := make([]sqstypes.DeleteMessageBatchRequestEntry, len(out.Messages))
					for i, m := range out.Messages {
						del[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
					}
					drain.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del})
				}
			})
		}
	}
	wg.Wait()
	t.Logf("%d messages sent, %d received, %d SDK retries", sent.Load(), received.Load(), retries.Load())
	if n := retries.Load(); n > 0 {
		t.Errorf("the SDK retried %d requests: answers were lost", n)
	}
}

// startStressServer runs the local AWS endpoint with one queue in a child process for at most
// d and returns its address.
func startStressServer(t *testing.T, d time.Duration) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestStressServer$")
	cmd.Env = append(os.Environ(), "FIRSTCLASS_SDK_STRESS_SERVER="+d.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			go func() {
				for lines.Scan() {
				}
			}()
			return addr
		}
	}
	t.Fatal("the stress server did not start")
	return ""
}

// TestStressServer is the child process of the stress test, not a test of its own.
func TestStressServer(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("FIRSTCLASS_SDK_STRESS_SERVER"))
	if err != nil {
		t.Skip("the stress test's server process")
	}
	srv, err := awslocal.New(awslocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetBaseURL("http://" + l.Addr().String())
	if _, err := srv.CreateQueue("q", nil); err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	defer hs.Close()
	fmt.Println("listening on " + l.Addr().String())
	time.Sleep(d)
}
