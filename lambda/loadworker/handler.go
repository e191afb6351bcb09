// Command loadworker is the Lambda function of the FirstclassLoad stack: one load generator of
// `firstclass bench --from lambda`. A Step Functions Map state starts N of them with the same
// run, start instant and schedule; each runs the bench's own generator (internal/bench, the
// same code as `firstclass bench`) for its share of the rate, keeps its result in the stack's
// bucket and returns where. The bench merges the N results and checks the deliveries.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/loadrun"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// Store keeps a result object.
type Store interface {
	Put(ctx context.Context, bucket, key string, body []byte) error
}

// maxOpenConnections keeps the worker's connections under Lambda's 1,024 file descriptors,
// with room for the runtime's own.
const maxOpenConnections = 900

// ResultKey is where worker i of run keeps its result.
func ResultKey(run string, worker int) string {
	return fmt.Sprintf("runs/%s/worker-%04d.json", run, worker)
}

// Handle runs the worker's share of the load and stores its result. It fails, before sending
// anything, when the event is wrong or the function's own deadline comes before the load
// would end.
func Handle(ctx context.Context, ev loadrun.Event, bucket string, store Store) (loadrun.WorkerResult, error) {
	cfg, err := benchConfig(ev)
	if err != nil {
		return loadrun.WorkerResult{}, err
	}
	if bucket == "" {
		return loadrun.WorkerResult{}, errors.New("loadworker: LOAD_RESULTS_BUCKET is not set: the FirstclassLoad stack sets it to its results bucket")
	}
	end := ev.Task.Origin.Add(cfg.Warmup + cfg.Duration + cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(end.Add(5*time.Second)) {
		return loadrun.WorkerResult{}, fmt.Errorf("loadworker: the load ends at %s (start instant + warm-up + duration + request timeout), after this invocation's deadline %s: shorten --duration or --warmup", end.Format(time.RFC3339), dl.Format(time.RFC3339))
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return loadrun.WorkerResult{}, fmt.Errorf("loadworker %d: %w", ev.Worker, err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		return loadrun.WorkerResult{}, err
	}
	key := loadrun.ResultKey(ev.Task.Run, ev.Worker)
	if err := store.Put(ctx, bucket, key, buf.Bytes()); err != nil {
		return loadrun.WorkerResult{}, fmt.Errorf("loadworker %d: keep the result in s3://%s/%s: %w", ev.Worker, bucket, key, err)
	}
	out := loadrun.WorkerResult{Worker: ev.Worker, Bucket: bucket, Key: key, Bytes: buf.Len(), FirstSent: rep.Runs[0].FirstSent}
	for _, r := range rep.Results {
		out.Requests += r.Requests
		out.Errors += r.ErrorCount()
	}
	return out, nil
}

// benchConfig is the bench configuration of the event, checked.
func benchConfig(e loadrun.Event) (bench.Config, error) {
	ev, worker := e.Task, e.Worker
	var errs []string
	if ev.Workers < 1 || worker < 0 || worker >= ev.Workers {
		errs = append(errs, fmt.Sprintf("worker %d of %d: give a worker index from 0 to workers less one", worker, ev.Workers))
	}
	if ev.Origin.IsZero() {
		errs = append(errs, "no origin: every worker needs the common start instant")
	}
	var selected []spec.Route
	for _, name := range ev.Routes {
		r, ok := routes.Routes.Lookup(name)
		if !ok {
			errs = append(errs, fmt.Sprintf("no route %q; the routes are %s", name, strings.Join(routes.Routes.Names(), ", ")))
			continue
		}
		selected = append(selected, r)
	}
	if len(ev.Routes) == 0 {
		selected = routes.Routes
	}
	if len(errs) > 0 {
		return bench.Config{}, errors.New("loadworker: " + strings.Join(errs, "; "))
	}
	kinds := ev.Kinds
	if len(kinds) == 0 {
		kinds = contract.Kinds
	}
	maxWorkers := ev.MaxWorkers
	if maxWorkers == 0 {
		maxWorkers = bench.DefaultMaxWorkers
	}
	maxWorkers = max(1, min(maxWorkers, maxOpenConnections/(len(selected)*len(kinds))))
	timeout := time.Duration(ev.TimeoutSeconds * float64(time.Second))
	if timeout == 0 {
		timeout = bench.DefaultTimeout
	}
	return bench.Config{
		Outputs: ev.Outputs, Stage: ev.Stage, Routes: selected, Kinds: kinds,
		Rate: ev.Rate, MaxWorkers: maxWorkers,
		Warmup:   time.Duration(ev.WarmupSeconds * float64(time.Second)),
		Duration: time.Duration(ev.DurationSeconds * float64(time.Second)),
		Timeout:  timeout,
		Payload:  []byte(ev.Payload), PayloadSize: ev.PayloadSize,
		RunID: ev.Run, Origin: ev.Origin, Shard: bench.Shard{Index: worker, Of: ev.Workers}, LoadOnly: true,
	}, nil
}
