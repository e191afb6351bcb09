package bench

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"firstclass/internal/cost"
)

// WriteTable writes the terminal summary: one row per route × kind, the errors behind the
// error counts, and what failed.
func (rep *Report) WriteTable(w io.Writer) error {
	rep.derive()
	runs := rep.Runs
	if src := rep.Source; src != nil && len(runs) > 0 {
		fmt.Fprintf(w, "load from %s: %d workers in %s, sharing one schedule; their starts within %.1f ms of each other, the latest %.1f ms late\n",
			src.From, src.Workers, orDash(src.Region), src.StartSpreadMs, src.LatestStartMs)
		runs = runs[:1] // the workers' runs differ only in their shard
	}
	for _, run := range runs {
		model := fmt.Sprintf("open model, %g requests/s per route × kind", run.Rate)
		if run.Model == "closed" {
			model = fmt.Sprintf("closed model, %d workers per route × kind", run.Workers)
		}
		where := "AWS"
		if run.Local {
			where = "local runner"
		}
		auth := ""
		if run.Auth != "" {
			auth = ", auth " + run.Auth
		}
		fmt.Fprintf(w, "run %s on %s against %s stage %s%s: %s, %gs warm-up + %gs measured\n", run.ID, run.Host, where, run.Stage, auth, model, run.WarmupSeconds, run.DurationSeconds)
	}
	t := textTable{header: []string{"ROUTE", "KIND", "REQUESTS", "RATE/S", "ERRORS", "P50 MS", "P90", "P99", "P99.9", "MAX", "GW P50", "AUTHZ P50", "DELIVERED/MISSING", "$/MILLION", "$/MONTH"}, left: 2}
	dash := func(s string) string { return strings.ReplaceAll(s, "–", "-") }
	for _, r := range rep.Results {
		row := rowFor(r)
		t.rows = append(t.rows, []string{r.Route, string(r.Kind), row.Count, row.Rate, row.Errors,
			row.P50, row.P90, row.P99, row.P999, row.Max, dash(row.Overhead), dash(row.Authorizer), row.Delivery, dash(row.PerMillion), dash(row.Monthly)})
	}
	t.write(w)
	for _, r := range rep.Results {
		if d := errorDetail(r.Errors); d != "" {
			refused := ""
			if r.Refused > 0 {
				// The service refusing the load as it documents (one purge a minute), not
				// the route failing.
				refused = fmt.Sprintf(" (%d of them refused by the service as it documents)", r.Refused)
			}
			fmt.Fprintf(w, "  %s errors: %s%s\n", r.Key(), d, refused)
		}
		if l := r.AccessLog; l != nil && l.Note != "" {
			fmt.Fprintf(w, "  %s access log: %s\n", r.Key(), l.Note)
		}
	}
	fmt.Fprintln(w, "latency from each request's intended send time (no coordinated omission); GW: API Gateway overhead from the access log;")
	fmt.Fprintln(w, "AUTHZ: the authorizer's own latency from the access log ($context.authorizer.latency; '-' without a Lambda authorizer);")
	fmt.Fprintln(w, "DELIVERED/MISSING: every 2xx, warm-up included, looked for downstream; $/MONTH at the measured rate")
	if rep.Baseline != nil {
		rep.writeBaselineTable(w)
	}
	if x := rep.Crossover; x != nil {
		if x.Found {
			fmt.Fprintf(w, "crossover: at %s requests a month per route the REST API's requests are cheaper from %s (%d bytes) on\n", fmtCount(x.MonthlyRequests), cost.FormatBytes(x.Bytes), x.Bytes)
		} else {
			fmt.Fprintf(w, "crossover: at %s requests a month per route the HTTP API stays cheaper up to the payload limit\n", fmtCount(x.MonthlyRequests))
		}
	}
	fmt.Fprintf(w, "prices: %s %s, read on %s\n", rep.Prices.Region, rep.Prices.Currency, rep.Prices.ReadOn)
	if f := rep.Failed(); len(f) > 0 {
		fmt.Fprintln(w, "FAILED:")
		for _, p := range f {
			fmt.Fprintln(w, "  "+p)
		}
	}
	return nil
}

// textTable writes columns padded to their widest cell: the first left columns aligned
// left (names), the others right (numbers).
type textTable struct {
	header []string
	rows   [][]string
	left   int
	align  string // per column 'l' or 'r'; overrides left where given
}

func (t *textTable) write(w io.Writer) { t.print(w, append([][]string{t.header}, t.rows...)) }

// writeRows writes the rows without the header.
func (t *textTable) writeRows(w io.Writer) { t.print(w, t.rows) }

func (t *textTable) print(w io.Writer, rows [][]string) {
	for _, l := range t.lines(rows) {
		fmt.Fprintln(w, l)
	}
}

// lines formats rows with every column padded to its widest cell.
func (t *textTable) lines(rows [][]string) []string {
	var width []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var out []string
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(t.align) && t.align[i] == 'l' || i >= len(t.align) && i < t.left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
