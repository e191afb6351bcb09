package cost

import (
	"math"
	"strings"
	"testing"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

const (
	kb = 1 << 10
	mb = 1 << 20
)

// near compares dollar amounts to a tenth of a cent per million dollars.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestHTTPAPIMetersEvery512KB(t *testing.T) {
	p := Default()
	tests := []struct {
		name  string
		bytes int64
		want  int64
	}{
		{"an empty request is one request", 0, 1},
		{"a small request is one request", 2 * kb, 1},
		{"exactly 512 KB is one request", 512 * kb, 1},
		{"one byte over 512 KB is two requests", 512*kb + 1, 2},
		{"a 600 KB request is two requests", 600 * kb, 2},
		{"1.5 MB is three requests", 1536 * kb, 3},
		{"10 MB is twenty requests", 10 * mb, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.HTTPAPIRequests(tt.bytes); got != tt.want {
				t.Errorf("HTTPAPIRequests(%d) = %d, want %d", tt.bytes, got, tt.want)
			}
		})
	}
}

func TestSQSAndEventBridgeBillEvery64KBChunk(t *testing.T) {
	p := Default()
	tests := []struct {
		name  string
		bytes int64
		want  int64
	}{
		{"a 1 KB message is one request", kb, 1},
		{"exactly 64 KB is one request", 64 * kb, 1},
		{"one byte over 64 KB is two requests", 64*kb + 1, 2},
		{"a 130 KB message is three requests", 130 * kb, 3},
		{"256 KB is four requests", 256 * kb, 4},
		{"1 MB, the largest message, is sixteen requests", mb, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.SQSRequests(tt.bytes); got != tt.want {
				t.Errorf("SQSRequests(%d) = %d, want %d", tt.bytes, got, tt.want)
			}
			if got := p.EventBridgeEvents(tt.bytes); got != tt.want {
				t.Errorf("EventBridgeEvents(%d) = %d, want %d", tt.bytes, got, tt.want)
			}
		})
	}
}

func TestTiersPriceEachSliceOfTheMonthAtItsOwnRate(t *testing.T) {
	p := Default()
	tests := []struct {
		name  string
		rate  Rate
		units float64
		want  float64
	}{
		// AWS's pricing-page example: 432 million HTTP API requests.
		{"HTTP API within the first tier", p.HTTPAPI.Requests, 100e6, 100 * 1.00},
		{"HTTP API 432 million: 300 M at $1.00, 132 M at $0.90", p.HTTPAPI.Requests, 432e6, 300*1.00 + 132*0.90},
		{"REST 1 million", p.RESTAPI.Requests, 1e6, 3.50},
		{"REST 1.5 billion: 333 M, 667 M, then 500 M at $2.38", p.RESTAPI.Requests, 1.5e9, 333*3.50 + 667*2.80 + 500*2.38},
		{"REST 25 billion reaches the last tier", p.RESTAPI.Requests, 25e9, 333*3.50 + 667*2.80 + 19000*2.38 + 5000*1.51},
		{"SQS 150 billion: 100 B at $0.40, 50 B at $0.30", p.SQS.Requests, 150e9, 100000*0.40 + 50000*0.30},
		{"Standard transitions: 3 million at $0.025 a thousand", p.StepFunctions.StandardTransitions, 3e6, 75},
		{"nothing costs nothing", p.RESTAPI.Requests, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rate.Cost(tt.units); !near(got, tt.want) {
				t.Errorf("Cost(%g) = %.6f, want %.6f", tt.units, got, tt.want)
			}
		})
	}
}

func TestExpressBillsDurationIn100msAndMemoryIn64MB(t *testing.T) {
	p := Default()
	tests := []struct {
		name         string
		ms, memoryMB float64
		wantGBs      float64
	}{
		{"a 20 ms run is billed 100 ms at 64 MB", 20, 50, 0.1 * 64.0 / 1024},
		{"exactly 100 ms stays 100 ms", 100, 64, 0.1 * 64.0 / 1024},
		{"150 ms is billed 200 ms", 150, 64, 0.2 * 64.0 / 1024},
		{"65 MB is billed as two 64 MB chunks", 100, 65, 0.1 * 128.0 / 1024},
		{"no duration is still one increment", 0, 0, 0.1 * 64.0 / 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.ExpressGBSeconds(tt.ms, tt.memoryMB); !near(got, tt.wantGBs) {
				t.Errorf("ExpressGBSeconds(%g, %g) = %g, want %g", tt.ms, tt.memoryMB, got, tt.wantGBs)
			}
		})
	}
}

func TestLambdaBillsMemoryTimesDurationRoundedUpToAMillisecond(t *testing.T) {
	p := Default()
	tests := []struct {
		name         string
		ms, memoryMB float64
		wantGBs      float64
	}{
		{"5 ms at 128 MB", 5, 128, 0.005 * 0.125},
		{"1.2 ms is billed 2 ms", 1.2, 128, 0.002 * 0.125},
		{"1 s at 1 GB is one GB-second", 1000, 1024, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.LambdaGBSeconds(tt.ms, tt.memoryMB); !near(got, tt.wantGBs) {
				t.Errorf("LambdaGBSeconds(%g, %g) = %g, want %g", tt.ms, tt.memoryMB, got, tt.wantGBs)
			}
		})
	}
}

// lineCost finds an estimate's line by item.
func lineCost(t *testing.T, e Estimate, item string) Line {
	t.Helper()
	for _, l := range e.Lines {
		if l.Item == item {
			return l
		}
	}
	t.Fatalf("%s/%s: no line %q in %+v", e.Route, e.Kind, item, e.Lines)
	return Line{}
}

func TestEstimateWorkedExamples(t *testing.T) {
	p := Default()
	w := DefaultWorkload()
	w.MonthlyRequests = 1e6
	w.AccessLogBytes = map[contract.Kind]float64{contract.HTTP: 500, contract.REST: 500}
	logs := 1e6 * 500 / GB * 0.50

	t.Run("a 130 KB message through the HTTP API", func(t *testing.T) {
		w := w
		w.PayloadBytes = 130 * kb
		e := p.Estimate(routes.SendToQueueRoute, contract.HTTP, w)
		if l := lineCost(t, e, "HTTP API requests"); l.Quantity != 1e6 || !near(l.Monthly, 1.00) {
			t.Errorf("API line = %+v, want 1 M metered requests for $1.00", l)
		}
		if l := lineCost(t, e, "SQS SendMessage"); l.Quantity != 3e6 || !near(l.Monthly, 1.20) {
			t.Errorf("SQS line = %+v, want 3 M requests for $1.20", l)
		}
		if !near(e.Monthly, 1.00+1.20+logs) || !near(e.PerMillion, e.Monthly) {
			t.Errorf("monthly = %.6f, per million = %.6f, want %.6f", e.Monthly, e.PerMillion, 1.00+1.20+logs)
		}
	})
	t.Run("a 600 KB message costs two HTTP API requests and one REST request", func(t *testing.T) {
		w := w
		w.PayloadBytes = 600 * kb
		h := p.Estimate(routes.SendToQueueRoute, contract.HTTP, w)
		r := p.Estimate(routes.SendToQueueRoute, contract.REST, w)
		if !near(h.API, 2.00) || !near(r.API, 3.50) {
			t.Errorf("API: HTTP $%.4f, REST $%.4f; want $2.00 and $3.50", h.API, r.API)
		}
		if !near(h.Target, 10*0.40) || !near(h.Target, r.Target) {
			t.Errorf("target: HTTP $%.4f, REST $%.4f; want ten 64 KB chunks, $4.00, on both", h.Target, r.Target)
		}
	})
	t.Run("the standard workflow bills three transitions an execution", func(t *testing.T) {
		e := p.Estimate(routes.StartWorkflowRoute, contract.REST, w)
		if l := lineCost(t, e, "Step Functions Standard transitions"); l.Quantity != 3e6 || !near(l.Monthly, 75) {
			t.Errorf("line = %+v, want 3 M transitions for $75", l)
		}
	})
	t.Run("a stop bills no state transition: only its API Gateway request", func(t *testing.T) {
		for _, kind := range contract.Kinds {
			e := p.Estimate(routes.StopWorkflowRoute, kind, w)
			start := p.Estimate(routes.StartWorkflowRoute, kind, w)
			if l := lineCost(t, e, "Step Functions StopExecution"); l.Quantity != 1e6 || l.Monthly != 0 || e.Target != 0 {
				t.Errorf("%s: line %+v, target $%.4f; want 1 M stops for $0", kind, l, e.Target)
			}
			if !near(e.API, start.API) || e.API <= 0 {
				t.Errorf("%s: API $%.4f, want the same request charge as a start, $%.4f", kind, e.API, start.API)
			}
		}
	})
	t.Run("a receive, a delete and a purge are one SQS request each, whatever the request's size", func(t *testing.T) {
		w := w
		w.PayloadBytes = 130 * kb // the DELETEs' bodies are not sent on to SQS
		for _, tt := range []struct {
			route spec.Route
			line  string
		}{
			{routes.ReceiveJobsRoute, "SQS ReceiveMessage"},
			{routes.DeleteJobRoute, "SQS DeleteMessage"},
			{routes.PurgeScratchRoute, "SQS PurgeQueue"},
		} {
			for _, kind := range contract.Kinds {
				e := p.Estimate(tt.route, kind, w)
				if l := lineCost(t, e, tt.line); l.Quantity != 1e6 || !near(l.Monthly, 0.40) || !near(e.Target, 0.40) {
					t.Errorf("%s %s: line %+v, target $%.4f; want 1 M requests for $0.40", tt.route.Name, kind, l, e.Target)
				}
			}
		}
	})
	t.Run("the express workflow bills requests and rounded GB-seconds", func(t *testing.T) {
		w := w
		w.ExpressDurationMs, w.ExpressMemoryMB = 150, 64
		e := p.Estimate(routes.RunExpressWorkflowRoute, contract.HTTP, w)
		want := 1.00 + 1e6*0.2*0.0625*0.00001667
		if !near(e.Target, want) {
			t.Errorf("target = $%.6f, want $%.6f (1 M requests + 1 M × 0.2 s × 0.0625 GB)", e.Target, want)
		}
	})
	t.Run("the greeting bills Lambda requests, GB-seconds and its platform log lines", func(t *testing.T) {
		w := w
		w.PayloadBytes = 5 * mb // a GET has no body: ignored
		e := p.Estimate(routes.GreetingRoute, contract.HTTP, w)
		if e.PayloadBytes != 0 || e.Infeasible != "" {
			t.Errorf("payload = %d, infeasible = %q; a GET sends no body", e.PayloadBytes, e.Infeasible)
		}
		want := 0.20 + 1e6*0.005*0.125*0.0000133334
		if !near(e.Target, want) {
			t.Errorf("target = $%.6f, want $%.6f", e.Target, want)
		}
		if l := lineCost(t, e, "Lambda log ingestion"); !near(l.Monthly, 1e6*250/GB*0.50) {
			t.Errorf("lambda logs = %+v", l)
		}
	})
	t.Run("an event pays the bus, the archive and the audit queue", func(t *testing.T) {
		w := w
		w.PayloadBytes = 64 * kb // the entry adds source and detail type: two chunks
		e := p.Estimate(routes.PutEventRoute, contract.HTTP, w)
		if l := lineCost(t, e, "EventBridge custom events"); l.Quantity != 2e6 || !near(l.Monthly, 2.00) {
			t.Errorf("events line = %+v, want 2 M events for $2.00", l)
		}
		if l := lineCost(t, e, "audit queue (SQS) delivery"); l.Quantity != 2e6 {
			t.Errorf("audit line = %+v, want two SQS requests an envelope", l)
		}
		env := float64(EventEnvelopeBytes(routes.PutEventRoute, 64*kb))
		if l := lineCost(t, e, "EventBridge archive"); !near(l.Monthly, 1e6*env/GB*0.10) {
			t.Errorf("archive line = %+v", l)
		}
	})
}

func TestEstimateSaysWhichLimitAPayloadIsOver(t *testing.T) {
	p := Default()
	w := DefaultWorkload()
	w.MonthlyRequests = 1e6
	tests := []struct {
		route spec.Route
		size  int64
		want  string
	}{
		{routes.SendToQueueRoute, 2 * mb, "2 MB is over the SQS message limit of 1 MB"},
		{routes.StartWorkflowRoute, 300 * kb, "over the Step Functions input limit of 256 KB"},
		{routes.PutEventRoute, 11 * mb, "over the HTTP API payload limit of 10 MB"},
		{routes.SendToQueueRoute, mb, ""},
	}
	for _, tt := range tests {
		t.Run(tt.route.Name+" "+FormatBytes(tt.size), func(t *testing.T) {
			w := w
			w.PayloadBytes = tt.size
			e := p.Estimate(tt.route, contract.HTTP, w)
			if (tt.want == "") != (e.Infeasible == "") || !strings.Contains(e.Infeasible, tt.want) {
				t.Errorf("infeasible = %q, want it to contain %q", e.Infeasible, tt.want)
			}
		})
	}
}

func TestEveryRouteIsPricedOnBothKinds(t *testing.T) {
	p := Default()
	w := DefaultWorkload()
	w.MonthlyRequests = 1e6
	w.PayloadBytes = kb
	for _, r := range routes.Routes {
		for _, k := range contract.Kinds {
			e := p.Estimate(r, k, w)
			// A call the service does not bill (a StopExecution) is priced by a rule too:
			// its line says so, at $0.
			unbilled := false
			for _, l := range e.Lines {
				unbilled = unbilled || (l.Monthly == 0 && strings.HasPrefix(l.Rule, "not billed: "))
			}
			if e.API <= 0 || (e.Target <= 0 && !unbilled) || e.Logs <= 0 || e.Infeasible != "" {
				t.Errorf("%s/%s: api $%g, target $%g, logs $%g; every route must price its API, target and logs (add the target's rule to Estimate)", r.Name, k, e.API, e.Target, e.Logs)
			}
		}
	}
}

func TestCrossoverMovesDownAsVolumeTiersKickIn(t *testing.T) {
	p := Default()
	tests := []struct {
		name    string
		monthly float64
		want    int64
	}{
		// REST $3.50 vs HTTP 3 × $1.00 at 1.5 MB, 4 × $1.00 above it.
		{"at a million a month the REST API wins above 1.5 MB", 1e6, 1536*kb + 1},
		// REST 333 M × 3.50 + 667 M × 2.80 = $3,033.10; HTTP k × 1 B metered = $30 + $900 k.
		{"at a billion a month still above 1.5 MB", 1e9, 1536*kb + 1},
		// REST $3,033.10 + 9 B × 2.38 = $24,453.10; HTTP $30 + $9,000 k: k = 3 costs more.
		{"at ten billion a month above 1 MB", 10e9, mb + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Crossover(tt.monthly)
			if !ok || got != tt.want {
				t.Errorf("Crossover(%g) = %d, %v; want %d", tt.monthly, got, ok, tt.want)
			}
		})
	}
	t.Run("no crossover when the HTTP API stays cheaper to the payload limit", func(t *testing.T) {
		q := Default()
		q.RESTAPI.Requests = Rate{Unit: "request", Per: 1e6, Tiers: []Tier{{Price: 100}}}
		if got, ok := q.Crossover(1e6); ok {
			t.Errorf("Crossover = %d, want none", got)
		}
	})
}

func TestLoadRejectsPriceFilesThatWouldMisprice(t *testing.T) {
	good := string(DefaultPricesJSON())
	tests := []struct {
		name, from, to, want string
	}{
		{"a misspelt key", `"chunkBytes": 65536,`, `"chunkSize": 65536,`, `unknown field "chunkSize"`},
		{"tiers out of order", `{"upTo": 1000000000, "price": 2.80}`, `{"upTo": 100, "price": 2.80}`, "restApi.requests: tier 2: upTo 100 must be above"},
		{"a bounded last tier", `{"price": 0.90}`, `{"upTo": 5, "price": 0.90}`, "httpApi.requests: the last tier must have no upTo"},
		{"a missing source", `"source": "https://aws.amazon.com/sqs/pricing/",`, ``, "sqs: give the source URL"},
		{"a zero increment", `"meterIncrementBytes": 524288,`, `"meterIncrementBytes": 0,`, "httpApi.meterIncrementBytes must be > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.from) {
				t.Fatalf("prices.json no longer contains %q; update the test", tt.from)
			}
			_, err := Load(strings.NewReader(strings.Replace(good, tt.from, tt.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEmbeddedPricesNameTheirSourceAndDate(t *testing.T) {
	for _, s := range Default().Sources() {
		if !strings.HasPrefix(s.Source.Source, "https://aws.amazon.com/") || len(s.AsOf) != len("2006-01-02") {
			t.Errorf("%s: source %q, asOf %q; want an aws.amazon.com pricing page and a date", s.Service, s.Source.Source, s.AsOf)
		}
	}
}

func TestMonthlyRequestsUsesAWSs730HourMonth(t *testing.T) {
	if got := MonthlyRequests(10); got != 26_280_000 {
		t.Errorf("MonthlyRequests(10) = %g, want 26,280,000", got)
	}
}

func TestLoadRunCostPricesTheWorkersTheMachineAndTheResults(t *testing.T) {
	p := Default()
	// 4 workers × 60 s × 1769 MB.
	gbs := 4 * 60 * 1769.0 / 1024
	lines := p.LoadRunCost(4, gbs, 6, 4, 4)
	want := map[string]float64{
		"Lambda requests (the workers' invocations)": 4 * 0.20 / 1e6,
		"Lambda arm64 duration":                      gbs * 0.0000133334,
		"Step Functions standard state transitions":  6 * 0.025 / 1000,
		"S3 PUT of the workers' results":             4 * 0.005 / 1000,
		"S3 GET of the workers' results":             4 * 0.0004 / 1000,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(lines), len(want), lines)
	}
	for _, l := range lines {
		if w, ok := want[l.Name]; !ok || math.Abs(l.Cost-w) > 1e-12 {
			t.Errorf("%s = %g, want %g", l.Name, l.Cost, w)
		}
	}
	var noS3 Prices = p
	noS3.S3.PutRequests.Tiers, noS3.S3.GetRequests.Tiers = nil, nil
	if n := len(noS3.LoadRunCost(1, 1, 3, 1, 1)); n != 3 {
		t.Errorf("a price file without s3: %d lines, want the 3 it can price", n)
	}
}
