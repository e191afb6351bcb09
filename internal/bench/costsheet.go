package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

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
	// Auth is the auth mode priced; Cognito the stack's client-credentials cost a month
	// (jwt and lambda modes), which does not grow with requests.
	Auth    string       `json:"auth,omitempty"`
	Cognito *CognitoCost `json:"cognito,omitempty"`
}

// CognitoCost is the client-credentials flow's monthly cost: one app client fetching a
// token once per token lifetime.
type CognitoCost struct {
	AppClients           float64 `json:"appClients"`
	TokenLifetimeSeconds float64 `json:"tokenLifetimeSeconds"`
	TokenRequests        float64 `json:"tokenRequests"`
	Monthly              float64 `json:"monthly"`
}

// SheetAuth is how the routes of a cost sheet are authorized.
type SheetAuth struct {
	Workload      cost.AuthWorkload
	TokenLifetime time.Duration // of the access tokens (jwt, lambda): the stack's 1 hour
}

// NewCostSheet prices routes on both API kinds at monthly requests a month each, with
// requests of payload bytes (nil: each route's sample body).
func NewCostSheet(p cost.Prices, rs []spec.Route, monthly float64, payload *int64, auth SheetAuth) *CostSheet {
	s := &CostSheet{RatePerSecond: monthly / (cost.HoursPerMonth * 3600), MonthlyRequests: monthly, PayloadBytes: payload, Prices: priceInfo(p), Notes: p.Notes}
	if m := auth.Workload.Mode; m != "" && m != "none" {
		s.Auth = m
		if m != "iam" {
			tokens, monthly := p.CognitoM2MMonthly(1, auth.TokenLifetime)
			s.Cognito = &CognitoCost{AppClients: 1, TokenLifetimeSeconds: auth.TokenLifetime.Seconds(), TokenRequests: tokens, Monthly: monthly}
		}
	}
	for _, r := range rs {
		w := cost.DefaultWorkload()
		w.Auth = auth.Workload
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
	if s.Auth != "" {
		fmt.Fprintf(w, "auth mode %s\n\n", s.Auth)
	}
	t := textTable{header: []string{"ROUTE", "KIND", "BODY", "API", "AUTH", "TARGET", "LOGS", "$/MONTH", "$/MILLION", ""}, left: 2}
	for _, e := range s.Estimates {
		note := ""
		if e.Infeasible != "" {
			note = "infeasible: " + e.Infeasible
		}
		t.rows = append(t.rows, []string{e.Route, string(e.Kind), cost.FormatBytes(e.PayloadBytes), dollars(e.API), dollars(e.Auth), dollars(e.Target), dollars(e.Logs), dollars(e.Monthly), dollars(e.PerMillion), note})
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
	if c := s.Cognito; c != nil {
		fmt.Fprintf(w, "Cognito client credentials, for the stack: %s app client fetching a token every %s: %s token requests, %s a month\n",
			trimFloat(c.AppClients), time.Duration(c.TokenLifetimeSeconds)*time.Second, fmtCount(c.TokenRequests), dollars(c.Monthly))
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
