package bench

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// schedule says when each request of one attack is meant to go out, and it is the attack's
// vegeta.Pacer, so the schedule vegeta follows and the one latency is measured from are the
// same function.
//
// Open model: request n is meant for origin + n/rate, and latency is measured from that
// intended time, not from when vegeta's worker actually sent it. vegeta (like wrk) measures
// from the actual send, which hides coordinated omission: when the system stalls and the
// generator falls behind (all workers busy, or the pacing goroutine itself delayed), the
// requests that should have gone out during the stall go out late, in a burst, and each looks
// fast. Measured from its intended time, each of them carries the part of the stall it
// waited through, as a user arriving at that moment would have. vegeta numbers its hits in
// the order its workers pick up the pacer's ticks (Result.Seq), so request Seq is the Seq-th
// tick and was meant for intended(Seq); two workers racing for the same pair of ticks can swap
// numbers, which moves a latency by at most one interval (1/rate).
//
// Go's timers on Linux wake at millisecond granularity (the runtime's netpoller waits in whole
// milliseconds), so at intervals under a millisecond the pacer sleeps late and sends the due
// requests in a burst: a request goes out up to about a millisecond after its time even on an
// idle machine. That lag is part of its latency, the same for both API kinds, and reports show
// it on its own as send lag, next to the service time from the actual send.
//
// Closed model: there is no schedule to miss; the workers send back to back and latency is
// the service time.
//
// Sharded (open model, Config.Shard): several generators load one schedule together, each
// sending every stride-th request from first, so N generators at rate/N each send exactly
// what one generator at the whole rate would, at the same instants, with the same bench ids.
type schedule struct {
	origin   time.Time     // request 0 of the open model; the start of the closed model
	interval float64       // nanoseconds between requests; 0 for the closed model
	warmup   time.Duration // requests meant (open) or sent (closed) before origin+warmup are not measured
	end      time.Duration // nothing is sent from origin+end on
	stride   uint64        // this generator sends requests first, first+stride, …; 0 means 1
	first    uint64
}

// seq is the schedule's request number of this generator's hit-th request (vegeta's Seq).
func (s *schedule) seq(hit uint64) uint64 {
	if s.stride <= 1 {
		return hit
	}
	return s.first + hit*s.stride
}

// share is this generator's part of the accepted requests, empty.
func (s *schedule) share() SeqShard {
	return SeqShard{Stride: max(s.stride, 1), First: s.first}
}

// offset is when request seq (a schedule request number) is meant to go out, after origin.
func (s *schedule) offset(seq uint64) time.Duration {
	return time.Duration(float64(seq) * s.interval)
}

// Pace implements vegeta.Pacer. It ignores vegeta's own clock (elapsed since its attack
// began) so that every attack of a run follows one shared origin.
func (s *schedule) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	now := time.Now()
	if s.interval == 0 { // closed model: start together, then as fast as the workers go
		if now.Before(s.origin) {
			return s.origin.Sub(now), false
		}
		return 0, now.Sub(s.origin) >= s.end
	}
	off := s.offset(s.seq(hits))
	if off >= s.end {
		return 0, true
	}
	return s.origin.Add(off).Sub(now), false
}

// Rate implements vegeta.Pacer.
func (s *schedule) Rate(time.Duration) float64 {
	if s.interval == 0 {
		return 0
	}
	return 1e9 / s.interval
}

// window is the measurement window.
func (s *schedule) window() Window {
	return Window{Start: s.origin.Add(s.warmup), End: s.origin.Add(s.end)}
}

// correctedLatency is the latency of a request meant for intended, sent at sent and answered
// latency later: from intended to the end of the response. A request cannot be sent before
// its intended time (the pacer waits for it); were it, its own latency is the honest figure.
func correctedLatency(intended, sent time.Time, latency time.Duration) time.Duration {
	if sent.Before(intended) {
		return latency
	}
	return sent.Add(latency).Sub(intended)
}

// attack is one route on one API kind.
type attack struct {
	route   spec.Route
	kind    contract.Kind
	tmpl    *requestTemplate
	sched   *schedule
	workers uint64 // closed model: exactly this many; open model: at most this many
	closed  bool
	timeout time.Duration
	// transport is the HTTP transport; each attack has its own connection pool so that one
	// route's slow responses cannot starve another's connections.
	transport http.RoundTripper
	sent      *atomic.Uint64 // every request sent, for the progress line
	rec       *recorder
	auth      *signer
	observe   observer  // a prepared route's probe's observe (prepare.go), nil for none
	lasts     time.Time // when its prepared inputs stop being usable, zero for never
}

// run sends the attack's requests and records their results until the schedule ends or ctx
// is done.
func (a *attack) run(ctx context.Context) {
	client := &http.Client{
		Transport: &stampingTransport{next: a.transport, tmpl: a.tmpl, sched: a.sched, sent: a.sent, auth: a.auth},
		Timeout:   a.timeout,
		// API Gateway does not redirect; a 3xx is an answer to count, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	initial := a.workers
	if !a.closed {
		initial = min(a.workers, 10)
	}
	// vegeta.Client must come first: vegeta's transport options assume its own transport.
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(initial), vegeta.MaxWorkers(a.workers), vegeta.MaxBody(-1))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: a.route.Method, URL: a.tmpl.url.String()})
	for res := range atk.Attack(targeter, a.sched, 0, a.route.Name+"/"+string(a.kind)) {
		a.rec.add(res)
	}
}

// stampingTransport gives each request its identity. vegeta sends the same target every time
// and numbers each hit in an X-Vegeta-Seq header; the transport turns that number into the
// request's bench id (in the body, the greeter parameter or the execution-name header), so
// that a Result's Seq alone says which downstream message, event or execution is its own.
type stampingTransport struct {
	next  http.RoundTripper
	tmpl  *requestTemplate
	sched *schedule
	sent  *atomic.Uint64
	auth  *signer // nil: no credentials
}

func (t *stampingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	seq, err := strconv.ParseUint(req.Header.Get("X-Vegeta-Seq"), 10, 64)
	if err != nil {
		return nil, errors.New("bench: request without vegeta's X-Vegeta-Seq header")
	}
	r := req.Clone(req.Context())
	r.Header.Del("X-Vegeta-Seq")
	r.Header.Del("X-Vegeta-Attack")
	body := t.tmpl.stamp(r, t.sched.seq(seq))
	if err := t.auth.apply(r, body); err != nil {
		return nil, err
	}
	t.sent.Add(1)
	return t.next.RoundTrip(r)
}

// newTransport is an HTTP/1.1 transport for one attack, keeping up to maxConns connections.
func newTransport(maxConns int) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		MaxIdleConns:          maxConns,
		MaxIdleConnsPerHost:   maxConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// recorder turns one attack's vegeta results into a Result and the accepted-request set the
// delivery check needs. Only the attack's own goroutine calls add.
type recorder struct {
	res    *Result
	tmpl   *requestTemplate
	sched  *schedule
	closed bool
	errs   *atomic.Uint64 // every failed request, for the progress line

	// accepted holds every 2xx of the run, warm-up included.
	accepted SeqShard
	// confirmed holds the 2xx whose response itself proves delivery (the greeting's text,
	// the express execution's output), for a route whose probe checks responses.
	confirmed SeqShard
	// firstSent is when the first request actually went out.
	firstSent time.Time
	response  func(r *vegeta.Result, id string, res *Result) bool
	// bodies groups the 2xx answers by body, for a probe that compares them with one.
	bodies bodyDigests
	// observe sees every 2xx answer of a prepared route (prepare.go); refused says
	// the error code of a failure that is the service's documented refusal (spec.Route.Refusal).
	observe observer
	refused string

	timeline   map[int64]*Bucket
	transportN int
}

func newRecorder(r spec.Route, kind contract.Kind, tmpl *requestTemplate, sched *schedule, closed bool, errs *atomic.Uint64) *recorder {
	return &recorder{
		res:       &Result{Route: r.Name, Kind: kind, Windows: []Window{sched.window()}, Latency: NewHistogram(), ServiceTime: NewHistogram()},
		accepted:  sched.share(),
		confirmed: sched.share(),
		tmpl:      tmpl,
		sched:     sched,
		closed:    closed,
		errs:      errs,
		response:  probes[r.Delivery.Probe].response,
		bodies:    newBodyDigests(probes[r.Delivery.Probe].expected != nil),
		refused:   r.Refusal,
		timeline:  map[int64]*Bucket{},
	}
}

func (rc *recorder) add(r *vegeta.Result) {
	seq := rc.sched.seq(r.Seq)
	if rc.firstSent.IsZero() || r.Timestamp.Before(rc.firstSent) {
		rc.firstSent = r.Timestamp
	}
	ok := r.Code >= 200 && r.Code < 300
	if ok {
		rc.accepted.bits.set(r.Seq)
		if rc.response != nil && rc.response(r, formatID(rc.tmpl.run, rc.tmpl.route.Name, rc.tmpl.kind, seq), rc.res) {
			rc.confirmed.bits.set(r.Seq)
		}
		if rc.bodies != nil {
			rc.bodies.add(r.Body, seq)
		}
		if rc.observe != nil {
			rc.observe(ID{Run: rc.tmpl.run, Route: rc.tmpl.route.Name, Kind: rc.tmpl.kind, Seq: seq}, r)
		}
	} else {
		rc.errs.Add(1)
	}

	w := rc.sched.window()
	latency := r.Latency
	var lag time.Duration
	var measured bool
	if rc.closed {
		measured = !r.Timestamp.Before(w.Start)
	} else {
		off := rc.sched.offset(seq)
		measured = off >= rc.sched.warmup
		intended := rc.sched.origin.Add(off)
		latency = correctedLatency(intended, r.Timestamp, r.Latency)
		lag = r.Timestamp.Sub(intended)
	}
	if !measured {
		return
	}
	res := rc.res
	if !rc.closed {
		if res.SendLag == nil {
			res.SendLag = NewHistogram()
		}
		res.SendLag.Record(lag)
	}
	res.Requests++
	if !r.Timestamp.Before(w.Start) && r.Timestamp.Before(w.End) {
		res.SentInWindow++
	}
	res.BytesOut += uint64(rc.tmpl.body.size())
	res.BytesIn += r.BytesIn
	res.Latency.Record(latency)
	res.ServiceTime.Record(r.Latency)
	sec := r.Timestamp.Add(r.Latency).Unix()
	b := rc.timeline[sec]
	if b == nil {
		b = &Bucket{Second: sec}
		rc.timeline[sec] = b
	}
	b.N++
	if ok {
		res.OK++
		return
	}
	b.Errors++
	if rc.refused != "" && spec.Refused(rc.refused, int(r.Code), string(r.Body)) {
		res.Refused++
	}
	if res.Errors == nil {
		res.Errors = map[string]uint64{}
	}
	res.Errors[rc.errorKey(r)]++
}

// maxTransportKinds bounds the distinct transport error messages a result keeps.
const maxTransportKinds = 8

// errorKey is how a failed request is counted: its status code, or for one that got no
// response, "transport: " and the error without the method and URL vegeta prefixes.
func (rc *recorder) errorKey(r *vegeta.Result) string {
	if r.Code != 0 {
		return strconv.Itoa(int(r.Code))
	}
	key := "transport: " + normalizeTransportError(r.Error)
	if _, seen := rc.res.Errors[key]; !seen {
		if rc.transportN >= maxTransportKinds {
			return "transport: other"
		}
		rc.transportN++
	}
	return key
}

var urlErrPrefix = regexp.MustCompile(`^[A-Za-z]+ "[^"]*": `)

func normalizeTransportError(s string) string {
	s = urlErrPrefix.ReplaceAllString(s, "")
	switch {
	case strings.Contains(s, "Client.Timeout exceeded"), strings.Contains(s, "context deadline exceeded"):
		return "timeout"
	case strings.Contains(s, "context canceled"):
		return "canceled"
	}
	return s
}

// finish sorts the timeline into the result.
func (rc *recorder) finish() *Result {
	rc.res.Timeline = rc.res.Timeline[:0]
	for _, b := range rc.timeline {
		rc.res.Timeline = append(rc.res.Timeline, *b)
	}
	rc.res.Timeline = mergeTimeline(nil, rc.res.Timeline)
	return rc.res
}

// bitset is a set of sequence numbers.
type bitset []uint64

func (b *bitset) set(i uint64) {
	w := int(i / 64)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w-len(*b)+1)...)
	}
	(*b)[w] |= 1 << (i % 64)
}

func (b bitset) has(i uint64) bool {
	w := int(i / 64)
	return w < len(b) && b[w]&(1<<(i%64)) != 0
}

func (b bitset) count() uint64 {
	var n int
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return uint64(n)
}

// each calls fn for every member in order.
func (b bitset) each(fn func(uint64)) {
	for wi, w := range b {
		for w != 0 {
			i := bits.TrailingZeros64(w)
			fn(uint64(wi*64 + i))
			w &^= 1 << i
		}
	}
}

func (a *attack) String() string { return fmt.Sprintf("%s/%s", a.route.Name, a.kind) }
