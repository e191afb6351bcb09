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
	vegeta "github.com/tsenart/vegeta/v12/lib"

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
	if err := b.prepare(ctx); err != nil {
		return nil, err
	}
	b.load(ctx)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bench interrupted: %w", context.Cause(ctx))
	}
	rep := &Report{Schema: SchemaVersion, pricing: Pricing{Prices: prices, Routes: cfg.Routes}, Runs: []RunInfo{b.runInfo()}}
	for _, a := range b.attacks {
		res := a.rec.finish()
		rep.Results = append(rep.Results, res)
		if cfg.NoDeliveryCheck {
			continue
		}
		switch pr := probes[a.route.Delivery.Probe]; {
		case pr.response != nil:
			seen := map[uint64]int{}
			a.rec.confirmed.each(func(seq uint64) { seen[seq] = 1 })
			res.Delivery = matchDeliveries(deliveryMethod(a.route.Delivery), cfg.RunID, a.route.Name, a.kind, &a.rec.accepted, seen)
		case pr.expected != nil:
			res.Delivery = b.matchExpected(ctx, a, pr)
		default:
			res.Accepted = Accepted{a.rec.accepted}
		}
	}
	if !cfg.LoadOnly {
		c := &checker{cfg: cfg, run: cfg.RunID, since: b.origin, logf: b.logf, prepared: &b.prepared}
		c.check(ctx, rep, func(p string) { rep.Runs[0].Problems = append(rep.Runs[0].Problems, p) })
	}
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
	// prepared holds the State of every route × kind whose probe prepared its inputs.
	prepared preparedStates
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
// the run before it loads anything, and makes the inputs of the routes whose requests
// consume them (prepare.go). The schedule's origin is set after that, so preparing takes
// nothing from the load.
func (b *benchRun) prepare(ctx context.Context) error {
	cfg := &b.cfg
	b.bases = map[contract.Kind]string{}
	for _, k := range cfg.Kinds {
		u, err := cfg.baseURL(k)
		if err != nil {
			return err
		}
		b.bases[k] = u
	}
	if !cfg.NoDeliveryCheck && !cfg.LoadOnly {
		for _, r := range cfg.Routes {
			if key := r.Delivery.Output; key != "" {
				if _, err := cfg.outputFor(key, "route "+r.Name+": the delivery check reads "+key+" (or pass --no-delivery-check)"); err != nil {
					return err
				}
			}
		}
	}
	n := len(cfg.Routes) * len(cfg.Kinds)
	var leads []time.Duration // each attack's offset from the shared origin
	i := 0
	for _, r := range cfg.Routes {
		for _, k := range cfg.Kinds {
			tmpl, err := newRequestTemplate(cfg.RunID, b.bases[k], r, k, cfg.Payload, cfg.PayloadSize)
			if err != nil {
				return err
			}
			sched := &schedule{warmup: cfg.Warmup, end: cfg.Warmup + cfg.Duration}
			workers := uint64(cfg.MaxWorkers)
			var lead time.Duration
			if cfg.Closed() {
				workers = uint64(cfg.Workers)
			} else {
				sched.interval = 1e9 / cfg.Rate
				lead = time.Duration(float64(i) * sched.interval / float64(n))
				if cfg.Shard.sharded() {
					sched.stride, sched.first = uint64(cfg.Shard.Of), uint64(cfg.Shard.Index)
				}
			}
			leads = append(leads, lead)
			tr := cfg.Transport
			if tr == nil {
				tr = newTransport(int(workers))
			}
			b.attacks = append(b.attacks, &attack{
				route: r, kind: k, tmpl: tmpl, sched: sched, workers: workers, closed: cfg.Closed(),
				timeout: cfg.Timeout, transport: tr, sent: &b.sent, auth: cfg.Auth.signer(k),
			})
			i++
		}
	}
	if err := b.prepareInputs(ctx); err != nil {
		return err
	}
	b.origin = cfg.Origin
	if b.origin.IsZero() {
		b.origin = time.Now().Add(startDelay)
	}
	var expired []string
	for i, a := range b.attacks {
		a.sched.origin = b.origin.Add(leads[i])
		if p := expiryProblem(a, a.lasts, a.sched.origin.Add(a.sched.end)); p != "" {
			expired = append(expired, p)
		}
		a.rec = newRecorder(a.route, a.kind, a.tmpl, a.sched, cfg.Closed(), &b.errs)
		a.rec.observe = a.observe
	}
	if len(expired) > 0 {
		return errors.New(strings.Join(expired, "; "))
	}
	return nil
}

// prepareInputs calls the prepare of every attack's probe that has one, one route × kind
// after the other, and hands each attack its inputs and observer.
func (b *benchRun) prepareInputs(ctx context.Context) error {
	var awsCfg *aws.Config
	for _, a := range b.attacks {
		pr := probes[a.route.Delivery.Probe]
		if pr.prepare == nil {
			continue
		}
		if awsCfg == nil {
			c, err := AWSConfig(ctx, b.cfg.Outputs)
			if b.cfg.AWS != nil {
				c, err = *b.cfg.AWS, nil
			}
			if err != nil {
				return fmt.Errorf("route %s: preparing its inputs: %w", a.route.Name, err)
			}
			awsCfg = &c
		}
		n := requestCount(a.sched.interval, float64(a.sched.end))
		p, err := pr.prepare(ctx, preparation{awsCfg: *awsCfg, output: b.cfg.Outputs[a.route.Delivery.Output], run: b.cfg.RunID,
			route: a.route, kind: a.kind, n: n, end: a.sched.end, logf: b.logf})
		if err != nil {
			return fmt.Errorf("%s: preparing the inputs of its %d requests: %w", a, n, err)
		}
		if p.Inputs != nil && len(p.Inputs) != n {
			return fmt.Errorf("%s: the %s probe prepared %d inputs for %d requests", a, a.route.Delivery.Probe, len(p.Inputs), n)
		}
		a.tmpl.inputs = p.Inputs
		a.lasts = p.Lasts
		b.prepared.set(a.route.Name, a.kind, p.State)
		if pr.observe != nil {
			state := p.State
			a.observe = func(id ID, r *vegeta.Result) { pr.observe(state, id, r) }
		}
		note := p.Note
		if note == "" {
			note = plural(n, "input")
		}
		b.logf("%s: prepared for its %s: %s", a, plural(n, "request"), note)
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
	if cfg.Auth != nil && cfg.Auth.Mode != "none" {
		run.Auth = cfg.Auth.Mode
	}
	for _, a := range b.attacks {
		if t := a.rec.firstSent; !t.IsZero() && (run.FirstSent.IsZero() || t.Before(run.FirstSent)) {
			run.FirstSent = t
		}
	}
	if cfg.Shard.sharded() {
		sh := cfg.Shard
		run.Shard = &sh
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

// matchExpected proves the deliveries of a route whose probe compares every 2xx answer with
// one body (the hosted configuration): the answers equal to it, read after the load.
func (b *benchRun) matchExpected(ctx context.Context, a *attack, pr probe) *Delivery {
	method := deliveryMethod(a.route.Delivery)
	fail := func(err error) *Delivery {
		return &Delivery{Method: method, Accepted: a.rec.accepted.count(), Error: err.Error()}
	}
	awsCfg, err := AWSConfig(ctx, b.cfg.Outputs)
	if b.cfg.AWS != nil {
		awsCfg, err = *b.cfg.AWS, nil
	}
	if err != nil {
		return fail(err)
	}
	want, err := pr.expected(ctx, lookup{awsCfg: awsCfg, output: b.cfg.Outputs[a.route.Delivery.Output], run: b.cfg.RunID, route: a.route.Name})
	if err != nil {
		return fail(err)
	}
	return matchDeliveries(method, b.cfg.RunID, a.route.Name, a.kind, &a.rec.accepted, a.rec.bodies.matching(want))
}
