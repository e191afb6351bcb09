package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/routes"
)

func TestCostPricesARouteOnBothKinds(t *testing.T) {
	code, stdout, stderr := runCLI(t, "cost", "--rate", "100", "--payload-size", "1MB", "--route", "SendToQueue")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"262,800,000 requests a month on each route (100/s), 1 MB requests; us-east-1 USD prices read on 2026-11-23",
		"SendToQueue  http  1 MB", "SendToQueue  rest  1 MB",
		"SendToQueue on the HTTP API:", "SendToQueue on the REST API:",
		"525,600,000 metered request", "2 per request: ceil(1 MB / 512 KB)", "16 per message: ceil(1 MB / 64 KB)",
		"from 1.50 MB (1572865 bytes) on", "https://aws.amazon.com/sqs/pricing/ (as of 2026-11-23)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// The JSON numbers are internal/cost's estimates, line for line.
func TestCostJSONIsInternalCostsEstimates(t *testing.T) {
	code, stdout, stderr := runCLI(t, "cost", "--monthly-requests", "5e8", "--payload-size", "600KB", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sheet bench.CostSheet
	if err := json.Unmarshal([]byte(stdout), &sheet); err != nil {
		t.Fatal(err)
	}
	p := cost.Default()
	w := cost.DefaultWorkload()
	w.MonthlyRequests, w.PayloadBytes = 5e8, 600<<10
	if len(sheet.Estimates) != 2*len(routes.Routes) {
		t.Fatalf("%d estimates", len(sheet.Estimates))
	}
	for i, r := range routes.Routes {
		for j, k := range contract.Kinds {
			if got, want := sheet.Estimates[2*i+j], p.Estimate(r, k, w); !reflect.DeepEqual(got, want) {
				t.Errorf("%s/%s:\n got %+v\nwant %+v", r.Name, k, got, want)
			}
		}
	}
	if b, ok := p.Crossover(5e8); sheet.Crossover.Bytes != b || sheet.Crossover.Found != ok {
		t.Errorf("crossover %+v", sheet.Crossover)
	}
	if sheet.Prices.ReadOn != "2026-11-23" || len(sheet.Prices.Sources) != 9 {
		t.Errorf("prices %+v", sheet.Prices)
	}
}

func TestCostReadsAnotherPriceFile(t *testing.T) {
	prices := strings.Replace(string(cost.DefaultPricesJSON()), `{"upTo": 333000000, "price": 3.50}`, `{"upTo": 333000000, "price": 35.00}`, 1)
	if prices == string(cost.DefaultPricesJSON()) {
		t.Fatal("prices.json no longer has the REST API's first tier as the test expects; update the test")
	}
	path := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(path, []byte(prices), 0o644)
	code, stdout, stderr := runCLI(t, "cost", "--monthly-requests", "1e6", "--route", "Greeting", "--prices", path, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sheet bench.CostSheet
	json.Unmarshal([]byte(stdout), &sheet)
	if sheet.Estimates[1].Kind != contract.REST || sheet.Estimates[1].API != 35 {
		t.Errorf("REST API cost with the replaced price: %+v", sheet.Estimates[1])
	}
	os.WriteFile(path, []byte(`{"region": 1}`), 0o644)
	if code, _, stderr := runCLI(t, "cost", "--rate", "1", "--prices", path); code != 1 || !strings.Contains(stderr, "--prices: prices "+path) {
		t.Errorf("a bad price file: exit %d, %s", code, stderr)
	}
}

func TestCostFlagErrorsSayWhatIsWrong(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "give --rate R (requests a second) or --monthly-requests N (requests a month) on each route"},
		{[]string{"--rate", "1", "--monthly-requests", "5"}, "--rate and --monthly-requests: give one"},
		{[]string{"--rate", "-3"}, "--rate -3: give a positive number of requests a second, like --rate 100"},
		{[]string{"--monthly-requests", "0"}, "--monthly-requests 0: give a positive number, like --monthly-requests 1e9"},
		{[]string{"--rate", "1", "--payload-size", "big"}, `"big": give bytes or a size like 512KB or 1MB`},
		{[]string{"--rate", "1", "--route", "Queue"}, `--route: no route "Queue"; the routes are SendToQueue, ReceiveJobs, DeleteJob, PurgeScratch, PutEvent`},
		{[]string{"--rate", "1", "extra"}, `unexpected argument "extra": cost takes flags only`},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, append([]string{"cost"}, tt.args...)...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("cost %v: exit %d, stderr %q; want %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestCostPrintsThePriceFile(t *testing.T) {
	code, stdout, _ := runCLI(t, "cost", "--print-prices")
	if _, err := cost.Load(strings.NewReader(stdout)); code != 0 || err != nil {
		t.Errorf("exit %d; the printed prices do not load back: %v", code, err)
	}
}
