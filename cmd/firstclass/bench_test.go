package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/routes"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIWithin(t, 45*time.Second, args...)
}

// runCLIWithin is runCLI with its own deadline: a synth compiles the app and runs jsii, which
// takes minutes on a cold or busy machine.
func runCLIWithin(t *testing.T, timeout time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBenchFlagErrorsSayWhatIsWrongAndHowToFixIt(t *testing.T) {
	dir := t.TempDir()
	outputs := filepath.Join(dir, "out.json")
	os.WriteFile(outputs, []byte(`{"Firstclass":{"HttpApiDevUrl":"http://127.0.0.1:1/dev/"}}`), 0o644)
	list := filepath.Join(dir, "list.json")
	os.WriteFile(list, []byte(`[1, 2]`), 0o644)
	withLoad := filepath.Join(dir, "with-load.json")
	os.WriteFile(withLoad, []byte(`{"Firstclass":{"HttpApiDevUrl":"http://127.0.0.1:1/dev/"},"FirstclassLoad":{"LoadStateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:M",`+
		`"LoadResultsBucket":"b","LoadWorkerFunctionName":"w","LoadWorkerMemoryMB":"1769","LoadWorkerTimeoutSeconds":"900","LoadInlineMapMaxWorkers":"40","AwsEndpoint":"http://127.0.0.1:1"}}`), 0o644)
	otherRoutes := filepath.Join(dir, "greeting.json")
	os.WriteFile(otherRoutes, []byte(`{"schema":"firstclass.bench/v1","results":[{"route":"Greeting","kind":"http"}]}`), 0o644)
	two := filepath.Join(dir, "two.json")
	os.WriteFile(two, []byte(`{"A":{},"B":{}}`), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no outputs", []string{"--rate", "5"}, "--outputs: required: the file 'cdk deploy --outputs-file out.json' or 'firstclass local --outputs-file out.json' wrote"},
		{"no model", []string{"--outputs", outputs}, "give --rate R (open model: R requests a second on each route and API kind) or --workers N"},
		{"both models", []string{"--outputs", outputs, "--rate", "5", "--workers", "2"}, "--rate and --workers: give one"},
		{"zero rate", []string{"--outputs", outputs, "--rate", "0"}, "--rate 0: give a positive number of requests a second, like --rate 50"},
		{"zero duration", []string{"--outputs", outputs, "--rate", "5", "--duration", "0s"}, "--duration 0s: give how long to measure, like --duration 30s"},
		{"bad duration", []string{"--outputs", outputs, "--rate", "5", "--duration", "ten"}, `invalid value "ten" for flag -duration`},
		{"padding and a file", []string{"--outputs", outputs, "--rate", "5", "--payload-size", "1KB", "--payload", "x.json"}, "--payload-size and --payload: give one"},
		{"bad size", []string{"--outputs", outputs, "--rate", "5", "--payload-size", "lots"}, `"lots": give bytes or a size like 512KB or 1MB`},
		{"unknown route", []string{"--outputs", outputs, "--rate", "5", "--routes", "SendToQueue,Nope"}, `--routes: no route "Nope"; the routes are SendToQueue, ReceiveJobs, DeleteJob, PurgeScratch, PutEvent, StartWorkflow, StopWorkflow, RunExpressWorkflow, Greeting`},
		{"unknown kind", []string{"--outputs", outputs, "--rate", "5", "--kinds", "grpc"}, `--kinds: "grpc" is not an API kind; use http, rest or http,rest`},
		{"max workers in the closed model", []string{"--outputs", outputs, "--workers", "2", "--max-workers", "5"}, "--max-workers bounds the open model's requests in flight"},
		{"a stray argument", []string{"--outputs", outputs, "--rate", "5", "merge"}, `unexpected argument "merge": bench takes flags only (to merge reports: firstclass bench merge A.json B.json)`},
		{"an unknown flag", []string{"--rates", "5"}, "flag provided but not defined: -rates (firstclass bench -h lists the flags)"},
		{"a missing outputs file", []string{"--outputs", filepath.Join(dir, "nope.json"), "--rate", "5"}, "--outputs: open"},
		{"several stacks", []string{"--outputs", two, "--rate", "5"}, "2 stacks (A, B); name the one to use (use --stack NAME to pick one)"},
		{"the wrong stage", []string{"--outputs", outputs, "--rate", "5", "--stage", "prod", "--kinds", "http"}, `stage "prod": the outputs have no HttpApiProdUrl for the http API; its stages are dev`},
		{"lambda without a rate", []string{"--outputs", outputs, "--from", "lambda", "--workers", "4"}, "--from lambda: give --rate R"},
		{"lambda without workers", []string{"--outputs", outputs, "--from", "lambda", "--rate", "5"}, "--from lambda: give --workers N"},
		{"an unknown source", []string{"--outputs", outputs, "--from", "mars", "--rate", "5"}, `--from "mars": give here (this machine) or lambda`},
		{"lambda with auth", []string{"--outputs", outputs, "--from", "lambda", "--rate", "5", "--workers", "2", "--auth", "iam"}, "--from lambda --auth iam: the Lambda workers do not authenticate yet"},
		{"lambda flags without lambda", []string{"--outputs", outputs, "--rate", "5", "--lead", "3s"}, "--load-outputs, --load-stack and --lead are for --from lambda"},
		{"no load stack deployed", []string{"--outputs", outputs, "--from", "lambda", "--rate", "5", "--workers", "4"}, "npx cdk deploy FirstclassLoad --outputs-file load.json"},
		{"over Lambda's limit", []string{"--outputs", withLoad, "--from", "lambda", "--rate", "5", "--workers", "4", "--duration", "15m"}, "longer than one Lambda worker can load"},
		{"a baseline that is not a bench report", []string{"--outputs", outputs, "--rate", "5", "--baseline", outputs}, `--baseline: ` + outputs + `: bench report: schema ""; this firstclass reads "firstclass.bench/v1" (is it a firstclass bench --json file?)`},
		{"a missing baseline", []string{"--outputs", outputs, "--rate", "5", "--baseline", filepath.Join(dir, "nope.json")}, "--baseline: open"},
		{"a baseline of other routes", []string{"--outputs", outputs, "--rate", "5", "--routes", "SendToQueue", "--kinds", "http", "--baseline", otherRoutes},
			"--baseline " + otherRoutes + ": the baseline does not match this run route × kind for route × kind: this run loads SendToQueue/http, which the baseline did not; the baseline loaded Greeting/http, which this run does not; run both with the same routes and kinds (the baseline's: --routes Greeting --kinds http)"},
		{"a payload file that is not an object", []string{"--outputs", outputs, "--rate", "5", "--payload", list, "--kinds", "http", "--no-delivery-check"}, "route SendToQueue: the payload must be one JSON object (the bench adds its \"benchId\" key to it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"bench"}, tt.args...)...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, tt.want)
			}
			if strings.Count(stderr, "\n") > 2 {
				t.Errorf("a mistake should print one line, not the usage:\n%s", stderr)
			}
		})
	}
	if code, _, stderr := runCLI(t, "bench", "-h"); code != 2 || !strings.Contains(stderr, "usage: firstclass bench --outputs FILE (--rate R | --workers N)") {
		t.Errorf("-h: exit %d, %s", code, stderr)
	}
}

// The CLI against the fake stack: two runs, each writing its reports, then merged.
func TestBenchRunsWritesReportsAndMerges(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{GatewayOverhead: 2 * time.Millisecond})
	dir := t.TempDir()
	outputs := filepath.Join(dir, "out.json")
	if err := stack.WriteOutputsFile(outputs); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, id := range []string{"one", "two"} {
		js, html := filepath.Join(dir, id+".json"), filepath.Join(dir, id+".html")
		code, stdout, stderr := runCLI(t, "bench", "--outputs", outputs, "--rate", "10", "--duration", "500ms", "--warmup", "100ms",
			"--routes", "SendToQueue,Greeting", "--payload-size", "200", "--delivery-timeout", "5s", "--run-id", id, "--json", js, "--html", html)
		if code != 0 {
			t.Fatalf("run %s: exit %d\n%s\n%s", id, code, stdout, stderr)
		}
		for _, want := range []string{"SendToQueue  http", "Greeting     rest", "6 / 0", "$/MILLION"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("run %s: the table lacks %q:\n%s", id, want, stdout)
			}
		}
		if !strings.Contains(stderr, "checking deliveries") || !strings.Contains(stderr, "wrote "+js) {
			t.Errorf("run %s: stderr:\n%s", id, stderr)
		}
		files = append(files, js)
	}
	all, allHTML := filepath.Join(dir, "all.json"), filepath.Join(dir, "all.html")
	code, stdout, stderr := runCLI(t, "bench", "merge", files[0], files[1], "--json", all, "--html", allHTML)
	if code != 0 {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	rep, err := bench.ReadReportFile(all, bench.Pricing{Prices: cost.Default(), Routes: routes.Routes})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 2 || len(rep.Results) != 4 {
		t.Fatalf("merged %d runs, %d results", len(rep.Runs), len(rep.Results))
	}
	r := rep.Result("SendToQueue", contract.HTTP)
	if r.Requests != 10 || r.Delivery.Accepted != 12 || r.Delivery.Delivered != 12 || len(r.Windows) != 2 {
		t.Errorf("merged SendToQueue/http: %d requests, delivery %+v, %d windows; want 2 × 5, 2 × 6, 2 windows", r.Requests, r.Delivery, len(r.Windows))
	}
	if r.Summary.PayloadBytes != 200 {
		t.Errorf("mean body %d, want the 200 bytes asked for", r.Summary.PayloadBytes)
	}
	if b, _ := os.ReadFile(allHTML); !bytes.Contains(b, []byte("<svg")) {
		t.Error("no merged HTML report")
	}
	var raw map[string]any
	b, _ := os.ReadFile(all)
	if json.Unmarshal(b, &raw); raw["schema"] != bench.SchemaVersion {
		t.Errorf("schema = %v", raw["schema"])
	}
	if code, _, stderr := runCLI(t, "bench", "merge", files[0], files[0]); code != 1 || !strings.Contains(stderr, "run one is already in an earlier report") {
		t.Errorf("merging a report with itself: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "bench", "merge"); code != 1 || !strings.Contains(stderr, "give the JSON reports to merge") {
		t.Errorf("merge of nothing: exit %d, %s", code, stderr)
	}

	// A third run against the first as its baseline: the table and the JSON report compare
	// them; bench merge compares saved reports the same way.
	three := filepath.Join(dir, "three.json")
	code, stdout, stderr = runCLI(t, "bench", "--outputs", outputs, "--rate", "10", "--duration", "500ms", "--warmup", "100ms",
		"--routes", "SendToQueue,Greeting", "--delivery-timeout", "5s", "--run-id", "three", "--json", three, "--baseline", files[0], "--quiet")
	if code != 0 {
		t.Fatalf("run with a baseline: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"against the baseline one (auth none, local runner stage dev", "read from " + files[0], "BASE P50", "P50 DIFF"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run with a baseline: the table lacks %q:\n%s", want, stdout)
		}
	}
	withBase, err := bench.ReadReportFile(three, bench.Pricing{Prices: cost.Default(), Routes: routes.Routes})
	if err != nil {
		t.Fatal(err)
	}
	if b := withBase.Baseline; b == nil || len(b.Results) != 4 || b.Runs[0].ID != "one" || b.File != files[0] {
		t.Errorf("the JSON report's baseline: %+v", b)
	}
	code, stdout, stderr = runCLI(t, "bench", "merge", files[1], "--baseline", files[0])
	if code != 0 || !strings.Contains(stdout, "against the baseline one") {
		t.Errorf("merge with a baseline: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// A lost message fails the run: exit 1 after the reports are written, naming what is missing.
func TestBenchFailsWhenADeliveryIsMissing(t *testing.T) {
	var n atomic.Int32
	stack := benchtest.New(t, benchtest.Options{
		Drop:        func(route string, kind contract.Kind, _ []byte) bool { return kind == contract.REST && n.Add(1) == 2 },
		NoAccessLog: true,
	})
	dir := t.TempDir()
	outputs := filepath.Join(dir, "out.json")
	stack.WriteOutputsFile(outputs)
	js := filepath.Join(dir, "lost.json")
	code, stdout, stderr := runCLI(t, "bench", "--outputs", outputs, "--rate", "10", "--duration", "300ms", "--warmup", "0s",
		"--routes", "SendToQueue", "--kinds", "rest", "--delivery-timeout", "2s", "--run-id", "lost", "--json", js, "--quiet")
	if code != 1 || !strings.Contains(stderr, "the run failed: SendToQueue/rest: 1 of 3 accepted requests missing downstream (SQS messages on QueueUrl), e.g. lost-SendToQueue-rest-00000000") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "FAILED:") {
		t.Errorf("the table does not say the run failed:\n%s", stdout)
	}
	if _, err := os.Stat(js); err != nil {
		t.Errorf("the JSON report of a failed run was not written: %v", err)
	}
	if strings.Contains(stderr, "checking deliveries") {
		t.Errorf("--quiet still printed phases:\n%s", stderr)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1000": 1000, "512KB": 512 << 10, "512 KiB": 512 << 10, "1MB": 1 << 20, "1.5mb": 3 << 19, "64k": 64 << 10, "10B": 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "1GB", "KB", "1.2.3"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
