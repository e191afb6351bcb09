package bench_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/routes"
)

// Four generators that each load a quarter of one schedule (what the Lambda workers run),
// merged and checked from here, give the counts one generator at the whole rate gives, every
// delivery found, and bench ids that do not collide.
func TestShardedLoadOnlyRunsMergeAndCheckAsOneRun(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{GatewayOverhead: 2 * time.Millisecond})
	const workers = 4
	origin := time.Now().Add(300 * time.Millisecond)
	// The routes whose inputs one generator prepares cannot be sharded (bench.Distributable).
	shardable, _ := bench.SplitDistributable(routes.Routes)
	reps := make([]*bench.Report, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := bench.Run(ctxT(t), bench.Config{
				Outputs: stack.Outputs(), Rate: 40, Duration: time.Second, Warmup: 200 * time.Millisecond,
				RunID: "shard", Origin: origin, Shard: bench.Shard{Index: i, Of: workers}, LoadOnly: true,
				Routes: shardable,
			})
			if err == nil {
				// What the worker returns, read back as the CLI reads it.
				var buf bytes.Buffer
				if err = rep.WriteJSON(&buf); err == nil {
					rep, err = bench.ReadReport(&buf, bench.Pricing{Prices: cost.Default(), Routes: routes.Routes})
				}
			}
			reps[i], errs[i] = rep, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
	}
	var perWorker = map[string]uint64{}
	for _, rep := range reps {
		if len(rep.Runs) != 1 || rep.Runs[0].Shard == nil || rep.Runs[0].FirstSent.IsZero() {
			t.Fatalf("worker run = %+v, want its shard and first send", rep.Runs)
		}
		for _, r := range rep.Results {
			perWorker[r.Key()] += r.Requests
			if r.AccessLog != nil {
				t.Errorf("%s: a load-only run read the access log", r.Key())
			}
		}
	}
	merged, err := bench.Merge(bench.Pricing{Prices: cost.Default(), Routes: routes.Routes}, reps...)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if err := bench.Check(ctxT(t), bench.Config{Outputs: stack.Outputs(), Routes: routes.Routes, DeliveryTimeout: 10 * time.Second, Log: &log}, merged); err != nil {
		t.Fatal(err)
	}
	if f := merged.Failed(); len(f) > 0 {
		t.Fatalf("failed: %v\n%s", f, log.String())
	}
	for _, r := range merged.Results {
		t.Run(r.Key(), func(t *testing.T) {
			// 40 a second over 1.2 s: 40 measured, 48 accepted with the warm-up, split 4 ways.
			if r.Requests != 40 || r.Requests != perWorker[r.Key()] || r.OK != 40 {
				t.Errorf("requests %d (workers' sum %d), ok %d; want 40", r.Requests, perWorker[r.Key()], r.OK)
			}
			if d := r.Delivery; d == nil || d.Accepted != 48 || d.Delivered != 48 || d.Missing != 0 || d.Duplicated != 0 {
				t.Errorf("delivery = %+v, want 48 accepted and delivered once", d)
			}
			if r.Accepted != nil {
				t.Error("the checked report still carries the accepted sets")
			}
			// A request sent late, after the window, has its line after it too; on a busy
			// machine a warm-up request sent late has its line in the window.
			if r.AccessLog == nil || r.AccessLog.Lines < r.SentInWindow || r.AccessLog.Lines > 48 {
				t.Errorf("access log = %+v, want a line for each of the %d requests sent in the window, read by the check", r.AccessLog, r.SentInWindow)
			}
		})
	}
	src := bench.NewSource("lambda", "us-east-1", "", merged.Runs)
	if src.Workers != workers || src.StartSpreadMs < 0 || src.StartSpreadMs > 200 || src.LatestStartMs < 0 {
		t.Errorf("source = %+v, want 4 workers starting within 200 ms of each other", src)
	}
}

func TestCheckRefusesReportsOfSeveralRuns(t *testing.T) {
	a := &bench.Report{Schema: bench.SchemaVersion, Runs: []bench.RunInfo{{ID: "one"}, {ID: "two"}}}
	err := bench.Check(ctxT(t), bench.Config{Outputs: contract.Outputs{}, Routes: routes.Routes}, a)
	if err == nil || !strings.Contains(err.Error(), "one and two") {
		t.Errorf("Check = %v, want it to name both runs", err)
	}
}

func TestConfigCheckRejectsBadShards(t *testing.T) {
	shardable, _ := bench.SplitDistributable(routes.Routes)
	base := bench.Config{Outputs: contract.Outputs{}, Routes: shardable, Rate: 10, Duration: time.Second, RunID: "r"}
	for _, tc := range []struct {
		name  string
		edit  func(*bench.Config)
		match string
	}{
		{"index past the end", func(c *bench.Config) { c.Shard = bench.Shard{Index: 4, Of: 4} }, "shard 4 of 4"},
		{"negative", func(c *bench.Config) { c.Shard = bench.Shard{Index: -1, Of: 2} }, "shard -1 of 2"},
		{"closed model", func(c *bench.Config) { c.Rate, c.Workers, c.Shard = 0, 2, bench.Shard{Index: 0, Of: 2} }, "open model"},
		{"no run id", func(c *bench.Config) { c.RunID, c.Shard = "", bench.Shard{Index: 1, Of: 2} }, "run id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.edit(&c)
			if err := c.Check(); err == nil || !strings.Contains(err.Error(), tc.match) {
				t.Errorf("Check = %v, want %q", err, tc.match)
			}
		})
	}
	ok := base
	ok.Shard = bench.Shard{Index: 3, Of: 4}
	if err := ok.Check(); err != nil {
		t.Errorf("shard 3 of 4: %v", err)
	}
}
