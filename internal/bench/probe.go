package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/logging"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// A probe is one way of proving that a route's accepted requests arrived (spec.Delivery.Probe
// names it). Either the 2xx answer itself proves it (response: checked as each answer comes
// back), or the probe looks downstream after the load (find: with the SDK, the same calls
// against AWS and against the local runner's endpoint). A new way of checking is one entry
// here.
type probe struct {
	// via is how reports name what the probe reads, before " on OUTPUT" for a probe that
	// reads a stack output; spec.Delivery.Via overrides it.
	via string
	// response says whether the 2xx answer r of the request with id proves its delivery;
	// it may add what the answer says about billing to res.
	response func(r *vegeta.Result, id string, res *Result) bool
	// find looks for the route's accepted requests downstream.
	find func(ctx context.Context, l lookup) (*seenSet, error)
	// expected, for a probe that compares every 2xx answer with one body, reads that body
	// after the load; the answers equal to it are the deliveries.
	expected func(ctx context.Context, l lookup) ([]byte, error)
	// prepare makes, before the load, what each request of the route consumes (prepare.go);
	// a probe with it has find, which reads what it made in lookup.prepared.
	prepare func(ctx context.Context, p preparation) (*Prepared, error)
	// observe, for a probe with prepare, sees every 2xx answer during the load with the
	// route × kind's State (both kinds' attacks call it at once).
	observe func(state any, id ID, r *vegeta.Result)
}

// lookup is one route's downstream search.
type lookup struct {
	awsCfg   aws.Config
	output   string // the stack output's value: a queue URL, a state machine ARN
	run      string
	route    string
	want     int           // accepted requests to find
	accepted func(ID) bool // whether an id was accepted
	since    time.Time     // the run's start, less a margin for clock skew
	deadline time.Time
	logf     func(format string, a ...any) // the run's log, for the SDK's retries
	// prepared is, for a probe with prepare, each API kind's Prepared.State.
	prepared map[contract.Kind]any
}

// retriesLogged makes a client log each retry of the SDK on the run's log: a retried
// receive may have hidden messages (see queueDrain), and the log says when it happened.
func (l lookup) retriesLogged(o *sqs.Options) {
	if l.logf == nil {
		return
	}
	o.ClientLogMode |= aws.LogRetries
	o.Logger = logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
		l.logf("delivery check on %s: SDK: "+format, append([]any{l.output}, v...)...)
	})
}

var probes = map[string]probe{
	spec.ProbeQueue: {via: "SQS messages", find: func(ctx context.Context, l lookup) (*seenSet, error) {
		seen := newSeenSet()
		d := &queueDrain{api: sqs.NewFromConfig(l.awsCfg, l.retriesLogged), url: l.output, run: l.run, route: l.route, want: l.want,
			accepted: l.accepted, receivers: 4, seen: seen, deadline: l.deadline}
		return seen, d.drain(ctx)
	}},
	spec.ProbeExecutions: {via: "ListExecutions", find: func(ctx context.Context, l lookup) (*seenSet, error) {
		e := &executionList{api: sfn.NewFromConfig(l.awsCfg), arn: l.output, run: l.run, route: l.route, want: l.want,
			accepted: l.accepted, since: l.since, deadline: l.deadline}
		return e.find(ctx)
	}},
	spec.ProbeStoppedExecutions: {via: "ABORTED executions in ListExecutions", prepare: startHeld, find: findStopped},
	spec.ProbeReceivedMessages: {via: "received messages still in flight (ChangeMessageVisibility)", prepare: prepareReceives,
		observe: observeReceive, find: findReceived},
	spec.ProbeDeletedMessages: {via: "deleted messages gone (ChangeMessageVisibility)", prepare: prepareDeletes, find: findDeleted},
	spec.ProbePurges:          {via: "marker messages gone", prepare: preparePurges, find: findPurged},
	spec.ProbeStream: {via: "GetRecords on every shard", find: func(ctx context.Context, l lookup) (*seenSet, error) {
		s := &streamRead{api: kinesis.NewFromConfig(l.awsCfg), stream: l.output, run: l.run, route: l.route, want: l.want,
			accepted: l.accepted, deadline: l.deadline}
		return s.find(ctx)
	}},
	spec.ProbeConfiguration: {via: "answers equal to AppConfig's GetConfiguration", expected: func(ctx context.Context, l lookup) ([]byte, error) {
		return hostedConfiguration(ctx, l.awsCfg, l.output)
	}},
	spec.ProbeResponse:      {via: "the response body", response: responseNamesID},
	spec.ProbeSyncExecution: {via: "the response body", response: syncExecutionSucceeded},
}

// deliveryMethod is how a report names the way a route's deliveries were checked.
func deliveryMethod(d spec.Delivery) string {
	via := d.Via
	if via == "" {
		via = probes[d.Probe].via
	}
	if d.Output != "" {
		return via + " on " + d.Output
	}
	return via
}

// responseNamesID: the answer carries the request's id (a function echoing it).
func responseNamesID(r *vegeta.Result, id string, _ *Result) bool {
	return bytes.Contains(r.Body, []byte(id))
}

// syncExecutionSucceeded: a StartSyncExecution answer says SUCCEEDED with the request's id in
// the execution's output. It also sums the executions' billing details, which price them.
func syncExecutionSucceeded(r *vegeta.Result, id string, res *Result) bool {
	var out struct {
		Status         string `json:"status"`
		Output         string `json:"output"`
		BillingDetails *struct {
			BilledDurationInMilliseconds float64 `json:"billedDurationInMilliseconds"`
			BilledMemoryUsedInMB         float64 `json:"billedMemoryUsedInMB"`
		} `json:"billingDetails"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		return false
	}
	if b := out.BillingDetails; b != nil && b.BilledDurationInMilliseconds > 0 {
		if res.Express == nil {
			res.Express = &ExpressBilling{}
		}
		res.Express.Executions++
		res.Express.BilledMs += b.BilledDurationInMilliseconds
		res.Express.BilledMemMB += b.BilledMemoryUsedInMB
	}
	return out.Status == "SUCCEEDED" && strings.Contains(out.Output, id)
}
