package localapi

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// TestSoakBenchAgainstTheRunnerHasNoFalseMissing drives the bench against a local runner on the
// golden template (loopback only), round after round, on the routes whose deliveries are
// drained from queues, at a rate near what this machine serves, until it has drained
// FIRSTCLASS_SOAK_MESSAGES messages (default 500,000) or spent FIRSTCLASS_SOAK_BUDGET (default
// 10m). The runner loses nothing, so every "missing" it reports would be a false one: the
// test fails on any. It runs only when FIRSTCLASS_SOAK is set (the rate per route × kind,
// or 1 for the default 700 requests/s):
//
//	FIRSTCLASS_SOAK=1 go test ./internal/localapi -run Soak -v -timeout 20m
func TestSoakBenchAgainstTheRunnerHasNoFalseMissing(t *testing.T) {
	rate := soakSetting(t, "FIRSTCLASS_SOAK", 0)
	if rate == 0 || testing.Short() {
		t.Skip("a soak of several minutes: set FIRSTCLASS_SOAK=1 (or a rate per route × kind) to run it")
	}
	if rate == 1 {
		rate = 700
	}
	want := int(soakSetting(t, "FIRSTCLASS_SOAK_MESSAGES", 500_000))
	budget := 10 * time.Minute
	if v := os.Getenv("FIRSTCLASS_SOAK_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("FIRSTCLASS_SOAK_BUDGET: %v", err)
		}
		budget = d
	}
	s := serve(t, golden(t), Options{NoThrottle: true})
	drained, rounds, retries, errors := 0, 0, 0, uint64(0)
	start := time.Now()
	for drained < want && time.Since(start) < budget {
		rounds++
		var log bytes.Buffer
		rep, err := bench.Run(context.Background(), bench.Config{
			Outputs: s.out, Stage: "prod", Routes: []spec.Route{routes.SendToQueueRoute, routes.PutEventRoute},
			Rate: rate, Duration: 20 * time.Second, Warmup: 2 * time.Second, Log: &log,
			RunID: "soak" + strconv.Itoa(rounds),
		})
		if err != nil {
			t.Fatalf("round %d: %v\n%s", rounds, err, log.String())
		}
		roundDrained, missing, failed := 0, 0, map[string]uint64{}
		for _, r := range rep.Results {
			if d := r.Delivery; d != nil {
				roundDrained += int(d.Delivered)
				missing += int(d.Missing)
				if d.Missing > 0 || d.Error != "" {
					t.Errorf("round %d: %s: %d missing (e.g. %v), error %q", rounds, r.Key(), d.Missing, d.MissingIDs, d.Error)
				}
			}
			for status, n := range r.Errors {
				errors += n
				failed[status] += n
			}
		}
		n := strings.Count(log.String(), "SDK: retrying")
		retries += n
		drained += roundDrained
		t.Logf("round %d: %d drained, %d missing, %d SDK retries, requests without a 2xx %v, %s elapsed", rounds, roundDrained, missing, n, failed, time.Since(start).Round(time.Second))
		if n > 0 {
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "SDK:") {
					t.Log(l)
				}
			}
		}
		if t.Failed() {
			t.Logf("bench log of round %d:\n%s", rounds, log.String())
			return
		}
	}
	t.Logf("soak: %d rounds at %.0f requests/s per route × kind, %d messages drained, 0 missing, %d SDK retries, %d requests without a 2xx, in %s",
		rounds, rate, drained, retries, errors, time.Since(start).Round(time.Second))
	if drained < want {
		t.Errorf("drained %d messages in the %s budget, want at least %d", drained, budget, want)
	}
}

func soakSetting(t *testing.T, name string, def float64) float64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return f
}
