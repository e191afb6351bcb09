package localapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// loadLoop sends b.N requests from workers goroutines over keep-alive connections and reports
// requests/s and the p99 latency; any answer but a 200 fails the benchmark.
func loadLoop(b *testing.B, workers int, newReq func() *http.Request) {
	loadLoopAccepting(b, workers, newReq, nil)
}

// loadLoopAccepting is loadLoop with accept deciding which answers are right (nil: a 200),
// for a route whose documented refusals are part of its load (a purge a minute).
func loadLoopAccepting(b *testing.B, workers int, newReq func() *http.Request, accept func(status int, body []byte) bool) {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var next atomic.Int64
	lat := make([][]time.Duration, workers)
	var failed atomic.Int64
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t := time.Now()
				resp, err := client.Do(newReq())
				if err != nil {
					failed.Add(1)
					continue
				}
				if accept == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						failed.Add(1)
					}
				} else {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if !accept(resp.StatusCode, body) {
						failed.Add(1)
					}
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d requests failed", f, b.N)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
}

func benchRunner(b *testing.B) (*Runner, contract.Outputs) { return benchRunnerWith(b, Options{}) }

// benchRunnerWith starts a runner on the golden template with opts, throttling off.
func benchRunnerWith(b *testing.B, opts Options) (*Runner, contract.Outputs) {
	dir := moduleDir(b)
	tmpl, err := cfn.LoadTemplate(filepath.Join(dir, "test/testdata/Firstclass.template.json"))
	if err != nil {
		b.Fatal(err)
	}
	opts.Assembly = &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}}
	opts.ModuleDir, opts.Logs, opts.LogDir, opts.NoThrottle = dir, os.Stderr, b.TempDir(), true
	r, err := New(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	if err := r.Start(); err != nil {
		b.Fatal(err)
	}
	out, err := r.Outputs()
	if err != nil {
		b.Fatal(err)
	}
	return r, out
}

func BenchmarkServe(b *testing.B) {
	const workers = 32
	body := `{"orderId":"o-1","amount":42}`
	b.Run("baseline=net-http-trivial", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Write([]byte(`{"ok":true}`))
		}))
		defer srv.Close()
		loadLoop(b, workers, func() *http.Request {
			req, _ := http.NewRequest("POST", srv.URL+"/queue", strings.NewReader(body))
			return req
		})
	})
	r, out := benchRunner(b)
	for _, rt := range []spec.Route{routes.SendToQueueRoute, routes.PutEventRoute, routes.StartWorkflowRoute, routes.RunExpressWorkflowRoute} {
		for _, kind := range contract.Kinds {
			u := JoinURL(out[contract.APIURLOutput(kind, "prod")], rt.SamplePath())
			b.Run(string(kind)+"/"+rt.Name, func(b *testing.B) {
				loadLoop(b, workers, func() *http.Request {
					req, _ := http.NewRequest(rt.Method, u, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					return req
				})
			})
		}
	}
	// Each stop consumes a RUNNING execution of its own: b.N held ones are started before
	// the timer starts, and request i stops the i-th.
	stop := routes.StopWorkflowRoute
	for _, kind := range contract.Kinds {
		u := JoinURL(out[contract.APIURLOutput(kind, "prod")], stop.SamplePath())
		b.Run(string(kind)+"/"+stop.Name, func(b *testing.B) {
			arns := startHeldExecutions(b, r.AWSEndpoint(), out[routes.WorkflowStateMachineArnOutput], b.N)
			var next atomic.Int64
			loadLoop(b, workers, func() *http.Request {
				req, _ := http.NewRequest(stop.Method, u, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(stop.Delivery.InputHeader, arns[next.Add(1)-1])
				return req
			})
		})
	}
	benchJobsRoutes(b, r, out, workers)
}

// benchJobsRoutes loads the jobs and scratch routes on both kinds. Each receive takes one
// message of its own and each delete deletes one: b.N messages are sent (and, for the deletes,
// received for their handles) before the timer starts. SQS allows one purge a minute, so
// nearly every purge is its documented refusal (PurgeQueueInProgress: the HTTP API's 403, the
// REST route's 400), which is the path a purge route at load serves and is measured as such.
func benchJobsRoutes(b *testing.B, r *Runner, out contract.Outputs, workers int) {
	jobs := out[routes.JobsQueueURLOutput]
	for _, kind := range contract.Kinds {
		base := out[contract.APIURLOutput(kind, "prod")]
		rt := routes.ReceiveJobsRoute
		b.Run(string(kind)+"/"+rt.Name, func(b *testing.B) {
			sendMessages(b, r.AWSEndpoint(), jobs, b.N)
			u := JoinURL(base, rt.SamplePath()) + "?max=1&visibility=600"
			loadLoopAccepting(b, workers, func() *http.Request {
				req, _ := http.NewRequest(rt.Method, u, nil)
				return req
			}, func(status int, body []byte) bool {
				return status == 200 && strings.Contains(string(body), "ReceiptHandle")
			})
		})
		del := routes.DeleteJobRoute
		b.Run(string(kind)+"/"+del.Name, func(b *testing.B) {
			sendMessages(b, r.AWSEndpoint(), jobs, b.N)
			handles := receiveHandles(b, r.AWSEndpoint(), jobs, b.N)
			var next atomic.Int64
			u := JoinURL(base, del.SamplePath())
			loadLoop(b, workers, func() *http.Request {
				req, _ := http.NewRequest(del.Method, u, nil)
				req.Header.Set(del.Delivery.InputHeader, handles[next.Add(1)-1])
				return req
			})
		})
		purge := routes.PurgeScratchRoute
		refused := map[contract.Kind]int{contract.HTTP: 403, contract.REST: 400}[kind]
		b.Run(string(kind)+"/"+purge.Name, func(b *testing.B) {
			u := JoinURL(base, purge.SamplePath())
			loadLoopAccepting(b, workers, func() *http.Request {
				req, _ := http.NewRequest(purge.Method, u, nil)
				return req
			}, func(status int, body []byte) bool {
				return status == 200 || status == refused && strings.Contains(string(body), "PurgeQueueInProgress")
			})
		})
	}
}

// sendMessages sends n messages to the queue, ten a call.
func sendMessages(b *testing.B, endpoint, queue string, n int) {
	for i := 0; i < n; i += 10 {
		var entries []string
		for j := i; j < min(n, i+10); j++ {
			entries = append(entries, `{"Id":"m`+strconv.Itoa(j)+`","MessageBody":"{\"job\":`+strconv.Itoa(j)+`}"}`)
		}
		res := awsCall(b, endpoint, "AmazonSQS.SendMessageBatch", `{"QueueUrl":"`+queue+`","Entries":[`+strings.Join(entries, ",")+`]}`)
		if !strings.Contains(res, `"Successful"`) || strings.Contains(res, `"Failed":[{`) {
			b.Fatalf("SendMessageBatch: %s", res)
		}
	}
}

// receiveHandles receives n messages of the queue, each kept in flight 10 minutes, and
// returns their receipt handles.
func receiveHandles(b *testing.B, endpoint, queue string, n int) []string {
	var handles []string
	for tries := 0; len(handles) < n; tries++ {
		if tries > n+10 {
			b.Fatalf("received %d of %d messages", len(handles), n)
		}
		res := awsCall(b, endpoint, "AmazonSQS.ReceiveMessage", `{"QueueUrl":"`+queue+`","MaxNumberOfMessages":10,"VisibilityTimeout":600}`)
		var got struct {
			Messages []struct{ ReceiptHandle string }
		}
		if err := json.Unmarshal([]byte(res), &got); err != nil {
			b.Fatalf("ReceiveMessage: %s %v", res, err)
		}
		for _, m := range got.Messages {
			handles = append(handles, m.ReceiptHandle)
		}
	}
	return handles[:n]
}

// startHeldExecutions starts n executions of the standard machine that wait in its Hold
// state, and returns their ARNs.
func startHeldExecutions(b *testing.B, endpoint, machine string, n int) []string {
	arns := make([]string, n)
	for i := range arns {
		res := awsCall(b, endpoint, "AWSStepFunctions.StartExecution", `{"stateMachineArn":"`+machine+`","input":"{\"holdSeconds\":240}"}`)
		var started struct{ ExecutionArn string }
		if err := json.Unmarshal([]byte(res), &started); err != nil || started.ExecutionArn == "" {
			b.Fatalf("StartExecution: %s %v", res, err)
		}
		arns[i] = started.ExecutionArn
	}
	return arns
}

var (
	wrkRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99 = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)
	wrkBad = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

// BenchmarkServeWrk measures the runner with wrk as the client, which leaves the server more
// of the two cores than a Go client in the same process: requests/s and p99 per route kind,
// next to wrk against a trivial net/http handler (the baseline) in the same run. Run it with
// -benchtime 1x; it skips without wrk (Debian: apt-get install wrk).
func BenchmarkServeWrk(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed (Debian: apt-get install wrk)")
	}
	script := filepath.Join(b.TempDir(), "post.lua")
	lua := `wrk.method = "POST"` + "\n" + `wrk.body = '{"orderId":"o-1","amount":42}'` + "\n" + `wrk.headers["Content-Type"] = "application/json"` + "\n"
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, url string) {
		for range b.N {
			out, err := exec.Command(wrk, "-t1", "-c32", "-d5s", "--latency", "-s", script, url).CombinedOutput()
			if err != nil {
				b.Fatalf("wrk: %v\n%s", err, out)
			}
			if m := wrkBad.FindSubmatch(out); m != nil {
				b.Fatalf("%s answered %s requests with an error:\n%s", url, m[1], out)
			}
			rps, p99 := wrkRPS.FindSubmatch(out), wrkP99.FindSubmatch(out)
			if rps == nil || p99 == nil {
				b.Fatalf("no rate or p99 in wrk's output:\n%s", out)
			}
			r, _ := strconv.ParseFloat(string(rps[1]), 64)
			v, _ := strconv.ParseFloat(string(p99[1]), 64)
			scale := map[string]float64{"us": 1, "ms": 1000, "s": 1e6}[string(p99[2])]
			b.ReportMetric(r, "req/s")
			b.ReportMetric(v*scale, "p99-µs")
		}
	}
	b.Run("baseline=net-http-trivial", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Write([]byte(`{"ok":true}`))
		}))
		defer srv.Close()
		run(b, srv.URL+"/queue")
	})
	_, out := benchRunner(b)
	for _, rt := range []spec.Route{routes.SendToQueueRoute, routes.PutEventRoute, routes.StartWorkflowRoute, routes.RunExpressWorkflowRoute} {
		for _, kind := range contract.Kinds {
			b.Run(string(kind)+"/"+rt.Name, func(b *testing.B) { run(b, JoinURL(out[contract.APIURLOutput(kind, "prod")], rt.SamplePath())) })
		}
	}
}
