package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func TestScheduleSpacesRequestsAndStopsAtTheEnd(t *testing.T) {
	origin := time.Now().Add(time.Hour)
	s := &schedule{origin: origin, interval: 1e9 / 4, warmup: time.Second, end: 3 * time.Second}
	for seq, want := range []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond, time.Second} {
		if got := s.offset(uint64(seq)); got != want {
			t.Errorf("offset(%d) = %s, want %s", seq, got, want)
		}
	}
	if wait, stop := s.Pace(0, 2); stop || wait < time.Hour-time.Minute {
		t.Errorf("Pace before the origin = %s, %v; want to wait about an hour", wait, stop)
	}
	// 4 a second for 3 s: requests 0 to 11, then stop.
	if _, stop := s.Pace(0, 11); stop {
		t.Error("request 11 (at 2.75 s) stopped")
	}
	if _, stop := s.Pace(0, 12); !stop {
		t.Error("request 12 (at 3 s) did not stop the attack")
	}
	if w := s.window(); !w.Start.Equal(origin.Add(time.Second)) || !w.End.Equal(origin.Add(3*time.Second)) {
		t.Errorf("window = %+v, want warm-up excluded", w)
	}
	closed := &schedule{origin: time.Now().Add(-2 * time.Second), end: time.Second}
	if _, stop := closed.Pace(0, 5); !stop {
		t.Error("the closed model did not stop after its end")
	}
}

func TestCorrectedLatencyCountsTheWaitForALateSend(t *testing.T) {
	t0 := time.Now()
	tests := []struct {
		name     string
		intended time.Time
		sent     time.Time
		latency  time.Duration
		want     time.Duration
	}{
		{"sent on time", t0, t0, 5 * time.Millisecond, 5 * time.Millisecond},
		{"sent 100 ms late behind a stall", t0, t0.Add(100 * time.Millisecond), 5 * time.Millisecond, 105 * time.Millisecond},
		{"sent early (not possible with the pacer) keeps its own latency", t0.Add(time.Millisecond), t0, 5 * time.Millisecond, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := correctedLatency(tt.intended, tt.sent, tt.latency); got != tt.want {
				t.Errorf("correctedLatency = %s, want %s", got, tt.want)
			}
		})
	}
}

// A server that stalls once for 300 ms, loaded at 100 requests a second through one worker:
// the ~30 requests due during the stall go out late, in a burst, and each is answered at once.
// Measured from the actual send (what vegeta reports, our service time) only the stalled
// request is slow; measured from the intended send, every request behind it carries its
// share of the stall, as users arriving then would have.
func TestCoordinatedOmissionIsCorrected(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 20 {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	rep, err := Run(context.Background(), Config{
		Outputs: contract.Outputs{contract.APIURLOutput(contract.HTTP, "dev"): srv.URL + "/dev/"},
		Routes:  []spec.Route{routes.GreetingRoute}, Kinds: []contract.Kind{contract.HTTP},
		Rate: 100, Duration: time.Second, MaxWorkers: 1, NoDeliveryCheck: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Requests != 100 {
		t.Fatalf("%d requests, want 100", r.Requests)
	}
	lat, svc := r.Summary.Latency, r.Summary.ServiceTime
	t.Logf("from intended send: p50 %.1f p90 %.1f max %.1f ms; service time: p50 %.1f p90 %.1f max %.1f ms", lat.P50, lat.P90, lat.Max, svc.P50, svc.P90, svc.Max)
	if svc.Max < 300 || lat.Max < 300 {
		t.Errorf("max %.0f / service max %.0f ms: the stall is not there", lat.Max, svc.Max)
	}
	// About 20 of the 100 requests waited more than 100 ms: p90 must be far above 100 ms.
	if lat.P90 < 100 {
		t.Errorf("p90 from the intended send = %.1f ms, want over 100 ms: the requests queued behind the stall were not charged for it", lat.P90)
	}
	if svc.P90 > 50 {
		t.Errorf("service time p90 = %.1f ms; only one request was slow to answer", svc.P90)
	}
	if l := r.Summary.SendLag; l == nil || l.Max < 200 {
		t.Errorf("send lag = %+v, want the generator's lateness behind the stall (over 200 ms)", l)
	}
}

func TestBitset(t *testing.T) {
	var b bitset
	for _, i := range []uint64{0, 63, 64, 1000} {
		b.set(i)
	}
	var got []uint64
	b.each(func(i uint64) { got = append(got, i) })
	if b.count() != 4 || len(got) != 4 || got[3] != 1000 || !b.has(64) || b.has(65) || b.has(5000) {
		t.Errorf("bitset = %v, count %d", got, b.count())
	}
}

func TestTransportErrorsAreCountedWithoutTheirURL(t *testing.T) {
	tests := map[string]string{
		`Post "http://127.0.0.1:1/dev/queue": dial tcp 127.0.0.1:1: connect: connection refused`:                  "dial tcp 127.0.0.1:1: connect: connection refused",
		`Get "http://x/dev/greeting": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`: "timeout",
	}
	for in, want := range tests {
		if got := normalizeTransportError(in); got != want {
			t.Errorf("normalizeTransportError(%q) = %q, want %q", in, got, want)
		}
	}
}
