package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/spec"
)

// Check runs, on the report of a load that ran elsewhere, the checks that need the stack's
// AWS resources: it finds every accepted request downstream (from the results' Accepted
// sets, which Config.LoadOnly generators keep) and reads API Gateway's overhead from the
// stages' access logs, as Run does after its own load. rep is typically the Merge of the
// reports of generators that loaded one schedule together (Config.Shard), so every run in it
// has the same run id. cfg gives the outputs, the routes, the stage, the timeouts and the AWS
// configuration; its load settings are not used. What fails goes to rep.Problems and
// Report.Failed; Check returns an error only when it cannot check at all.
func Check(ctx context.Context, cfg Config, rep *Report) error {
	if len(rep.Runs) == 0 {
		return errors.New("bench check: the report has no runs")
	}
	run, since := rep.Runs[0].ID, rep.Runs[0].Started
	for _, r := range rep.Runs[1:] {
		if r.ID != run {
			return fmt.Errorf("bench check: the report holds runs %s and %s; the delivery check looks for one run's ids: check each run's report, then merge them", run, r.ID)
		}
		if r.Started.Before(since) {
			since = r.Started
		}
	}
	if cfg.Outputs == nil {
		return errors.New("bench check: no outputs: the stack's outputs say where to look for deliveries")
	}
	cfg.setDefaults()
	if len(cfg.Routes) == 0 {
		return errors.New("bench check: no routes: give the app's route table")
	}
	if cfg.Prices != nil {
		rep.pricing.Prices = *cfg.Prices
	} else if rep.pricing.Prices.Region == "" {
		rep.pricing.Prices = cost.Default()
	}
	rep.pricing.Routes = cfg.Routes
	c := &checker{cfg: cfg, run: run, since: since, logf: logger(cfg.Log)}
	c.check(ctx, rep, func(p string) { rep.Problems = append(rep.Problems, p) })
	rep.derive()
	return nil
}

// checker finds a run's deliveries downstream and reads its access logs.
type checker struct {
	cfg   Config
	run   string
	since time.Time // when the run's load began
	logf  func(format string, a ...any)
	// prepared are the States of the routes whose inputs this run prepared; nil when the
	// load ran elsewhere (Check), which no such route may do (Config.Check).
	prepared *preparedStates

	awsOnce sync.Once
	awsCfg  aws.Config
	awsErr  error
}

func (c *checker) aws(ctx context.Context) (aws.Config, error) {
	c.awsOnce.Do(func() {
		if c.cfg.AWS != nil {
			c.awsCfg = *c.cfg.AWS
			return
		}
		c.awsCfg, c.awsErr = AWSConfig(ctx, c.cfg.Outputs)
	})
	return c.awsCfg, c.awsErr
}

// check looks for deliveries and reads the access logs at the same time (both wait for
// things AWS delivers late), then drops the accepted sets, which only the check needs.
func (c *checker) check(ctx context.Context, rep *Report, problem func(string)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	locked := func(p string) {
		mu.Lock()
		defer mu.Unlock()
		problem(p)
	}
	if !c.cfg.NoDeliveryCheck {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.checkDeliveries(ctx, rep.Results, locked)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.readAccessLogs(ctx, rep.Results, locked)
	}()
	wg.Wait()
	for _, r := range rep.Results {
		r.Accepted = nil
	}
}

func resultsOf(results []*Result, route string) []*Result {
	var out []*Result
	for _, r := range results {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// checkDeliveries looks downstream for the accepted requests of every route whose probe
// finds them there; a route whose responses prove delivery was checked by its generator.
func (c *checker) checkDeliveries(ctx context.Context, results []*Result, problem func(string)) {
	cfg := &c.cfg
	deadline := time.Now().Add(cfg.DeliveryTimeout)
	c.logf("checking deliveries (waiting at most %s)", cfg.DeliveryTimeout)
	var wg sync.WaitGroup
	for _, r := range cfg.Routes {
		pr := probes[r.Delivery.Probe]
		rs := resultsOf(results, r.Name)
		if pr.find == nil || len(rs) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.findRoute(ctx, r, pr, rs, deadline)
		}()
	}
	wg.Wait()
	var missing, accepted uint64
	for _, res := range results {
		if d := res.Delivery; d != nil {
			missing += d.Missing
			accepted += d.Accepted
			if d.Error != "" {
				problem(fmt.Sprintf("%s: the delivery check could not run: %s", res.Key(), d.Error))
			}
		}
	}
	c.logf("deliveries: %d accepted, %d missing", accepted, missing)
}

// findRoute finds one route's accepted requests downstream with its probe.
func (c *checker) findRoute(ctx context.Context, r spec.Route, pr probe, rs []*Result, deadline time.Time) {
	method := deliveryMethod(r.Delivery)
	sets := map[contract.Kind]Accepted{}
	want := 0
	for _, res := range rs {
		sets[res.Kind] = res.Accepted
		want += int(res.Accepted.count())
	}
	fail := func(err error) {
		for _, res := range rs {
			res.Delivery = &Delivery{Method: method, Accepted: res.Accepted.count(), Error: err.Error()}
		}
	}
	prepared := c.prepared.of(r.Name)
	if pr.prepare != nil && prepared == nil {
		fail(errors.New("its requests consumed inputs prepared by the generator that loaded it, which alone can check them: check it in that run"))
		return
	}
	if key := r.Delivery.Output; key != "" {
		if _, err := c.cfg.outputFor(key, "the delivery check reads "+key+" (or pass --no-delivery-check)"); err != nil {
			fail(err)
			return
		}
	}
	awsCfg, err := c.aws(ctx)
	if err != nil {
		fail(err)
		return
	}
	l := lookup{awsCfg: awsCfg, output: c.cfg.Outputs[r.Delivery.Output], run: c.run, route: r.Name, want: want,
		accepted: func(id ID) bool { return sets[id.Kind].has(id.Seq) },
		since:    c.since.Add(-5 * time.Minute), deadline: deadline, logf: c.logf, prepared: prepared}
	seen, err := pr.find(ctx, l)
	if err != nil {
		fail(err)
		return
	}
	for _, res := range rs {
		res.Delivery = matchDeliveries(method, c.run, r.Name, res.Kind, res.Accepted, seen.of(r.Name, res.Kind))
	}
}

// readAccessLogs reads each API kind's access log for the results' windows.
func (c *checker) readAccessLogs(ctx context.Context, results []*Result, problem func(string)) {
	cfg := &c.cfg
	var wg sync.WaitGroup
	for _, k := range cfg.Kinds {
		value := cfg.Outputs[contract.AccessLogGroupOutput(k, cfg.Stage)]
		if value == "" {
			continue
		}
		var rs []*Result
		windows := map[string]Window{}
		var span Window
		var want uint64
		for _, res := range results {
			if res.Kind != k || len(res.Windows) == 0 {
				continue
			}
			rs = append(rs, res)
			w := windowSpan(res.Windows)
			if span.Start.IsZero() || w.Start.Before(span.Start) {
				span.Start = w.Start
			}
			if w.End.After(span.End) {
				span.End = w.End
			}
			// A line carries the time API Gateway received the request, which for a
			// request sent just before the window closed can fall just after it: let the
			// window run on by the slowest answer.
			if res.ServiceTime != nil {
				w.End = w.End.Add(res.ServiceTime.Max())
			}
			windows[res.Route] = w
			want += res.SentInWindow
		}
		if len(rs) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.readAccessLog(ctx, k, value, rs, windows, span, want, problem)
		}()
	}
	wg.Wait()
}

// windowSpan is the earliest start to the latest end of ws.
func windowSpan(ws []Window) Window {
	span := ws[0]
	for _, w := range ws[1:] {
		if w.Start.Before(span.Start) {
			span.Start = w.Start
		}
		if w.End.After(span.End) {
			span.End = w.End
		}
	}
	return span
}

func (c *checker) readAccessLog(ctx context.Context, k contract.Kind, value string, rs []*Result, windows map[string]Window, span Window, want uint64, problem func(string)) {
	var logs logsAPI
	if !strings.HasPrefix(value, "file://") {
		awsCfg, err := c.aws(ctx)
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
	timeout := c.cfg.AccessLogTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
		if logs != nil {
			timeout = 90 * time.Second
		}
	}
	t := newAccessTally(k, source, c.cfg.Routes, windows)
	err = readAccessLog(ctx, src, t, want, time.Now().Add(timeout))
	if err != nil && !errors.Is(err, context.Canceled) {
		problem(fmt.Sprintf("%s access log: %v", k, err))
		return
	}
	for _, res := range rs {
		s := t.stats[res.Route]
		if s.Lines < res.SentInWindow {
			s.Note = fmt.Sprintf("%d lines for %d requests sent in the window (read for %s)", s.Lines, res.SentInWindow, timeout)
		}
		res.AccessLog = s
		if h := t.hists[res.Route]; h.Count() > 0 {
			res.Overhead = h
		}
		if h := t.authz[res.Route]; h.Count() > 0 {
			res.Authorizer = h
		}
		if h := t.authzIn[res.Route]; h.Count() > 0 {
			res.AuthorizerInvocation = h
		}
	}
}
