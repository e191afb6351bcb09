package bench

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"firstclass/internal/awslocal"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// viaQueue is the queue probe's method on the queue's output.
var viaQueue = deliveryMethod(spec.Delivery{Probe: spec.ProbeQueue, Output: "QueueUrl"})

func TestMatchDeliveriesFindsMissingDuplicatedAndUnaccepted(t *testing.T) {
	var accepted bitset
	for _, s := range []uint64{0, 1, 2, 3, 4} {
		accepted.set(s)
	}
	seen := map[uint64]int{0: 1, 1: 2, 3: 1, 4: 1, 9: 1} // 2 missing, 1 twice, 9 was not a 2xx
	d := matchDeliveries(viaQueue, "run1", "SendToQueue", contract.HTTP, accepted, seen)
	if d.Accepted != 5 || d.Delivered != 4 || d.Missing != 1 || d.Duplicated != 1 || d.Unaccepted != 1 {
		t.Errorf("delivery = %+v, want 5 accepted, 4 delivered, 1 missing, 1 duplicated, 1 unaccepted", d)
	}
	if len(d.MissingIDs) != 1 || d.MissingIDs[0] != "run1-SendToQueue-http-000000002" || d.DuplicatedIDs[0] != "run1-SendToQueue-http-000000001" {
		t.Errorf("ids: missing %v, duplicated %v", d.MissingIDs, d.DuplicatedIDs)
	}
	var many bitset
	for s := range uint64(100) {
		many.set(s)
	}
	if d := matchDeliveries(viaQueue, "r", "SendToQueue", contract.HTTP, many, nil); d.Missing != 100 || len(d.MissingIDs) != maxListedIDs {
		t.Errorf("all missing: %d missing, %d ids listed", d.Missing, len(d.MissingIDs))
	}
}

// localAWS is an awslocal server behind HTTP and the SDK configuration the bench would build
// for it from the local runner's outputs.
func localAWS(t *testing.T) (*awslocal.Server, aws.Config) {
	t.Helper()
	srv, err := awslocal.New(awslocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	srv.SetBaseURL(hs.URL)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	cfg, err := AWSConfig(context.Background(), contract.Outputs{contract.AWSEndpointOutput: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	return srv, cfg
}

// The drain counts the run's messages, copies included, deletes them, and leaves other
// runs' messages and other traffic on the queue for their owners.
func TestQueueDrainTakesOnlyTheRunsMessages(t *testing.T) {
	srv, cfg := localAWS(t)
	url, _ := srv.CreateQueue("q", nil)
	send := func(body string) {
		if _, err := srv.SendMessage(awslocal.SendMessageInput{QueueURL: url, MessageBody: body}); err != nil {
			t.Fatal(err)
		}
	}
	var accepted bitset
	for seq := range uint64(25) {
		accepted.set(seq)
		if seq != 7 { // lost
			send(`{"benchId":"` + formatID("mine", "SendToQueue", contract.REST, seq) + `"}`)
		}
	}
	send(`{"benchId":"` + formatID("mine", "SendToQueue", contract.REST, 3) + `"}`) // a duplicate
	send(`{"benchId":"` + formatID("other", "SendToQueue", contract.REST, 3) + `"}`)
	send(`{"orderId":"not a bench message"}`)

	seen := newSeenSet()
	d := &queueDrain{api: sqs.NewFromConfig(cfg), url: url, run: "mine", route: "SendToQueue", want: 25,
		accepted: func(id ID) bool { return accepted.has(id.Seq) }, receivers: 3, seen: seen, deadline: time.Now().Add(2 * time.Second), visibility: time.Second}
	start := time.Now()
	if err := d.drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := matchDeliveries(viaQueue, "mine", "SendToQueue", contract.REST, accepted, seen.of("SendToQueue", contract.REST))
	if got.Delivered != 24 || got.Missing != 1 || got.MissingIDs[0] != "mine-SendToQueue-rest-000000007" || got.Duplicated != 1 {
		t.Errorf("delivery = %+v, want 24 delivered, 7 missing, 3 duplicated", got)
	}
	if el := time.Since(start); el < 1500*time.Millisecond {
		t.Errorf("the drain gave up after %s with a message missing; it must wait for stragglers until the deadline", el)
	}
	attrs, _ := srv.GetQueueAttributes(url, "All")
	if attrs["ApproximateNumberOfMessages"] != "0" || attrs["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Errorf("queue after the drain: %v visible, %v in flight; want only the two foreign messages left, hidden until the drain is over",
			attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"])
	}
}

// When everything is found the drain stops early, after one sweep for late copies.
func TestQueueDrainStopsOnceEverythingIsFound(t *testing.T) {
	srv, cfg := localAWS(t)
	url, _ := srv.CreateQueue("q", nil)
	var accepted bitset
	for seq := range uint64(5) {
		accepted.set(seq)
		srv.SendMessage(awslocal.SendMessageInput{QueueURL: url, MessageBody: `{"benchId":"` + formatID("mine", "PutEvent", contract.HTTP, seq) + `"}`})
	}
	d := &queueDrain{api: sqs.NewFromConfig(cfg), url: url, run: "mine", route: "PutEvent", want: 5,
		accepted: func(id ID) bool { return accepted.has(id.Seq) }, receivers: 2, seen: newSeenSet(), deadline: time.Now().Add(20 * time.Second)}
	start := time.Now()
	if err := d.drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("drain took %s with everything found", el)
	}
}

// fakeSFN serves ListExecutions pages from a list, newest first.
type fakeSFN struct {
	executions []sfntypes.ExecutionListItem
	calls      int
}

func (f *fakeSFN) ListExecutions(_ context.Context, in *sfn.ListExecutionsInput, _ ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	f.calls++
	start := 0
	if in.NextToken != nil {
		start = int((*in.NextToken)[0] - '0')
	}
	end := min(start+2, len(f.executions))
	out := &sfn.ListExecutionsOutput{Executions: f.executions[start:end]}
	if end < len(f.executions) {
		out.NextToken = aws.String(string(rune('0' + end)))
	}
	return out, nil
}

func TestExecutionListMatchesNamesAndStopsAtOlderExecutions(t *testing.T) {
	now := time.Now()
	item := func(name string, age time.Duration) sfntypes.ExecutionListItem {
		return sfntypes.ExecutionListItem{Name: aws.String(name), StartDate: aws.Time(now.Add(-age))}
	}
	f := &fakeSFN{executions: []sfntypes.ExecutionListItem{
		item(formatID("mine", "StartWorkflow", contract.HTTP, 1), 0),
		item("some-uuid", 0),
		item(formatID("mine", "StartWorkflow", contract.REST, 0), time.Second),
		item(formatID("mine", "StartWorkflow", contract.HTTP, 0), time.Second),
		item(formatID("mine", "StartWorkflow", contract.HTTP, 2), time.Hour), // older than the run: never reached
		item("older", 2*time.Hour),
	}}
	l := &executionList{api: f, arn: "arn", run: "mine", route: "StartWorkflow", want: 3, accepted: func(ID) bool { return true },
		since: now.Add(-time.Minute), deadline: now.Add(5 * time.Second)}
	seen, err := l.find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h := seen.of("StartWorkflow", contract.HTTP); len(h) != 2 || h[0] != 1 || h[1] != 1 {
		t.Errorf("http executions seen = %v", h)
	}
	if r := seen.of("StartWorkflow", contract.REST); len(r) != 1 {
		t.Errorf("rest executions seen = %v", r)
	}
	if f.calls != 3 {
		t.Errorf("%d ListExecutions calls, want 3 pages: paging stops at the first execution older than the run", f.calls)
	}
}

// Against the local Step Functions: the executions the routes start are found by name.
func TestExecutionListAgainstStepFunctions(t *testing.T) {
	srv, cfg := localAWS(t)
	arn, err := srv.CreateStateMachine(awslocal.CreateStateMachineInput{Name: "m", Type: "STANDARD", Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	for seq := range uint64(3) {
		if _, err := srv.StartExecution(awslocal.StartExecutionInput{StateMachineArn: arn, Name: formatID("mine", "StartWorkflow", contract.HTTP, seq), Input: "{}"}); err != nil {
			t.Fatal(err)
		}
	}
	l := &executionList{api: sfn.NewFromConfig(cfg), arn: arn, run: "mine", route: "StartWorkflow", want: 4, accepted: func(ID) bool { return true },
		since: time.Now().Add(-time.Minute), deadline: time.Now().Add(1500 * time.Millisecond)}
	seen, err := l.find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(seen.of("StartWorkflow", contract.HTTP)); n != 3 {
		t.Errorf("found %d executions, want 3", n)
	}
	bad := &executionList{api: sfn.NewFromConfig(cfg), arn: srv.StateMachineARN("nope"), run: "mine", route: "StartWorkflow", want: 1,
		accepted: func(ID) bool { return true }, deadline: time.Now().Add(time.Second)}
	if _, err := bad.find(context.Background()); err == nil || !strings.Contains(err.Error(), "ListExecutions") {
		t.Errorf("a machine that does not exist: %v", err)
	}
}

// TestEveryProbeTheTableAcceptsIsOneTheBenchHas keeps spec.Probes, the list route tables are
// checked against, and the bench's implementations the same list.
func TestEveryProbeTheTableAcceptsIsOneTheBenchHas(t *testing.T) {
	for name, p := range spec.Probes {
		impl, ok := probes[name]
		if !ok {
			t.Errorf("spec.Probes has %q; internal/bench/probe.go has no probe of that name", name)
			continue
		}
		if p.NeedsOutput && impl.find == nil && impl.expected == nil {
			t.Errorf("probe %q reads a stack output but has no find or expected", name)
		}
	}
	for name := range probes {
		if _, ok := spec.Probes[name]; !ok {
			t.Errorf("internal/bench/probe.go has probe %q; add it to spec.Probes so route tables may name it", name)
		}
	}
}

// lossyReceives is an SQS client whose first ReceiveMessage takes messages on the server and
// loses the answer on the way back, as a body read that fails in the SDK does; the SDK then
// retries, and the caller sees the retry's answer only.
type lossyReceives struct {
	*sqs.Client
	lost int
}

func (l *lossyReceives) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if l.lost == 0 {
		out, err := l.Client.ReceiveMessage(ctx, in, opts...)
		if err != nil {
			return nil, err
		}
		l.lost = len(out.Messages)
	}
	return l.Client.ReceiveMessage(ctx, in, opts...)
}

// A receive whose answer was lost hides its messages; the drain must find them once they are
// visible again instead of calling them missing.
func TestQueueDrainFindsMessagesAReceiveLostInFlight(t *testing.T) {
	srv, cfg := localAWS(t)
	url, _ := srv.CreateQueue("q", nil)
	var accepted bitset
	for seq := range uint64(30) {
		accepted.set(seq)
		srv.SendMessage(awslocal.SendMessageInput{QueueURL: url, MessageBody: `{"benchId":"` + formatID("mine", "PutEvent", contract.HTTP, seq) + `"}`})
	}
	api := &lossyReceives{Client: sqs.NewFromConfig(cfg)}
	seen := newSeenSet()
	d := &queueDrain{api: api, url: url, run: "mine", route: "PutEvent", want: 30,
		accepted: func(id ID) bool { return accepted.has(id.Seq) }, receivers: 1, seen: seen, deadline: time.Now().Add(2 * time.Second)}
	if err := d.drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if api.lost == 0 {
		t.Fatal("no receive was lost: the test tests nothing")
	}
	got := matchDeliveries(viaQueue, "mine", "PutEvent", contract.HTTP, accepted, seen.of("PutEvent", contract.HTTP))
	if got.Missing != 0 || got.Delivered != 30 {
		t.Errorf("delivery = %+v: %d messages a lost receive hid were called missing", got, got.Missing)
	}
}

// The configuration probe counts an answer as delivered only when it is the body AppConfig
// holds: the fake stack's dropped requests answer {} and are missing.
func TestConfigurationAnswersOtherThanTheHostedOneAreMissing(t *testing.T) {
	b := bodyDigests{}
	b.add([]byte(`{"a":1}`), 1)
	b.add([]byte(`{}`), 2)
	b.add([]byte(`{"a":1}`), 3)
	got := b.matching([]byte(`{"a":1}`))
	if len(got) != 2 || got[1] != 1 || got[3] != 1 || got[2] != 0 {
		t.Errorf("matching = %v, want seqs 1 and 3", got)
	}
}
