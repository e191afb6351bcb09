package bench_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The whole path, load → delivery check → access logs → cost → report, for every route on
// both API kinds against the fake stack.
func TestRunLoadsEveryRouteOnBothKindsAndFindsEveryDelivery(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{GatewayOverhead: 3 * time.Millisecond})
	var log bytes.Buffer
	rep, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Rate: 20, Duration: time.Second, Warmup: 300 * time.Millisecond,
		DeliveryTimeout: 10 * time.Second, Log: io.MultiWriter(&log, timedWriter{t, time.Now()}), RunID: "e2e",
		Routes: routes.Routes,
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	if f := rep.Failed(); len(f) > 0 {
		t.Fatalf("failed: %v\n%s", f, log.String())
	}
	if len(rep.Results) != len(routes.Routes)*len(contract.Kinds) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(routes.Routes)*len(contract.Kinds))
	}
	// SQS allows one purge a minute per queue, from either API: of the purge route's 52
	// requests one is accepted, and every other is a refusal, which fails no route.
	var purges uint64
	for _, kind := range contract.Kinds {
		r := rep.Result(routes.PurgeScratchRoute.Name, kind)
		d := r.Delivery
		if d == nil || !d.Checked || d.Accepted != d.Delivered || d.Missing != 0 || r.Refused != r.Requests-r.OK {
			t.Errorf("%s: delivery %+v, %d requests, %d ok, %d refused (errors %v); want every failure refused and every accepted purge delivered", r.Key(), d, r.Requests, r.OK, r.Refused, r.Errors)
		}
		if d != nil {
			purges += d.Accepted
		}
	}
	if purges != 1 {
		t.Errorf("%d purges accepted over both kinds, want 1", purges)
	}
	for _, r := range rep.Results {
		if r.Route == routes.PurgeScratchRoute.Name {
			continue
		}
		t.Run(r.Key(), func(t *testing.T) {
			if r.Requests != 20 || r.OK != 20 {
				t.Errorf("requests %d, ok %d; want 20 measured requests, all 2xx (errors %v)", r.Requests, r.OK, r.Errors)
			}
			d := r.Delivery
			// 20 per second over 1.3 s: 26 accepted, warm-up included.
			if d == nil || !d.Checked || d.Accepted != 26 || d.Delivered != 26 || d.Missing != 0 || d.Duplicated != 0 {
				t.Errorf("delivery = %+v, want 26 accepted and delivered", d)
			}
			if o := r.Summary.Overhead; o == nil || o.P50 < 3 || o.P50 > 3.003 { // HDR: within 0.1 %
				t.Errorf("overhead = %+v (access log %+v), want p50 3 ms from the fake's log", r.Summary.Overhead, r.AccessLog)
			}
			// A line counts when the gateway received its request in the window: the measured
			// requests sent in it, and on a busy machine warm-up requests sent late.
			if r.AccessLog == nil || r.AccessLog.Lines < r.SentInWindow || r.AccessLog.Lines > 26 {
				t.Errorf("access log = %+v, want a line for each of the %d requests sent in the window, and no more than the 26 sent", r.AccessLog, r.SentInWindow)
			}
			if c := r.Summary.Cost; c == nil || c.PerMillion <= 0 || c.Kind != r.Kind {
				t.Errorf("cost = %+v", c)
			}
			if r.Summary.Rate < 15 || r.Summary.Rate > 25 {
				t.Errorf("rate = %.1f, want about 20", r.Summary.Rate)
			}
		})
	}
	if ex := rep.Result("RunExpressWorkflow", contract.HTTP).Express; ex == nil || ex.Executions != 26 || ex.BilledMs < 26*100 {
		t.Errorf("express billing = %+v, want 26 executions of at least 100 billed ms", ex)
	}
	var table, html bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SendToQueue", "Greeting", "26 / 0", "crossover"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if out := os.Getenv("BENCH_REPORT_OUT"); out != "" { // for looking at the report by hand
		os.WriteFile(out+".html", html.Bytes(), 0o644)
		rep.WriteJSONFile(out + ".json")
		os.WriteFile(out+".txt", table.Bytes(), 0o644)
	}
	if !strings.Contains(html.String(), "Every accepted request that was checked was found downstream") {
		t.Error("html does not say the deliveries passed")
	}
}

// A message the fake accepts and drops is reported missing, by id, and fails the run; one it
// delivers twice is reported duplicated.
func TestRunReportsMissingAndDuplicatedDeliveries(t *testing.T) {
	var dropped, duplicated atomic.Int32
	stack := benchtest.New(t, benchtest.Options{
		Drop: func(route string, kind contract.Kind, body []byte) bool {
			return route == "SendToQueue" && kind == contract.HTTP && dropped.Add(1) == 5
		},
		Duplicate: func(route string, kind contract.Kind, body []byte) bool {
			return route == "PutEvent" && kind == contract.REST && duplicated.Add(1) == 3
		},
		NoAccessLog: true,
	})
	rep, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Rate: 20, Duration: 500 * time.Millisecond,
		Routes:          []spec.Route{routes.SendToQueueRoute, routes.PutEventRoute, routes.StartWorkflowRoute},
		DeliveryTimeout: 3 * time.Second, RunID: "lost",
	})
	if err != nil {
		t.Fatal(err)
	}
	q := rep.Result("SendToQueue", contract.HTTP).Delivery
	if q.Missing != 1 || q.Delivered != q.Accepted-1 || len(q.MissingIDs) != 1 || !strings.HasPrefix(q.MissingIDs[0], "lost-SendToQueue-http-") {
		t.Errorf("SendToQueue/http delivery = %+v, want one missing with its id", q)
	}
	if d := rep.Result("SendToQueue", contract.REST).Delivery; d.Missing != 0 {
		t.Errorf("SendToQueue/rest delivery = %+v, want nothing missing", d)
	}
	e := rep.Result("PutEvent", contract.REST).Delivery
	if e.Duplicated != 1 || e.Missing != 0 {
		t.Errorf("PutEvent/rest delivery = %+v, want one duplicated", e)
	}
	f := rep.Failed()
	if len(f) != 1 || !strings.Contains(f[0], "SendToQueue/http: 1 of") || !strings.Contains(f[0], q.MissingIDs[0]) {
		t.Errorf("Failed() = %q, want the missing SendToQueue message named", f)
	}
	var html bytes.Buffer
	rep.WriteHTML(&html)
	if !strings.Contains(html.String(), q.MissingIDs[0]) {
		t.Error("the HTML report does not list the missing id")
	}
}

// The closed model: N workers back to back, each sending when answered.
func TestRunClosedModel(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{
		Delay: func(string, contract.Kind) time.Duration { return 10 * time.Millisecond },
	})
	rep, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Workers: 2, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond,
		Routes: []spec.Route{routes.GreetingRoute}, NoDeliveryCheck: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		// 2 workers × ~10 ms a request: about 200 a second, certainly not less than 60.
		if r.Summary.Rate < 60 || r.Summary.Rate > 200 || r.Delivery != nil {
			t.Errorf("%s: rate %.0f/s, delivery %+v; want 2 workers' worth (at most 200/s) and no check", r.Key(), r.Summary.Rate, r.Delivery)
		}
		if r.Summary.Latency.P50 < 10 {
			t.Errorf("%s: p50 %.2f ms, want at least the 10 ms delay", r.Key(), r.Summary.Latency.P50)
		}
	}
	if rep.Runs[0].Model != "closed" || rep.Runs[0].Workers != 2 {
		t.Errorf("run = %+v", rep.Runs[0])
	}
}

type timedWriter struct {
	t     *testing.T
	start time.Time
}

func (w timedWriter) Write(b []byte) (int, error) {
	w.t.Logf("%6.2fs %s", time.Since(w.start).Seconds(), strings.TrimSpace(string(b)))
	return len(b), nil
}

// A record accepted and not on any shard, and a configuration answer that is not the hosted
// one, are missing deliveries.
func TestRunFindsLostRecordsAndWrongConfigurations(t *testing.T) {
	var records, configs atomic.Int32
	stack := benchtest.New(t, benchtest.Options{
		Drop: func(route string, kind contract.Kind, body []byte) bool {
			switch {
			case route == "PutRecord" && kind == contract.HTTP:
				return records.Add(1) == 4
			case route == "GetConfig" && kind == contract.REST:
				return configs.Add(1) == 2
			}
			return false
		},
		NoAccessLog: true,
	})
	rep, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Rate: 20, Duration: 500 * time.Millisecond,
		Routes:          []spec.Route{routes.PutRecordRoute, routes.GetConfigRoute},
		DeliveryTimeout: 3 * time.Second, RunID: "lost",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		route   string
		kind    contract.Kind
		missing uint64
	}{{"PutRecord", contract.HTTP, 1}, {"PutRecord", contract.REST, 0}, {"GetConfig", contract.REST, 1}, {"GetConfig", contract.HTTP, 0}} {
		d := rep.Result(c.route, c.kind).Delivery
		if d == nil || d.Error != "" || d.Missing != c.missing || d.Delivered != d.Accepted-c.missing {
			t.Errorf("%s/%s delivery = %+v, want %d missing", c.route, c.kind, d, c.missing)
		}
	}
}

// A receive that got no message while the run's were still there, a delete that deleted
// nothing and purges that purged nothing all answer 200 and are found missing.
func TestRunFindsEmptyReceivesUndeletedMessagesAndUnpurgedQueues(t *testing.T) {
	var receives, deletes atomic.Int32
	stack := benchtest.New(t, benchtest.Options{
		Drop: func(route string, kind contract.Kind, body []byte) bool {
			switch {
			case route == routes.ReceiveJobsRoute.Name && kind == contract.HTTP:
				return receives.Add(1) == 3
			case route == routes.DeleteJobRoute.Name && kind == contract.REST:
				return deletes.Add(1) == 2
			case route == routes.PurgeScratchRoute.Name:
				return true
			}
			return false
		},
		NoAccessLog: true,
	})
	rep, err := bench.Run(ctxT(t), bench.Config{
		Outputs: stack.Outputs(), Rate: 20, Duration: 500 * time.Millisecond,
		Routes:          []spec.Route{routes.ReceiveJobsRoute, routes.DeleteJobRoute, routes.PurgeScratchRoute},
		DeliveryTimeout: 3 * time.Second, RunID: "lost",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		route   string
		kind    contract.Kind
		missing uint64
	}{
		{routes.ReceiveJobsRoute.Name, contract.HTTP, 1}, {routes.ReceiveJobsRoute.Name, contract.REST, 0},
		{routes.DeleteJobRoute.Name, contract.REST, 1}, {routes.DeleteJobRoute.Name, contract.HTTP, 0},
		{routes.PurgeScratchRoute.Name, contract.HTTP, 10}, {routes.PurgeScratchRoute.Name, contract.REST, 10},
	} {
		d := rep.Result(c.route, c.kind).Delivery
		if d == nil || d.Error != "" || d.Missing != c.missing || d.Delivered != d.Accepted-c.missing {
			t.Errorf("%s/%s delivery = %+v, want %d missing", c.route, c.kind, d, c.missing)
		}
	}
	// Nothing of the run is left on the queues.
	for _, q := range []string{routes.JobsQueueURLOutput, routes.ScratchQueueURLOutput} {
		if msgs, err := stack.AWS.ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: stack.Outputs()[q], MaxNumberOfMessages: 10}); err != nil || len(msgs) != 0 {
			t.Errorf("%s holds %d messages after the check (%v)", q, len(msgs), err)
		}
	}
}
