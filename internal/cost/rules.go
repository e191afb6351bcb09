package cost

import (
	"fmt"

	"firstclass/internal/spec"
)

// bill is one estimate being made: the workload, the request size and the limits it is over.
type bill struct {
	p          Prices
	w          Workload
	e          *Estimate
	n          float64 // requests a month
	size       int64   // request body
	infeasible []string
}

// over notes that the request is over a service's limit.
func (b *bill) over(limit int64, what string) {
	if b.size > limit {
		b.infeasible = append(b.infeasible, fmt.Sprintf("%s is over the %s limit of %s", FormatBytes(b.size), what, FormatBytes(limit)))
	}
}

func (b *bill) target(l Line) { b.e.add(&b.e.Target, l) }
func (b *bill) logs(l Line)   { b.e.add(&b.e.Logs, l) }

// rule prices one call of an action on the target's side, adding its lines to the bill.
type rule func(b *bill, c spec.Call)

// rules price each AWS action a route can call, by IAM action. A new action is one entry
// here, with its prices in prices.json.
var rules = map[string]rule{
	"sqs:SendMessage":            sqsSendMessage,
	"sqs:ReceiveMessage":         sqsRequest("ReceiveMessage", "1 per call: the answer's messages are not in the workload; each 64 KB of them is one more"),
	"sqs:DeleteMessage":          sqsRequest("DeleteMessage", "1 per call"),
	"sqs:PurgeQueue":             sqsRequest("PurgeQueue", "1 per call, refused ones included"),
	"events:PutEvents":           eventsPutEvents,
	"states:StartExecution":      standardExecution,
	"states:StartSyncExecution":  expressExecution,
	"states:StopExecution":       stopExecution,
	spec.InvokeAction:            lambdaInvocation,
	"kinesis:PutRecord":          kinesisPutRecord,
	"appconfig:GetConfiguration": appConfigGetConfiguration,
}

// kinesisPutRecord prices one record: on-demand (the stack's stream) its stream-hours and its
// data in by the KB; with Workload.KinesisShards, a provisioned stream's shard-hours and PUT
// payload units. The hourly charge is the month's whatever the volume.
func kinesisPutRecord(b *bill, _ spec.Call) {
	k := b.p.Kinesis
	if shards := b.w.KinesisShards; shards > 0 {
		h := float64(shards) * HoursPerMonth
		b.target(Line{"Kinesis shard-hours (provisioned)", h, "shard-hour", k.ShardHours.Cost(h),
			fmt.Sprintf("%d shards × %d hours, whatever the volume", shards, HoursPerMonth)})
		per := ceilDiv(max(b.size, 1), k.PayloadUnitBytes)
		q := b.n * float64(per)
		b.target(Line{"Kinesis PUT payload units", q, "PUT payload unit", k.PutPayloadUnits.Cost(q),
			fmt.Sprintf("%d per record: ceil(%s / %s)", per, FormatBytes(max(b.size, 1)), FormatBytes(k.PayloadUnitBytes))})
	} else {
		b.target(Line{"Kinesis on-demand stream-hours", HoursPerMonth, "stream-hour", k.OnDemandStreamHours.Cost(HoursPerMonth),
			fmt.Sprintf("1 stream × %d hours, whatever the volume", HoursPerMonth)})
		rounded := ceilDiv(max(b.size, 1), k.IngestIncrementBytes) * k.IngestIncrementBytes
		gb := b.n * float64(rounded) / GB
		b.target(Line{"Kinesis on-demand data in", gb, "GB", k.OnDemandIngest.Cost(gb),
			fmt.Sprintf("%s per record, rounded up to %s", FormatBytes(rounded), FormatBytes(k.IngestIncrementBytes))})
	}
	b.over(k.MaxRecordBytes, "Kinesis record")
}

// appConfigGetConfiguration prices one GetConfiguration: a configuration request and, as
// every call of the route names a new client (the request ID) with no version, a
// configuration received.
func appConfigGetConfiguration(b *bill, _ spec.Call) {
	a := b.p.AppConfig
	b.target(Line{"AppConfig configuration requests", b.n, "configuration request", a.ConfigurationRequests.Cost(b.n), "1 per call"})
	b.target(Line{"AppConfig configurations received", b.n, "configuration received", a.ConfigurationsReceived.Cost(b.n),
		"1 per call: each answers the configuration (no ClientConfigurationVersion is mapped)"})
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func sqsSendMessage(b *bill, _ spec.Call) {
	p := b.p
	per := p.SQSRequests(b.size)
	q := b.n * float64(per)
	b.target(Line{"SQS SendMessage", q, "request", p.SQS.Requests.Cost(q),
		fmt.Sprintf("%d per message: ceil(%s / %s)", per, FormatBytes(max(b.size, 1)), FormatBytes(p.SQS.ChunkBytes))})
	b.over(p.SQS.MaxMessageBytes, "SQS message")
}

// sqsRequest prices an SQS action billed as one request a call: SQS bills every API action
// as a request, and each 64 KB chunk of its payload as one more ("Amazon SQS pricing",
// https://aws.amazon.com/sqs/pricing/, read 2026-12-03; prices.json's sqs rule). A receive,
// a delete and a purge send no payload; a receive's answer carries the messages it took,
// whose size the workload does not say (10 messages of 64 KB would be 10 requests).
func sqsRequest(action, why string) rule {
	return func(b *bill, _ spec.Call) {
		b.target(Line{"SQS " + action, b.n, "request", b.p.SQS.Requests.Cost(b.n), why})
	}
}

// eventsPutEvents prices one entry: the event (source, detail type and detail by the 64 KB
// chunk), its copy in the bus's archive, and its delivery to each rule target.
func eventsPutEvents(b *bill, c spec.Call) {
	p := b.p
	entry := int64(len(c.Params["Source"])+len(c.Params["DetailType"])) + b.size
	per := p.EventBridgeEvents(entry)
	q := b.n * float64(per)
	b.target(Line{"EventBridge custom events", q, "event", p.EventBridge.Events.Cost(q),
		fmt.Sprintf("%d per entry: ceil(%s / %s)", per, FormatBytes(entry), FormatBytes(p.EventBridge.ChunkBytes))})
	env := envelopeBytes(c, b.size)
	if c.Archived {
		agb := b.n * float64(env) / GB
		b.target(Line{"EventBridge archive", agb, "GB", p.EventBridge.Archive.Cost(agb),
			fmt.Sprintf("every event archived, %s envelope", FormatBytes(env))})
	}
	for _, d := range c.Deliveries {
		if d.Action != "sqs:SendMessage" {
			b.infeasible = append(b.infeasible, fmt.Sprintf("no price rule for a rule target's %s", d.Action))
			continue
		}
		aper := p.SQSRequests(env)
		aq := b.n * float64(aper)
		b.target(Line{d.Via + " (SQS) delivery", aq, "request", p.SQS.Requests.Cost(aq),
			fmt.Sprintf("%d per envelope: ceil(%s / %s)", aper, FormatBytes(env), FormatBytes(p.SQS.ChunkBytes))})
	}
	b.over(p.EventBridge.MaxEventBytes, "EventBridge event")
}

func standardExecution(b *bill, _ spec.Call) {
	p := b.p
	q := b.n * b.w.StandardTransitions
	b.target(Line{"Step Functions Standard transitions", q, "state transition", p.StepFunctions.StandardTransitions.Cost(q),
		fmt.Sprintf("%g per execution", b.w.StandardTransitions)})
	b.over(p.StepFunctions.MaxInputBytes, "Step Functions input")
}

// stopExecution prices one StopExecution: nothing. Step Functions bills a Standard workflow
// by its state transitions (one per state entered, retries included), and a stop enters no
// state; the API call itself has no price ("AWS Step Functions Pricing",
// https://aws.amazon.com/step-functions/pricing/, read 2026-12-02; prices.json's
// stepFunctions rule). What the stopped execution ran before the stop was billed to the
// request that started it.
func stopExecution(b *bill, _ spec.Call) {
	b.target(Line{"Step Functions StopExecution", b.n, "request", 0,
		"not billed: Standard workflows are billed per state transition, and a stop enters no state"})
}

func expressExecution(b *bill, _ spec.Call) {
	p, w := b.p, b.w
	b.target(Line{"Step Functions Express requests", b.n, "request", p.StepFunctions.ExpressRequests.Cost(b.n), "1 per execution"})
	gbs := p.ExpressGBSeconds(w.ExpressDurationMs, w.ExpressMemoryMB)
	q := b.n * gbs
	b.target(Line{"Step Functions Express duration", q, "GB-second", p.StepFunctions.ExpressDuration.Cost(q),
		fmt.Sprintf("%.0f ms at %.0f MB billed as %.5f GB-s", w.ExpressDurationMs, w.ExpressMemoryMB, gbs)})
	b.over(p.StepFunctions.MaxInputBytes, "Step Functions input")
}

func lambdaInvocation(b *bill, _ spec.Call) {
	p, w := b.p, b.w
	b.target(Line{"Lambda requests", b.n, "request", p.Lambda.Requests.Cost(b.n), "1 per invocation"})
	gbs := p.LambdaGBSeconds(w.LambdaDurationMs, w.LambdaMemoryMB)
	q := b.n * gbs
	b.target(Line{"Lambda arm64 duration", q, "GB-second", p.Lambda.Arm64Duration.Cost(q),
		fmt.Sprintf("%.0f ms at %.0f MB billed as %.6f GB-s", w.LambdaDurationMs, w.LambdaMemoryMB, gbs)})
	lgb := b.n * w.LambdaLogBytes / GB
	b.logs(Line{"Lambda log ingestion", lgb, "GB", p.CloudWatchLogs.Ingestion.Cost(lgb),
		fmt.Sprintf("%.0f bytes of platform lines an invocation", w.LambdaLogBytes)})
	b.over(p.Lambda.MaxSyncPayloadBytes, "Lambda synchronous payload")
}

// authorizerInvocations prices a Lambda authorizer: a request and its duration for each
// request the cache does not answer, and its platform log lines.
func authorizerInvocations(b *bill, a AuthWorkload) {
	p, w := b.p, b.w
	n := b.n * (1 - min(max(a.CacheHitRatio, 0), 1))
	hit := fmt.Sprintf("%.4g%% of requests, the rest answered from its cache", 100*(1-a.CacheHitRatio))
	b.e.add(&b.e.Auth, Line{"Lambda authorizer requests", n, "request", p.Lambda.Requests.Cost(n), hit})
	gbs := p.LambdaGBSeconds(a.AuthorizerDurationMs, a.AuthorizerMemoryMB)
	q := n * gbs
	b.e.add(&b.e.Auth, Line{"Lambda authorizer arm64 duration", q, "GB-second", p.Lambda.Arm64Duration.Cost(q),
		fmt.Sprintf("%.0f ms at %.0f MB billed as %.6f GB-s", a.AuthorizerDurationMs, a.AuthorizerMemoryMB, gbs)})
	lgb := n * w.LambdaLogBytes / GB
	b.logs(Line{"Lambda authorizer log ingestion", lgb, "GB", p.CloudWatchLogs.Ingestion.Cost(lgb),
		fmt.Sprintf("%.0f bytes of platform lines an invocation", w.LambdaLogBytes)})
}
