package loadrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
)

// Engine is what a fan-out needs of AWS: Step Functions to start the workers and follow them,
// S3 to read their results. NewEngine is the SDK's; tests fake it.
type Engine interface {
	// StateMachineExists says whether the machine is there; an error is a failed call.
	StateMachineExists(ctx context.Context, arn string) (bool, error)
	StartExecution(ctx context.Context, machineArn, name, input string) (executionArn string, err error)
	// DescribeExecution returns the execution's status (RUNNING, SUCCEEDED, FAILED,
	// TIMED_OUT, ABORTED), its output once it succeeded, and its error and cause otherwise.
	DescribeExecution(ctx context.Context, executionArn string) (Execution, error)
	// History returns the execution's events from index from on (GetExecutionHistory).
	History(ctx context.Context, executionArn string, from int) ([]HistoryEvent, error)
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
}

// Execution is what DescribeExecution says.
type Execution struct {
	Status, Output, Error, Cause string
}

// HistoryEvent is one execution history event that concerns a Map iteration.
type HistoryEvent struct {
	Type  string // MapIterationStarted, MapIterationSucceeded, MapIterationFailed, …
	Index int    // the iteration, the worker's index, for Map iteration events
}

// Config is one run.
type Config struct {
	// Bench is the whole run as `firstclass bench` would run it on one machine: the API
	// stack's outputs, routes, kinds, stage, Rate (for all workers together), duration,
	// warm-up, payload, timeouts, and the check's settings.
	Bench bench.Config
	// Load are the FirstclassLoad stack's outputs; LoadStack names it in messages.
	Load      contract.Outputs
	LoadStack string
	// Workers is how many Lambda workers share the rate.
	Workers int
	// Lead is how far ahead of the execution's start the common start instant is set, for
	// every worker to be invoked and ready (default 10 s).
	Lead time.Duration
	// Prices price the run's own cost (default cost.Default()).
	Prices *cost.Prices
	// Log gets phase lines and the cost estimate; Progress the per-worker progress.
	Log      io.Writer
	Progress io.Writer
	// Poll is how often the execution is looked at (default 1 s).
	Poll time.Duration
}

// DefaultLead is the default time from the execution's start to the common start instant.
const DefaultLead = 10 * time.Second

// margin is what a worker needs after its load: the last answers, writing its result.
const margin = 30 * time.Second

// MaxWorkers bounds a run: the Distributed Map's child executions run at most 10,000 at a time,
// and Lambda's default concurrency is 1,000 a region.
const MaxWorkers = 1000

// plan is a checked run.
type plan struct {
	cfg       Config
	machine   string
	bucket    string
	memoryMB  float64
	timeout   time.Duration
	inlineMax int
	region    string
}

// deployHint says how to deploy the workers' stack and where its outputs go.
func deployHint(stack string) string {
	return fmt.Sprintf("deploy it with `npx cdk deploy %s --outputs-file load.json` (once per account and region) and pass --load-outputs load.json, or serve it locally with `firstclass local` (every stack of the app)", stack)
}

func newPlan(cfg Config) (*plan, error) {
	if cfg.LoadStack == "" {
		cfg.LoadStack = contract.DefaultLoadStackName
	}
	if cfg.Lead == 0 {
		cfg.Lead = DefaultLead
	}
	if cfg.Poll == 0 {
		cfg.Poll = time.Second
	}
	p := &plan{cfg: cfg}
	var missing []string
	get := func(key string) string {
		v := cfg.Load[key]
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	p.machine, p.bucket = get(contract.LoadStateMachineArnOutput), get(contract.LoadResultsBucketOutput)
	mem, timeout, inline := get(contract.LoadWorkerMemoryOutput), get(contract.LoadWorkerTimeoutOutput), get(contract.LoadInlineMaxOutput)
	p.region = cfg.Load[contract.RegionOutput]
	if len(missing) > 0 {
		return nil, fmt.Errorf("the %s stack's outputs lack %s: %s", cfg.LoadStack, strings.Join(missing, ", "), deployHint(cfg.LoadStack))
	}
	var err1, err2, err3 error
	p.memoryMB, err1 = strconv.ParseFloat(mem, 64)
	secs, err2 := strconv.Atoi(timeout)
	p.inlineMax, err3 = strconv.Atoi(inline)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("the %s stack's outputs: %w", cfg.LoadStack, err)
	}
	p.timeout = time.Duration(secs) * time.Second
	b := &cfg.Bench
	switch {
	case cfg.Workers < 1 || cfg.Workers > MaxWorkers:
		return nil, fmt.Errorf("--workers %d: give 1 to %d Lambda workers", cfg.Workers, MaxWorkers)
	case b.Rate <= 0:
		return nil, errors.New("--from lambda needs --rate R: the open model's R requests a second on each route × kind, shared by the workers (--workers is the number of Lambda workers)")
	}
	timeoutReq := b.Timeout
	if timeoutReq == 0 {
		timeoutReq = bench.DefaultTimeout
	}
	if need := cfg.Lead + b.Warmup + b.Duration + timeoutReq + margin; need > p.timeout {
		most := p.timeout - cfg.Lead - timeoutReq - margin
		return nil, fmt.Errorf("--warmup %s + --duration %s is longer than one Lambda worker can load: a worker runs at most %s (Lambda's limit), "+
			"which leaves %s of load after the %s lead, the %s request timeout and %s to hand in its result; "+
			"run several benches of at most %s and combine them with `firstclass bench merge`",
			b.Warmup, b.Duration, p.timeout, most.Round(time.Second), cfg.Lead, timeoutReq, margin, most.Round(time.Second))
	}
	if b.Rate*(b.Warmup+b.Duration).Seconds() >= 1e9 {
		return nil, errors.New("rate × (warm-up + duration) is a billion requests or more on one route; bench ids number up to 999,999,999")
	}
	if _, left := bench.SplitDistributable(b.Routes); len(left) > 0 {
		return nil, fmt.Errorf("route %s: each request consumes an input prepared before the load on the machine that sends it, which the Lambda workers cannot be handed; leave it out, and load it with --rate from here", left[0].Name)
	}
	return p, nil
}

// Estimate is what the run itself costs on AWS: the workers' Lambda time and requests, the
// state machine's transitions and the results' S3 requests. The load's own cost on the APIs
// and targets is what the report prices.
type Estimate struct {
	Workers          int
	WorkerSeconds    float64 // each worker, from its invocation to its result
	MemoryMB         float64
	GBSeconds        float64
	LambdaRequests   float64
	StateTransitions float64
	S3Puts, S3Gets   float64
	Lines            []cost.LineItem
	Total            float64
	Currency         string
}

// estimate prices the run. A worker is billed from its invocation, about Lead before the
// start instant, to its result: warm-up, duration and a few seconds for the last answers and
// the upload. The machine enters the Choice, the Map, and each worker's task (one more for a
// failure or a retry): 2 + N transitions.
func (p *plan) estimate(prices cost.Prices) Estimate {
	b := p.cfg.Bench
	e := Estimate{Workers: p.cfg.Workers, Currency: prices.Currency, MemoryMB: p.memoryMB}
	e.WorkerSeconds = (p.cfg.Lead + b.Warmup + b.Duration + 5*time.Second).Seconds()
	n := float64(p.cfg.Workers)
	e.GBSeconds = n * e.WorkerSeconds * p.memoryMB / 1024
	e.LambdaRequests = n
	e.StateTransitions = 2 + n
	e.S3Puts, e.S3Gets = n, n
	e.Lines = prices.LoadRunCost(e.LambdaRequests, e.GBSeconds, e.StateTransitions, e.S3Puts, e.S3Gets)
	for _, l := range e.Lines {
		e.Total += l.Cost
	}
	return e
}

func (e Estimate) write(w io.Writer) {
	fmt.Fprintf(w, "bench: the run itself costs about %s %.4f: %d workers × %.0f s each at %g MB (the load's own API and target cost is in the report)\n",
		e.Currency, e.Total, e.Workers, e.WorkerSeconds, e.MemoryMB)
	for _, l := range e.Lines {
		fmt.Fprintf(w, "bench:   %-44s %14s  %s %.6f\n", l.Name, fmtQty(l.Quantity)+" "+l.Unit, e.Currency, l.Cost)
	}
}

func fmtQty(q float64) string {
	if q == math.Trunc(q) {
		return strconv.FormatFloat(q, 'f', 0, 64)
	}
	return strconv.FormatFloat(q, 'f', 1, 64)
}

// Run fans the load out, follows it, and returns the merged and checked report. It returns an
// error when the run cannot start or the execution fails as a whole; failed workers are
// problems of the report, next to the merged results of the others.
func Run(ctx context.Context, cfg Config, eng Engine) (*bench.Report, error) {
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	cfg = p.cfg
	logf := func(format string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "bench: "+format+"\n", a...)
		}
	}
	ok, err := eng.StateMachineExists(ctx, p.machine)
	if err != nil {
		return nil, fmt.Errorf("the %s stack: DescribeStateMachine %s: %w", cfg.LoadStack, p.machine, err)
	}
	if !ok {
		return nil, fmt.Errorf("the %s stack's state machine %s does not exist: %s", cfg.LoadStack, p.machine, deployHint(cfg.LoadStack))
	}
	prices := cost.Default()
	if cfg.Prices != nil {
		prices = *cfg.Prices
	}
	if cfg.Log != nil {
		p.estimate(prices).write(cfg.Log)
	}
	b := cfg.Bench
	if b.Log == nil {
		b.Log = cfg.Log
	}
	if b.RunID == "" {
		b.RunID = NewRunID()
	}
	input, task := p.input(b)
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	exec, err := eng.StartExecution(ctx, p.machine, "bench-"+b.RunID, string(raw))
	if err != nil {
		return nil, fmt.Errorf("StartExecution %s: %w", p.machine, err)
	}
	mapKind := "an inline Map"
	if cfg.Workers > p.inlineMax {
		mapKind = "a Distributed Map"
	}
	logf("run %s: %d Lambda workers (%s) at %g requests/s per route × kind together, from %s; execution %s",
		b.RunID, cfg.Workers, mapKind, b.Rate, task.Origin.Format(time.RFC3339Nano), exec)
	final, err := p.follow(ctx, eng, exec, logf)
	if err != nil {
		return nil, err
	}
	return p.collect(ctx, eng, b, task, exec, final, logf)
}

// input is the execution's input: the shared task and one index per worker.
func (p *plan) input(b bench.Config) (Input, Task) {
	kinds := b.Kinds
	var names []string
	for _, r := range b.Routes {
		names = append(names, r.Name)
	}
	t := Task{
		Run: b.RunID, Workers: p.cfg.Workers, Origin: time.Now().Add(p.cfg.Lead).UTC(), Rate: b.Rate,
		WarmupSeconds: b.Warmup.Seconds(), DurationSeconds: b.Duration.Seconds(), Stage: b.Stage,
		Routes: names, Kinds: kinds, Outputs: b.Outputs, PayloadSize: b.PayloadSize, Payload: json.RawMessage(b.Payload),
		MaxWorkers: b.MaxWorkers, TimeoutSeconds: b.Timeout.Seconds(),
	}
	in := Input{Task: t}
	for i := range p.cfg.Workers {
		in.WorkerIndexes = append(in.WorkerIndexes, i)
	}
	return in, t
}

// NewRunID is a random run id, as bench makes one.
func NewRunID() string {
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	if len(id) > 10 {
		id = id[len(id)-10:]
	}
	return "l" + id
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// readReport reads one worker's result.
func readReport(body []byte, pricing bench.Pricing) (*bench.Report, error) {
	return bench.ReadReport(bytes.NewReader(body), pricing)
}
