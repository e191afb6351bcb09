package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/spec"
)

// SchemaVersion names the report format. A change that an older reader would misread gets a
// new version; adding a field does not.
const SchemaVersion = "firstclass.bench/v1"

// Report is a bench run's results, or the merge of several runs' results. It is what the JSON
// file holds: the raw, mergeable measurements (counts, lossless histograms, per-second
// buckets, measurement windows) plus a Summary per result that is derived from them again
// whenever a report is written, so that a merged report's summary is never stale.
type Report struct {
	Schema  string    `json:"schema"`
	Runs    []RunInfo `json:"runs"`
	Results []*Result `json:"results"`
	// Prices identify the price list the derived costs come from.
	Prices PriceInfo `json:"prices"`
	// Crossover is the request size from which the HTTP API's requests cost more than the
	// REST API's, at the mean measured volume of a route (derived).
	Crossover *Crossover `json:"crossover,omitempty"`
	// Source says where the load came from when it was not this machine (Lambda workers).
	Source *Source `json:"source,omitempty"`
	// Problems are what failed in checks made on the merged report (bench.Check), beside
	// each run's own.
	Problems []string `json:"problems,omitempty"`
	// Baseline is an earlier run this one is compared with (bench --baseline).
	Baseline *Baseline `json:"baseline,omitempty"`

	pricing Pricing
}

// Source is where a report's load came from when several generators elsewhere loaded one
// schedule together.
type Source struct {
	// From is "lambda": Lambda workers fanned out by a Step Functions Map state.
	From    string `json:"from"`
	Workers int    `json:"workers"`
	Region  string `json:"region,omitempty"`
	// Execution is the Step Functions execution that ran the workers.
	Execution string `json:"execution,omitempty"`
	// StartSpreadMs is the spread of the workers' actual starts: each worker's first request
	// is meant for the common start instant plus its place in the schedule (worker i of a
	// schedule at R a second sends request i, at i/R), and each is late by some amount;
	// the spread is the latest less the earliest. LatestStartMs is the largest lateness.
	StartSpreadMs float64 `json:"startSpreadMs"`
	LatestStartMs float64 `json:"latestStartMs"`
}

// StartLateness is how long after its first intended send a run's first request went out.
func (r RunInfo) StartLateness() time.Duration {
	intended := r.Started
	if r.Shard != nil && r.Rate > 0 {
		intended = intended.Add(time.Duration(float64(r.Shard.Index) / r.Rate * float64(time.Second)))
	}
	return r.FirstSent.Sub(intended)
}

// NewSource describes the load of rep's runs, from one generator each, as coming from
// workers of the kind from.
func NewSource(from, region, execution string, runs []RunInfo) *Source {
	s := &Source{From: from, Workers: len(runs), Region: region, Execution: execution}
	var lo, hi time.Duration
	seen := false
	for _, r := range runs {
		if r.FirstSent.IsZero() {
			continue
		}
		l := r.StartLateness()
		if !seen || l < lo {
			lo = l
		}
		if !seen || l > hi {
			hi = l
		}
		seen = true
	}
	if seen {
		s.StartSpreadMs, s.LatestStartMs = ms(hi-lo), ms(hi)
	}
	return s
}

// Pricing is what a report's costs are derived with: a price list, and the route table whose
// routes' calls (spec.Route.Call) are priced. Results of a route the table does not have keep
// their measurements and get no cost; the table also orders the results.
type Pricing struct {
	Prices cost.Prices
	Routes spec.Table
}

// RunInfo describes one bench run: where it ran, against what, with which load.
type RunInfo struct {
	ID        string                   `json:"id"`
	Host      string                   `json:"host"`
	Generator string                   `json:"generator"`
	Stack     string                   `json:"stack,omitempty"`
	Stage     string                   `json:"stage"`
	Endpoints map[contract.Kind]string `json:"endpoints"`
	// Local is true when the outputs name a local AWS endpoint (firstclass local).
	Local bool `json:"local"`
	// Auth is the auth mode the requests were sent with ("" for none).
	Auth string `json:"auth,omitempty"`
	// Model is "open" (constant arrival rate) or "closed" (workers back to back).
	Model           string          `json:"model"`
	Rate            float64         `json:"rate,omitempty"`
	Workers         int             `json:"workers,omitempty"`
	MaxWorkers      int             `json:"maxWorkers,omitempty"`
	WarmupSeconds   float64         `json:"warmupSeconds"`
	DurationSeconds float64         `json:"durationSeconds"`
	PayloadSize     int             `json:"payloadSize,omitempty"`
	PayloadFile     string          `json:"payloadFile,omitempty"`
	Routes          []string        `json:"routes"`
	Kinds           []contract.Kind `json:"kinds"`
	// Started is when the first request was meant to go out (warm-up included); Ended when
	// the load stopped.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// FirstSent is when the run's first request actually went out.
	FirstSent time.Time `json:"firstSent,omitzero"`
	// Shard is the generator's share of a schedule several loaded together.
	Shard         *Shard `json:"shard,omitempty"`
	DeliveryCheck bool   `json:"deliveryCheck"`
	// Problems are what made the run fail or its figures incomplete.
	Problems []string `json:"problems,omitempty"`
}

// Window is a measurement window: warm-up excluded.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Result is one route on one API kind.
type Result struct {
	Route string        `json:"route"`
	Kind  contract.Kind `json:"kind"`
	// Windows are the measurement windows of the runs merged here.
	Windows []Window `json:"windows"`
	// Requests are the measured requests: in the open model those meant to be sent within a
	// window, in the closed model those sent within it.
	Requests uint64 `json:"requests"`
	// SentInWindow counts requests actually sent within a window: the achieved rate is
	// SentInWindow over the windows' union. In the open model it falls short of Requests when
	// the generator could not keep up.
	SentInWindow uint64 `json:"sentInWindow"`
	OK           uint64 `json:"ok"`
	// Errors counts the measured requests that did not get a 2xx: by status code ("503"),
	// or "transport: …" for those that got no response.
	Errors map[string]uint64 `json:"errors,omitempty"`
	// Refused counts the errors that are the service refusing the load itself as it
	// documents (one PurgeQueue a minute per queue: 403 PurgeQueueInProgress).
	Refused  uint64 `json:"refused,omitempty"`
	BytesOut uint64 `json:"bytesOut"`
	BytesIn  uint64 `json:"bytesIn"`
	// Latency is measured from when each request was meant to be sent to the end of its
	// response, so a stall delays and counts every request behind it (no coordinated
	// omission). In the closed model there is no schedule and Latency equals ServiceTime.
	Latency *Histogram `json:"latency"`
	// ServiceTime is measured from when the request actually went out.
	ServiceTime *Histogram `json:"serviceTime"`
	// SendLag is how late the generator sent each request after its intended time (open
	// model): small next to the latencies when the generator is not the bottleneck.
	SendLag *Histogram `json:"sendLag,omitempty"`
	// Timeline counts responses per second of completion.
	Timeline []Bucket `json:"timeline"`
	// Overhead is API Gateway's own time, responseLatency − integrationLatency, from the
	// stage's access log lines of the measured windows.
	Overhead *Histogram `json:"overhead,omitempty"`
	// Authorizer is the authorizer's own time ($context.authorizer.latency) of the lines
	// that have it; AuthorizerInvocation its Lambda invocation's
	// ($context.authorizer.integrationLatency), which a cached answer has none of.
	Authorizer           *Histogram      `json:"authorizer,omitempty"`
	AuthorizerInvocation *Histogram      `json:"authorizerInvocation,omitempty"`
	AccessLog            *AccessLogStats `json:"accessLog,omitempty"`
	Delivery             *Delivery       `json:"delivery,omitempty"`
	// Express is the billing details the RunExpressWorkflow responses carried.
	Express *ExpressBilling `json:"expressBilling,omitempty"`
	// Accepted is every accepted request of a route whose deliveries are found downstream,
	// kept by a Config.LoadOnly run for bench.Check; a checked report has none.
	Accepted Accepted `json:"accepted,omitempty"`

	Summary *Summary `json:"summary"`
}

// Bucket is one second of a result's timeline.
type Bucket struct {
	Second int64  `json:"t"` // Unix seconds
	N      uint64 `json:"n"`
	Errors uint64 `json:"errors,omitempty"`
}

// AccessLogStats says what was read from a stage's access log for a result.
type AccessLogStats struct {
	Source string `json:"source"`
	Lines  uint64 `json:"lines"`
	Bytes  uint64 `json:"bytes"`
	Note   string `json:"note,omitempty"`
}

// ExpressBilling sums the billingDetails of express executions.
type ExpressBilling struct {
	Executions  uint64  `json:"executions"`
	BilledMs    float64 `json:"billedMs"`
	BilledMemMB float64 `json:"billedMemoryMB"`
}

// Delivery is the delivery check of one result. It covers every accepted (2xx) request of the
// run, warm-up included: a message accepted during warm-up must arrive too.
type Delivery struct {
	Method     string `json:"method"`
	Checked    bool   `json:"checked"`
	Accepted   uint64 `json:"accepted"`
	Delivered  uint64 `json:"delivered"`
	Missing    uint64 `json:"missing"`
	Duplicated uint64 `json:"duplicated"`
	// Unaccepted counts deliveries of requests that did not get a 2xx (a timeout whose
	// request went through, say): not a failure, but worth knowing.
	Unaccepted    uint64   `json:"unaccepted,omitempty"`
	MissingIDs    []string `json:"missingIds,omitempty"`
	DuplicatedIDs []string `json:"duplicatedIds,omitempty"`
	Error         string   `json:"error,omitempty"`
}

// maxListedIDs bounds the ids a delivery lists.
const maxListedIDs = 20

// Summary is derived from a result's measurements each time a report is written.
type Summary struct {
	WindowSeconds float64      `json:"windowSeconds"`
	Rate          float64      `json:"rate"` // achieved requests per second
	Errors        uint64       `json:"errors"`
	Latency       Percentiles  `json:"latencyMs"`
	ServiceTime   Percentiles  `json:"serviceTimeMs"`
	Overhead      *Percentiles `json:"overheadMs,omitempty"`
	// Authorizer and AuthorizerInvocation are the authorizer's latencies from the access log.
	Authorizer           *Percentiles   `json:"authorizerMs,omitempty"`
	AuthorizerInvocation *Percentiles   `json:"authorizerInvocationMs,omitempty"`
	SendLag              *Percentiles   `json:"sendLagMs,omitempty"`
	PayloadBytes         int64          `json:"payloadBytes"` // mean request body
	Cost                 *cost.Estimate `json:"cost,omitempty"`
}

// Percentiles of a histogram, in milliseconds.
type Percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99.9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

func percentiles(h *Histogram) Percentiles {
	return Percentiles{P50: ms(h.Quantile(50)), P90: ms(h.Quantile(90)), P99: ms(h.Quantile(99)),
		P999: ms(h.Quantile(99.9)), Max: ms(h.Max()), Mean: ms(h.Mean())}
}

// PriceInfo names a price list.
type PriceInfo struct {
	Region   string             `json:"region"`
	Currency string             `json:"currency"`
	ReadOn   string             `json:"readOn"`
	Sources  []cost.NamedSource `json:"sources"`
}

func priceInfo(p cost.Prices) PriceInfo {
	return PriceInfo{Region: p.Region, Currency: p.Currency, ReadOn: p.ReadOn, Sources: p.Sources()}
}

// Crossover is the request size where the REST API becomes cheaper than the HTTP API.
type Crossover struct {
	MonthlyRequests float64 `json:"monthlyRequests"`
	Bytes           int64   `json:"bytes,omitempty"`
	Found           bool    `json:"found"`
}

// Key is a result's route and kind.
func (r *Result) Key() string { return r.Route + "/" + string(r.Kind) }

// ErrorCount is the number of measured requests that did not get a 2xx.
func (r *Result) ErrorCount() uint64 {
	var n uint64
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// WindowSeconds is the length of the union of the result's windows: two runs at the same time
// on two machines count once, two runs one after the other add up.
func (r *Result) WindowSeconds() float64 { return unionSeconds(r.Windows) }

func unionSeconds(ws []Window) float64 {
	if len(ws) == 0 {
		return 0
	}
	s := append([]Window(nil), ws...)
	sort.Slice(s, func(i, j int) bool { return s[i].Start.Before(s[j].Start) })
	var total time.Duration
	cur := s[0]
	for _, w := range s[1:] {
		if !w.Start.After(cur.End) {
			if w.End.After(cur.End) {
				cur.End = w.End
			}
			continue
		}
		total += cur.End.Sub(cur.Start)
		cur = w
	}
	total += cur.End.Sub(cur.Start)
	return total.Seconds()
}

// Failed lists what makes the report a failed run: missing deliveries, delivery checks that
// could not run, and the runs' problems. Empty means the run passed.
func (rep *Report) Failed() []string {
	var out []string
	for _, run := range rep.Runs {
		for _, p := range run.Problems {
			out = append(out, "run "+run.key()+": "+p)
		}
	}
	out = append(out, rep.Problems...)
	for _, r := range rep.Results {
		if r.Requests > 0 && r.OK == 0 && r.Refused < r.Requests {
			out = append(out, fmt.Sprintf("%s: none of %d requests got a 2xx (%s); is the API up, and are the outputs for this stage?", r.Key(), r.Requests, errorDetail(r.Errors)))
		}
		d := r.Delivery
		if d == nil {
			continue
		}
		switch {
		case d.Error != "":
			out = append(out, fmt.Sprintf("%s: delivery check: %s", r.Key(), d.Error))
		case d.Missing > 0:
			out = append(out, fmt.Sprintf("%s: %d of %d accepted requests missing downstream (%s), e.g. %s", r.Key(), d.Missing, d.Accepted, d.Method, strings.Join(first(d.MissingIDs, 3), ", ")))
		}
	}
	return out
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Merge combines reports of several runs, of one machine or many, into one: counts add,
// histograms merge bucket for bucket, per-second buckets add, windows join (so rates are over
// the union of the windows) and the summaries are derived again with prices. The reports'
// baselines are not merged: the merged report has none until SetBaseline gives it one.
func Merge(pricing Pricing, reports ...*Report) (*Report, error) {
	out := &Report{Schema: SchemaVersion, pricing: pricing}
	seenRun := map[string]bool{}
	byKey := map[string]*Result{}
	for i, rep := range reports {
		if rep.Schema != SchemaVersion {
			return nil, fmt.Errorf("report %d: schema %q, this firstclass merges %q", i+1, rep.Schema, SchemaVersion)
		}
		for _, run := range rep.Runs {
			if seenRun[run.key()] {
				return nil, fmt.Errorf("report %d: run %s is already in an earlier report; merging it twice would count it twice", i+1, run.key())
			}
			seenRun[run.key()] = true
			out.Runs = append(out.Runs, run)
		}
		out.Problems = append(out.Problems, rep.Problems...)
		for _, r := range rep.Results {
			acc, ok := byKey[r.Key()]
			if !ok {
				acc = &Result{Route: r.Route, Kind: r.Kind, Latency: NewHistogram(), ServiceTime: NewHistogram()}
				byKey[r.Key()] = acc
				out.Results = append(out.Results, acc)
			}
			acc.merge(r)
		}
	}
	sort.Slice(out.Runs, func(i, j int) bool { return out.Runs[i].Started.Before(out.Runs[j].Started) })
	out.derive()
	return out, nil
}

// key names a run in merges and problems: its id, and its shard when it loaded one.
func (r RunInfo) key() string {
	if r.Shard != nil {
		return fmt.Sprintf("%s (worker %d of %d)", r.ID, r.Shard.Index+1, r.Shard.Of)
	}
	return r.ID
}

func (acc *Result) merge(r *Result) {
	acc.Windows = append(acc.Windows, r.Windows...)
	acc.Accepted = append(acc.Accepted, r.Accepted...)
	acc.Requests += r.Requests
	acc.SentInWindow += r.SentInWindow
	acc.OK += r.OK
	acc.Refused += r.Refused
	for k, v := range r.Errors {
		if acc.Errors == nil {
			acc.Errors = map[string]uint64{}
		}
		acc.Errors[k] += v
	}
	acc.BytesOut += r.BytesOut
	acc.BytesIn += r.BytesIn
	acc.Latency.Merge(r.Latency)
	acc.ServiceTime.Merge(r.ServiceTime)
	if r.SendLag != nil {
		if acc.SendLag == nil {
			acc.SendLag = NewHistogram()
		}
		acc.SendLag.Merge(r.SendLag)
	}
	acc.Timeline = mergeTimeline(acc.Timeline, r.Timeline)
	if r.Overhead != nil {
		if acc.Overhead == nil {
			acc.Overhead = NewHistogram()
		}
		acc.Overhead.Merge(r.Overhead)
	}
	for _, h := range []struct {
		into **Histogram
		from *Histogram
	}{{&acc.Authorizer, r.Authorizer}, {&acc.AuthorizerInvocation, r.AuthorizerInvocation}} {
		if h.from != nil {
			if *h.into == nil {
				*h.into = NewHistogram()
			}
			(*h.into).Merge(h.from)
		}
	}
	if l := r.AccessLog; l != nil {
		if acc.AccessLog == nil {
			acc.AccessLog = &AccessLogStats{Source: l.Source, Note: l.Note}
		} else if acc.AccessLog.Source != l.Source {
			acc.AccessLog.Source = "several"
		}
		acc.AccessLog.Lines += l.Lines
		acc.AccessLog.Bytes += l.Bytes
	}
	if d := r.Delivery; d != nil {
		if acc.Delivery == nil {
			acc.Delivery = &Delivery{Method: d.Method, Checked: true}
		}
		a := acc.Delivery
		a.Checked = a.Checked && d.Checked
		a.Accepted += d.Accepted
		a.Delivered += d.Delivered
		a.Missing += d.Missing
		a.Duplicated += d.Duplicated
		a.Unaccepted += d.Unaccepted
		a.MissingIDs = first(append(a.MissingIDs, d.MissingIDs...), maxListedIDs)
		a.DuplicatedIDs = first(append(a.DuplicatedIDs, d.DuplicatedIDs...), maxListedIDs)
		if d.Error != "" {
			a.Error = strings.TrimPrefix(a.Error+"; "+d.Error, "; ")
		}
	}
	if e := r.Express; e != nil {
		if acc.Express == nil {
			acc.Express = &ExpressBilling{}
		}
		acc.Express.Executions += e.Executions
		acc.Express.BilledMs += e.BilledMs
		acc.Express.BilledMemMB += e.BilledMemMB
	}
}

func mergeTimeline(a, b []Bucket) []Bucket {
	if len(b) == 0 {
		return a
	}
	m := make(map[int64]Bucket, len(a)+len(b))
	for _, x := range append(append([]Bucket(nil), a...), b...) {
		y := m[x.Second]
		y.Second = x.Second
		y.N += x.N
		y.Errors += x.Errors
		m[x.Second] = y
	}
	out := make([]Bucket, 0, len(m))
	for _, x := range m {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Second < out[j].Second })
	return out
}

// derive sorts the results and computes every Summary and the crossover from the
// measurements.
func (rep *Report) derive() {
	rep.Schema = SchemaVersion
	rep.Prices = priceInfo(rep.pricing.Prices)
	order := func(r *Result) string { return resultOrder(rep.pricing.Routes, r) }
	sort.SliceStable(rep.Results, func(i, j int) bool { return order(rep.Results[i]) < order(rep.Results[j]) })
	var monthly []float64
	for _, r := range rep.Results {
		r.derive(rep.pricing)
		if r.Summary.Cost != nil {
			monthly = append(monthly, r.Summary.Cost.MonthlyRequests)
		}
	}
	if rep.Baseline != nil {
		rep.Baseline.derive(rep)
	}
	rep.Crossover = nil
	if len(monthly) > 0 {
		m := mean(monthly)
		b, ok := rep.pricing.Prices.Crossover(m)
		rep.Crossover = &Crossover{MonthlyRequests: m, Bytes: b, Found: ok}
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// resultOrder sorts results in route table order, then API kind order; routes the table no
// longer has go last, by name.
func resultOrder(table spec.Table, r *Result) string {
	ri := len(table)
	for i, rt := range table {
		if rt.Name == r.Route {
			ri = i
		}
	}
	ki := len(contract.Kinds)
	for i, k := range contract.Kinds {
		if k == r.Kind {
			ki = i
		}
	}
	return fmt.Sprintf("%03d %s %03d %s", ri, r.Route, ki, r.Kind)
}

func (r *Result) derive(pricing Pricing) {
	if r.Latency == nil {
		r.Latency = NewHistogram()
	}
	if r.ServiceTime == nil {
		r.ServiceTime = NewHistogram()
	}
	s := &Summary{WindowSeconds: r.WindowSeconds(), Errors: r.ErrorCount(),
		Latency: percentiles(r.Latency), ServiceTime: percentiles(r.ServiceTime)}
	if s.WindowSeconds > 0 {
		s.Rate = float64(r.SentInWindow) / s.WindowSeconds
	}
	if r.Overhead != nil && r.Overhead.Count() > 0 {
		p := percentiles(r.Overhead)
		s.Overhead = &p
	}
	if r.SendLag != nil && r.SendLag.Count() > 0 {
		p := percentiles(r.SendLag)
		s.SendLag = &p
	}
	if r.Authorizer != nil && r.Authorizer.Count() > 0 {
		p := percentiles(r.Authorizer)
		s.Authorizer = &p
	}
	if r.AuthorizerInvocation != nil && r.AuthorizerInvocation.Count() > 0 {
		p := percentiles(r.AuthorizerInvocation)
		s.AuthorizerInvocation = &p
	}
	if r.Requests > 0 {
		s.PayloadBytes = int64(math.Round(float64(r.BytesOut) / float64(r.Requests)))
	}
	if rt, ok := pricing.Routes.Lookup(r.Route); ok && s.Rate > 0 {
		e := pricing.Prices.Estimate(rt, r.Kind, r.workload(s))
		s.Cost = &e
	}
	r.Summary = s
}

// workload is what the measured run says about the month it projects: the achieved rate, the
// mean request body, and, where measured, the express executions' billed duration and memory
// and the stage's access log line size.
func (r *Result) workload(s *Summary) cost.Workload {
	w := cost.DefaultWorkload()
	w.MonthlyRequests = cost.MonthlyRequests(s.Rate)
	w.PayloadBytes = s.PayloadBytes
	if e := r.Express; e != nil && e.Executions > 0 {
		w.ExpressDurationMs = e.BilledMs / float64(e.Executions)
		w.ExpressMemoryMB = e.BilledMemMB / float64(e.Executions)
	}
	if l := r.AccessLog; l != nil && l.Lines > 0 {
		w.AccessLogBytes = map[contract.Kind]float64{r.Kind: float64(l.Bytes) / float64(l.Lines)}
	}
	// A Lambda authorizer answered these requests: its invocations are priced at the cache
	// hit ratio the access log shows (lines with an invocation latency against all of its
	// lines) and the invocations' measured duration.
	if a := r.Authorizer; a != nil && a.Count() > 0 {
		w.Auth = cost.DefaultAuthWorkload("lambda")
		invoked := int64(0)
		if in := r.AuthorizerInvocation; in != nil {
			invoked = in.Count()
			if in.Count() > 0 {
				w.Auth.AuthorizerDurationMs = max(1, percentiles(in).P50)
			}
		}
		w.Auth.CacheHitRatio = 1 - float64(invoked)/float64(a.Count())
	}
	return w
}

// WriteJSON writes the report, its summaries derived afresh.
func (rep *Report) WriteJSON(w io.Writer) error {
	rep.derive()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteJSONFile writes the report to a file.
func (rep *Report) WriteJSONFile(path string) error {
	return writeFile(path, rep.WriteJSON)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// ReadReport reads a report and derives its summaries with pricing.
func ReadReport(r io.Reader, pricing Pricing) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("bench report: %w", err)
	}
	if rep.Schema != SchemaVersion {
		return nil, fmt.Errorf("bench report: schema %q; this firstclass reads %q (is it a firstclass bench --json file?)", rep.Schema, SchemaVersion)
	}
	for i, res := range rep.Results {
		if res == nil || res.Route == "" || res.Kind == "" {
			return nil, fmt.Errorf("bench report: result %d has no route or kind", i+1)
		}
	}
	rep.pricing = pricing
	rep.derive()
	return &rep, nil
}

// ReadReportFile reads a report file.
func ReadReportFile(path string, pricing Pricing) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := ReadReport(f, pricing)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// Reprice derives the costs again with another price list.
func (rep *Report) Reprice(p cost.Prices) {
	rep.pricing.Prices = p
	rep.derive()
}

// Result returns the result of route on kind, or nil.
func (rep *Report) Result(route string, kind contract.Kind) *Result {
	for _, r := range rep.Results {
		if r.Route == route && r.Kind == kind {
			return r
		}
	}
	return nil
}
