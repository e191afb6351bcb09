package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// tokenService is a downstream service whose items each request consumes: it issues tokens
// (what prepare makes, as SQS issues receipt handles) and answers a request 200 the first
// time it presents a token it issued, 404 for an unknown one, as DeleteMessage would.
type tokenService struct {
	mu       sync.Mutex
	issued   map[string]bool
	consumed map[string]bool
	lose     string // a token whose consumption the service answers 200 and forgets
	// expiresIn, when set, is how long after preparing the tokens stop being good.
	expiresIn time.Duration
	served    atomic.Int64 // requests answered
}

func (s *tokenService) issue(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued[tok] = true
}

func (s *tokenService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.served.Add(1)
	tok := r.Header.Get("X-Token")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.issued[tok]:
		http.Error(w, "unknown token "+tok, http.StatusNotFound)
		return
	case tok != s.lose:
		s.consumed[tok] = true
	}
	fmt.Fprintf(w, `{"consumed":%q}`, tok)
}

// tokenState is what the test probe's prepare hands its find and observe.
type tokenState struct {
	svc      *tokenService
	tokens   []string // by seq
	observed atomic.Int64
}

const testPreparedProbe = "test-prepared"

// withTokenProbe registers a probe that prepares one token per request and checks that
// every accepted request consumed its own.
func withTokenProbe(t *testing.T, svc *tokenService, calls *[]preparation) {
	t.Helper()
	var mu sync.Mutex
	probes[testPreparedProbe] = probe{
		via: "tokens consumed",
		prepare: func(_ context.Context, p preparation) (*Prepared, error) {
			mu.Lock()
			*calls = append(*calls, p)
			mu.Unlock()
			st := &tokenState{svc: svc}
			in := make([]Input, p.n)
			for seq := range in {
				tok := "tok-" + p.ID(uint64(seq))
				svc.issue(tok)
				st.tokens = append(st.tokens, tok)
				in[seq] = Input{Header: http.Header{"X-Token": {tok}}}
			}
			pr := &Prepared{Inputs: in, State: st, Note: fmt.Sprintf("%d tokens issued", p.n)}
			if svc.expiresIn > 0 {
				pr.Lasts = time.Now().Add(svc.expiresIn)
			}
			return pr, nil
		},
		observe: func(state any, id ID, r *vegeta.Result) {
			st := state.(*tokenState)
			if strings.Contains(string(r.Body), st.tokens[id.Seq]) {
				st.observed.Add(1)
			}
		},
		find: func(_ context.Context, l lookup) (*seenSet, error) {
			seen := newSeenSet()
			for kind, state := range l.prepared {
				st := state.(*tokenState)
				st.svc.mu.Lock()
				for seq, tok := range st.tokens {
					if st.svc.consumed[tok] {
						seen.add(ID{Run: l.run, Route: l.route, Kind: kind, Seq: uint64(seq)}, l.accepted)
					}
				}
				st.svc.mu.Unlock()
			}
			return seen, nil
		},
	}
	t.Cleanup(func() { delete(probes, testPreparedProbe) })
}

var consumeRoute = spec.Route{Name: "Consume", Method: "DELETE", Path: "/consume", Delivery: spec.Delivery{Probe: testPreparedProbe}}

func tokenOutputs(url string) contract.Outputs {
	return contract.Outputs{
		contract.APIURLOutput(contract.HTTP, DefaultStage): url + "/http/",
		contract.APIURLOutput(contract.REST, DefaultStage): url + "/rest/",
	}
}

// Each request of a prepared route carries the input prepared for its own seq, prepare is
// told how many requests the schedule sends, the check reads what was prepared, and an
// accepted request whose effect is absent downstream is missing.
func TestPreparedInputsReachTheirRequestsAndTheCheck(t *testing.T) {
	svc := &tokenService{issued: map[string]bool{}, consumed: map[string]bool{}, lose: "tok-prep-Consume-rest-000000007"}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	var calls []preparation
	withTokenProbe(t, svc, &calls)
	aws := aws.Config{}
	rep, err := Run(context.Background(), Config{
		Outputs: tokenOutputs(srv.URL), Routes: []spec.Route{consumeRoute}, Rate: 50,
		Warmup: 100 * time.Millisecond, Duration: 400 * time.Millisecond, RunID: "prep", AWS: &aws,
		DeliveryTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("prepare called %d times, want once per API kind", len(calls))
	}
	for _, c := range calls {
		if c.n != 25 || c.route.Name != "Consume" || c.run != "prep" { // 50/s over 0.5 s
			t.Errorf("prepare(%s, %s, n=%d, run %s), want Consume, n=25, run prep", c.route.Name, c.kind, c.n, c.run)
		}
	}
	for _, k := range contract.Kinds {
		res := rep.Result("Consume", k)
		if res.OK != 20 || len(res.Errors) != 0 {
			t.Errorf("%s: ok %d, errors %v; want every measured request 2xx (each had an issued token)", k, res.OK, res.Errors)
		}
		d := res.Delivery
		wantMissing := uint64(0)
		if k == contract.REST {
			wantMissing = 1
		}
		if d == nil || !d.Checked || d.Accepted != 25 || d.Missing != wantMissing {
			t.Fatalf("%s: delivery %+v, want 25 accepted and %d missing", k, d, wantMissing)
		}
		if k == contract.REST && (len(d.MissingIDs) != 1 || d.MissingIDs[0] != "prep-Consume-rest-000000007") {
			t.Errorf("missing ids %v, want the request whose token the service forgot", d.MissingIDs)
		}
	}
	f := rep.Failed()
	if len(f) != 1 || !strings.Contains(f[0], "Consume/rest: 1 of 25") {
		t.Errorf("failed = %q, want the one lost consumption", f)
	}
}

// Inputs that stop being good before the schedule's last request would make that request
// count as missing: the run is refused before any request goes out, saying by how much.
func TestPreparedInputsThatExpireBeforeTheLastRequestRefuseTheRun(t *testing.T) {
	svc := &tokenService{issued: map[string]bool{}, consumed: map[string]bool{}, expiresIn: 100 * time.Millisecond}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	var calls []preparation
	withTokenProbe(t, svc, &calls)
	aws := aws.Config{}
	_, err := Run(context.Background(), Config{
		Outputs: tokenOutputs(srv.URL), Routes: []spec.Route{consumeRoute}, Rate: 50,
		Duration: 2 * time.Second, RunID: "prep", AWS: &aws, DeliveryTimeout: time.Second,
	})
	if err == nil || !strings.Contains(err.Error(), "Consume/http: what was prepared for its requests lasts until") ||
		!strings.Contains(err.Error(), "Consume/rest") || !strings.Contains(err.Error(), "s at least") {
		t.Fatalf("err = %v, want both kinds refused, saying by how much to shorten the run", err)
	}
	if n := svc.served.Load(); n != 0 {
		t.Errorf("%d requests served before the refusal, want none", n)
	}
}

// A prepared route cannot go where its inputs cannot be made for its requests, and the
// error says which route and where to load it.
func TestConfigCheckRefusesPreparedRoutesWhereTheyCannotBePrepared(t *testing.T) {
	withTokenProbe(t, &tokenService{}, new([]preparation))
	base := Config{Outputs: tokenOutputs("http://x"), Routes: []spec.Route{consumeRoute}, Duration: time.Second, RunID: "r"}
	for name, tc := range map[string]func(*Config){
		"sharded":   func(c *Config) { c.Rate, c.Shard = 10, Shard{Index: 0, Of: 2} },
		"closed":    func(c *Config) { c.Workers = 2 },
		"load-only": func(c *Config) { c.Rate, c.LoadOnly = 10, true },
	} {
		t.Run(name, func(t *testing.T) {
			c := base
			tc(&c)
			err := c.Check()
			if err == nil || !strings.Contains(err.Error(), "routes Consume consume inputs") || !strings.Contains(err.Error(), "unsharded open-model run") {
				t.Errorf("Check = %v, want the prepared route refused, saying where to load it", err)
			}
		})
	}
	c := base
	c.Rate = 10
	if err := c.Check(); err != nil {
		t.Errorf("an unsharded open-model run: %v", err)
	}
	keep, left := SplitDistributable([]spec.Route{{Name: "A", Delivery: spec.Delivery{Probe: spec.ProbeQueue}}, consumeRoute})
	if len(keep) != 1 || keep[0].Name != "A" || len(left) != 1 || left[0].Name != "Consume" || Distributable(consumeRoute) {
		t.Errorf("SplitDistributable = %v, %v", keep, left)
	}
}

func TestRequestCountIsTheSeqsBeforeTheEnd(t *testing.T) {
	for _, tc := range []struct {
		interval, end float64
		want          int
	}{{20e6, 500e6, 25}, {3e6, 10e6, 4}, {1e9 / 3, 1e9, 3}, {1e9 / 7, 1.3e9, 10}, {0, 1e9, -1}} {
		got := requestCount(tc.interval, tc.end)
		s := &schedule{interval: tc.interval, end: time.Duration(tc.end)}
		if got != tc.want || (got > 0 && (s.offset(uint64(got-1)) >= s.end || s.offset(uint64(got)) < s.end)) {
			t.Errorf("requestCount(%g, %g) = %d, want %d", tc.interval, tc.end, got, tc.want)
		}
	}
}

// A route × kind whose every failure is the service's documented refusal of the load (one
// PurgeQueue a minute) has not failed for want of a 2xx; one other failure and it has.
func TestFailedSparesRoutesRefusedAsTheServiceDocuments(t *testing.T) {
	for _, tc := range []struct {
		refused uint64
		failed  bool
	}{{5, false}, {4, true}, {0, true}} {
		rep := &Report{Results: []*Result{{Route: "PurgeScratch", Kind: contract.HTTP, Requests: 5, Errors: map[string]uint64{"403": 4, "500": 5 - 4}, Refused: tc.refused}}}
		if got := len(rep.Failed()) > 0; got != tc.failed {
			t.Errorf("refused %d of 5: failed = %v, want %v", tc.refused, rep.Failed(), tc.failed)
		}
	}
}
