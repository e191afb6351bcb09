package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
)

// HoursPerMonth is the month AWS prices by (365 × 24 / 12).
const HoursPerMonth = 730

// MonthlyRequests is the number of requests a month at a constant rate per second.
func MonthlyRequests(ratePerSecond float64) float64 {
	return ratePerSecond * HoursPerMonth * 3600
}

// GB is the gigabyte AWS bills data by.
const GB = 1 << 30

// Chunks is how many billing units a payload of n bytes makes when every started chunk of
// size bytes is one unit; an empty payload is still one unit.
func Chunks(n, size int64) int64 {
	if n <= 0 {
		return 1
	}
	return (n + size - 1) / size
}

// HTTPAPIRequests is how many requests the HTTP API meters for one request of n bytes.
func (p Prices) HTTPAPIRequests(n int64) int64 { return Chunks(n, p.HTTPAPI.MeterIncrementBytes) }

// SQSRequests is how many SQS requests one message of n bytes is billed as.
func (p Prices) SQSRequests(n int64) int64 { return Chunks(n, p.SQS.ChunkBytes) }

// EventBridgeEvents is how many events one PutEvents entry of n bytes is billed as.
func (p Prices) EventBridgeEvents(n int64) int64 { return Chunks(n, p.EventBridge.ChunkBytes) }

// ExpressGBSeconds is one Express execution's billed GB-seconds: its duration rounded up to
// the billing increment (at least one) times its memory rounded up to 64 MB chunks (at least
// one).
func (p Prices) ExpressGBSeconds(durationMs, memoryMB float64) float64 {
	inc := float64(p.StepFunctions.ExpressDurationIncrementMs)
	ms := math.Max(1, math.Ceil(durationMs/inc)) * inc
	chunk := float64(p.StepFunctions.ExpressMemoryIncrementMB)
	mb := math.Max(1, math.Ceil(memoryMB/chunk)) * chunk
	return ms / 1000 * mb / 1024
}

// LambdaGBSeconds is one invocation's billed GB-seconds: configured memory times the
// duration rounded up to the billing increment.
func (p Prices) LambdaGBSeconds(durationMs, memoryMB float64) float64 {
	inc := float64(p.Lambda.DurationIncrementMs)
	ms := math.Max(1, math.Ceil(durationMs/inc)) * inc
	return ms / 1000 * memoryMB / 1024
}

// Workload is what a route is priced for: a monthly volume and the request size, plus what
// the targets' bills depend on that the request does not say.
type Workload struct {
	MonthlyRequests float64
	PayloadBytes    int64 // request body; GET routes send none whatever this says

	// StandardTransitions is the state transitions of one STANDARD execution. The Workflow
	// machine in api/targets.go enters Check, Accept and Done: 3.
	StandardTransitions float64
	// ExpressDurationMs and ExpressMemoryMB are one EXPRESS execution's duration and memory;
	// the bench measures them from the executions' billingDetails.
	ExpressDurationMs float64
	ExpressMemoryMB   float64
	// LambdaDurationMs and LambdaMemoryMB are the greeting function's duration and configured
	// memory (128 MB in api/targets.go).
	LambdaDurationMs float64
	LambdaMemoryMB   float64
	// LambdaLogBytes is what the Lambda platform writes to CloudWatch Logs per invocation
	// (START, END and REPORT lines).
	LambdaLogBytes float64
	// KinesisShards is the shard count of a provisioned stream; 0 prices the stack's
	// on-demand stream.
	KinesisShards int
	// AccessLogBytes is one access log line per API kind; 0 estimates it from the stage's
	// log format (contract.AccessLogFormat) with typical values.
	AccessLogBytes map[contract.Kind]float64
	// Auth is how the route is authorized: what the authorizer adds to each request.
	Auth AuthWorkload
}

// AuthWorkload is a route's authorization, as it bills. IAM and JWT authorizers are free on
// both API kinds (AWS, "Amazon API Gateway pricing": no charge for authorization); a Lambda
// authorizer is a Lambda invocation for each request its cache does not answer.
type AuthWorkload struct {
	Mode string // none, iam, jwt, lambda, lambda-token
	// CacheHitRatio is the share of requests the authorizer's cache answers (0 to 1): the
	// bench measures it from the access log, cost takes it as --cache-hit-ratio.
	CacheHitRatio float64
	// AuthorizerDurationMs and AuthorizerMemoryMB are one authorizer invocation's.
	AuthorizerDurationMs float64
	AuthorizerMemoryMB   float64
}

// lambdaAuthorizer reports whether the mode invokes a Lambda authorizer.
func (a AuthWorkload) lambdaAuthorizer() bool { return a.Mode == "lambda" || a.Mode == "lambda-token" }

// DefaultAuthWorkload is the stack's authorizer: 128 MB, about 2 ms warm with its JWKS
// cached, and the 5-minute cache of one client's token answering all but a few requests.
func DefaultAuthWorkload(mode string) AuthWorkload {
	return AuthWorkload{Mode: mode, CacheHitRatio: 0.99, AuthorizerDurationMs: 2, AuthorizerMemoryMB: 128}
}

// CognitoM2MMonthly is what the client-credentials flow costs a month: clients app clients,
// each fetching a token once per tokenLifetime (a client that reuses its token until it
// expires). It is the stack's, not a route's: it does not grow with requests.
func (p Prices) CognitoM2MMonthly(clients float64, tokenLifetime time.Duration) (tokens, monthly float64) {
	if tokenLifetime <= 0 {
		return 0, 0
	}
	tokens = clients * HoursPerMonth * 3600 / tokenLifetime.Seconds()
	return tokens, p.Cognito.M2MTokenRequests.Cost(tokens) + p.Cognito.M2MAppClients.Cost(clients)
}

// DefaultWorkload has this stack's facts and typical durations; set the volume and size.
func DefaultWorkload() Workload {
	return Workload{
		StandardTransitions: 3,
		ExpressDurationMs:   100,
		ExpressMemoryMB:     64,
		LambdaDurationMs:    5,
		LambdaMemoryMB:      128,
		LambdaLogBytes:      250,
	}
}

// Line is one item of an estimate.
type Line struct {
	Item     string  `json:"item"`
	Quantity float64 `json:"quantity"` // billed units a month
	Unit     string  `json:"unit"`
	Monthly  float64 `json:"monthly"`
	Rule     string  `json:"rule"` // how Quantity was counted
}

// Estimate is the monthly cost of one route on one API kind.
type Estimate struct {
	Route           string        `json:"route"`
	Kind            contract.Kind `json:"kind"`
	MonthlyRequests float64       `json:"monthlyRequests"`
	PayloadBytes    int64         `json:"payloadBytes"`
	Lines           []Line        `json:"lines"`
	API             float64       `json:"api"`    // API Gateway requests
	Auth            float64       `json:"auth"`   // the Lambda authorizer's invocations
	Target          float64       `json:"target"` // the target service(s)
	Logs            float64       `json:"logs"`   // CloudWatch Logs ingestion
	Monthly         float64       `json:"monthly"`
	PerMillion      float64       `json:"perMillion"` // Monthly per million requests at this volume
	// Infeasible names the limit the payload is over; the costs are then what the request
	// would cost if the service took it.
	Infeasible string `json:"infeasible,omitempty"`
}

// Request is one route's request as the cost model prices it: what it is called, what its
// access log line carries and the AWS call behind it (spec.Call), with no knowledge of the
// route table. RequestOf makes one from a spec.Route; the local runner can make one from any
// template's integrations.
type Request struct {
	Route      string // the estimate's name
	Method     string // GET and HEAD send no body, whatever the workload's payload
	Key        string // the HTTP API route key, "POST /queue"
	Path       string // the resource path, "/events/{source}/{detailType}"
	SamplePath string // a request's path, for the access log line
	Call       spec.Call
}

// RequestOf is a route's request, with its call derived from its integrations.
func RequestOf(r spec.Route) (Request, error) {
	c, err := r.Call()
	if err != nil {
		return Request{}, err
	}
	return Request{Route: r.Name, Method: r.Method, Key: r.Key(), Path: r.Path, SamplePath: r.SamplePath(), Call: c}, nil
}

// Estimate prices one route on one API kind for a workload. Volume tiers apply to this
// route's volume alone, as if nothing else in the account used the service. A route whose
// call cannot be derived is priced for its API and logs only, and says why in Infeasible.
func (p Prices) Estimate(r spec.Route, kind contract.Kind, w Workload) Estimate {
	q, err := RequestOf(r)
	if err != nil {
		e := p.EstimateRequest(Request{Route: r.Name, Method: r.Method, Key: r.Key(), Path: r.Path, SamplePath: r.SamplePath()}, kind, w)
		e.Infeasible = err.Error()
		return e
	}
	return p.EstimateRequest(q, kind, w)
}

// EstimateRequest prices one request on one API kind for a workload: the API's own bill, the
// access log, and the call's service by the rule registered for its action.
func (p Prices) EstimateRequest(q Request, kind contract.Kind, w Workload) Estimate {
	n := w.MonthlyRequests
	size := w.PayloadBytes
	if q.Method == "GET" || q.Method == "HEAD" {
		size = 0
	}
	e := Estimate{Route: q.Route, Kind: kind, MonthlyRequests: n, PayloadBytes: size}
	b := &bill{p: p, w: w, e: &e, n: n, size: size}

	// The API.
	switch kind {
	case contract.HTTP:
		per := p.HTTPAPIRequests(size)
		qty := n * float64(per)
		e.add(&e.API, Line{"HTTP API requests", qty, "metered request", p.HTTPAPI.Requests.Cost(qty),
			fmt.Sprintf("%d per request: ceil(%s / %s)", per, FormatBytes(max(size, 1)), FormatBytes(p.HTTPAPI.MeterIncrementBytes))})
		b.over(p.HTTPAPI.MaxPayloadBytes, "HTTP API payload")
	case contract.REST:
		e.add(&e.API, Line{"REST API requests", n, "request", p.RESTAPI.Requests.Cost(n), "1 per request, any size"})
		b.over(p.RESTAPI.MaxPayloadBytes, "REST API payload")
	}
	logBytes := w.AccessLogBytes[kind]
	if logBytes <= 0 {
		logBytes = float64(accessLogLineBytes(q, kind))
	}
	gb := n * logBytes / GB
	e.add(&e.Logs, Line{"access log ingestion", gb, "GB", p.CloudWatchLogs.Ingestion.Cost(gb),
		fmt.Sprintf("%.0f bytes a line", logBytes)})

	if w.Auth.lambdaAuthorizer() {
		authorizerInvocations(b, w.Auth)
	}

	// The target, the same on both API kinds.
	if q.Call.Action != "" {
		rule, ok := rules[q.Call.Action]
		if ok {
			rule(b, q.Call)
		} else {
			b.infeasible = append(b.infeasible, fmt.Sprintf("no price rule for %s: its service is not priced", q.Call.Action))
		}
	}
	e.Monthly = e.API + e.Auth + e.Target + e.Logs
	if n > 0 {
		e.PerMillion = e.Monthly / n * 1e6
	}
	e.Infeasible = strings.Join(b.infeasible, "; ")
	return e
}

func (e *Estimate) add(bucket *float64, l Line) {
	e.Lines = append(e.Lines, l)
	*bucket += l.Monthly
}

// APIMonthly is what the API Gateway requests alone cost a month on kind.
func (p Prices) APIMonthly(kind contract.Kind, monthlyRequests float64, payloadBytes int64) float64 {
	if kind == contract.HTTP {
		return p.HTTPAPI.Requests.Cost(monthlyRequests * float64(p.HTTPAPIRequests(payloadBytes)))
	}
	return p.RESTAPI.Requests.Cost(monthlyRequests)
}

// Crossover is the smallest request size at which the HTTP API's requests cost more than the
// REST API's at a monthly volume: the HTTP API is cheaper below it, the REST API from it on.
// ok is false when the HTTP API stays cheaper up to both APIs' payload limit.
func (p Prices) Crossover(monthlyRequests float64) (bytes int64, ok bool) {
	if monthlyRequests <= 0 {
		monthlyRequests = 1e6
	}
	inc := p.HTTPAPI.MeterIncrementBytes
	limit := min(p.HTTPAPI.MaxPayloadBytes, p.RESTAPI.MaxPayloadBytes)
	rest := p.APIMonthly(contract.REST, monthlyRequests, 0)
	// The HTTP API's cost only changes at whole increments, so test one size per increment.
	for k := int64(1); (k-1)*inc < limit; k++ {
		size := (k-1)*inc + 1
		if p.APIMonthly(contract.HTTP, monthlyRequests, size) > rest {
			return size, true
		}
	}
	return 0, false
}

// AccessLogLineBytes estimates one access log line of a route on kind: the stage's log
// format filled with typical values.
func AccessLogLineBytes(r spec.Route, kind contract.Kind) int {
	return accessLogLineBytes(Request{Method: r.Method, Key: r.Key(), Path: r.Path, SamplePath: r.SamplePath()}, kind)
}

func accessLogLineBytes(q Request, kind contract.Kind) int {
	typical := map[string]string{
		"requestId":          "c8f1e2d4-5b6a-4c3d-9e8f-7a6b5c4d3e2f",
		"ip":                 "203.0.113.10",
		"requestTime":        "23/Nov/2026:15:22:51 +0000",
		"requestTimeEpoch":   "1795447371000",
		"httpMethod":         q.Method,
		"path":               "/dev" + q.SamplePath,
		"protocol":           "HTTP/1.1",
		"status":             "200",
		"responseLength":     "180",
		"responseLatency":    "25",
		"integrationLatency": "21",
		"integrationStatus":  "200",
		"integrationError":   "-",
		"errorMessage":       "-",
		"routeKey":           q.Key,
		"resourcePath":       q.Path,
	}
	line := map[string]string{}
	for _, f := range contract.AccessLogFields(kind) {
		v, ok := typical[f.Key]
		if !ok {
			v = "-"
		}
		line[f.Key] = v
	}
	b, _ := json.Marshal(line)
	return len(b) + 1 // newline
}

// EventEnvelopeBytes is the size of the EventBridge envelope an event of route r with a
// detail of detailBytes becomes on a rule's target and in an archive.
func EventEnvelopeBytes(r spec.Route, detailBytes int64) int64 {
	c, _ := r.Call()
	return envelopeBytes(c, detailBytes)
}

func envelopeBytes(c spec.Call, detailBytes int64) int64 {
	env := fmt.Sprintf(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":%q,"source":%q,"account":"123456789012","time":"2026-11-23T15:22:51Z","region":"us-east-1","resources":[],"detail":}`,
		c.Params["DetailType"], c.Params["Source"])
	return int64(len(env)) + max(detailBytes, 2) // an empty detail is {}
}

// FormatBytes prints a size in B, KB or MB (binary units, as AWS's limits are).
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
