//go:build linux

package lambdalocal

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks compare a warm invocation of the greeting function with a bare loopback
// HTTP round trip through net/http (BenchmarkLoopbackHTTP): the floor for anything that
// talks to a process over loopback HTTP. A warm invocation is two such exchanges with the
// function's process (the runtime's pending /next is answered with the event, then its
// POST /response), plus the handler's work.

var greetingPayload = []byte(`{"greeter":"Ann"}`)

func BenchmarkInvokeWarm(b *testing.B) {
	benchmarkWarm(b, newFunction(b, "greeting", FunctionConfig{Name: "bench-serial", MaxConcurrency: 1}))
}

// BenchmarkInvokeWarmNode and BenchmarkInvokeWarmPython run the greeting function's JavaScript
// and Python twins (testdata/*/greeting) the same way, for comparison with BenchmarkInvokeWarm
// in one run: -bench 'InvokeWarm(Node|Python)?$'.
func BenchmarkInvokeWarmNode(b *testing.B) {
	benchmarkWarm(b, newCodeFunction(b, hostRuntime(b, familyNode), "node/greeting", "index.handler", FunctionConfig{Name: "bench-node", MaxConcurrency: 1}))
}

func BenchmarkInvokeWarmPython(b *testing.B) {
	benchmarkWarm(b, newCodeFunction(b, hostRuntime(b, familyPython), "python/greeting", "greeting.handler", FunctionConfig{Name: "bench-python", MaxConcurrency: 1}))
}

// benchmarkWarm invokes f with the greeting's payload on one warm instance.
func benchmarkWarm(b *testing.B, f *Function) {
	invoke(b, f, string(greetingPayload)) // the cold start is not what is measured
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		res, err := f.Invoke(ctx, greetingPayload)
		if err != nil || res.FunctionError != "" {
			b.Fatalf("Invoke: %v %s", err, res.Payload)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "invocations/s")
}

// BenchmarkColdStart starts an instance of the greeting function, or of its twins, for each
// invocation: a Function's first Invoke, then Close. init-ms is the mean init phase, from
// starting the process to its first /next.
func BenchmarkColdStart(b *testing.B) {
	fixture(b, "greeting") // built before anything is timed
	subjects := []struct {
		name string
		new  func(b *testing.B) *Function
	}{
		{"Go", func(b *testing.B) *Function { return newFunction(b, "greeting", FunctionConfig{Name: "cold-go"}) }},
		{"Node", func(b *testing.B) *Function {
			return newCodeFunction(b, hostRuntime(b, familyNode), "node/greeting", "index.handler", FunctionConfig{Name: "cold-node"})
		}},
		{"Python", func(b *testing.B) *Function {
			return newCodeFunction(b, hostRuntime(b, familyPython), "python/greeting", "greeting.handler", FunctionConfig{Name: "cold-python"})
		}},
	}
	for _, s := range subjects {
		b.Run(s.name, func(b *testing.B) {
			var init time.Duration
			n := 0
			for b.Loop() {
				f := s.new(b)
				res := invoke(b, f, string(greetingPayload))
				if res.FunctionError != "" || !res.ColdStart {
					b.Fatalf("cold=%v %q %s", res.ColdStart, res.FunctionError, res.Payload)
				}
				init += res.InitDuration
				n++
				f.Close()
			}
			b.ReportMetric(float64(init.Microseconds())/1000/float64(n), "init-ms")
		})
	}
}

func BenchmarkInvokeWarmParallel(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	f := newFunction(b, "greeting", FunctionConfig{Name: "bench-parallel", MaxConcurrency: procs})
	ctx := context.Background()
	b.ReportAllocs()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := f.Invoke(ctx, greetingPayload)
			if err != nil || res.FunctionError != "" {
				b.Errorf("Invoke: %v %s", err, res.Payload)
				return
			}
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "invocations/s")
	if s := f.Stats(); s.Instances > procs {
		b.Errorf("Stats = %+v, want at most %d instances", s, procs)
	}
}

// BenchmarkLoopbackHTTP is the baseline: one keep-alive HTTP/1.1 POST over loopback to a
// net/http server that answers with the greeting's response, in this process.
func BenchmarkLoopbackHTTP(b *testing.B) {
	url, client := loopbackServer(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		roundTrip(b, client, url)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "roundtrips/s")
}

func BenchmarkLoopbackHTTPParallel(b *testing.B) {
	url, client := loopbackServer(b)
	b.ReportAllocs()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			roundTrip(b, client, url)
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "roundtrips/s")
}

func loopbackServer(b *testing.B) (string, *http.Client) {
	b.Helper()
	answer := []byte(`{"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, Ann!"}`)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(transport.CloseIdleConnections)
	return "http://" + ln.Addr().String() + "/", &http.Client{Transport: transport}
}

func roundTrip(b *testing.B, client *http.Client, url string) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(greetingPayload))
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
