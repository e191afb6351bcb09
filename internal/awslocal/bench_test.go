package awslocal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"firstclass/internal/sdkhttp"
)

// Benchmarks report ops/s. Each group has a baseline in the same run so the
// figures read as ratios: BenchmarkSDKBaseline is the SDK's SendMessage
// against a handler that answers 200 {} (the cost of the SDK, the
// transport and loopback HTTP), BenchmarkHandlerBaseline the same trivial
// handler called in process.

func reportOps(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

var trivialHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Write([]byte("{}"))
})

func benchSDKClient(b *testing.B, h http.Handler) (*sqs.Client, string) {
	hs := httptest.NewServer(h)
	b.Cleanup(hs.Close)
	cfg := sdkConfig(hs.URL)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	// A pool as large as the benchmark's parallelism, behind sdkhttp as every SDK client.
	cfg.HTTPClient = sdkhttp.Client(&http.Client{Transport: tr})
	b.Cleanup(tr.CloseIdleConnections)
	if srv, ok := h.(*Server); ok {
		srv.SetBaseURL(hs.URL)
	}
	return sqs.NewFromConfig(cfg), hs.URL + "/000000000000/bench"
}

func benchServer(b *testing.B, opts Options) *Server {
	srv, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	if _, err := srv.CreateQueue("bench", map[string]string{"VisibilityTimeout": "3600"}); err != nil {
		b.Fatal(err)
	}
	return srv
}

const benchBody = `{"order":42,"items":[{"sku":"a-1","qty":2}],"note":"a typical small JSON payload"}`

func BenchmarkSDKBaseline(b *testing.B) {
	client, url := benchSDKClient(b, trivialHandler)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(benchBody)}); err != nil {
				b.Fatal(err)
			}
		}
		reportOps(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(benchBody)})
			}
		})
		reportOps(b)
	})
}

func BenchmarkSDKSendMessage(b *testing.B) {
	srv := benchServer(b, Options{})
	client, url := benchSDKClient(b, srv)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(benchBody)}); err != nil {
				b.Fatal(err)
			}
		}
		reportOps(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(benchBody)}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportOps(b)
	})
}

func BenchmarkSDKReceiveMessage(b *testing.B) {
	srv := benchServer(b, Options{})
	client, url := benchSDKClient(b, srv)
	ctx := context.Background()
	fill := func(n int) {
		for i := 0; i < n; i++ {
			srv.SendMessage(SendMessageInput{QueueURL: url, MessageBody: benchBody})
		}
	}
	b.Run("serial", func(b *testing.B) {
		fill(b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
			if err != nil || len(out.Messages) != 1 {
				b.Fatalf("receive: %v", err)
			}
		}
		reportOps(b)
	})
	b.Run("parallel", func(b *testing.B) {
		fill(b.N)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportOps(b)
	})
}

// rawRequest is a reusable in-process request.
type rawRequest struct {
	target string
	body   []byte
	form   bool
	path   string
}

func (r rawRequest) serve(h http.Handler) int {
	var req *http.Request
	if r.form {
		req = httptest.NewRequest(http.MethodPost, r.path, bytes.NewReader(r.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(r.body))
		req.Header.Set("X-Amz-Target", r.target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	}
	w := discardWriter{h: http.Header{}}
	h.ServeHTTP(&w, req)
	return w.code
}

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	return len(b), nil
}
func (w *discardWriter) WriteHeader(c int) { w.code = c }

func sendRequest() rawRequest {
	return rawRequest{target: "AmazonSQS.SendMessage",
		body: []byte(fmt.Sprintf(`{"QueueUrl":"http://localhost/000000000000/bench","MessageBody":%q}`, benchBody))}
}

func BenchmarkHandlerBaseline(b *testing.B) {
	req := sendRequest()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			req.serve(trivialHandler)
		}
		reportOps(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req.serve(trivialHandler)
			}
		})
		reportOps(b)
	})
}

func BenchmarkHandlerSendMessage(b *testing.B) {
	for _, tc := range []struct {
		name string
		req  rawRequest
	}{
		{"json", sendRequest()},
		{"query", rawRequest{form: true, path: "/000000000000/bench", body: []byte("Action=SendMessage&MessageBody=" + strings.ReplaceAll(benchBody, " ", "+"))}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := benchServer(b, Options{})
			b.Run("serial", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if c := tc.req.serve(srv); c != 200 {
						b.Fatalf("status %d", c)
					}
				}
				reportOps(b)
			})
			b.Run("parallel", func(b *testing.B) {
				var bad atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if tc.req.serve(srv) != 200 {
							bad.Add(1)
						}
					}
				})
				if bad.Load() > 0 {
					b.Fatalf("%d failed", bad.Load())
				}
				reportOps(b)
			})
		})
	}
}

func BenchmarkHandlerReceiveMessage(b *testing.B) {
	srv := benchServer(b, Options{})
	url := srv.QueueURL("bench")
	req := rawRequest{target: "AmazonSQS.ReceiveMessage", body: []byte(`{"QueueUrl":"http://localhost/000000000000/bench"}`)}
	fill := func(n int) {
		for i := 0; i < n; i++ {
			srv.SendMessage(SendMessageInput{QueueURL: url, MessageBody: benchBody})
		}
	}
	b.Run("serial", func(b *testing.B) {
		fill(b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req.serve(srv)
		}
		reportOps(b)
	})
	b.Run("parallel", func(b *testing.B) {
		fill(b.N)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req.serve(srv)
			}
		})
		reportOps(b)
	})
}

// Durable sends: every call waits for its fsync; concurrent calls share one.
func BenchmarkHandlerSendMessageDurable(b *testing.B) {
	srv := benchServer(b, Options{StateDir: b.TempDir()})
	req := sendRequest()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			req.serve(srv)
		}
		reportOps(b)
	})
	b.Run("parallel64", func(b *testing.B) {
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req.serve(srv)
			}
		})
		reportOps(b)
	})
}
