package loadrun

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/cost"
)

// workerStates follows each worker's Map iteration through the execution's history.
type workerStates struct {
	state map[int]string // index → started, succeeded, failed
	next  int            // the next history event to read
}

var iterationStates = map[string]string{
	"MapIterationStarted":   "running",
	"MapIterationSucceeded": "done",
	"MapIterationFailed":    "failed",
	"MapIterationAborted":   "aborted",
}

// follow polls the execution until it stops, showing each worker's progress, and returns
// its final description.
func (p *plan) follow(ctx context.Context, eng Engine, exec string, logf func(string, ...any)) (Execution, error) {
	ws := &workerStates{state: map[int]string{}}
	historyOK := true
	tick := time.NewTicker(p.cfg.Poll)
	defer tick.Stop()
	for {
		d, err := eng.DescribeExecution(ctx, exec)
		if err != nil {
			return Execution{}, fmt.Errorf("DescribeExecution %s: %w", exec, err)
		}
		if historyOK {
			evs, err := eng.History(ctx, exec, ws.next)
			if err != nil {
				historyOK = false
				logf("per-worker progress unavailable (GetExecutionHistory: %v); following the execution's status only", err)
			}
			ws.next += len(evs)
			for _, ev := range evs {
				s, ok := iterationStates[ev.Type]
				if !ok || ws.state[ev.Index] == s {
					continue
				}
				ws.state[ev.Index] = s
				logf("worker %d: %s", ev.Index+1, s)
			}
		}
		if p.cfg.Progress != nil {
			fmt.Fprintf(p.cfg.Progress, "\r%s", ws.line(d.Status, p.cfg.Workers))
		}
		if d.Status != "RUNNING" && d.Status != "" {
			if p.cfg.Progress != nil {
				fmt.Fprintln(p.cfg.Progress)
			}
			if d.Status != "SUCCEEDED" {
				return d, fmt.Errorf("execution %s %s: %s: %s", exec, d.Status, d.Error, d.Cause)
			}
			return d, nil
		}
		select {
		case <-ctx.Done():
			return Execution{}, fmt.Errorf("bench interrupted, execution %s still running (stop it with aws stepfunctions stop-execution --execution-arn %s): %w", exec, exec, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

func (ws *workerStates) line(status string, workers int) string {
	count := map[string]int{}
	for _, s := range ws.state {
		count[s]++
	}
	waiting := workers - len(ws.state)
	return fmt.Sprintf("execution %-9s workers: %d waiting, %d running, %d done, %d failed   ", status, waiting, count["running"], count["done"], count["failed"]+count["aborted"])
}

// collect reads every worker's result, merges them, checks the deliveries and says where the
// load came from.
func (p *plan) collect(ctx context.Context, eng Engine, b bench.Config, task Task, exec string, final Execution, logf func(string, ...any)) (*bench.Report, error) {
	results := p.workerResults(final.Output)
	pricing := bench.Pricing{Prices: cost.Default(), Routes: b.Routes}
	if b.Prices != nil {
		pricing.Prices = *b.Prices
	}
	var reps []*bench.Report
	var problems []string
	for _, i := range sortedKeys(results) {
		wr := results[i]
		if wr.Failed {
			problems = append(problems, fmt.Sprintf("worker %d of %d failed: %s: %s", i+1, p.cfg.Workers, wr.Error, strings.TrimSpace(wr.Cause)))
			continue
		}
		key := wr.Key
		if key == "" {
			key = ResultKey(task.Run, i)
		}
		body, err := eng.GetObject(ctx, p.bucket, key)
		if err != nil {
			problems = append(problems, fmt.Sprintf("worker %d of %d: no result at s3://%s/%s: %v", i+1, p.cfg.Workers, p.bucket, key, err))
			continue
		}
		rep, err := readReport(body, pricing)
		if err != nil {
			problems = append(problems, fmt.Sprintf("worker %d of %d: s3://%s/%s: %v", i+1, p.cfg.Workers, p.bucket, key, err))
			continue
		}
		reps = append(reps, rep)
	}
	if len(reps) == 0 {
		return nil, fmt.Errorf("no worker returned a result: %s", strings.Join(problems, "; "))
	}
	logf("merging %d workers' results", len(reps))
	merged, err := bench.Merge(pricing, reps...)
	if err != nil {
		return nil, err
	}
	merged.Problems = append(merged.Problems, problems...)
	merged.Source = bench.NewSource("lambda", p.region, exec, merged.Runs)
	for _, r := range merged.Runs {
		if late := r.StartLateness(); !r.FirstSent.IsZero() && late > b.Warmup {
			merged.Problems = append(merged.Problems, fmt.Sprintf("worker %d of %d sent its first request %s after the start instant, past the %s warm-up: "+
				"its first measured requests waited for it (give a longer --lead or --warmup)", r.Shard.Index+1, r.Shard.Of, late.Round(time.Millisecond), b.Warmup))
		}
	}
	if err := bench.Check(ctx, b, merged); err != nil {
		return nil, err
	}
	return merged, nil
}

// workerResults are the iterations' results of an inline Map (the execution's output has
// them under "workers"); a Distributed Map keeps its output to itself, and each worker's
// result is then looked for at its key.
func (p *plan) workerResults(output string) map[int]WorkerResult {
	out := map[int]WorkerResult{}
	var o struct {
		Workers []WorkerResult `json:"workers"`
	}
	if json.Unmarshal([]byte(output), &o) == nil {
		for _, w := range o.Workers {
			out[w.Worker] = w
		}
	}
	for i := range p.cfg.Workers {
		if _, ok := out[i]; !ok {
			out[i] = WorkerResult{Worker: i}
		}
	}
	return out
}
