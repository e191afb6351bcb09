package bench

import (
	"encoding/json"
	"fmt"
	"io"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/spec"
)

// CostSheet is `firstclass cost`'s answer: each route priced on each API kind for one
// workload, by internal/cost's rules and prices.
type CostSheet struct {
	RatePerSecond   float64 `json:"ratePerSecond"`
	MonthlyRequests float64 `json:"monthlyRequests"`
	// PayloadBytes is the request size priced; nil means each route's sample body.
	PayloadBytes *int64          `json:"payloadBytes"`
	Estimates    []cost.Estimate `json:"estimates"`
	Crossover    Crossover       `json:"crossover"`
	Prices       PriceInfo       `json:"prices"`
	Notes        []string        `json:"notes,omitempty"`
}

// NewCostSheet prices routes on both API kinds at monthly requests a month each, with
// requests of payload bytes (nil: each route's sample body).
func NewCostSheet(p cost.Prices, rs []spec.Route, monthly float64, payload *int64) *CostSheet {
	s := &CostSheet{RatePerSecond: monthly / (cost.HoursPerMonth * 3600), MonthlyRequests: monthly, PayloadBytes: payload, Prices: priceInfo(p), Notes: p.Notes}
	for _, r := range rs {
		w := cost.DefaultWorkload()
		w.MonthlyRequests = monthly
		if payload != nil {
			w.PayloadBytes = *payload
		} else {
			w.PayloadBytes = int64(len(r.Sample.Body))
		}
		for _, k := range contract.Kinds {
			s.Estimates = append(s.Estimates, p.Estimate(r, k, w))
		}
	}
	b, ok := p.Crossover(monthly)
	s.Crossover = Crossover{MonthlyRequests: monthly, Bytes: b, Found: ok}
	return s
}

// WriteJSON writes the sheet as JSON.
func (s *CostSheet) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteText writes the sheet for a terminal: a table, each estimate's line items, the
// crossover and where the prices come from.
func (s *CostSheet) WriteText(w io.Writer) error {
	size := "each route's sample body"
	if s.PayloadBytes != nil {
		size = cost.FormatBytes(*s.PayloadBytes) + " requests"
	}
	fmt.Fprintf(w, "%s requests a month on each route (%s/s), %s; %s %s prices read on %s\n\n",
		fmtCount(s.MonthlyRequests), trimFloat(s.RatePerSecond), size, s.Prices.Region, s.Prices.Currency, s.Prices.ReadOn)
	t := textTable{header: []string{"ROUTE", "KIND", "BODY", "API", "TARGET", "LOGS", "$/MONTH", "$/MILLION", ""}, left: 2}
	for _, e := range s.Estimates {
		note := ""
		if e.Infeasible != "" {
			note = "infeasible: " + e.Infeasible
		}
		t.rows = append(t.rows, []string{e.Route, string(e.Kind), cost.FormatBytes(e.PayloadBytes), dollars(e.API), dollars(e.Target), dollars(e.Logs), dollars(e.Monthly), dollars(e.PerMillion), note})
	}
	t.write(w)
	fmt.Fprintln(w)
	// Every estimate's line items in one table, so the columns line up across routes.
	lt := textTable{align: "lrrl"}
	var starts []int
	for _, e := range s.Estimates {
		starts = append(starts, len(lt.rows))
		for _, l := range e.Lines {
			lt.rows = append(lt.rows, []string{"  " + l.Item, trimFloat(l.Quantity) + " " + l.Unit, dollars(l.Monthly), l.Rule})
		}
	}
	lines := lt.lines(lt.rows)
	for i, e := range s.Estimates {
		fmt.Fprintf(w, "%s on the %s:\n", e.Route, kindName(e.Kind))
		end := len(lines)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		for _, l := range lines[starts[i]:end] {
			fmt.Fprintln(w, l)
		}
	}
	fmt.Fprintln(w)
	if s.Crossover.Found {
		fmt.Fprintf(w, "crossover: at %s requests a month the HTTP API's requests cost more than the REST API's from %s (%d bytes) on; below that the HTTP API is cheaper\n",
			fmtCount(s.MonthlyRequests), cost.FormatBytes(s.Crossover.Bytes), s.Crossover.Bytes)
	} else {
		fmt.Fprintf(w, "crossover: none; at %s requests a month the HTTP API's requests stay cheaper up to the payload limit\n", fmtCount(s.MonthlyRequests))
	}
	fmt.Fprintln(w, "\nprices:")
	for _, src := range s.Prices.Sources {
		fmt.Fprintf(w, "  %-22s %s (as of %s)\n", src.Service, src.Source.Source, src.AsOf)
	}
	for _, n := range s.Notes {
		fmt.Fprintln(w, "  note: "+n)
	}
	return nil
}

func trimFloat(v float64) string {
	if v >= 1000 {
		return fmtCount(v)
	}
	return fmt.Sprintf("%.4g", v)
}
