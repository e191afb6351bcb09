package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/loadrun"
	"firstclass/routes"
)

// bench --from lambda against firstclass local serving both stacks: the state machine's Map
// state invokes 4 load workers (lambda/loadworker as local processes), the bench merges their
// results from the local S3 and checks every delivery from here. The merged report's counts
// are the sum of the workers' own results, with nothing missing. A single generator at the
// same total rate runs after it against the same runner, for the rates to compare.
func TestBenchFromLambdaFansOutOnTheLocalRunnerAndMergesEveryWorker(t *testing.T) {
	out := synthesized(t)
	dir := t.TempDir()
	outputs := filepath.Join(dir, "outputs.json")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"local", "--app-dir", "../..", "--output", out, "--no-synth", "--addr", "127.0.0.1:0", "--outputs-file", outputs}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		<-done
	}()
	// Building the worker (the bench and the SDK, for this host) takes a while on a cold cache.
	deadline := time.Now().Add(8 * time.Minute)
	for !strings.Contains(stdout.String(), "Ctrl-C stops.") {
		if time.Now().After(deadline) {
			t.Fatalf("the runner did not come up:\n%s\n%s", stdout.String(), stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("firstclass local exited %d:\n%s", code, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	for _, want := range []string{"stack Firstclass", "stack FirstclassLoad"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("firstclass local does not serve %s:\n%s", want, stdout.String())
		}
	}
	report := filepath.Join(dir, "lambda.json")
	code, table, errs := runCLIWithin(t, 5*time.Minute, "bench", "--from", "lambda", "--workers", "4", "--outputs", outputs,
		"--stage", "prod", "--rate", "40", "--warmup", "1s", "--duration", "3s", "--lead", "3s", "--json", report, "--quiet")
	if code != 0 {
		t.Fatalf("bench --from lambda: exit %d\n%s\n%s\nlocal:\n%s", code, table, errs, stderr.String())
	}
	if !strings.Contains(table, "load from lambda: 4 workers in us-east-1") {
		t.Errorf("the table does not say where the load came from:\n%s", table)
	}
	pricing := bench.Pricing{Prices: cost.Default(), Routes: routes.Routes}
	merged, err := bench.ReadReportFile(report, pricing)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Runs) != 4 || merged.Source == nil || merged.Source.Workers != 4 {
		t.Fatalf("merged report: %d runs, source %+v; want 4 workers", len(merged.Runs), merged.Source)
	}
	workers := workerReports(t, outputs, merged.Runs[0].ID, 4, pricing)
	for _, r := range merged.Results {
		var requests, ok, accepted uint64
		for _, w := range workers {
			if wr := w.Result(r.Route, r.Kind); wr != nil {
				requests, ok = requests+wr.Requests, ok+wr.OK
				accepted += wr.Accepted.Count()
				if wr.Delivery != nil { // proved by the responses, in the worker
					accepted += wr.Delivery.Accepted
				}
			}
		}
		if r.Requests != requests || r.OK != ok || r.Requests != 120 {
			t.Errorf("%s: merged %d requests (%d ok), the workers' sum %d (%d ok); want 40/s × 3 s = 120", r.Key(), r.Requests, r.OK, requests, ok)
		}
		if d := r.Delivery; d == nil || d.Missing != 0 || d.Accepted != accepted || d.Delivered != accepted {
			t.Errorf("%s: delivery %+v, want all %d accepted requests of the 4 workers delivered", r.Key(), d, accepted)
		}
	}
	// One generator here at the same total rate, against the same runner, for comparison.
	single := filepath.Join(dir, "single.json")
	if code, table, errs := runCLIWithin(t, 3*time.Minute, "bench", "--outputs", outputs, "--stage", "prod", "--rate", "40",
		"--warmup", "1s", "--duration", "3s", "--json", single, "--quiet"); code != 0 {
		t.Fatalf("bench: exit %d\n%s\n%s", code, table, errs)
	}
	one, err := bench.ReadReportFile(single, pricing)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range merged.Results {
		o := one.Result(r.Route, r.Kind)
		t.Logf("%-24s 4 Lambda workers %6.1f req/s (p50 %6.2f ms, p99 %6.2f ms)   one generator %6.1f req/s (p50 %6.2f ms, p99 %6.2f ms)",
			r.Key(), r.Summary.Rate, r.Summary.Latency.P50, r.Summary.Latency.P99, o.Summary.Rate, o.Summary.Latency.P50, o.Summary.Latency.P99)
	}
	t.Logf("workers' start spread %.2f ms, the latest %.2f ms late", merged.Source.StartSpreadMs, merged.Source.LatestStartMs)
}

// workerReports reads each worker's own result from the local S3, where the workers kept them.
func workerReports(t *testing.T, outputsFile, run string, n int, pricing bench.Pricing) []*bench.Report {
	t.Helper()
	f, err := os.Open(outputsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := contract.ReadAllOutputs(f)
	if err != nil {
		t.Fatal(err)
	}
	load := all[contract.DefaultLoadStackName]
	cfg, err := bench.AWSConfig(context.Background(), load)
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle, o.ResponseChecksumValidation = true, aws.ResponseChecksumValidationWhenRequired
	})
	var out []*bench.Report
	for i := range n {
		obj, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(load[contract.LoadResultsBucketOutput]), Key: aws.String(loadrun.ResultKey(run, i))})
		if err != nil {
			t.Fatalf("worker %d's result: %v", i, err)
		}
		b, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		var rep *bench.Report
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("worker %d's result: %v", i, err)
		}
		out = append(out, rep)
	}
	_ = pricing
	return out
}
