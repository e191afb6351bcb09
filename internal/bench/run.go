package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
)

// startDelay is how far ahead of now the shared origin is set, so every attack is ready
// before the first request is due.
const startDelay = 100 * time.Millisecond

// Run loads every selected route on every selected API kind at once, checks the deliveries,
// reads API Gateway's overhead from the access logs and prices the measured workload.
//
// Fairness: all route × kind attacks run at the same time, at the same rate each, from one
// shared schedule, so both API kinds see the same client machine, network and target load
// at every moment; running them one after another would compare different moments (a
// neighbour's load, a warming cache, a throttle refilling). Their schedules are interleaved:
// attack i of A sends at origin + i/(A·rate) + n/rate, so the combined load arrives evenly
// at A·rate instead of in bursts of A simultaneous requests, and no API kind is always the
// one queued behind the other.
//
// Run returns an error only when it cannot run or could not finish; a run that lost
// deliveries returns its report, and Report.Failed says what failed.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	prices := cost.Default()
	if cfg.Prices != nil {
		prices = *cfg.Prices
	}
	if cfg.RunID == "" {
		cfg.RunID = newRunID()
	}
	b := &benchRun{cfg: cfg, logf: logger(cfg.Log)}
	if err := b.prepare(); err != nil {
		return nil, err
	}
	b.load(ctx)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bench interrupted: %w", context.Cause(ctx))
	}
	rep := &Report{Schema: SchemaVersion, pricing: Pricing{Prices: prices, Routes: cfg.Routes}, Runs: []RunInfo{b.runInfo()}}
	for _, a := range b.attacks {
		rep.Results = append(rep.Results, a.rec.finish())
	}
	b.afterLoad(ctx, rep)
	rep.derive()
	return rep, nil
}

type benchRun struct {
	cfg     Config
	logf    func(format string, a ...any)
	bases   map[contract.Kind]string
	attacks []*attack
	sent    atomic.Uint64
	errs    atomic.Uint64
	origin  time.Time
	ended   time.Time

	awsOnce sync.Once
	awsCfg  aws.Config
	awsErr  error
}

func logger(w io.Writer) func(string, ...any) {
	if w == nil {
		return func(string, ...any) {}
	}
	var mu sync.Mutex
	return func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "bench: "+format+"\n", a...)
	}
}

// prepare resolves every URL and template before any request goes out, so a mistake stops
// the run before it loads anything.
func (b *benchRun) prepare() error {
	cfg := &b.cfg
	b.bases = map[contract.Kind]string{}
	for _, k := range cfg.Kinds {
		u, err := cfg.baseURL(k)
		if err != nil {
			return err
		}
		b.bases[k] = u
	}
	if !cfg.NoDeliveryCheck {
		for _, r := range cfg.Routes {
			if key := r.Delivery.Output; key != "" {
				if _, err := cfg.outputFor(key, "route "+r.Name+": the delivery check reads "+key+" (or pass --no-delivery-check)"); err != nil {
					return err
				}
			}
		}
	}
	n := len(cfg.Routes) * len(cfg.Kinds)
	b.origin = time.Now().Add(startDelay)
	i := 0
	for _, r := range cfg.Routes {
		for _, k := range cfg.Kinds {
			tmpl, err := newRequestTemplate(cfg.RunID, b.bases[k], r, k, cfg.Payload, cfg.PayloadSize)
			if err != nil {
				return err
			}
			sched := &schedule{origin: b.origin, warmup: cfg.Warmup, end: cfg.Warmup + cfg.Duration}
			workers := uint64(cfg.MaxWorkers)
			if cfg.Closed() {
				workers = uint64(cfg.Workers)
			} else {
				sched.interval = 1e9 / cfg.Rate
				sched.origin = b.origin.Add(time.Duration(float64(i) * sched.interval / float64(n)))
			}
			tr := cfg.Transport
			if tr == nil {
				tr = newTransport(int(workers))
			}
			b.attacks = append(b.attacks, &attack{
				route: r, kind: k, tmpl: tmpl, sched: sched, workers: workers, closed: cfg.Closed(),
				timeout: cfg.Timeout, transport: tr, sent: &b.sent,
				rec: newRecorder(r, k, tmpl, sched, cfg.Closed(), &b.errs),
			})
			i++
		}
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// load runs every attack at once and shows progress until they end.
func (b *benchRun) load(ctx context.Context) {
	cfg := &b.cfg
	model := fmt.Sprintf("%g requests/s", cfg.Rate)
	if cfg.Closed() {
		model = fmt.Sprintf("%d workers", cfg.Workers)
	}
	b.logf("run %s: %s × %s at %s each, %s warm-up + %s measured", cfg.RunID, plural(len(cfg.Routes), "route"), plural(len(cfg.Kinds), "API kind"), model, cfg.Warmup, cfg.Duration)
	var wg sync.WaitGroup
	for _, a := range b.attacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.run(ctx)
		}()
	}
	done := make(chan struct{})
	var pwg sync.WaitGroup
	if cfg.Progress != nil {
		p := &progress{w: cfg.Progress, origin: b.origin, warmup: cfg.Warmup, total: cfg.Warmup + cfg.Duration, sent: &b.sent, errs: &b.errs}
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			p.loop(done)
		}()
	}
	wg.Wait()
	b.ended = time.Now()
	close(done)
	pwg.Wait()
	b.logf("load done: %d requests sent, %d without a 2xx", b.sent.Load(), b.errs.Load())
}

func (b *benchRun) runInfo() RunInfo {
	cfg := &b.cfg
	host, _ := os.Hostname()
	run := RunInfo{
		ID: cfg.RunID, Host: host, Generator: generator(), Stack: cfg.Stack, Stage: cfg.Stage,
		Endpoints: b.bases, Local: cfg.Outputs[contract.AWSEndpointOutput] != "",
		WarmupSeconds: cfg.Warmup.Seconds(), DurationSeconds: cfg.Duration.Seconds(),
		PayloadSize: cfg.PayloadSize, PayloadFile: cfg.PayloadFile, Kinds: cfg.Kinds,
		Started: b.origin, Ended: b.ended, DeliveryCheck: !cfg.NoDeliveryCheck,
	}
	if cfg.Closed() {
		run.Model, run.Workers = "closed", cfg.Workers
	} else {
		run.Model, run.Rate, run.MaxWorkers = "open", cfg.Rate, cfg.MaxWorkers
	}
	for _, r := range cfg.Routes {
		run.Routes = append(run.Routes, r.Name)
	}
	return run
}

// generator names the load generator, for the report.
func generator() string {
	v := "v12"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tsenart/vegeta/v12" {
				v = d.Version
			}
		}
	}
	return fmt.Sprintf("vegeta %s lib, %s %s/%s, %d CPUs", v, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
}

func newRunID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (b *benchRun) aws(ctx context.Context) (aws.Config, error) {
	b.awsOnce.Do(func() {
		if b.cfg.AWS != nil {
			b.awsCfg = *b.cfg.AWS
			return
		}
		b.awsCfg, b.awsErr = AWSConfig(ctx, b.cfg.Outputs)
	})
	return b.awsCfg, b.awsErr
}

// afterLoad checks deliveries and reads the access logs, at the same time: both wait for
// things AWS delivers late.
func (b *benchRun) afterLoad(ctx context.Context, rep *Report) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	problem := func(p string) {
		mu.Lock()
		rep.Runs[0].Problems = append(rep.Runs[0].Problems, p)
		mu.Unlock()
	}
	if !b.cfg.NoDeliveryCheck {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.checkDeliveries(ctx, problem)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		b.readAccessLogs(ctx, problem)
	}()
	wg.Wait()
}

func (b *benchRun) attacksOf(route string) []*attack {
	var out []*attack
	for _, a := range b.attacks {
		if a.route.Name == route {
			out = append(out, a)
		}
	}
	return out
}

func (b *benchRun) checkDeliveries(ctx context.Context, problem func(string)) {
	cfg := &b.cfg
	deadline := time.Now().Add(cfg.DeliveryTimeout)
	b.logf("checking deliveries (waiting at most %s)", cfg.DeliveryTimeout)
	var wg sync.WaitGroup
	for _, r := range cfg.Routes {
		as := b.attacksOf(r.Name)
		method := deliveryMethod(r.Delivery)
		pr := probes[r.Delivery.Probe]
		accepted := func(id ID) bool {
			for _, a := range as {
				if a.kind == id.Kind {
					return a.rec.accepted.has(id.Seq)
				}
			}
			return false
		}
		want := 0
		for _, a := range as {
			want += int(a.rec.accepted.count())
		}
		fail := func(err error) {
			for _, a := range as {
				a.rec.res.Delivery = &Delivery{Method: method, Accepted: a.rec.accepted.count(), Error: err.Error()}
			}
		}
		finish := func(seen *seenSet) {
			for _, a := range as {
				a.rec.res.Delivery = matchDeliveries(method, cfg.RunID, r.Name, a.kind, a.rec.accepted, seen.of(r.Name, a.kind))
			}
		}
		switch {
		case pr.find != nil:
			// Found downstream with the SDK, in the background.
			l := lookup{output: b.cfg.Outputs[r.Delivery.Output], run: cfg.RunID, route: r.Name, want: want,
				accepted: accepted, since: b.origin.Add(-5 * time.Minute), deadline: deadline}
			wg.Add(1)
			go func() {
				defer wg.Done()
				awsCfg, err := b.aws(ctx)
				if err != nil {
					fail(err)
					return
				}
				l.awsCfg = awsCfg
				seen, err := pr.find(ctx, l)
				if err != nil {
					fail(err)
					return
				}
				finish(seen)
			}()
		case pr.expected != nil:
			l := lookup{output: b.cfg.Outputs[r.Delivery.Output], run: cfg.RunID, route: r.Name, deadline: deadline}
			awsCfg, err := b.aws(ctx)
			if err != nil {
				fail(err)
				continue
			}
			l.awsCfg = awsCfg
			want, err := pr.expected(ctx, l)
			if err != nil {
				fail(err)
				continue
			}
			for _, a := range as {
				a.rec.res.Delivery = matchDeliveries(method, cfg.RunID, r.Name, a.kind, a.rec.accepted, a.rec.bodies.matching(want))
			}
		case pr.response != nil:
			for _, a := range as {
				seen := map[uint64]int{}
				a.rec.confirmed.each(func(seq uint64) { seen[seq] = 1 })
				a.rec.res.Delivery = matchDeliveries(method, cfg.RunID, r.Name, a.kind, a.rec.accepted, seen)
			}
		}
	}
	wg.Wait()
	var missing, accepted uint64
	for _, a := range b.attacks {
		if d := a.rec.res.Delivery; d != nil {
			missing += d.Missing
			accepted += d.Accepted
			if d.Error != "" {
				problem(fmt.Sprintf("%s: the delivery check could not run: %s", a, d.Error))
			}
		}
	}
	b.logf("deliveries: %d accepted, %d missing", accepted, missing)
}

func (b *benchRun) readAccessLogs(ctx context.Context, problem func(string)) {
	cfg := &b.cfg
	var wg sync.WaitGroup
	for _, k := range cfg.Kinds {
		value := cfg.Outputs[contract.AccessLogGroupOutput(k, cfg.Stage)]
		if value == "" {
			continue
		}
		var as []*attack
		windows := map[string]Window{}
		var all []Window
		var want uint64
		for _, a := range b.attacks {
			if a.kind == k {
				as = append(as, a)
				w := a.sched.window()
				all = append(all, w)
				// A line carries the time API Gateway received the request, which for a
				// request sent just before the window closed can fall just after it: let
				// the window run on by the slowest answer.
				if a.rec.res.ServiceTime != nil {
					w.End = w.End.Add(a.rec.res.ServiceTime.Max())
				}
				windows[a.route.Name] = w
				want += a.rec.res.SentInWindow
			}
		}
		span := Window{Start: all[0].Start, End: all[0].End}
		for _, w := range all {
			if w.Start.Before(span.Start) {
				span.Start = w.Start
			}
			if w.End.After(span.End) {
				span.End = w.End
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var logs logsAPI
			if !strings.HasPrefix(value, "file://") {
				awsCfg, err := b.aws(ctx)
				if err != nil {
					problem(fmt.Sprintf("%s access log: %v", k, err))
					return
				}
				logs = cloudwatchlogs.NewFromConfig(awsCfg)
			}
			src, source, err := newAccessSource(value, logs, span)
			if err != nil {
				problem(fmt.Sprintf("%s access log: %v", k, err))
				return
			}
			timeout := cfg.AccessLogTimeout
			if timeout == 0 {
				timeout = 5 * time.Second
				if logs != nil {
					timeout = 90 * time.Second
				}
			}
			t := newAccessTally(k, source, cfg.Routes, windows)
			err = readAccessLog(ctx, src, t, want, time.Now().Add(timeout))
			if err != nil && !errors.Is(err, context.Canceled) {
				problem(fmt.Sprintf("%s access log: %v", k, err))
				return
			}
			for _, a := range as {
				s := t.stats[a.route.Name]
				if s.Lines < a.rec.res.SentInWindow {
					s.Note = fmt.Sprintf("%d lines for %d requests sent in the window (read for %s)", s.Lines, a.rec.res.SentInWindow, timeout)
				}
				a.rec.res.AccessLog = s
				if h := t.hists[a.route.Name]; h.Count() > 0 {
					a.rec.res.Overhead = h
				}
			}
		}()
	}
	wg.Wait()
}
