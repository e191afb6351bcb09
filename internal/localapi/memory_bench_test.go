package localapi

import (
	"net/http"
	"runtime"
	"strings"
	"testing"

	"firstclass/internal/contract"
)

// BenchmarkRunnerStoredMessage reports the live heap each message sent through the HTTP API's
// POST /queue and left in the queue costs the whole runner, its ~30-byte body included
// (B/stored-msg): what issue 17 measured at ≈1.5 KB, where the SQS service's own benchmark
// (awslocal/sqs BenchmarkStoredMessageOverhead) counts only the queue's share.
func BenchmarkRunnerStoredMessage(b *testing.B) {
	s := serve(b, golden(b), Options{NoThrottle: true})
	u := s.url(contract.HTTP, "prod", "/queue")
	send := func(n int) {
		for range n {
			resp, err := http.Post(u, "application/json", strings.NewReader(`{"orderId":"o-0000000000001"}`))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("POST /queue: %d", resp.StatusCode)
			}
		}
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	send(1000) // the connection, the first invocation's caches
	const n = 20_000
	var per float64
	for range b.N {
		before := heap()
		send(n)
		per += float64(heap()-before) / n
	}
	b.ReportMetric(per/float64(b.N), "B/stored-msg")
}
