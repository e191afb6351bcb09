package bench

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
)

// The HTML report is one file with no external resource: inline CSS and SVG, no script, no
// font or image to fetch, so it opens the same offline, in a CI artifact or in a mail.

var kindColor = map[contract.Kind]string{contract.HTTP: "#0072B2", contract.REST: "#D55E00"}

func kindName(k contract.Kind) string {
	switch k {
	case contract.HTTP:
		return "HTTP API"
	case contract.REST:
		return "REST API"
	}
	return string(k)
}

type htmlView struct {
	Title     string
	Source    *Source
	Runs      []RunInfo
	Problems  []string
	Rows      []rowView
	Routes    []routeView
	CostChart template.HTML
	Crossover string
	Costs     []costRow
	Prices    PriceInfo
	Notes     []string
	// Baseline describes the run compared with (bench --baseline); BaselineRows compare
	// each route × kind with it.
	Baseline     string
	BaselineRows []baselineRow
	// BaselineDifferences are what else the two runs differ in.
	BaselineDifferences []string
}

type rowView struct {
	Route, Kind, KindColor                   string
	Count, Rate, Errors, ErrorDetail         string
	P50, P90, P99, P999, Max                 string
	SP50, SP99, SP999, LagP99                string
	BytesOut, BytesIn                        string
	Overhead, OverheadDetail                 string
	Authorizer, AuthorizerDetail             string
	Delivery, DeliveryDetail, DeliveryMethod string
	PerMillion, Monthly                      string
	Failed                                   bool
	Accepted, Delivered, Missing, Duplicated string
	Unaccepted                               string
	MissingIDs                               string
}

type routeView struct {
	Name, Method, Path string
	Latency, Rate      template.HTML
	Rows               []rowView
}

type costRow struct {
	Route, Kind, KindColor                 string
	Payload, Monthly, PerMillion, Requests string
	API, Target, Logs                      string
	Lines                                  []cost.Line
	Infeasible                             string
}

// WriteHTML writes the self-contained HTML report.
func (rep *Report) WriteHTML(w io.Writer) error {
	rep.derive()
	v := htmlView{Title: "firstclass bench: HTTP API vs REST API", Source: rep.Source, Runs: rep.Runs, Problems: rep.Failed(), Prices: rep.Prices}
	for _, r := range rep.Results {
		v.Rows = append(v.Rows, rowFor(r))
	}
	if b := rep.Baseline; b != nil {
		v.Baseline, v.BaselineRows, v.BaselineDifferences = b.describe(), rep.baselineRows(), rep.baselineDifferences()
	}
	v.Routes = rep.routeViews()
	v.CostChart, v.Crossover = rep.costChart()
	for _, r := range rep.Results {
		if e := r.Summary.Cost; e != nil {
			v.Costs = append(v.Costs, costRow{
				Route: r.Route, Kind: kindName(r.Kind), KindColor: kindColor[r.Kind],
				Payload: cost.FormatBytes(e.PayloadBytes), Requests: fmtCount(e.MonthlyRequests),
				Monthly: dollars(e.Monthly), PerMillion: dollars(e.PerMillion),
				API: dollars(e.API), Target: dollars(e.Target), Logs: dollars(e.Logs), Lines: e.Lines, Infeasible: e.Infeasible,
			})
		}
	}
	v.Notes = methodNotes(rep)
	return htmlTemplate.Execute(w, v)
}

// WriteHTMLFile writes the HTML report to a file.
func (rep *Report) WriteHTMLFile(path string) error { return writeFile(path, rep.WriteHTML) }

func methodNotes(rep *Report) []string {
	notes := []string{
		"Latency is measured from when each request was meant to be sent (open model: request n of a route × kind at start + n/rate) to the end of its response, so a stall counts against every request it delayed (no coordinated omission). Service time, from the actual send, is drawn dashed; the gap between the two is time spent waiting for the generator or the connection pool.",
		"Every route × API kind ran at the same time at the same rate, on interleaved schedules, so both API kinds saw the same machine, network and targets.",
		"Warm-up requests are not measured, but their deliveries are checked: the delivery counts include them.",
		"Percentiles come from HDR histograms (1 µs to 1 h, 3 significant digits) stored losslessly in the JSON report; merged reports add the histograms bucket for bucket.",
		"API Gateway overhead is responseLatency − integrationLatency from the stage's access log lines in the measurement window (whole milliseconds).",
		"Latency percentiles cover every measured request, errors included: fast errors (a throttling 429) lower them, so read them with the errors column.",
		"Costs project the measured rate (every request sent, errors included) over a 730-hour month with the mean request size measured; volume tiers apply to each route alone. Free tiers and data transfer are not included.",
	}
	if rep.Prices.ReadOn != "" {
		notes = append(notes, fmt.Sprintf("Prices: %s, %s, read on %s (sources below).", rep.Prices.Region, rep.Prices.Currency, rep.Prices.ReadOn))
	}
	return notes
}

func rowFor(r *Result) rowView {
	s := r.Summary
	row := rowView{
		Route: r.Route, Kind: kindName(r.Kind), KindColor: kindColor[r.Kind],
		Count: fmtCount(float64(r.Requests)), Rate: fmt.Sprintf("%.1f", s.Rate),
		Errors: fmtCount(float64(s.Errors)), ErrorDetail: errorDetail(r.Errors),
		P50: fmtMs(s.Latency.P50), P90: fmtMs(s.Latency.P90), P99: fmtMs(s.Latency.P99), P999: fmtMs(s.Latency.P999), Max: fmtMs(s.Latency.Max),
		SP50: fmtMs(s.ServiceTime.P50), SP99: fmtMs(s.ServiceTime.P99), SP999: fmtMs(s.ServiceTime.P999),
		Overhead: "–", Authorizer: "–", PerMillion: "–", Monthly: "–", Delivery: "not checked", LagP99: "–",
		BytesOut: fmtCount(float64(r.BytesOut)), BytesIn: fmtCount(float64(r.BytesIn)),
	}
	if l := s.SendLag; l != nil {
		row.LagP99 = fmtMs(l.P99)
	}
	if o := s.Overhead; o != nil {
		row.Overhead = fmtMs(o.P50)
		row.OverheadDetail = fmt.Sprintf("p90 %s, p99 %s, max %s ms over %d lines", fmtMs(o.P90), fmtMs(o.P99), fmtMs(o.Max), r.Overhead.Count())
	} else if l := r.AccessLog; l != nil {
		row.OverheadDetail = fmt.Sprintf("%d access log lines without latencies", l.Lines)
	}
	if a := s.Authorizer; a != nil {
		row.Authorizer = fmtMs(a.P50)
		row.AuthorizerDetail = fmt.Sprintf("p90 %s, p99 %s, max %s ms over %d lines", fmtMs(a.P90), fmtMs(a.P99), fmtMs(a.Max), r.Authorizer.Count())
		if i := s.AuthorizerInvocation; i != nil {
			row.AuthorizerDetail += fmt.Sprintf("; Lambda invocation p50 %s ms over %d uncached lines", fmtMs(i.P50), r.AuthorizerInvocation.Count())
		}
	}
	if l := r.AccessLog; l != nil && l.Note != "" {
		row.OverheadDetail = strings.TrimPrefix(row.OverheadDetail+"; "+l.Note, "; ")
	}
	if d := r.Delivery; d != nil {
		row.DeliveryMethod = d.Method
		row.Accepted, row.Delivered, row.Missing = fmtCount(float64(d.Accepted)), fmtCount(float64(d.Delivered)), fmtCount(float64(d.Missing))
		row.Duplicated, row.Unaccepted = fmtCount(float64(d.Duplicated)), fmtCount(float64(d.Unaccepted))
		row.MissingIDs = strings.Join(d.MissingIDs, " ")
		switch {
		case d.Error != "":
			row.Delivery, row.DeliveryDetail, row.Failed = "error", d.Error, true
		default:
			row.Delivery = fmt.Sprintf("%d / %d", d.Delivered, d.Missing)
			row.Failed = d.Missing > 0
			if d.Duplicated > 0 {
				row.Delivery += fmt.Sprintf(" (%d dup)", d.Duplicated)
			}
		}
	}
	if e := s.Cost; e != nil {
		row.PerMillion, row.Monthly = dollars(e.PerMillion), dollars(e.Monthly)
	}
	return row
}

func errorDetail(errs map[string]uint64) string {
	if len(errs) == 0 {
		return ""
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return errs[keys[i]] > errs[keys[j]] || errs[keys[i]] == errs[keys[j]] && keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, errs[k]))
	}
	return strings.Join(parts, ", ")
}

func (rep *Report) routeViews() []routeView {
	var out []routeView
	byRoute := map[string][]*Result{}
	var order []string
	for _, r := range rep.Results {
		if _, ok := byRoute[r.Route]; !ok {
			order = append(order, r.Route)
		}
		byRoute[r.Route] = append(byRoute[r.Route], r)
	}
	var t0 int64 = math.MaxInt64
	for _, r := range rep.Results {
		for _, w := range r.Windows {
			t0 = min(t0, w.Start.Unix())
		}
	}
	for i, name := range order {
		rs := byRoute[name]
		v := routeView{Name: name}
		if rt, ok := rep.pricing.Routes.Lookup(name); ok {
			v.Method, v.Path = rt.Method, rt.Path
		}
		v.Latency = latencyChart(fmt.Sprintf("lat%d", i), name, rs).svg()
		v.Rate = rateChart(fmt.Sprintf("rate%d", i), name, rs, t0).svg()
		for _, r := range rs {
			v.Rows = append(v.Rows, rowFor(r))
		}
		out = append(out, v)
	}
	return out
}

func latencyChart(id, route string, rs []*Result) *chart {
	c := &chart{id: id, title: route + ": latency by percentile", width: 560, height: 330,
		xLabel: "percentile (log scale of 1/(1 − p))", yLabel: "latency (ms)", note: "solid: from intended send; dashed: service time"}
	var yMax float64
	var count int64
	for _, r := range rs {
		yMax = math.Max(yMax, ms(r.Latency.Max()))
		count = max(count, r.Latency.Count())
	}
	c.xMax = math.Max(2, math.Ceil(math.Log10(math.Max(1, float64(count)))))
	c.xTicks = percentileTicks(c.xMax)
	c.yTicks, c.yMax = linearTicks(0, math.Max(yMax, 0.01), 5, "")
	for _, r := range rs {
		col := kindColor[r.Kind]
		c.series = append(c.series, series{name: kindName(r.Kind), color: col, points: curvePoints(r.Latency, c.xMax)})
		c.series = append(c.series, series{name: kindName(r.Kind) + " service time", color: col, dash: "5 4", points: curvePoints(r.ServiceTime, c.xMax)})
	}
	if count == 0 {
		c.note = "no measured requests"
	}
	return c
}

func curvePoints(h *Histogram, xMax float64) []point {
	var out []point
	for _, p := range h.Curve() {
		out = append(out, point{percentileX(p.Percentile, xMax), ms(p.Value)})
	}
	return out
}

func rateChart(id, route string, rs []*Result, t0 int64) *chart {
	c := &chart{id: id, title: route + ": responses per second", width: 560, height: 330,
		yLabel: "responses / s", xLabel: fmt.Sprintf("seconds since %s UTC (by completion time)", time.Unix(t0, 0).UTC().Format("2006-01-02 15:04:05")),
		note: "per-second buckets; the partial first and last seconds scaled to a whole second"}
	var yMax, xMax float64
	for _, r := range rs {
		var pts, errPts []point
		anyErr := false
		for _, b := range r.Timeline {
			x := float64(b.Second - t0)
			// The first and last seconds are partly outside the windows: scale them to a
			// whole second rather than draw a ramp that is not there.
			cover := math.Max(0.05, coverage(b.Second, r.Windows))
			pts = append(pts, point{x, float64(b.N) / cover})
			errPts = append(errPts, point{x, float64(b.Errors) / cover})
			anyErr = anyErr || b.Errors > 0
			yMax = math.Max(yMax, float64(b.N)/cover)
			xMax = math.Max(xMax, x)
		}
		c.series = append(c.series, series{name: kindName(r.Kind), color: kindColor[r.Kind], points: pts, dots: len(pts) < 40})
		if anyErr {
			c.series = append(c.series, series{name: kindName(r.Kind) + " errors", color: kindColor[r.Kind], dash: "2 3", points: errPts})
		}
	}
	c.xTicks, c.xMax = linearTicks(0, math.Max(xMax, 1), 6, "")
	c.yTicks, c.yMax = linearTicks(0, math.Max(yMax, 1), 5, "")
	return c
}

// coverage is the part of second sec that the windows cover, from 0 to 1.
func coverage(sec int64, ws []Window) float64 {
	start := time.Unix(sec, 0)
	end := start.Add(time.Second)
	var covered time.Duration
	for _, w := range ws {
		a, b := maxTime(start, w.Start), minTime(end, w.End)
		if b.After(a) {
			covered += b.Sub(a)
		}
	}
	return math.Min(1, covered.Seconds())
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// costChart draws the API Gateway request cost per million requests against request size at
// the mean measured volume, with the crossover from internal/cost.
func (rep *Report) costChart() (template.HTML, string) {
	p := rep.pricing.Prices
	monthly := 1e6
	found, cross := false, int64(0)
	if x := rep.Crossover; x != nil {
		monthly, found, cross = x.MonthlyRequests, x.Found, x.Bytes
	}
	inc := p.HTTPAPI.MeterIncrementBytes
	limit := min(p.HTTPAPI.MaxPayloadBytes, p.RESTAPI.MaxPayloadBytes)
	top := int64(4 << 20)
	if found {
		top = max(top, cross*2)
	}
	top = min(top, limit)
	mb := func(b int64) float64 { return float64(b) / (1 << 20) }
	perM := func(k contract.Kind, size int64) float64 { return p.APIMonthly(k, monthly, size) / monthly * 1e6 }
	c := &chart{id: "cost", title: "API Gateway request cost by request size", width: 1120, height: 360,
		xLabel: "request size (MB, 1 MB = 1,048,576 bytes)", yLabel: "$ per million requests",
		note: fmt.Sprintf("at %s requests a month per route (the mean measured rate); HTTP API meters every %s, REST API bills per request", fmtCount(monthly), cost.FormatBytes(inc))}
	var httpPts []point
	prev := int64(0)
	for size := inc; prev < top; size += inc {
		y := perM(contract.HTTP, size)
		httpPts = append(httpPts, point{mb(prev), y}, point{mb(min(size, top)), y})
		prev = size
	}
	restY := perM(contract.REST, 1)
	c.series = []series{
		{name: "HTTP API", color: kindColor[contract.HTTP], points: httpPts},
		{name: "REST API", color: kindColor[contract.REST], points: []point{{0, restY}, {mb(top), restY}}},
	}
	yMax := restY
	for _, q := range httpPts {
		yMax = math.Max(yMax, q.y)
	}
	c.xTicks, c.xMax = linearTicks(0, mb(top), 8, "")
	c.yTicks, c.yMax = linearTicks(0, yMax*1.1, 5, "")
	text := fmt.Sprintf("At %s requests a month the HTTP API's requests stay cheaper than the REST API's up to the %s payload limit.", fmtCount(monthly), cost.FormatBytes(limit))
	if found {
		c.markers = append(c.markers, marker{x: mb(cross), label: "crossover " + cost.FormatBytes(cross), color: "#333"})
		text = fmt.Sprintf("At %s requests a month the HTTP API's requests cost more than the REST API's from %s (%d bytes) on; below that the HTTP API is cheaper.", fmtCount(monthly), cost.FormatBytes(cross), cross)
	}
	var sizes []int64
	for _, r := range rep.Results {
		if r.Summary.Cost != nil && r.Summary.PayloadBytes > 0 {
			sizes = append(sizes, r.Summary.PayloadBytes)
		}
	}
	if len(sizes) > 0 {
		sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
		label := "this run's bodies: " + cost.FormatBytes(sizes[0])
		if sizes[len(sizes)-1] != sizes[0] {
			label += "–" + cost.FormatBytes(sizes[len(sizes)-1])
		}
		c.markers = append(c.markers, marker{x: mb(sizes[len(sizes)-1]), label: label, color: "#2a9d8f"})
	}
	return c.svg(), text
}

func fmtMs(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// fmtCount prints a count with thousands separators.
func fmtCount(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func dollars(v float64) string {
	switch {
	case v == 0:
		return "$0"
	case v < 0.01:
		return fmt.Sprintf("$%.4f", v)
	case v < 1000:
		return fmt.Sprintf("$%.2f", v)
	}
	return "$" + fmtCount(v)
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"time":  fmtTime,
	"kind":  kindName,
	"count": func(v float64) string { return fmtCount(v) },
	"num":   func(v float64) string { return fmt.Sprintf("%g", v) },
	"join": func(ks []contract.Kind) string {
		s := make([]string, len(ks))
		for i, k := range ks {
			s[i] = string(k)
		}
		return strings.Join(s, ", ")
	},
	"names": func(s []string) string { return strings.Join(s, ", ") },
	"qty": func(v float64) string {
		if v >= 1000 {
			return fmtCount(v)
		}
		return fmt.Sprintf("%.4g", v)
	},
	"money": dollars,
}).Parse(htmlSource))

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1160px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; white-space: nowrap; }
td.wrap { white-space: normal; max-width: 220px; }
th { background: #f4f4f4; font-weight: 600; }
td.l, th.l { text-align: left; }
tr.failed td { background: #fde8e8; }
.kind { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
.problems { border: 1px solid #d33; background: #fdf0f0; padding: 8px 12px; margin: 12px 0; }
.problems h2 { border: 0; margin: 0 0 4px; color: #a00; }
.ok { border: 1px solid #2a9d8f; background: #eef8f6; padding: 6px 12px; margin: 12px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #e4e4e4; }
svg .title { font-size: 14px; font-weight: 600; }
svg .note { font-size: 11px; fill: #666; }
svg .grid { stroke: #eee; }
svg .axis { stroke: #333; }
svg .marker { stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .xtick { font-size: 11px; text-anchor: middle; fill: #444; }
svg .ytick { font-size: 11px; text-anchor: end; fill: #444; }
svg .xlabel, svg .ylabel { font-size: 12px; text-anchor: middle; fill: #222; }
svg .legend { font-size: 12px; fill: #222; }
svg .mlabel { font-size: 11px; }
.small { font-size: 12px; color: #555; }
details { margin: 4px 0; }
ul.notes li { margin: 3px 0; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="small">Route for route over the same targets. Latencies in milliseconds; rates in requests per second; costs in {{.Prices.Currency}}.</p>

<h2>Runs</h2>
{{with .Source}}<p>Load from <b>{{.From}}</b>: {{.Workers}} workers{{if .Region}} in {{.Region}}{{end}}, one shared schedule from one start instant;
each worker's first request went out at most {{num .LatestStartMs}} ms after its time in the schedule, the workers within {{num .StartSpreadMs}} ms of each other.
{{if .Execution}}<br><span class="small">execution <code>{{.Execution}}</code></span>{{end}}</p>{{end}}
<table>
<tr><th class="l">run</th><th class="l">host / generator</th><th class="l">stage</th><th class="l">model</th><th>warm-up</th><th>measured</th><th class="l">payload</th><th class="l">routes × kinds</th><th class="l">started</th></tr>
{{range .Runs}}<tr>
<td class="l"><code>{{.ID}}</code></td>
<td class="l wrap">{{.Host}}<br><span class="small">{{.Generator}}</span></td>
<td class="l">{{.Stage}}{{if .Stack}} ({{.Stack}}){{end}}{{if .Local}}<br><span class="small">local runner</span>{{else}}<br><span class="small">AWS</span>{{end}}</td>
<td class="l">{{if eq .Model "open"}}open: {{num .Rate}} req/s per route × kind<br><span class="small">at most {{.MaxWorkers}} in flight each</span>{{else}}closed: {{.Workers}} workers per route × kind{{end}}</td>
<td>{{num .WarmupSeconds}} s</td><td>{{num .DurationSeconds}} s</td>
<td class="l">{{if .PayloadFile}}{{.PayloadFile}}{{else if .PayloadSize}}padded to {{.PayloadSize}} B{{else}}route samples{{end}}</td>
<td class="l wrap">{{names .Routes}}<br><span class="small">{{join .Kinds}}</span></td>
<td class="l">{{time .Started}}<br><span class="small">{{if .DeliveryCheck}}deliveries checked{{else}}delivery check skipped{{end}}</span></td>
</tr>{{end}}
</table>
{{range .Runs}}{{range $k, $u := .Endpoints}}<div class="small">{{kind $k}}: <code>{{$u}}</code></div>{{end}}{{end}}

{{if .Problems}}<div class="problems"><h2>Failed</h2><ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul></div>
{{else}}<div class="ok">Every accepted request that was checked was found downstream.</div>{{end}}

<h2>Summary</h2>
<table>
<tr><th class="l">route</th><th class="l">API</th><th>requests</th><th>rate /s</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>gateway p50</th><th>authorizer p50</th><th>delivered / missing</th><th>$ / million</th><th>$ / month</th></tr>
{{range .Rows}}<tr{{if .Failed}} class="failed"{{end}}>
<td class="l">{{.Route}}</td><td class="l"><span class="kind" style="background:{{.KindColor}}"></span>{{.Kind}}</td>
<td>{{.Count}}</td><td>{{.Rate}}</td><td title="{{.ErrorDetail}}">{{.Errors}}</td>
<td>{{.P50}}</td><td>{{.P90}}</td><td>{{.P99}}</td><td>{{.P999}}</td><td>{{.Max}}</td>
<td title="{{.OverheadDetail}}">{{.Overhead}}</td><td title="{{.AuthorizerDetail}}">{{.Authorizer}}</td><td>{{.Delivery}}</td><td>{{.PerMillion}}</td><td>{{.Monthly}}</td>
</tr>{{end}}
</table>
<p class="small">Latency percentiles from the intended send time, in ms. Gateway p50: API Gateway's own time (responseLatency − integrationLatency) from the access log. $ / month: the measured rate for a 730-hour month, API + target + logs.</p>
{{if .BaselineRows}}
<h2>Against the baseline</h2>
<p>Against the {{.Baseline}}.</p>
<table>
<tr><th class="l">route</th><th class="l">API</th><th>p50</th><th>baseline p50</th><th>p50 difference</th><th>p99</th><th>baseline p99</th><th>p99 difference</th><th>rate /s</th><th>baseline rate /s</th><th>errors</th><th>baseline errors</th></tr>
{{range .BaselineRows}}<tr>
<td class="l">{{.Route}}</td><td class="l"><span class="kind" style="background:{{.KindColor}}"></span>{{kind .Kind}}</td>
<td>{{.P50}}</td><td>{{.BaseP50}}</td><td>{{.DeltaP50}}</td><td>{{.P99}}</td><td>{{.BaseP99}}</td><td>{{.DeltaP99}}</td>
<td>{{.Rate}}</td><td>{{.BaseRate}}</td><td>{{.Errors}}</td><td>{{.BaseErrors}}</td>
</tr>{{end}}
</table>
<p class="small">Difference: this run less the baseline, in ms and in % of the baseline's figure. The two runs were measured apart: compare them only when they ran on the same machine, at the same rate, back to back.</p>
{{if .BaselineDifferences}}<p class="problems">The runs differ in more than their auth mode: {{range $i, $d := .BaselineDifferences}}{{if $i}}; {{end}}{{$d}}{{end}}.</p>{{end}}
{{end}}

{{range .Routes}}
<h2>{{.Name}} <span class="small"><code>{{.Method}} {{.Path}}</code></span></h2>
<div class="charts">{{.Latency}}{{.Rate}}</div>
<table>
<tr><th class="l">API</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>service p50</th><th>service p99</th><th>service p99.9</th><th title="how late the generator sent requests after their intended time">send lag p99</th><th>gateway p50</th><th class="l">gateway detail</th><th>bytes out</th><th>bytes in</th><th class="l">errors</th></tr>
{{range .Rows}}<tr><td class="l"><span class="kind" style="background:{{.KindColor}}"></span>{{.Kind}}</td>
<td>{{.P50}}</td><td>{{.P90}}</td><td>{{.P99}}</td><td>{{.P999}}</td><td>{{.Max}}</td><td>{{.SP50}}</td><td>{{.SP99}}</td><td>{{.SP999}}</td><td>{{.LagP99}}</td>
<td>{{.Overhead}}</td><td class="l small wrap">{{.OverheadDetail}}</td><td>{{.BytesOut}}</td><td>{{.BytesIn}}</td><td class="l small wrap">{{if .ErrorDetail}}{{.ErrorDetail}}{{else}}none{{end}}</td></tr>{{end}}
</table>
{{end}}

<h2>Deliveries</h2>
<p class="small">Every 2xx of the run (warm-up included) looked up downstream by its bench id.</p>
<table>
<tr><th class="l">route</th><th class="l">API</th><th class="l">checked via</th><th>accepted</th><th>delivered</th><th>missing</th><th>duplicated</th><th>without a 2xx</th><th class="l">missing ids (first ones) / error</th></tr>
{{range .Rows}}<tr{{if .Failed}} class="failed"{{end}}><td class="l">{{.Route}}</td><td class="l"><span class="kind" style="background:{{.KindColor}}"></span>{{.Kind}}</td>
{{if .DeliveryMethod}}<td class="l">{{.DeliveryMethod}}</td><td>{{.Accepted}}</td><td>{{.Delivered}}</td><td>{{.Missing}}</td><td>{{.Duplicated}}</td><td>{{.Unaccepted}}</td><td class="l small"><code>{{.MissingIDs}}</code>{{.DeliveryDetail}}</td>
{{else}}<td class="l" colspan="7">not checked</td>{{end}}</tr>{{end}}
</table>

<h2>Cost</h2>
{{.CostChart}}
<p>{{.Crossover}}</p>
<table>
<tr><th class="l">route</th><th class="l">API</th><th>requests / month</th><th>mean body</th><th>API</th><th>target</th><th>logs</th><th>$ / month</th><th>$ / million</th><th class="l">line items</th></tr>
{{range .Costs}}<tr><td class="l">{{.Route}}</td><td class="l"><span class="kind" style="background:{{.KindColor}}"></span>{{.Kind}}</td><td>{{.Requests}}</td><td>{{.Payload}}</td><td>{{.API}}</td><td>{{.Target}}</td><td>{{.Logs}}</td><td>{{.Monthly}}</td><td>{{.PerMillion}}</td>
<td class="l"><details><summary>{{len .Lines}} items{{if .Infeasible}}: infeasible{{end}}</summary><table>{{range .Lines}}<tr><td class="l">{{.Item}}</td><td>{{qty .Quantity}} {{.Unit}}</td><td>{{money .Monthly}}</td><td class="l small">{{.Rule}}</td></tr>{{end}}</table>{{if .Infeasible}}<div class="small">{{.Infeasible}}</div>{{end}}</details></td></tr>{{end}}
</table>

<h3>Price sources</h3>
<table>
<tr><th class="l">service</th><th class="l">source</th><th class="l">as of</th><th class="l">rule</th></tr>
{{range .Prices.Sources}}<tr><td class="l">{{.Service}}</td><td class="l"><a href="{{.Source.Source}}">{{.Source.Source}}</a></td><td class="l">{{.AsOf}}</td><td class="l small" style="white-space:normal">{{.Rule}}</td></tr>{{end}}
</table>

<h2>How these figures were made</h2>
<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
</body>
</html>
`
