package sqs

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"firstclass/internal/awslocal/clock"
)

// The memory a stored message costs beyond its body and attributes, the per-message
// overhead: the message's own record, the queue's index by ID and its visible deque.

// storedBody is a body of the size the bench's routes send (~30 bytes).
const storedBody = `{"orderId":"o-0000000000001"}`

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// storeMessages sends n messages with distinct bodies of len(storedBody) to a fresh queue
// and returns the service, the queue's URL and the live heap the messages take, per
// message, less their bodies.
func storeMessages(tb testing.TB, n int) (*Service, string, float64) {
	tb.Helper()
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"orderId":"o-%013d"}`, i)
	}
	svc := New(Options{})
	url, err := svc.CreateQueue("mem", nil)
	if err != nil {
		tb.Fatal(err)
	}
	before := heapInUse()
	for _, body := range bodies {
		if _, err := svc.SendMessage(SendMessageInput{QueueURL: url, MessageBody: body}); err != nil {
			tb.Fatal(err)
		}
	}
	after := heapInUse()
	runtime.KeepAlive(bodies) // the bodies were allocated before: not counted
	return svc, url, float64(after-before) / float64(n)
}

// BenchmarkStoredMessageOverhead reports the live heap each stored message costs beyond its
// body (B/stored-msg): 100,000 unconsumed messages of a 30-byte body in one queue.
func BenchmarkStoredMessageOverhead(b *testing.B) {
	var per float64
	for range b.N {
		svc, _, p := storeMessages(b, 100_000)
		per += p
		svc.Close()
	}
	b.ReportMetric(per/float64(b.N), "B/stored-msg")
}

func TestAStoredMessageCostsAtMost256BytesBeyondItsBody(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 100,000 messages")
	}
	svc, _, per := storeMessages(t, 100_000)
	defer svc.Close()
	if per > 256 {
		t.Errorf("a stored message costs %.0f bytes beyond its %d-byte body, want at most 256", per, len(storedBody))
	}
}

func TestADrainedQueueGivesItsMemoryBack(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 100,000 messages")
	}
	base := heapInUse()
	svc, url, _ := storeMessages(t, 100_000)
	defer svc.Close()
	full := heapInUse()
	ctx := context.Background()
	for {
		msgs, err := svc.ReceiveMessage(ctx, ReceiveMessageInput{QueueURL: url, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			if err := svc.DeleteMessage(url, m.ReceiptHandle); err != nil {
				t.Fatal(err)
			}
		}
	}
	drained := heapInUse()
	// What the queue still holds once empty; the bodies slice of storeMessages is gone too.
	kept := int64(drained) - int64(base)
	t.Logf("heap: %d before, %d with 100,000 messages, %d after draining them", base, full, drained)
	if kept > 1<<20 {
		t.Errorf("the drained queue keeps %d bytes of the %d the messages took", kept, full-base)
	}
	runtime.KeepAlive(svc)
}

// A queue that shrinks its storage keeps every live message: the visible ones and the ones in
// flight, which come back when their visibility ends.
func TestAShrunkQueueKeepsItsLiveMessages(t *testing.T) {
	clk := clock.NewManual(time.Unix(1_700_000_000, 0))
	svc := New(Options{Clock: clk})
	defer svc.Close()
	url, _ := svc.CreateQueue("shrink", nil)
	const n = 10_000
	for i := range n {
		if _, err := svc.SendMessage(SendMessageInput{QueueURL: url, MessageBody: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	seen := map[string]int{}
	receive := func(vis int) []Message {
		msgs, err := svc.ReceiveMessage(ctx, ReceiveMessageInput{QueueURL: url, MaxNumberOfMessages: 10, VisibilityTimeout: &vis})
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	// Delete 9,500, keep 300 in flight: the queue shrinks below an eighth of its peak.
	for deleted := 0; deleted < 9_500; {
		for _, m := range receive(60) {
			svc.DeleteMessage(url, m.ReceiptHandle)
			seen[m.Body]++
			deleted++
		}
	}
	for inFlight := 0; inFlight < 300; inFlight += len(receive(60)) {
	}
	clk.Advance(61 * time.Second)
	for {
		msgs := receive(60)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			seen[m.Body]++
			svc.DeleteMessage(url, m.ReceiptHandle)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct messages received, want %d", len(seen), n)
	}
	for b, c := range seen {
		if c != 1 {
			t.Errorf("message %s deleted %d times", b, c)
		}
	}
}
