package awslocal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/awslocal/store"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// populate creates one of everything through the wire protocols and
// returns what a restarted server must still have.
type accepted struct {
	queueURL, dlqURL, fifoURL string
	bodies                    map[string]bool
	deleted                   string
	events                    int
	execArn                   string
	waitingArn                string
	history                   []string // the finished execution's GetExecutionHistory
}

// historyOf is an execution's history, one "id prev type timestamp details" per event.
func historyOf(t *testing.T, e *testEnv, arn string) []string {
	t.Helper()
	out, err := e.sfn.GetExecutionHistory(ctxT(t), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetExecutionHistory %s: %v", arn, err)
	}
	var h []string
	for _, ev := range out.Events {
		in, outp := "", ""
		if d := ev.StateEnteredEventDetails; d != nil {
			in = aws.ToString(d.Name) + " " + aws.ToString(d.Input)
		}
		if d := ev.StateExitedEventDetails; d != nil {
			outp = aws.ToString(d.Name) + " " + aws.ToString(d.Output)
		}
		h = append(h, fmt.Sprintf("%d %d %s %d %s%s", ev.Id, ev.PreviousEventId, ev.Type, ev.Timestamp.UnixMilli(), in, outp))
	}
	return h
}

func populate(t *testing.T, e *testEnv) accepted {
	ctx := ctxT(t)
	a := accepted{bodies: map[string]bool{}}
	a.dlqURL = mustCreateQueue(t, e, "dlq", nil)
	a.queueURL = mustCreateQueue(t, e, "work", map[string]string{
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":3}`, e.srv.QueueARN("dlq")), "VisibilityTimeout": "600"})
	a.fifoURL = mustCreateQueue(t, e, "work.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})

	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				body := fmt.Sprintf("m-%d-%d", w, i)
				if _, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(a.queueURL), MessageBody: aws.String(body),
					MessageAttributes: map[string]sqstypes.MessageAttributeValue{"w": {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(w))}}}); err != nil {
					t.Errorf("send: %v", err)
				}
				mu.Lock()
				a.bodies[body] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Receive one and delete it; receive another and leave it in flight.
	r, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(a.queueURL), MaxNumberOfMessages: 2})
	if len(r.Messages) != 2 {
		t.Fatalf("received %d", len(r.Messages))
	}
	e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(a.queueURL), ReceiptHandle: r.Messages[0].ReceiptHandle})
	a.deleted = aws.ToString(r.Messages[0].Body)
	delete(a.bodies, a.deleted)
	e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(a.fifoURL), MessageBody: aws.String("f1"), MessageGroupId: aws.String("g")})

	// EventBridge: a bus, a rule to the DLQ-less queue, an archive.
	e.events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("app")})
	e.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("app"), EventPattern: aws.String(`{"source":["s"]}`)})
	e.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: aws.String("app"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(e.srv.QueueARN("dlq")), InputPath: aws.String("$.detail")}}})
	if _, err := e.events.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("arc"), EventSourceArn: aws.String(e.srv.EventBusARN("app"))}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		out, err := e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(fmt.Sprintf(`{"i":%d}`, i)), EventBusName: aws.String("app")}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v", err)
		}
		a.events++
	}

	// Step Functions: a finished execution and one waiting an hour.
	m, err := e.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		Definition: aws.String(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.wait","BooleanEquals":true,"Next":"W"}],"Default":"P"},
		"W":{"Type":"Wait","Seconds":3600,"Next":"P"},"P":{"Type":"Pass","Result":"done","ResultPath":"$.r","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn, Name: aws.String("fast"), Input: aws.String(`{"wait":false}`)})
	waitDone(t, e, aws.ToString(s1.ExecutionArn))
	a.history = historyOf(t, e, aws.ToString(s1.ExecutionArn))
	s2, err := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn, Name: aws.String("slow"), Input: aws.String(`{"wait":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	a.execArn, a.waitingArn = aws.ToString(s1.ExecutionArn), aws.ToString(s2.ExecutionArn)
	return a
}

func verify(t *testing.T, e *testEnv, a accepted, clock *ManualClock) {
	ctx := ctxT(t)
	attrs, err := e.srv.GetQueueAttributes(a.queueURL, "All")
	if err != nil {
		t.Fatalf("queue lost: %v", err)
	}
	if attrs["ApproximateNumberOfMessages"] != "98" || attrs["ApproximateNumberOfMessagesNotVisible"] != "1" || attrs["VisibilityTimeout"] != "600" ||
		attrs["RedrivePolicy"] == "" {
		t.Errorf("restored queue attributes = %v", attrs)
	}
	got := map[string]bool{}
	for len(got) < 98 {
		r, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(a.queueURL), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
		if err != nil || len(r.Messages) == 0 {
			t.Fatalf("after restart got %d of 98 visible messages (%v)", len(got), err)
		}
		for _, m := range r.Messages {
			body := aws.ToString(m.Body)
			if !a.bodies[body] || got[body] {
				t.Errorf("unexpected or repeated message %q", body)
			}
			if m.MessageAttributes["w"].StringValue == nil {
				t.Errorf("message %q lost its attributes", body)
			}
			got[body] = true
		}
	}
	if got[a.deleted] {
		t.Error("a deleted message came back")
	}
	// FIFO dedup state survives (within the 5-minute window): the same content is still a duplicate.
	f1, _ := e.srv.GetQueueAttributes(a.fifoURL, "ApproximateNumberOfMessages")
	e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(a.fifoURL), MessageBody: aws.String("f1"), MessageGroupId: aws.String("g")})
	f2, _ := e.srv.GetQueueAttributes(a.fifoURL, "ApproximateNumberOfMessages")
	if f1["ApproximateNumberOfMessages"] != "1" || f2["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("FIFO after restart: %v then %v", f1, f2)
	}

	// The in-flight one becomes visible after its timeout.
	clock.Advance(601 * time.Second)
	r, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(a.queueURL), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	found := false
	for _, m := range r.Messages {
		if !got[aws.ToString(m.Body)] {
			found = true
			if m.Attributes["ApproximateReceiveCount"] != "2" {
				t.Errorf("receive count after restart = %s, want 2", m.Attributes["ApproximateReceiveCount"])
			}
		}
	}
	if !found {
		t.Error("the message in flight at the crash was lost")
	}
	// Events delivered before the crash are in the DLQ; the archive counts.
	dlq, _ := e.srv.GetQueueAttributes(a.dlqURL, "ApproximateNumberOfMessages")
	if dlq["ApproximateNumberOfMessages"] != fmt.Sprint(a.events) {
		t.Errorf("event deliveries after restart = %v, want %d", dlq, a.events)
	}
	arc, err := e.srv.DescribeArchive("arc")
	if err != nil || arc.EventCount != int64(a.events) || arc.SizeBytes == 0 {
		t.Errorf("archive after restart: %+v %v", arc, err)
	}
	// Rules still route.
	e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"i":9}`), EventBusName: aws.String("app")}}})
	dlq, _ = e.srv.GetQueueAttributes(a.dlqURL, "ApproximateNumberOfMessages")
	if dlq["ApproximateNumberOfMessages"] != fmt.Sprint(a.events+1) {
		t.Errorf("rule after restart did not deliver: %v", dlq)
	}

	// Executions: the finished one as it was, the waiting one resumed.
	d, err := e.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(a.execArn)})
	if err != nil || d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"r":"done","wait":false}` {
		t.Errorf("finished execution after restart: %v %+v", err, d)
	}
	if got := historyOf(t, e, a.execArn); fmt.Sprint(got) != fmt.Sprint(a.history) || len(got) != 6 {
		t.Errorf("finished execution's history after restart\n got %q\nwant %q (6 events)", got, a.history)
	}
	if err := clock.WaitForSleepers(ctx, 1); err != nil {
		t.Fatalf("resumed execution never waits: %v", err)
	}
	clock.Advance(time.Hour)
	w := waitDone(t, e, a.waitingArn)
	if w.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("resumed execution: %s %s", w.Status, aws.ToString(w.Cause))
	}
	// The resumed execution ran again from its first state, and so did its history.
	var types []string
	for _, h := range historyOf(t, e, a.waitingArn) {
		types = append(types, strings.Fields(h)[2])
	}
	if want := "[ExecutionStarted ChoiceStateEntered ChoiceStateExited WaitStateEntered WaitStateExited PassStateEntered PassStateExited ExecutionSucceeded]"; fmt.Sprint(types) != want {
		t.Errorf("resumed execution's history %v, want %s", types, want)
	}
	list, _ := e.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.srv.StateMachineARN("m"))})
	if len(list.Executions) != 2 {
		t.Errorf("executions after restart: %d", len(list.Executions))
	}
}

func TestPersistenceCrashRestart(t *testing.T) {
	dir := t.TempDir()
	clock := NewManualClock(time.Unix(1_700_000_000, 0))
	e := newEnv(t, Options{StateDir: dir, Clock: clock})
	a := populate(t, e)
	// Crash: no snapshot, only the log (whose records were fsynced before
	// each call answered). Add a torn record as a killed write leaves it.
	e.http.Close()
	if err := e.srv.crash(); err != nil {
		t.Fatal(err)
	}
	logs, _ := store.ListLogs(dir)
	f, _ := os.OpenFile(store.LogPath(dir, logs[len(logs)-1]), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"op":"sqs.send","d":{"q":"work","m":{"id":"torn`)
	f.Close()

	e2 := newEnv(t, Options{StateDir: dir, Clock: clock})
	verify(t, e2, a, clock)
}

func TestPersistenceCleanRestart(t *testing.T) {
	dir := t.TempDir()
	clock := NewManualClock(time.Unix(1_700_000_000, 0))
	e := newEnv(t, Options{StateDir: dir, Clock: clock})
	a := populate(t, e)
	e.http.Close()
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	// A clean close leaves a snapshot and an empty log.
	if _, err := os.Stat(filepath.Join(dir, store.SnapshotName)); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, Options{StateDir: dir, Clock: clock})
	verify(t, e2, a, clock)
}

func TestPersistenceCompactionUnderLoad(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := srv.CreateQueue("c", nil)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := srv.SendMessage(SendMessageInput{QueueURL: url, MessageBody: fmt.Sprintf("%d-%d", w, i)}); err != nil {
					t.Error(err)
				}
				if i == 100 && w == 0 {
					if err := srv.store.Compact(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	srv.crash()
	srv2, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	attrs, _ := srv2.GetQueueAttributes(url, "ApproximateNumberOfMessages")
	if attrs["ApproximateNumberOfMessages"] != "800" {
		t.Errorf("after compaction and crash: %v", attrs)
	}
	msgs, err := srv2.ReceiveMessage(context.Background(), ReceiveMessageInput{QueueURL: url, MaxNumberOfMessages: 10})
	if err != nil || len(msgs) != 10 {
		t.Errorf("receive after restart: %v %d", err, len(msgs))
	}
}
