package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// BenchmarkLoadPathAgainstWrk shows whether the generator could be the bottleneck: the
// bench's whole load path (vegeta, request stamping, the recorder with its HDR histograms)
// against a trivial handler on loopback, next to wrk against the same handler in the same
// run, both closed model with the same connections. Then the open model at half that rate,
// to show it holds a rate on schedule. Run it with
//
//	go test ./internal/bench -run '^$' -bench LoadPathAgainstWrk -benchtime 1x
//
// Both generators and the handler share the machine's cores, so the ratio is what matters.
func BenchmarkLoadPathAgainstWrk(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed (Debian: apt-get install wrk); nothing to compare with")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello, bench!"))
	}))
	defer srv.Close()
	const conns, seconds, rounds = 32, 2, 3
	out := contract.Outputs{contract.APIURLOutput(contract.HTTP, "dev"): srv.URL + "/dev/"}
	one := []spec.Route{routes.GreetingRoute}
	rateRE := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	for range b.N {
		// Alternate short rounds, so that whatever else the machine runs weighs on both alike.
		var wrkSum, oursSum, plainSum float64
		var perRound []string
		for range rounds {
			// wrk: 2 threads, the same connections, the same GET.
			res, err := exec.Command(wrk, "-t2", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(seconds)+"s", srv.URL+"/dev/greeting?greeter=x").CombinedOutput()
			if err != nil {
				b.Fatalf("wrk: %v\n%s", err, res)
			}
			m := rateRE.FindSubmatch(res)
			if m == nil {
				b.Fatalf("no Requests/sec in wrk's output:\n%s", res)
			}
			wrkRate, _ := strconv.ParseFloat(string(m[1]), 64)
			closed, err := Run(context.Background(), Config{Outputs: out, Kinds: []contract.Kind{contract.HTTP}, Routes: one,
				Workers: conns, Duration: seconds * time.Second, Warmup: 300 * time.Millisecond, NoDeliveryCheck: true})
			if err != nil {
				b.Fatal(err)
			}
			ours := closed.Results[0].Summary.Rate
			plain := plainVegeta(srv.URL+"/dev/greeting?greeter=x", conns, seconds*time.Second)
			wrkSum += wrkRate
			oursSum += ours
			plainSum += plain
			perRound = append(perRound, fmt.Sprintf("wrk %.0f / vegeta %.0f / bench %.0f", wrkRate, plain, ours))
		}
		wrkRate, ours, plain := wrkSum/rounds, oursSum/rounds, plainSum/rounds

		b.ReportMetric(wrkRate, "wrk-req/s")
		b.ReportMetric(ours, "bench-req/s")
		b.ReportMetric(ours/wrkRate, "bench/wrk")
		b.ReportMetric(ours/plain, "bench/vegeta")
		b.Logf("closed model, %d connections, %d rounds of %d s (%s)", conns, rounds, seconds, strings.Join(perRound, "; "))
		b.Logf("mean: wrk %.0f req/s, vegeta alone %.0f req/s, bench %.0f req/s: bench/wrk %.2f, bench/vegeta %.2f", wrkRate, plain, ours, ours/wrkRate, ours/plain)
		// The open model at fixed rates and at a quarter of the closed model's: does it
		// hold the rate on schedule?
		for _, target := range []float64{1000, 2500, float64(int(ours / 4))} {
			open, err := Run(context.Background(), Config{Outputs: out, Kinds: []contract.Kind{contract.HTTP}, Routes: one,
				Rate: target, Duration: 3 * time.Second, Warmup: 500 * time.Millisecond, NoDeliveryCheck: true})
			if err != nil {
				b.Fatal(err)
			}
			o := open.Results[0].Summary
			b.ReportMetric(o.Rate/target, fmt.Sprintf("open%.0f-achieved/target", target))
			b.ReportMetric(o.SendLag.P99, fmt.Sprintf("open%.0f-sendlag-p99-ms", target))
			b.Logf("open model at %.0f req/s: achieved %.1f, latency p50 %.2f ms p99 %.2f ms, service time p50 %.2f ms p99 %.2f ms, send lag p50 %.2f ms p99 %.2f ms",
				target, o.Rate, o.Latency.P50, o.Latency.P99, o.ServiceTime.P50, o.ServiceTime.P99, o.SendLag.P50, o.SendLag.P99)
		}
		load, _ := os.ReadFile("/proc/loadavg")
		b.Logf("load average while measuring: %s", strings.TrimSpace(string(load)))
	}
}

// plainVegeta is vegeta's library alone, closed model, results counted and dropped: the
// baseline for what the bench's own additions (stamping, recorder, histograms) cost.
func plainVegeta(url string, workers int, d time.Duration) float64 {
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)), vegeta.KeepAlive(true))
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url})
	var n int
	var first, last time.Time
	for r := range atk.Attack(tr, vegeta.ConstantPacer{}, d, "plain") {
		if n == 0 {
			first = r.Timestamp
		}
		last = r.Timestamp
		n++
	}
	return float64(n) / last.Sub(first).Seconds()
}
