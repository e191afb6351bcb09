package bench

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// Prepared inputs: routes whose requests consume what the run itself made.
//
// Most routes are loaded from one request template, each request told apart by its bench id.
// Some cannot be: each DELETE of a queue message needs the receipt handle of a message of its
// own, each StopExecution a running execution of its own. Their probe has a prepare function:
// before the load, and before the schedule's origin is set (so preparing takes nothing from the
// load), the bench calls it once per route × kind with the number of requests the schedule will
// send there, and it makes whatever the requests will consume (sends and receives messages,
// starts executions) with the SDK. It returns
//
//   - Inputs, one per request: request seq (the schedule's request number) gets Inputs[seq]:
//     its headers are set over the template's (X-Receipt-Handle: the handle of message seq),
//     its Query parameters over the template's, and a Body, when set, replaces the templated
//     body;
//   - State, opaque to the bench, which the probe's find reads after the load
//     (lookup.prepared, by API kind) to check downstream what the accepted requests did to what
//     was prepared for them (deleted messages gone, stopped executions ABORTED), and which the
//     probe's observe, when it has one, updates from every 2xx answer during the load
//     (observe is called from both kinds' attacks at once: State must be safe for that).
//
// A probe that prepares inputs is one entry in probes (probe.go) with prepare and find set:
//
//	spec.ProbeX: {via: "…", prepare: prepareX, find: findX},
//
// prepareX(ctx, p) makes p.N items (p.ID(seq) names item seq, so downstream leftovers say
// which run made them), and findX(ctx, l) reads l.prepared[kind].(*xState) and adds to a
// seenSet the ids (l.run, l.route, kind, seq) whose effect it found downstream, which
// Delivery counts as delivered; an accepted request whose effect is absent is missing.
//
// Such a route is not distributable: its inputs are made by this generator for its own
// requests, so a sharded run (Config.Shard, bench --from lambda: workers make their own
// requests and never see them) cannot load it, nor can the closed model, whose number of
// requests is not known before the load, nor a LoadOnly generator, which calls no AWS API.
// Config.Check refuses those; SplitDistributable is how a caller leaves such routes out of a
// run where they cannot go, saying so.

// Input is what one request of a prepared route carries besides the template.
type Input struct {
	Header http.Header // set over the template's headers
	Body   []byte      // replaces the templated body when not nil
	Query  url.Values  // set over the template's query parameters (a receive's visibility)
}

// Prepared is what a probe's prepare made for one route × kind.
type Prepared struct {
	Inputs []Input // by schedule seq; nil: every request is the template's
	State  any     // the probe's own, for its find and observe
	// Note says what was prepared, for the run's log: "40 messages received for their
	// receipt handles".
	Note string
	// Lasts is when the first of what was prepared stops being usable (the end of the
	// hold of the first execution started), zero for what does not expire. The bench
	// refuses to load a route whose last request would come after it, once it knows the
	// schedule's origin: a request would find nothing to consume and count as missing.
	Lasts time.Time
}

// expiryProblem is the bench's complaint, before the load, about a prepared route × kind
// whose inputs stop being usable before its last request is sent at last, or "" when they
// last.
func expiryProblem(a *attack, lasts, last time.Time) string {
	if lasts.IsZero() || last.Before(lasts) {
		return ""
	}
	return fmt.Sprintf("%s: what was prepared for its requests lasts until %s, but its last request goes out at %s: shorten --warmup and --duration, or lower --rate, by %s at least, or leave %s out of --routes",
		a, lasts.Format(time.TimeOnly), last.Format(time.TimeOnly), last.Sub(lasts).Round(time.Second)+time.Second, a.route.Name)
}

// preparation is one prepare call: route × kind of a run, and N, the number of requests the
// schedule sends there.
type preparation struct {
	awsCfg aws.Config
	output string // the value of the route's Delivery.Output, "" when it has none
	run    string
	route  spec.Route
	kind   contract.Kind
	n      int
	// end is how long after its origin the schedule sends its last request: what a
	// request consumes must last until then (a held execution).
	end  time.Duration
	logf func(format string, a ...any)
}

// ID is the bench id of item seq: the id of the request that will consume it.
func (p preparation) ID(seq uint64) string { return formatID(p.run, p.route.Name, p.kind, seq) }

// Distributable reports whether a route can be loaded by several generators sharing one
// schedule, or by a closed-model or load-only run: whether its requests need nothing a
// generator prepares before the load.
func Distributable(r spec.Route) bool { return probes[r.Delivery.Probe].prepare == nil }

// SplitDistributable separates the routes a sharded, closed-model or load-only run can load
// from those whose requests consume inputs prepared before the load.
func SplitDistributable(rs []spec.Route) (keep, left []spec.Route) {
	for _, r := range rs {
		if Distributable(r) {
			keep = append(keep, r)
		} else {
			left = append(left, r)
		}
	}
	return keep, left
}

// preparedRoutesProblem is Config.Check's complaint about prepared routes in a run that
// cannot prepare them (why: "a sharded run"), or "" when there are none.
func preparedRoutesProblem(rs []spec.Route, why string) string {
	_, left := SplitDistributable(rs)
	if len(left) == 0 {
		return ""
	}
	names := make([]string, len(left))
	for i, r := range left {
		names[i] = r.Name
	}
	return fmt.Sprintf("routes %s consume inputs this generator prepares for each request before the load (receipt handles, running executions), which %s cannot: load them in an unsharded open-model run (--rate, from this machine), and leave them out of --routes here",
		strings.Join(names, ", "), why)
}

// requestCount is how many requests an open-model schedule with this interval sends before
// end: the seqs whose offset is before it.
func requestCount(interval float64, end float64) int {
	if interval <= 0 {
		return -1
	}
	n := int(math.Ceil(end / interval))
	for n > 0 && float64(n-1)*interval >= end {
		n--
	}
	for float64(n)*interval < end {
		n++
	}
	return n
}

// preparedStates holds every prepared route × kind's State for the check.
type preparedStates struct {
	mu sync.Mutex
	m  map[string]map[contract.Kind]any
}

func (p *preparedStates) set(route string, kind contract.Kind, state any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]map[contract.Kind]any{}
	}
	if p.m[route] == nil {
		p.m[route] = map[contract.Kind]any{}
	}
	p.m[route][kind] = state
}

func (p *preparedStates) of(route string) map[contract.Kind]any {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[route]
}

// apply sets request seq's prepared input on req, returning the body to send (nil: the
// templated one).
func (in Input) apply(req *http.Request) []byte {
	for k, v := range in.Header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	return in.Body
}

// observer is a prepared route's observe bound to its state, called with every 2xx answer.
type observer func(id ID, r *vegeta.Result)
