package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/routes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample is one synthetic request: sent late by lag, answered after latency, with status.
type sample struct {
	lag, latency time.Duration
	code         uint16
}

func samples(n int, seed uint64) []sample {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]sample, n)
	for i := range out {
		out[i] = sample{
			lag:     time.Duration(rng.ExpFloat64() * float64(200*time.Microsecond)),
			latency: time.Duration((2 + rng.ExpFloat64()*8) * float64(time.Millisecond)),
			code:    200,
		}
		if i%97 == 3 {
			out[i].code = 503
		}
	}
	return out
}

// record runs synthetic results through the recorder the attacks use: request seq is meant
// for origin + seq × 10 ms.
func record(t *testing.T, origin time.Time, end time.Duration, ss []sample) *Result {
	t.Helper()
	r := routes.SendToQueueRoute
	tmpl, err := newRequestTemplate("golden", "http://127.0.0.1/dev/", r, contract.HTTP, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sched := &schedule{origin: origin, interval: 1e7, end: end}
	rc := newRecorder(r, contract.HTTP, tmpl, sched, false, new(atomic.Uint64))
	for seq, s := range ss {
		sent := origin.Add(sched.offset(uint64(seq)) + s.lag)
		rc.add(&vegeta.Result{Seq: uint64(seq), Code: s.code, Timestamp: sent, Latency: s.latency, BytesIn: 100})
	}
	return rc.finish()
}

// firstclassPricing prices firstclass's routes at the embedded prices.
var firstclassPricing = Pricing{Prices: cost.Default(), Routes: routes.Routes}

func reportOf(id string, origin time.Time, results ...*Result) *Report {
	rep := &Report{Schema: SchemaVersion, pricing: firstclassPricing,
		Runs:    []RunInfo{{ID: id, Host: "test", Stage: "dev", Model: "open", Rate: 100, Started: origin, Kinds: []contract.Kind{contract.HTTP}}},
		Results: results}
	rep.derive()
	return rep
}

// Merging two runs gives exactly what one run over both runs' samples gives: the same
// counts, histograms bucket for bucket, timeline, rate and cost.
func TestMergeOfTwoRunsEqualsOneRunOverBothSamples(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	a, b := samples(1000, 1), samples(1000, 2)
	first := record(t, t0, 10*time.Second, a)
	second := record(t, t0.Add(10*time.Second), 10*time.Second, b)
	whole := record(t, t0, 20*time.Second, append(append([]sample(nil), a...), b...))

	merged, err := Merge(firstclassPricing, reportOf("one", t0, first), reportOf("two", t0.Add(10*time.Second), second))
	if err != nil {
		t.Fatal(err)
	}
	one := reportOf("whole", t0, whole)
	m, w := merged.Results[0], one.Results[0]
	if !m.Latency.Equal(w.Latency) || !m.ServiceTime.Equal(w.ServiceTime) || !m.SendLag.Equal(w.SendLag) {
		t.Error("merged histograms differ from the histograms of one run over both samples")
	}
	if m.Requests != w.Requests || m.SentInWindow != w.SentInWindow || m.OK != w.OK || m.BytesIn != w.BytesIn || m.BytesOut != w.BytesOut {
		t.Errorf("merged counts %d/%d/%d/%d/%d, one run %d/%d/%d/%d/%d", m.Requests, m.SentInWindow, m.OK, m.BytesIn, m.BytesOut, w.Requests, w.SentInWindow, w.OK, w.BytesIn, w.BytesOut)
	}
	mj, _ := json.Marshal(m.Summary)
	wj, _ := json.Marshal(w.Summary)
	if !bytes.Equal(mj, wj) {
		t.Errorf("summaries differ:\nmerged %s\none    %s", mj, wj)
	}
	tm, _ := json.Marshal(m.Timeline)
	tw, _ := json.Marshal(w.Timeline)
	if !bytes.Equal(tm, tw) {
		t.Errorf("timelines differ:\nmerged %s\none    %s", tm, tw)
	}
	if m.Summary.Rate != 100 || m.Summary.WindowSeconds != 20 {
		t.Errorf("rate %g over %g s, want 100/s over the 20 s the two windows cover", m.Summary.Rate, m.Summary.WindowSeconds)
	}
	if m.Errors["503"] != w.Errors["503"] || m.Errors["503"] == 0 {
		t.Errorf("errors %v, want %v", m.Errors, w.Errors)
	}
}

// Two machines loading at the same time: counts add, the windows overlap, so the rate is the
// sum of both machines' rates.
func TestMergeOfConcurrentRunsAddsRates(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	a := record(t, t0, 10*time.Second, samples(1000, 1))
	b := record(t, t0, 10*time.Second, samples(1000, 2))
	merged, err := Merge(firstclassPricing, reportOf("a", t0, a), reportOf("b", t0, b))
	if err != nil {
		t.Fatal(err)
	}
	if r := merged.Results[0]; r.Summary.Rate != 200 || r.Requests != 2000 || len(r.Windows) != 2 {
		t.Errorf("rate %g, requests %d, %d windows; want 200/s over the shared 10 s", r.Summary.Rate, r.Requests, len(r.Windows))
	}
	if _, err := Merge(firstclassPricing, reportOf("a", t0, a), reportOf("a", t0, b)); err == nil || !strings.Contains(err.Error(), "run a is already in an earlier report") {
		t.Errorf("merging one run twice: %v", err)
	}
}

func TestUnionOfWindows(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	w := func(a, b int) Window {
		return Window{t0.Add(time.Duration(a) * time.Second), t0.Add(time.Duration(b) * time.Second)}
	}
	tests := []struct {
		name string
		ws   []Window
		want float64
	}{
		{"none", nil, 0},
		{"one", []Window{w(0, 10)}, 10},
		{"apart", []Window{w(20, 30), w(0, 10)}, 20},
		{"overlapping", []Window{w(0, 10), w(5, 15)}, 15},
		{"nested", []Window{w(0, 10), w(2, 3)}, 10},
		{"touching", []Window{w(0, 10), w(10, 12)}, 12},
	}
	for _, tt := range tests {
		if got := unionSeconds(tt.ws); got != tt.want {
			t.Errorf("%s: %g, want %g", tt.name, got, tt.want)
		}
	}
}

// The JSON report round-trips losslessly, and its shape is pinned by a golden file: a change
// that shows up here is a schema change (bump SchemaVersion if an old reader would misread it).
func TestReportJSONRoundTripAndSchema(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0).UTC()
	res := record(t, t0, 2*time.Second, samples(200, 3))
	res.Delivery = &Delivery{Method: viaQueue, Checked: true, Accepted: 198, Delivered: 198}
	res.AccessLog = &AccessLogStats{Source: "/tmp/http.log", Lines: 200, Bytes: 80000}
	res.Overhead = NewHistogram()
	res.Overhead.Record(3 * time.Millisecond)
	rep := reportOf("golden", t0, res)
	rep.Runs[0].Generator = "vegeta v12.13.0 lib"
	rep.Runs[0].Ended = t0.Add(2 * time.Second)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "report.golden.json", buf.Bytes(), "TestReportJSON")
	back, err := ReadReport(bytes.NewReader(buf.Bytes()), firstclassPricing)
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	back.WriteJSON(&again)
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("read and written again, the report changed")
	}
	if !back.Results[0].Latency.Equal(res.Latency) {
		t.Error("the latency histogram did not survive the round trip")
	}
}

// compareGolden compares got with testdata/name, or rewrites the file with -update; test is
// the -run filter that updates it.
func compareGolden(t *testing.T, name string, got []byte, test string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the output differs from %s; if the change is meant, run go test ./internal/bench -run %s -update and review the diff\ngot:\n%s", golden, test, got)
	}
}

func TestReadReportSaysWhatIsWrong(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not JSON", "nope", "bench report:"},
		{"another schema", `{"schema":"firstclass.bench/v0"}`, `schema "firstclass.bench/v0"; this firstclass reads "firstclass.bench/v1"`},
		{"a result without route", `{"schema":"firstclass.bench/v1","results":[{"kind":"http"}]}`, "result 1 has no route"},
		{"a damaged histogram", `{"schema":"firstclass.bench/v1","results":[{"route":"X","kind":"http","latency":{"unit":"us","count":1,"hdr":"HISTFAAAACR4nJNpmSzMwMDAxQABzFCaEUzOmNZg/wEi0Q"}}]}`, "histogram:"},
		{"a histogram whose count disagrees", `{"schema":"firstclass.bench/v1","results":[{"route":"X","kind":"http","latency":` + histJSON(t, 5) + `}]}`, "the report is damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadReport(strings.NewReader(tt.in), firstclassPricing)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// histJSON is a histogram of one value whose stated count is wrong by some.
func histJSON(t *testing.T, count int) string {
	h := NewHistogram()
	h.Record(time.Millisecond)
	b, _ := h.MarshalJSON()
	var j map[string]any
	json.Unmarshal(b, &j)
	j["count"] = count
	out, _ := json.Marshal(j)
	return string(out)
}

func TestHistogramRoundTripIsLosslessAcrossTheRange(t *testing.T) {
	h := NewHistogram()
	for _, d := range []time.Duration{0, time.Microsecond, 1234 * time.Microsecond, time.Second, 59 * time.Minute, 2 * time.Hour} {
		h.Record(d)
	}
	b, err := h.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Histogram
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(h) || back.Count() != 6 || back.clamped != 1 {
		t.Errorf("round trip: count %d clamped %d, equal %v", back.Count(), back.clamped, back.Equal(h))
	}
	if got := back.Max(); got < time.Hour-time.Minute || got > time.Hour+time.Minute {
		t.Errorf("max = %s, want 2 h clamped to the 1 h range", got)
	}
	var empty Histogram
	eb, _ := NewHistogram().MarshalJSON()
	if err := empty.UnmarshalJSON(eb); err != nil || empty.Count() != 0 {
		t.Errorf("empty histogram: %v, count %d", err, empty.Count())
	}
}

func TestPercentilesAreHDRPercentiles(t *testing.T) {
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	p := percentiles(h)
	// HDR at 3 significant digits: each value within 0.1 %.
	for name, c := range map[string][2]float64{"p50": {p.P50, 500}, "p90": {p.P90, 900}, "p99": {p.P99, 990}, "p99.9": {p.P999, 999}, "max": {p.Max, 1000}} {
		if c[0] < c[1] || c[0] > c[1]*1.001 {
			t.Errorf("%s = %g ms, want %g within 0.1 %%", name, c[0], c[1])
		}
	}
}
