package loadrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// fakeEngine is Step Functions running the Map's workers in-process: each iteration runs the
// bench's generator for its shard, as lambda/loadworker does, and keeps its report.
type fakeEngine struct {
	missing bool // the state machine is not there
	fail    map[int]string

	mu      sync.Mutex
	input   Input
	status  string
	output  string
	history []HistoryEvent
	objects map[string][]byte
	noHist  bool
}

func (f *fakeEngine) StateMachineExists(context.Context, string) (bool, error) {
	return !f.missing, nil
}

func (f *fakeEngine) StartExecution(_ context.Context, _, name, input string) (string, error) {
	if err := json.Unmarshal([]byte(input), &f.input); err != nil {
		return "", err
	}
	f.status, f.objects = "RUNNING", map[string][]byte{}
	go f.run()
	return "arn:aws:states:us-east-1:000000000000:execution:Machine:" + name, nil
}

func (f *fakeEngine) run() {
	var wg sync.WaitGroup
	results := make([]WorkerResult, len(f.input.WorkerIndexes))
	for _, i := range f.input.WorkerIndexes {
		f.event("MapIterationStarted", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.worker(i)
			if results[i].Failed {
				f.event("MapIterationFailed", i)
			} else {
				f.event("MapIterationSucceeded", i)
			}
		}()
	}
	wg.Wait()
	out, _ := json.Marshal(map[string]any{"task": f.input.Task, "workers": results})
	f.mu.Lock()
	f.status, f.output = "SUCCEEDED", string(out)
	f.mu.Unlock()
}

func (f *fakeEngine) worker(i int) WorkerResult {
	if msg, ok := f.fail[i]; ok {
		return WorkerResult{Worker: i, Failed: true, Error: "Lambda.Unknown", Cause: msg}
	}
	t := f.input.Task
	rs := t.Routes
	cfg := bench.Config{Outputs: t.Outputs, Stage: t.Stage, Kinds: t.Kinds, Rate: t.Rate,
		Warmup: time.Duration(t.WarmupSeconds * float64(time.Second)), Duration: time.Duration(t.DurationSeconds * float64(time.Second)),
		RunID: t.Run, Origin: t.Origin, Shard: bench.Shard{Index: i, Of: t.Workers}, LoadOnly: true}
	for _, n := range rs {
		r, _ := routes.Routes.Lookup(n)
		cfg.Routes = append(cfg.Routes, r)
	}
	rep, err := bench.Run(context.Background(), cfg)
	if err != nil {
		return WorkerResult{Worker: i, Failed: true, Error: "Runtime", Cause: err.Error()}
	}
	var buf bytes.Buffer
	rep.WriteJSON(&buf)
	key := ResultKey(t.Run, i)
	f.mu.Lock()
	f.objects[key] = buf.Bytes()
	f.mu.Unlock()
	return WorkerResult{Worker: i, Key: key, Bytes: buf.Len()}
}

func (f *fakeEngine) event(typ string, i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history = append(f.history, HistoryEvent{Type: typ, Index: i})
}

func (f *fakeEngine) DescribeExecution(context.Context, string) (Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Execution{Status: f.status, Output: f.output}, nil
}

func (f *fakeEngine) History(_ context.Context, _ string, from int) ([]HistoryEvent, error) {
	if f.noHist {
		return nil, errors.New("UnknownOperationException: GetExecutionHistory")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if from >= len(f.history) {
		return nil, nil
	}
	return append([]HistoryEvent(nil), f.history[from:]...), nil
}

func (f *fakeEngine) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.objects[key]
	if !ok || bucket != "results" {
		return nil, fmt.Errorf("NoSuchKey: %s/%s", bucket, key)
	}
	return b, nil
}

func loadOutputs() contract.Outputs {
	return contract.Outputs{
		contract.LoadStateMachineArnOutput: "arn:aws:states:us-east-1:000000000000:stateMachine:Machine",
		contract.LoadResultsBucketOutput:   "results", contract.LoadWorkerFunctionOutput: "worker",
		contract.LoadWorkerMemoryOutput: "1769", contract.LoadWorkerTimeoutOutput: "900", contract.LoadInlineMaxOutput: "40",
		contract.RegionOutput: "us-east-1",
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// shardable are the routes Lambda workers can load: not those with prepared inputs.
func shardable() []spec.Route {
	keep, _ := bench.SplitDistributable(routes.Routes)
	return keep
}

func runConfig(stack *benchtest.Stack, log *bytes.Buffer, workers int) Config {
	return Config{
		Bench: bench.Config{Outputs: stack.Outputs(), Routes: shardable(), Rate: 30, Duration: time.Second, Warmup: 200 * time.Millisecond,
			DeliveryTimeout: 10 * time.Second},
		Load: loadOutputs(), Workers: workers, Lead: 300 * time.Millisecond, Log: log, Poll: 50 * time.Millisecond,
	}
}

func TestRunFansOutMergesAndChecksAsOneRun(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{})
	var log bytes.Buffer
	eng := &fakeEngine{}
	rep, err := Run(ctxT(t), runConfig(stack, &log, 3), eng)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	if f := rep.Failed(); len(f) > 0 {
		t.Fatalf("failed: %v\n%s", f, log.String())
	}
	if len(rep.Runs) != 3 || rep.Source == nil || rep.Source.From != "lambda" || rep.Source.Workers != 3 || rep.Source.Region != "us-east-1" {
		t.Fatalf("runs %d, source %+v; want 3 worker runs from lambda in us-east-1", len(rep.Runs), rep.Source)
	}
	if !strings.HasSuffix(rep.Source.Execution, ":bench-"+rep.Runs[0].ID) {
		t.Errorf("execution = %s, want it named after the run", rep.Source.Execution)
	}
	for _, r := range rep.Results {
		// 30 a second over 1.2 s, shared by 3 workers: 30 measured, 36 accepted.
		if r.Requests != 30 || r.OK != 30 {
			t.Errorf("%s: %d requests, %d ok; want 30", r.Key(), r.Requests, r.OK)
		}
		if d := r.Delivery; d == nil || d.Accepted != 36 || d.Delivered != 36 || d.Missing != 0 {
			t.Errorf("%s: delivery %+v, want 36 of 36", r.Key(), d)
		}
	}
	for _, want := range []string{"the run itself costs about USD", "Lambda arm64 duration", "3 Lambda workers (an inline Map)",
		"worker 1: running", "worker 3: done", "merging 3 workers' results", "deliveries:"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	var table, html bytes.Buffer
	rep.WriteTable(&table)
	rep.WriteHTML(&html)
	if !strings.Contains(table.String(), "load from lambda: 3 workers in us-east-1, sharing one schedule; their starts within") {
		t.Errorf("table does not say where the load came from:\n%s", table.String())
	}
	if !strings.Contains(html.String(), "Load from <b>lambda</b>: 3 workers in us-east-1") {
		t.Error("HTML report does not say where the load came from")
	}
	if eng.input.Task.Workers != 3 || len(eng.input.WorkerIndexes) != 3 || eng.input.Task.Origin.IsZero() {
		t.Errorf("execution input = %+v", eng.input)
	}
}

func TestRunReportsAFailedWorkerAndMergesTheOthers(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{})
	var log bytes.Buffer
	cfg := runConfig(stack, &log, 3)
	r, _ := routes.Routes.Lookup("SendToQueue")
	cfg.Bench.Routes = []spec.Route{r}
	eng := &fakeEngine{fail: map[int]string{1: "Runtime.ExitError: signal: killed"}, noHist: true}
	rep, err := Run(ctxT(t), cfg, eng)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	f := strings.Join(rep.Failed(), "\n")
	if !strings.Contains(f, "worker 2 of 3 failed: Lambda.Unknown: Runtime.ExitError: signal: killed") {
		t.Errorf("failed = %s, want worker 2's error", f)
	}
	if len(rep.Runs) != 2 {
		t.Errorf("%d runs merged, want the 2 that succeeded", len(rep.Runs))
	}
	if !strings.Contains(log.String(), "per-worker progress unavailable") {
		t.Errorf("log does not say the history could not be read:\n%s", log.String())
	}
	for _, r := range rep.Results {
		if d := r.Delivery; d == nil || d.Missing != 0 || d.Accepted == 0 {
			t.Errorf("%s: delivery %+v, want the two workers' requests all found", r.Key(), d)
		}
	}
}

func TestRunRefusesWhatItCannotRun(t *testing.T) {
	base := Config{Bench: bench.Config{Outputs: contract.Outputs{}, Routes: shardable(), Rate: 10, Duration: time.Minute}, Load: loadOutputs(), Workers: 4}
	noMachine := base.Load
	for _, tc := range []struct {
		name    string
		edit    func(*Config)
		missing bool
		match   string
	}{
		{"no load stack outputs", func(c *Config) { c.Load = contract.Outputs{} }, false, "cdk deploy FirstclassLoad --outputs-file load.json"},
		{"over Lambda's 15 minutes", func(c *Config) { c.Bench.Duration = 15 * time.Minute }, false, "longer than one Lambda worker can load"},
		{"no rate", func(c *Config) { c.Bench.Rate = 0 }, false, "--from lambda needs --rate"},
		{"no workers", func(c *Config) { c.Workers = 0 }, false, "--workers 0"},
		{"too many workers", func(c *Config) { c.Workers = MaxWorkers + 1 }, false, "give 1 to 1000"},
		{"the machine is gone", func(c *Config) { c.Load = noMachine }, true, "does not exist: deploy it"},
		{"a route with prepared inputs", func(c *Config) { c.Bench.Routes = routes.Routes }, false, "route ReceiveJobs: each request consumes an input prepared before the load"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.edit(&c)
			eng := &fakeEngine{missing: tc.missing}
			_, err := Run(context.Background(), c, eng)
			if err == nil || !strings.Contains(err.Error(), tc.match) {
				t.Errorf("Run = %v, want %q", err, tc.match)
			}
			if eng.status != "" {
				t.Error("a refused run started an execution")
			}
		})
	}
}

func TestEstimateCountsEveryWorkersTime(t *testing.T) {
	p, err := newPlan(Config{Bench: bench.Config{Rate: 100, Duration: 60 * time.Second, Warmup: 5 * time.Second}, Load: loadOutputs(), Workers: 10, Lead: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := p.estimate(cost.Default())
	// 10 + 5 + 60 + 5 s each, at 1769 MB.
	if e.WorkerSeconds != 80 || e.GBSeconds != 10*80*1769.0/1024 || e.StateTransitions != 12 || e.LambdaRequests != 10 {
		t.Errorf("estimate = %+v", e)
	}
	var total float64
	for _, l := range e.Lines {
		total += l.Cost
	}
	if total != e.Total || e.Total <= 0.018 || e.Total > 0.02 { // 1382 GB-s × $0.0000133334 ≈ $0.0184
		t.Errorf("total = %g (lines %g)", e.Total, total)
	}
}
