package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// Prepared inputs: some routes act on something that must exist before their request does (an
// execution to stop). Their probe's prepare makes one such thing for each request the schedule
// will send on one route × kind, with the AWS SDK, before the load; request seq carries
// Values[seq] in Header, and the probe's find checks afterwards what each accepted request did
// with its input. A new route of that sort is a probe with prepare (probe.go) and nothing else.

// Prepared are the inputs made for one route × kind: request seq sends Values[seq] in Header
// (the route's Delivery.InputHeader).
type Prepared struct {
	Header string
	Values []string
}

// value is request seq's input, "" when the schedule sends more than were made (it cannot).
func (p *Prepared) value(seq uint64) string {
	if p == nil || seq >= uint64(len(p.Values)) {
		return ""
	}
	return p.Values[seq]
}

// Distributable reports whether a route's load can be split between generators (Config.Shard,
// `bench --from lambda`), run load-only or in the closed model: not when its probe prepares an
// input for each request, which takes the one generator that knows how many requests the
// schedule sends and can call AWS before it starts. Run leaves such a route out of those runs
// and says so in the report (RunInfo.LeftOut).
func Distributable(r spec.Route) bool { return probes[r.Delivery.Probe].prepare == nil }

// scheduled is how many requests an open-model schedule sends on one route × kind.
func (s *schedule) scheduled() int {
	n := uint64(math.Ceil(float64(s.end) / s.interval))
	for n > 0 && s.offset(n-1) >= s.end {
		n--
	}
	for s.offset(n) < s.end {
		n++
	}
	return int(n)
}

// prepareMargin is how long a prepared input must outlast the schedule, for the requests that
// go out late and for the preparation itself: preparation is allowed prepareRate inputs a
// second.
const (
	prepareMargin = 30 * time.Second
	prepareRate   = 50
)

// prepareInputs makes the inputs of every selected route whose probe prepares them, for the
// schedule every attack will follow: n requests each, usable for hold. It fails, naming the
// route, when AWS refuses or when preparing took longer than the margin left for it.
func (b *benchRun) prepareInputs(ctx context.Context, interval float64, end time.Duration) error {
	cfg := &b.cfg
	b.inputs = map[string]map[contract.Kind]*Prepared{}
	var todo []spec.Route
	for _, r := range cfg.Routes {
		if !Distributable(r) {
			todo = append(todo, r)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	n := (&schedule{interval: interval, end: end}).scheduled()
	total := n * len(todo) * len(cfg.Kinds)
	allowance := time.Duration(total/prepareRate+1) * time.Second
	hold := end + prepareMargin + allowance
	awsCfg, err := AWSConfig(ctx, cfg.Outputs)
	if cfg.AWS != nil {
		awsCfg, err = *cfg.AWS, nil
	}
	if err != nil {
		return fmt.Errorf("preparing the inputs of %s: %w", routeNames(todo), err)
	}
	began := time.Now()
	for _, r := range todo {
		output, err := cfg.outputFor(r.Delivery.Output, "route "+r.Name+": its inputs are made on "+r.Delivery.Output)
		if err != nil {
			return err
		}
		b.inputs[r.Name] = map[contract.Kind]*Prepared{}
		for _, k := range cfg.Kinds {
			l := lookup{awsCfg: awsCfg, output: output, run: cfg.RunID, route: r.Name, logf: b.logf}
			values, err := probes[r.Delivery.Probe].prepare(ctx, l, k, n, hold)
			if err != nil {
				return fmt.Errorf("route %s on the %s API: preparing %d inputs: %w", r.Name, k, n, err)
			}
			b.inputs[r.Name][k] = &Prepared{Header: r.Delivery.InputHeader, Values: values}
		}
	}
	took := time.Since(began)
	b.logf("prepared %d inputs for %s in %s, each usable for %s", total, routeNames(todo), took.Round(time.Millisecond), hold)
	if took > allowance {
		return fmt.Errorf("preparing %d inputs for %s took %s, more than the %s left for it: the first may end before their requests; lower the rate or the duration", total, routeNames(todo), took.Round(time.Second), allowance)
	}
	return nil
}

func routeNames(rs []spec.Route) string {
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	return strings.Join(names, ", ")
}

// prepareConcurrency is how many SDK calls one preparation makes at a time.
const prepareConcurrency = 16

// forEach calls f for 0 … n-1, prepareConcurrency at a time, and returns the first error.
func forEach(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(prepareConcurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(ctx, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// startHeld is the stopped-executions probe's preparation: n executions of the STANDARD state
// machine at l.output, each named by the bench id of the request that will stop it and asked
// to wait hold ({"holdSeconds": N}) so that it is RUNNING when its request comes.
func startHeld(ctx context.Context, l lookup, kind contract.Kind, n int, hold time.Duration) ([]string, error) {
	api := sfn.NewFromConfig(l.awsCfg)
	input := fmt.Sprintf(`{"holdSeconds":%d}`, int(math.Ceil(hold.Seconds())))
	values := make([]string, n)
	err := forEach(ctx, n, func(ctx context.Context, i int) error {
		out, err := api.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(l.output),
			Name: aws.String(formatID(l.run, l.route, kind, uint64(i))), Input: aws.String(input)})
		if err != nil {
			return fmt.Errorf("StartExecution %s: %w", l.output, err)
		}
		values[i] = aws.ToString(out.ExecutionArn)
		return nil
	})
	return values, err
}
