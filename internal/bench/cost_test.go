package bench

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// The bench prices what it measured with internal/cost: the achieved rate, the mean body, and
// the express executions' billed duration and memory and the access log's line size where it
// read them. It computes no price itself.
func TestResultCostIsInternalCostsEstimateOfTheMeasuredWorkload(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	r := &Result{Route: "RunExpressWorkflow", Kind: contract.REST, Windows: []Window{{t0, t0.Add(10 * time.Second)}},
		Requests: 500, SentInWindow: 500, BytesOut: 500 * 1000,
		Express:   &ExpressBilling{Executions: 400, BilledMs: 400 * 200, BilledMemMB: 400 * 64},
		AccessLog: &AccessLogStats{Lines: 500, Bytes: 500 * 400}}
	p := cost.Default()
	r.derive(Pricing{Prices: p, Routes: routes.Routes})
	w := cost.DefaultWorkload()
	w.MonthlyRequests = cost.MonthlyRequests(50)
	w.PayloadBytes = 1000
	w.ExpressDurationMs, w.ExpressMemoryMB = 200, 64
	w.AccessLogBytes = map[contract.Kind]float64{contract.REST: 400}
	want := p.Estimate(routes.RunExpressWorkflowRoute, contract.REST, w)
	if !reflect.DeepEqual(*r.Summary.Cost, want) {
		t.Errorf("cost =\n%+v\nwant internal/cost's estimate\n%+v", *r.Summary.Cost, want)
	}
	if r.Summary.Rate != 50 || r.Summary.PayloadBytes != 1000 {
		t.Errorf("rate %g, payload %d", r.Summary.Rate, r.Summary.PayloadBytes)
	}
}

func TestCostSheetPricesEveryRouteOnBothKindsWithInternalCost(t *testing.T) {
	p := cost.Default()
	size := int64(2 << 20)
	s := NewCostSheet(p, routes.Routes, 1e6, &size, SheetAuth{})
	if len(s.Estimates) != 2*len(routes.Routes) {
		t.Fatalf("%d estimates", len(s.Estimates))
	}
	w := cost.DefaultWorkload()
	w.MonthlyRequests, w.PayloadBytes = 1e6, size
	for i, r := range routes.Routes {
		for j, k := range contract.Kinds {
			if got, want := s.Estimates[2*i+j], p.Estimate(r, k, w); !reflect.DeepEqual(got, want) {
				t.Errorf("%s/%s: %+v, want %+v", r.Name, k, got, want)
			}
		}
	}
	b, ok := p.Crossover(1e6)
	if s.Crossover.Bytes != b || s.Crossover.Found != ok || !ok {
		t.Errorf("crossover %+v, want %d", s.Crossover, b)
	}
	// The worked example: at a million 2 MB requests a month the HTTP API meters 4 requests
	// each ($4.00 a million) against the REST API's $3.50.
	if e := s.Estimates[0]; e.Route != "SendToQueue" || e.Kind != contract.HTTP || e.API != 4.00 {
		t.Errorf("SendToQueue/http API cost $%g, want $4.00", e.API)
	}
	if e := s.Estimates[1]; e.API != 3.50 {
		t.Errorf("SendToQueue/rest API cost $%g, want $3.50", e.API)
	}

	var text bytes.Buffer
	s.WriteText(&text)
	for _, want := range []string{"1,000,000 requests a month", "2 MB requests", "SendToQueue on the HTTP API:", "HTTP API requests", "4,000,000 metered request", "$4.00",
		"crossover: at 1,000,000 requests a month the HTTP API's requests cost more than the REST API's from 1.50 MB (1572865 bytes) on",
		"https://aws.amazon.com/api-gateway/pricing/ (as of 2026-11-23)", "infeasible: 2 MB is over the SQS message limit of 1 MB"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	s.WriteJSON(&js)
	var back CostSheet
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Estimates) != len(s.Estimates) || back.Prices.ReadOn != "2026-11-23" {
		t.Errorf("json: %v", err)
	}
}

func TestCostSheetDefaultsToEachRoutesSampleBody(t *testing.T) {
	s := NewCostSheet(cost.Default(), []spec.Route{routes.SendToQueueRoute, routes.GreetingRoute}, 1e6, nil, SheetAuth{})
	if s.Estimates[0].PayloadBytes != int64(len(routes.SendToQueueRoute.Sample.Body)) || s.Estimates[2].PayloadBytes != 0 {
		t.Errorf("payloads %d, %d", s.Estimates[0].PayloadBytes, s.Estimates[2].PayloadBytes)
	}
	if got := s.RatePerSecond; got < 0.38 || got > 0.381 {
		t.Errorf("rate %g/s for a million a month", got)
	}
}

// The HTML report fetches nothing: no script, stylesheet, image, font or frame from anywhere;
// its only URLs are the links to the price pages.
func TestHTMLReportIsSelfContained(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	res := record(t, t0, 2*time.Second, samples(200, 4))
	res.Delivery = &Delivery{Method: viaQueue, Checked: true, Accepted: 200, Delivered: 199, Missing: 1, MissingIDs: []string{"golden-SendToQueue-http-000000004"}}
	rep := reportOf("html", t0, res)
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(http", "src="} {
		if strings.Contains(html, bad) {
			t.Errorf("the report contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`(?:href|xlink:href)="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if !strings.HasPrefix(m[1], "https://aws.amazon.com/") {
			t.Errorf("link to %s", m[1])
		}
	}
	for _, want := range []string{"<svg", "latency (ms)", "percentile", "responses / s", "$ per million requests", "request size (MB",
		"crossover", "2026-11-23", "Failed", "golden-SendToQueue-http-000000004", "open: 100 req/s"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
