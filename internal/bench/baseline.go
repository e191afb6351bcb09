package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"firstclass/internal/contract"
)

// Baseline is an earlier run a report is compared with, route × kind for route × kind. It is
// how two things one run cannot hold are put side by side: a stack deployed with an auth mode
// against the same stack deployed with auth off (the mode is chosen at deploy time), another
// payload size, another machine.
type Baseline struct {
	// File is where the baseline report was read from.
	File string `json:"file"`
	// Runs are the baseline's runs, as its report has them.
	Runs []RunInfo `json:"runs"`
	// Results are the baseline's figures per route × kind, in the report's result order,
	// with this report's difference from them (derived).
	Results []BaselineResult `json:"results"`
}

// BaselineResult is one route × kind of a baseline.
type BaselineResult struct {
	Route string        `json:"route"`
	Kind  contract.Kind `json:"kind"`
	// Baseline is what the baseline run measured.
	Baseline Figures `json:"baseline"`
	// Delta is this report's figures less the baseline's (derived each time the report is
	// written).
	Delta Figures `json:"delta"`
}

// Figures are the figures of a route × kind that a baseline compares: latency from the
// intended send time, the achieved rate and the measured requests without a 2xx.
type Figures struct {
	Requests int64   `json:"requests"`
	Rate     float64 `json:"rate"`
	Errors   int64   `json:"errors"`
	P50      float64 `json:"p50Ms"`
	P99      float64 `json:"p99Ms"`
}

func figuresOf(r *Result) Figures {
	s := r.Summary
	return Figures{Requests: int64(r.Requests), Rate: s.Rate, Errors: int64(s.Errors), P50: s.Latency.P50, P99: s.Latency.P99}
}

// minus is f less g; milliseconds and rates rounded to the microsecond and the thousandth
// they are reported in, so a difference prints as what it is.
func (f Figures) minus(g Figures) Figures {
	round := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	return Figures{Requests: f.Requests - g.Requests, Rate: round(f.Rate - g.Rate), Errors: f.Errors - g.Errors,
		P50: round(f.P50 - g.P50), P99: round(f.P99 - g.P99)}
}

// CheckBaseline says whether base can be the baseline of a run loading routes on kinds: it
// must have measured exactly those route × kind pairs, so that every row has its twin. It is
// meant to be called before the run, so that a baseline that cannot serve is refused before
// the load is sent.
func CheckBaseline(base *Report, routes []string, kinds []contract.Kind) error {
	var want []string
	for _, r := range routes {
		for _, k := range kinds {
			want = append(want, r+"/"+string(k))
		}
	}
	return matchBaseline(base, want)
}

// SetBaseline makes base, read from file, the baseline rep is compared with. base must have
// measured exactly rep's route × kind pairs. A baseline's own baseline is not carried over.
func (rep *Report) SetBaseline(file string, base *Report) error {
	var want []string
	for _, r := range rep.Results {
		want = append(want, r.Key())
	}
	if err := matchBaseline(base, want); err != nil {
		return err
	}
	base.derive()
	b := &Baseline{File: file, Runs: base.Runs}
	for _, r := range base.Results {
		b.Results = append(b.Results, BaselineResult{Route: r.Route, Kind: r.Kind, Baseline: figuresOf(r)})
	}
	rep.Baseline = b
	rep.derive()
	return nil
}

// matchBaseline refuses a baseline whose route × kind pairs are not want, naming what is
// missing on either side and the flags that would make the two runs match.
func matchBaseline(base *Report, want []string) error {
	have := map[string]bool{}
	for _, r := range base.Results {
		have[r.Key()] = true
	}
	wanted := map[string]bool{}
	var missing, extra []string
	for _, k := range want {
		wanted[k] = true
		if !have[k] {
			missing = append(missing, k)
		}
	}
	for k := range have {
		if !wanted[k] {
			extra = append(extra, k)
		}
	}
	if len(base.Results) == 0 {
		return fmt.Errorf("the baseline has no results: it is not the report of a bench run that loaded a route (bench --json writes one)")
	}
	if len(missing) == 0 && len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "this run loads "+strings.Join(missing, ", ")+", which the baseline did not")
	}
	if len(extra) > 0 {
		parts = append(parts, "the baseline loaded "+strings.Join(extra, ", ")+", which this run does not")
	}
	return fmt.Errorf("the baseline does not match this run route × kind for route × kind: %s; run both with the same routes and kinds (the baseline's: %s)",
		strings.Join(parts, "; "), baselineFlags(base))
}

// baselineFlags are the --routes and --kinds flags that load what base loaded.
func baselineFlags(base *Report) string {
	var routes []string
	var kinds []string
	seenRoute, seenKind := map[string]bool{}, map[contract.Kind]bool{}
	for _, r := range base.Results {
		if !seenRoute[r.Route] {
			seenRoute[r.Route] = true
			routes = append(routes, r.Route)
		}
		if !seenKind[r.Kind] {
			seenKind[r.Kind] = true
			kinds = append(kinds, string(r.Kind))
		}
	}
	if len(base.Results) != len(routes)*len(kinds) {
		return "its routes × kinds are not one --routes × --kinds product: " + strings.Join(keysOf(base.Results), ", ")
	}
	return "--routes " + strings.Join(routes, ",") + " --kinds " + strings.Join(kinds, ",")
}

func keysOf(rs []*Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Key()
	}
	return out
}

// derive orders the baseline's results as rep's and computes their differences.
func (b *Baseline) derive(rep *Report) {
	byKey := map[string]BaselineResult{}
	for _, r := range b.Results {
		byKey[r.Route+"/"+string(r.Kind)] = r
	}
	out := make([]BaselineResult, 0, len(b.Results))
	for _, r := range rep.Results {
		br, ok := byKey[r.Key()]
		if !ok {
			continue
		}
		delete(byKey, r.Key())
		br.Delta = figuresOf(r).minus(br.Baseline)
		out = append(out, br)
	}
	// A report read back whose results lost a twin keeps the baseline's row, without a
	// difference.
	var rest []string
	for k := range byKey {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	for _, k := range rest {
		br := byKey[k]
		br.Delta = Figures{}
		out = append(out, br)
	}
	b.Results = out
}

// describe is one line about the baseline's runs: what they were run with.
func (b *Baseline) describe() string {
	var runs []string
	for _, run := range b.Runs {
		runs = append(runs, run.ID+" ("+run.summary()+")")
	}
	return fmt.Sprintf("baseline %s, read from %s", strings.Join(runs, ", "), b.File)
}

// differences are what, besides the auth mode, the baseline's runs were run with that this
// report's were not: each makes the comparison one of more than the auth mode ("stage dev,
// here prod").
func (rep *Report) baselineDifferences() []string {
	if rep.Baseline == nil || len(rep.Runs) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	here := rep.Runs[0]
	for _, base := range rep.Baseline.Runs {
		for _, d := range []struct {
			what       string
			base, here string
		}{
			{"stage", base.Stage, here.Stage},
			{"load", base.load(), here.load()},
			{"target", base.where(), here.where()},
			{"host", base.Host, here.Host},
			{"payload", base.payload(), here.payload()},
		} {
			if d.base != d.here && !seen[d.what] {
				seen[d.what] = true
				out = append(out, fmt.Sprintf("%s %s, here %s", d.what, d.base, d.here))
			}
		}
	}
	return out
}

func (r RunInfo) where() string {
	if r.Local {
		return "local runner"
	}
	return "AWS"
}

func (r RunInfo) load() string {
	if r.Model == "closed" {
		return fmt.Sprintf("closed model %d workers", r.Workers)
	}
	return fmt.Sprintf("open model %g requests/s", r.Rate)
}

func (r RunInfo) payload() string {
	switch {
	case r.PayloadFile != "":
		return r.PayloadFile
	case r.PayloadSize > 0:
		return fmt.Sprintf("padded to %d bytes", r.PayloadSize)
	}
	return "route samples"
}

// summary says in a few words how a run loaded what.
func (r RunInfo) summary() string {
	auth := "none"
	if r.Auth != "" {
		auth = r.Auth
	}
	return fmt.Sprintf("auth %s, %s stage %s, %s, %gs measured, on %s", auth, r.where(), r.Stage, r.load(), r.DurationSeconds, r.Host)
}

// baselineRow is one route × kind against its baseline, formatted.
type baselineRow struct {
	Route                  string
	Kind                   contract.Kind
	KindColor              string
	P50, BaseP50, DeltaP50 string
	P99, BaseP99, DeltaP99 string
	Rate, BaseRate         string
	Errors, BaseErrors     string
}

func (rep *Report) baselineRows() []baselineRow {
	var out []baselineRow
	for _, br := range rep.Baseline.Results {
		row := baselineRow{Route: br.Route, Kind: br.Kind, KindColor: kindColor[br.Kind],
			BaseP50: fmtMs(br.Baseline.P50), BaseP99: fmtMs(br.Baseline.P99),
			BaseRate: fmt.Sprintf("%.1f", br.Baseline.Rate), BaseErrors: fmtCount(float64(br.Baseline.Errors)),
			P50: "-", P99: "-", DeltaP50: "-", DeltaP99: "-", Rate: "-", Errors: "-"}
		if r := rep.Result(br.Route, br.Kind); r != nil {
			now := figuresOf(r)
			row.P50, row.P99 = fmtMs(now.P50), fmtMs(now.P99)
			row.Rate, row.Errors = fmt.Sprintf("%.1f", now.Rate), fmtCount(float64(now.Errors))
			row.DeltaP50 = fmtDelta(br.Delta.P50, br.Baseline.P50)
			row.DeltaP99 = fmtDelta(br.Delta.P99, br.Baseline.P99)
		}
		out = append(out, row)
	}
	return out
}

// fmtDelta prints a difference in milliseconds with its sign, and what it is of the baseline's
// figure: "+0.41 (+35%)".
func fmtDelta(d, base float64) string {
	s := fmtMs(math.Abs(d))
	switch {
	case strings.Trim(s, "0.") == "":
		s = fmtMs(0) // too small to print: no sign
	case d < 0:
		s = "-" + s
	default:
		s = "+" + s
	}
	if base > 0 {
		pct := fmt.Sprintf("%+.0f%%", d/base*100)
		if strings.Trim(pct, "+-0%") == "" {
			pct = "0%"
		}
		s += " (" + pct + ")"
	}
	return s
}

// writeBaselineTable writes the comparison with the baseline: this run's P50, P99, rate and
// errors next to the baseline's, with the differences.
func (rep *Report) writeBaselineTable(w io.Writer) {
	fmt.Fprintf(w, "against the %s:\n", rep.Baseline.describe())
	t := textTable{header: []string{"ROUTE", "KIND", "P50 MS", "BASE P50", "P50 DIFF", "P99", "BASE P99", "P99 DIFF", "RATE/S", "BASE RATE/S", "ERRORS", "BASE ERRORS"}, left: 2}
	for _, r := range rep.baselineRows() {
		t.rows = append(t.rows, []string{r.Route, string(r.Kind), r.P50, r.BaseP50, r.DeltaP50, r.P99, r.BaseP99, r.DeltaP99, r.Rate, r.BaseRate, r.Errors, r.BaseErrors})
	}
	t.write(w)
	fmt.Fprintln(w, "DIFF: this run less the baseline, in ms and in % of the baseline's figure")
	if d := rep.baselineDifferences(); len(d) > 0 {
		fmt.Fprintf(w, "the runs differ in more than their auth mode: %s\n", strings.Join(d, "; "))
	}
}
