package bench

import (
	"bytes"
	"html"
	"strings"
	"testing"
	"time"

	"firstclass/internal/contract"
)

// slower is ss with every latency longer by d: a run of the same route with something in the
// way, such as an authorizer.
func slower(ss []sample, d time.Duration) []sample {
	out := append([]sample(nil), ss...)
	for i := range out {
		out[i].latency += d
	}
	return out
}

// baselinePair is a run with auth off and the same run 2 ms slower with auth on.
func baselinePair(t *testing.T) (base, now *Report) {
	t.Helper()
	t0 := time.Unix(1_800_000_000, 0).UTC()
	ss := samples(1000, 7)
	base = reportOf("off", t0, record(t, t0, 10*time.Second, ss))
	now = reportOf("on", t0.Add(time.Minute), record(t, t0.Add(time.Minute), 10*time.Second, slower(ss, 2*time.Millisecond)))
	now.Runs[0].Auth = "lambda"
	for _, rep := range []*Report{base, now} {
		rep.Runs[0].Local, rep.Runs[0].DurationSeconds = true, 10
	}
	return base, now
}

// The difference is this run less the baseline, route × kind for route × kind, and it is
// derived again from the measurements whenever the report is written.
func TestBaselineDifferenceIsThisRunLessTheBaseline(t *testing.T) {
	base, now := baselinePair(t)
	if err := now.SetBaseline("off.json", base); err != nil {
		t.Fatal(err)
	}
	b := now.Baseline
	if len(b.Results) != 1 || b.File != "off.json" || len(b.Runs) != 1 || b.Runs[0].ID != "off" {
		t.Fatalf("baseline %+v", b)
	}
	got, bs, ns := b.Results[0], base.Results[0].Summary, now.Results[0].Summary
	if got.Baseline.P50 != bs.Latency.P50 || got.Baseline.P99 != bs.Latency.P99 || got.Baseline.Rate != bs.Rate || got.Baseline.Errors != int64(bs.Errors) {
		t.Errorf("baseline figures %+v, the baseline's summary %+v", got.Baseline, bs)
	}
	for name, c := range map[string][2]float64{
		"p50": {got.Delta.P50, ns.Latency.P50 - bs.Latency.P50},
		"p99": {got.Delta.P99, ns.Latency.P99 - bs.Latency.P99},
	} {
		if d := c[0] - c[1]; d > 0.001 || d < -0.001 {
			t.Errorf("%s difference %g, want %g", name, c[0], c[1])
		}
	}
	// Every latency is 2 ms longer: the percentiles move by 2 ms within HDR's 0.1 %.
	if got.Delta.P50 < 1.98 || got.Delta.P50 > 2.02 || got.Delta.Errors != 0 || got.Delta.Rate != 0 {
		t.Errorf("difference %+v, want p50 +2 ms, no more errors, the same rate", got.Delta)
	}

	var buf bytes.Buffer
	if err := now.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(bytes.NewReader(buf.Bytes()), firstclassPricing)
	if err != nil {
		t.Fatal(err)
	}
	if back.Baseline == nil || back.Baseline.Results[0] != got {
		t.Errorf("read back, the baseline is %+v, want %+v", back.Baseline, got)
	}
	var again bytes.Buffer
	back.WriteJSON(&again)
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("read and written again, the report with a baseline changed")
	}
}

// A baseline must have loaded exactly this run's routes × kinds; otherwise it is refused,
// naming what differs and the flags that load what the baseline loaded.
func TestBaselineThatDoesNotMatchIsRefused(t *testing.T) {
	res := func(route string, kind contract.Kind) *Result { return &Result{Route: route, Kind: kind} }
	rep := func(rs ...*Result) *Report { return reportOf("base", time.Unix(1_800_000_000, 0), rs...) }
	both := []contract.Kind{contract.HTTP, contract.REST}
	tests := []struct {
		name   string
		base   *Report
		routes []string
		kinds  []contract.Kind
		want   string
	}{
		{"the same routes and kinds", rep(res("SendToQueue", contract.HTTP), res("SendToQueue", contract.REST)), []string{"SendToQueue"}, both, ""},
		{"a kind the baseline did not load", rep(res("SendToQueue", contract.HTTP)), []string{"SendToQueue"}, both,
			"this run loads SendToQueue/rest, which the baseline did not; run both with the same routes and kinds (the baseline's: --routes SendToQueue --kinds http)"},
		{"a route only the baseline loaded", rep(res("SendToQueue", contract.HTTP), res("Greeting", contract.HTTP)), []string{"SendToQueue"}, []contract.Kind{contract.HTTP},
			"the baseline loaded Greeting/http, which this run does not; run both with the same routes and kinds (the baseline's: --routes SendToQueue,Greeting --kinds http)"},
		{"routes on both sides", rep(res("PutEvent", contract.REST)), []string{"SendToQueue"}, []contract.Kind{contract.REST},
			"this run loads SendToQueue/rest, which the baseline did not; the baseline loaded PutEvent/rest, which this run does not"},
		{"a baseline that is no product of routes and kinds", rep(res("SendToQueue", contract.HTTP), res("Greeting", contract.REST)), []string{"SendToQueue"}, both,
			"its routes × kinds are not one --routes × --kinds product: SendToQueue/http, Greeting/rest"},
		{"a report without results", rep(), []string{"SendToQueue"}, both, "the baseline has no results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckBaseline(tt.base, tt.routes, tt.kinds)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			// SetBaseline after the run refuses the same baseline the same way.
			var results []*Result
			for _, r := range tt.routes {
				for _, k := range tt.kinds {
					results = append(results, res(r, k))
				}
			}
			now := rep(results...)
			if err := now.SetBaseline("base.json", tt.base); err == nil || !strings.Contains(err.Error(), tt.want) || now.Baseline != nil {
				t.Errorf("SetBaseline: %v (baseline %v), want it refused with %q", err, now.Baseline, tt.want)
			}
		})
	}
}

// The text table's comparison is pinned by a golden file.
func TestBaselineTableMatchesGolden(t *testing.T) {
	base, now := baselinePair(t)
	if err := now.SetBaseline("off.json", base); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	now.writeBaselineTable(&buf)
	compareGolden(t, "baseline.golden.txt", buf.Bytes(), "TestBaselineTable")
	var table bytes.Buffer
	now.WriteTable(&table)
	if !strings.Contains(table.String(), buf.String()) {
		t.Errorf("WriteTable does not print the comparison:\n%s", table.String())
	}
	var plain bytes.Buffer
	base.WriteTable(&plain)
	if strings.Contains(plain.String(), "BASE P50") {
		t.Errorf("a report without a baseline prints a comparison:\n%s", plain.String())
	}
}

// What else two runs differ in is said under the comparison; the auth mode is what a baseline
// is for, and is not.
func TestBaselineSaysWhatElseTheRunsDifferIn(t *testing.T) {
	tests := []struct {
		name   string
		change func(*RunInfo)
		want   []string
	}{
		{"only the auth mode", func(*RunInfo) {}, nil},
		{"another stage and rate", func(r *RunInfo) { r.Stage, r.Rate = "prod", 50 }, []string{"stage dev, here prod", "load open model 100 requests/s, here open model 50 requests/s"}},
		{"AWS and a padded payload", func(r *RunInfo) { r.Local, r.PayloadSize = false, 1024 }, []string{"target local runner, here AWS", "payload route samples, here padded to 1024 bytes"}},
		{"another machine", func(r *RunInfo) { r.Host = "elsewhere" }, []string{"host test, here elsewhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, now := baselinePair(t)
			tt.change(&now.Runs[0])
			if err := now.SetBaseline("off.json", base); err != nil {
				t.Fatal(err)
			}
			got := now.baselineDifferences()
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("differences %q, want %q", got, tt.want)
			}
			var buf bytes.Buffer
			now.writeBaselineTable(&buf)
			if said := strings.Contains(buf.String(), "the runs differ in more than their auth mode"); said != (len(tt.want) > 0) {
				t.Errorf("the table says they differ: %v, want %v:\n%s", said, len(tt.want) > 0, buf.String())
			}
		})
	}
}

func TestHTMLReportShowsTheBaseline(t *testing.T) {
	base, now := baselinePair(t)
	if err := now.SetBaseline("off.json", base); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := now.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	row := now.baselineRows()[0]
	for _, want := range []string{"Against the baseline", "baseline off (auth none, local runner stage dev", "read from off.json", row.BaseP50, row.DeltaP50, row.BaseP99, row.DeltaP99} {
		if !strings.Contains(html.UnescapeString(buf.String()), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	var plain bytes.Buffer
	base.WriteHTML(&plain)
	if strings.Contains(plain.String(), "Against the baseline") {
		t.Error("a report without a baseline has a baseline section")
	}
}

// Merging reports drops their baselines: a baseline compares one run, not a sum of runs.
func TestMergeDropsBaselines(t *testing.T) {
	base, now := baselinePair(t)
	if err := now.SetBaseline("off.json", base); err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(firstclassPricing, now)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Baseline != nil {
		t.Errorf("merged report has a baseline: %+v", merged.Baseline)
	}
}

func TestFormatDifference(t *testing.T) {
	tests := []struct {
		d, base float64
		want    string
	}{
		{0.41, 1.17, "+0.41 (+35%)"},
		{-2.5, 10, "-2.50 (-25%)"},
		{0, 3, "0 (0%)"},
		{0.001, 3, "0 (0%)"},
		{-0.004, 3, "0 (0%)"},
		{-0.01, 3, "-0.01 (0%)"},
		{12.3, 0, "+12.3"},
		{150, 50, "+150 (+300%)"},
	}
	for _, tt := range tests {
		if got := fmtDelta(tt.d, tt.base); got != tt.want {
			t.Errorf("fmtDelta(%g, %g) = %q, want %q", tt.d, tt.base, got, tt.want)
		}
	}
}
