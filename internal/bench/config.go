package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/spec"
)

// Config is one bench run.
type Config struct {
	// Outputs are the stack's outputs (routes.ReadOutputs of `cdk deploy --outputs-file` or
	// `firstclass local --outputs-file`): API base URLs per stage, targets, access log groups,
	// the region and, for the local runner, AwsEndpoint.
	Outputs contract.Outputs
	Stack   string // for the report
	Stage   string // default "dev"
	// Routes are the routes to load (the app's table, or the part of it to load), with how
	// the bench finds each one's deliveries; Kinds the API kinds to load them on (default
	// both).
	Routes []spec.Route
	Kinds  []contract.Kind

	// Rate is the open model's arrival rate, in requests per second on each route × kind.
	Rate float64
	// Workers selects the closed model instead: this many workers per route × kind, each
	// sending its next request when the last one is answered.
	Workers int
	// MaxWorkers bounds the open model's concurrent requests per route × kind (default
	// 1000). Past it requests go out late; latency, measured from the schedule, still counts
	// the wait.
	MaxWorkers int
	// Duration is how long results are measured; Warmup runs before it and is not measured.
	Duration time.Duration
	Warmup   time.Duration

	// PayloadSize pads every request body to exactly this many bytes (0: no padding).
	PayloadSize int
	// Payload replaces the routes' sample bodies; it must be a JSON object. PayloadFile
	// names it in the report.
	Payload     []byte
	PayloadFile string

	// Auth gets requests through a protected stack; nil sends them unauthenticated.
	Auth *Auth

	// Timeout bounds one request (default 30 s).
	Timeout time.Duration
	// NoDeliveryCheck skips the delivery check.
	NoDeliveryCheck bool
	// DeliveryTimeout is the wait for deliveries after the load (default 60 s); a queue drain
	// still finding messages goes on past it (queueDrain.end).
	DeliveryTimeout time.Duration
	// AccessLogTimeout bounds the wait for access log lines (default 5 s for a file, 90 s
	// for CloudWatch Logs, which delivers late).
	AccessLogTimeout time.Duration

	// Prices price the measured workload (default cost.Default()).
	Prices *cost.Prices
	// AWS is the SDK configuration for the delivery check and CloudWatch Logs; nil builds
	// it from the outputs (AwsEndpoint and Region) and the default credential chain.
	AWS *aws.Config
	// Transport, when set, sends the load instead of a fresh HTTP/1.1 transport per
	// route × kind (tests).
	Transport http.RoundTripper

	// Progress, when set, gets a live progress line, rewritten in place with "\r": give it
	// a terminal. Log gets one line per phase. Either may be nil.
	Progress io.Writer
	Log      io.Writer

	// RunID names the run in bench ids (lower-case letters and digits); default random.
	RunID string

	// Origin is the instant the schedule starts (warm-up included); zero is now plus a
	// moment to get ready. Generators on several machines given the same Origin, RunID and
	// Shard.Of load one schedule together.
	Origin time.Time
	// Shard makes this generator send only its share of the open model's schedule: of each
	// Shard.Of consecutive requests of a route × kind, the one at Shard.Index. Rate stays
	// the whole schedule's rate. The zero value sends every request.
	Shard Shard
	// LoadOnly runs the load and nothing that needs the stack's AWS resources: the report
	// keeps every accepted request (Result.Accepted) for bench.Check to look for
	// downstream, and only the deliveries a response proves are checked here. No access log
	// is read and no AWS API is called. It is what a Lambda load worker runs.
	LoadOnly bool
}

// Shard is one generator's share of a schedule loaded by several (Config.Shard).
type Shard struct {
	Index int `json:"index"`
	Of    int `json:"of"`
}

func (s Shard) sharded() bool { return s.Of > 1 }

// Defaults.
const (
	DefaultStage           = "dev"
	DefaultMaxWorkers      = 1000
	DefaultTimeout         = 30 * time.Second
	DefaultDeliveryTimeout = 60 * time.Second
)

// Closed reports whether the config asks for the closed model.
func (c *Config) Closed() bool { return c.Workers > 0 }

// Check says what is wrong with the config and how to put it right.
func (c *Config) Check() error {
	var errs []string
	add := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if err := c.Auth.check(); err != nil {
		add("%v", err)
	}
	switch {
	case c.Rate < 0:
		add("rate %g: give a positive number of requests per second", c.Rate)
	case c.Workers < 0:
		add("workers %d: give a positive number of workers", c.Workers)
	case c.Rate > 0 && c.Workers > 0:
		add("rate and workers both set: a rate is the open model (requests arrive on schedule), workers the closed model (each sends when answered); give one")
	case c.Rate == 0 && c.Workers == 0:
		add("give a rate (open model, requests per second on each route and API kind) or a number of workers (closed model)")
	}
	if c.Duration <= 0 {
		add("duration %s: give how long to measure, e.g. 30s", c.Duration)
	}
	if c.Warmup < 0 {
		add("warm-up %s: give 0 or more", c.Warmup)
	}
	if c.Rate > 0 && c.Rate*(c.Duration+c.Warmup).Seconds() >= 1e9 {
		add("rate × (warm-up + duration) is a billion requests or more on one route; bench ids number up to 999,999,999")
	}
	if c.PayloadSize < 0 {
		add("payload size %d: give 0 (the sample body) or a size in bytes", c.PayloadSize)
	}
	if c.Payload != nil && len(bytes.TrimSpace(c.Payload)) == 0 {
		add("the payload is empty; give a JSON object")
	}
	if c.MaxWorkers < 0 || c.Timeout < 0 || c.DeliveryTimeout < 0 || c.AccessLogTimeout < 0 {
		add("max workers and timeouts must not be negative")
	}
	switch {
	case c.Shard.Of < 0 || c.Shard.Index < 0 || (c.Shard.Of > 0 && c.Shard.Index >= c.Shard.Of) || (c.Shard.Of == 0 && c.Shard.Index != 0):
		add("shard %d of %d: give an index from 0 to the number of generators less one", c.Shard.Index, c.Shard.Of)
	case c.Shard.sharded() && c.Workers > 0:
		add("a shard of a schedule needs the open model (a rate): the closed model has no schedule to share")
	case c.Shard.sharded() && c.RunID == "":
		add("a shard of a schedule needs the run id every generator of it uses")
	}
	for _, why := range []struct {
		on   bool
		what string
	}{{c.Shard.sharded(), "a sharded run (each generator of it would need the others' inputs)"},
		{c.Closed(), "the closed model (the number of requests is not known before the load)"},
		{c.LoadOnly, "a load-only generator (it calls no AWS API)"}} {
		if why.on {
			if p := preparedRoutesProblem(c.Routes, why.what); p != "" {
				add("%s", p)
				break
			}
		}
	}
	if c.RunID != "" && !runIDRE.MatchString(c.RunID) {
		add("run id %q: use 1 to 16 lower-case letters and digits", c.RunID)
	}
	if len(c.Routes) == 0 {
		add("no routes: give the app's route table (firstclass's is routes.Routes), or the routes of it to load")
	}
	if c.Outputs == nil {
		add("no outputs: read them with routes.ReadOutputs from the file cdk deploy --outputs-file or firstclass local --outputs-file wrote")
	}
	seen := map[string]bool{}
	for _, r := range c.Routes {
		if seen[r.Name] {
			add("route %s is selected twice", r.Name)
		}
		seen[r.Name] = true
	}
	for _, k := range c.Kinds {
		if k != contract.HTTP && k != contract.REST {
			add("API kind %q: use %q or %q", k, contract.HTTP, contract.REST)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "; "))
}

func (c *Config) setDefaults() {
	if c.Stage == "" {
		c.Stage = DefaultStage
	}
	if len(c.Kinds) == 0 {
		c.Kinds = append([]contract.Kind(nil), contract.Kinds...)
	}
	if c.MaxWorkers == 0 {
		c.MaxWorkers = DefaultMaxWorkers
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.DeliveryTimeout == 0 {
		c.DeliveryTimeout = DefaultDeliveryTimeout
	}
}

// outputFor returns an output the run needs, or an error saying which and why.
func (c *Config) outputFor(key, why string) (string, error) {
	v, err := c.Outputs.Get(key)
	if err != nil {
		return "", fmt.Errorf("%s: %w", why, err)
	}
	return v, nil
}

// baseURL is kind's base URL on the run's stage.
func (c *Config) baseURL(kind contract.Kind) (string, error) {
	v, err := c.Outputs.Get(contract.APIURLOutput(kind, c.Stage))
	if err != nil {
		if st := c.Outputs.Stages(kind); len(st) > 0 {
			return "", fmt.Errorf("stage %q: the outputs have no %s for the %s API; its stages are %s", c.Stage, contract.APIURLOutput(kind, c.Stage), kind, strings.Join(st, ", "))
		}
		return "", fmt.Errorf("%s API: %w", kind, err)
	}
	return v, nil
}
