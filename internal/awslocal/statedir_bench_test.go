package awslocal

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"firstclass/internal/awslocal/store"
)

// BenchmarkStateDirCost reports what --state-dir costs per unconsumed message of a 30-byte
// body: the live heap with and without a state directory (heap-B/msg, mem-heap-B/msg), the
// log written while sending (log-B/msg) and the snapshot written at close (snapshot-B/msg).
func BenchmarkStateDirCost(b *testing.B) {
	const n = 20_000
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"orderId":"o-%013d"}`, i)
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	fill := func(srv *Server) float64 {
		url, err := srv.CreateQueue("cost", nil)
		if err != nil {
			b.Fatal(err)
		}
		before := heap()
		for _, body := range bodies {
			if _, err := srv.SendMessage(SendMessageInput{QueueURL: url, MessageBody: body}); err != nil {
				b.Fatal(err)
			}
		}
		return float64(heap()-before) / n
	}
	var durable, inMemory, logBytes, snapBytes float64
	for range b.N {
		mem, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		inMemory += fill(mem)
		mem.Close()

		dir := b.TempDir()
		srv, err := New(Options{StateDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		durable += fill(srv)
		logs, _ := store.ListLogs(dir)
		for _, l := range logs {
			if fi, err := os.Stat(store.LogPath(dir, l)); err == nil {
				logBytes += float64(fi.Size()) / n
			}
		}
		srv.Close()
		if fi, err := os.Stat(filepath.Join(dir, store.SnapshotName)); err == nil {
			snapBytes += float64(fi.Size()) / n
		}
	}
	runtime.KeepAlive(bodies)
	k := float64(b.N)
	b.ReportMetric(inMemory/k, "mem-heap-B/msg")
	b.ReportMetric(durable/k, "heap-B/msg")
	b.ReportMetric(logBytes/k, "log-B/msg")
	b.ReportMetric(snapBytes/k, "snapshot-B/msg")
}
