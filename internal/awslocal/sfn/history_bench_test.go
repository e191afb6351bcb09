package sfn

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func heapInUse() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// passChain is a machine of n Pass states one after the other: an execution
// of it has 2n+2 history events.
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","End":true}`, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Next":"S%d"}`, i, i+1)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// storeExecutions runs n executions of a chain of states Pass states on a
// small order, one after the other as the bench's requests do, and returns
// the live heap each finished execution keeps.
func storeExecutions(tb testing.TB, n, states int) float64 {
	tb.Helper()
	svc := New(Options{})
	defer svc.Close()
	arn, err := svc.CreateStateMachine(CreateStateMachineInput{Name: "chain", Definition: passChain(states)})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	before := heapInUse()
	for i := range n {
		x, err := svc.StartExecution(StartExecutionInput{StateMachineArn: arn, Name: fmt.Sprintf("e-%06d", i), Input: `{"orderId":"o-000123","qty":2}`})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := svc.WaitExecution(ctx, x); err != nil {
			tb.Fatal(err)
		}
	}
	per := (heapInUse() - before) / float64(n)
	runtime.KeepAlive(svc)
	return per
}

// BenchmarkExecutionHistoryBytesPerEvent reports what a finished STANDARD
// execution keeps (B/execution, for 4 and 44 history events) and what each
// history event adds (B/event): the difference between the two, measured in
// the same run, over the 40 events the longer one has more.
func BenchmarkExecutionHistoryBytesPerEvent(b *testing.B) {
	const n = 2000
	var short, long float64
	for range b.N {
		short += storeExecutions(b, n, 1)
		long += storeExecutions(b, n, 21)
	}
	short, long = short/float64(b.N), long/float64(b.N)
	b.ReportMetric(short, "B/execution-4-events")
	b.ReportMetric(long, "B/execution-44-events")
	b.ReportMetric((long-short)/40, "B/event")
}

// A history event costs at most 160 bytes of heap (its fields, its share of
// the log's slice and the state's output text, shared with the next state's
// entry), so the thousands of executions a bench run leaves stay in
// megabytes.
func TestAHistoryEventCostsAtMost160Bytes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2,000 executions twice")
	}
	short, long := storeExecutions(t, 2000, 1), storeExecutions(t, 2000, 21)
	if per := (long - short) / 40; per > 160 {
		t.Errorf("a history event costs %.0f bytes (executions of 4 events %.0f B, of 44 events %.0f B), want at most 160", per, short, long)
	}
}
