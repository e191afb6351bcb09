// Package bench loads both API kinds of a firstclass stack route for route, checks that every
// accepted request reached its target, reads API Gateway's own overhead from the stages'
// access logs, prices the measured workload with internal/cost, and writes the results as a
// terminal table, a mergeable JSON report and a self-contained HTML report.
//
// `firstclass bench` and `firstclass cost` (cmd/firstclass) are its flags; end-to-end tests
// call Run directly with the outputs of a deployed stack or of the local runner:
//
//	rep, err := bench.Run(ctx, bench.Config{Outputs: outputs, Rate: 50, Duration: 30 * time.Second})
//	if err != nil { … }            // could not run
//	if f := rep.Failed(); f != nil { … } // lost deliveries, no 2xx at all
//	rep.WriteJSONFile("run.json"); rep.WriteHTMLFile("run.html")
//
// # Load
//
// The open model sends each route × kind's requests on a fixed schedule (request n at
// origin + n/rate) through vegeta's library; latency is measured from that intended time, so a
// stall counts against every request it delayed (see schedule). The closed model runs N
// workers back to back. Every selected route × kind runs at the same time, on interleaved
// schedules (see Run). Each request carries a bench id, RUN-ROUTE-KIND-SEQ, in its body (or
// the greeter parameter) and, for StartWorkflow, as its execution name.
//
// # Delivery check
//
// After the load, with the AWS SDK for Go and the same code for the cloud and for the local
// runner (AWSConfig): the queue and the audit queue are drained of the run's messages,
// ListExecutions finds the run's executions, and the express workflow's and the greeting's
// responses prove their own delivery. Accepted, delivered, missing and duplicated are counted
// per route × kind; a missing delivery fails the run.
//
// # Report schema (SchemaVersion "firstclass.bench/v1")
//
//	schema     "firstclass.bench/v1"
//	runs[]     id, host, generator, stack, stage, endpoints, local, model (open|closed), rate or
//	           workers, maxWorkers, warmupSeconds, durationSeconds, payloadSize, payloadFile,
//	           routes, kinds, started, ended, deliveryCheck, problems
//	results[]  one per route × kind:
//	  route, kind
//	  windows[]            {start, end}: measurement windows (warm-up excluded), one per run
//	  requests, sentInWindow, ok, errors {"429": n, "transport: timeout": n}, bytesOut, bytesIn
//	  latency, serviceTime, sendLag, overhead
//	                       HDR histograms: {unit "us", lowest 1, highest 3600000000, digits 3,
//	                       count, hdr: HdrHistogram V2 compressed base64}
//	  timeline[]           {t: Unix second of completion, n, errors}
//	  accessLog            {source, lines, bytes, note}
//	  delivery             {method, checked, accepted, delivered, missing, duplicated,
//	                       unaccepted, missingIds, duplicatedIds, error}
//	  expressBilling       {executions, billedMs, billedMemoryMB}: sums
//	  summary              derived, rewritten on every write: windowSeconds, rate, errors,
//	                       latencyMs/serviceTimeMs/overheadMs/sendLagMs {p50, p90, p99, p99.9,
//	                       max, mean}, payloadBytes, cost (internal/cost.Estimate)
//	prices     region, currency, readOn, sources: the price list the costs come from
//	crossover  derived: {monthlyRequests, bytes, found}
//
// Everything but the summaries and the crossover is a sum, a union or a lossless histogram,
// so Merge of reports from several runs or machines equals one run over all their samples:
// counts add, histograms merge bucket for bucket, timelines add by second, and rates are over
// the union of the windows (two machines at the same time add up, two runs one after the
// other average). Readers ignore fields they do not know; a change an older reader would
// misread gets a new SchemaVersion. testdata/report.golden.json pins the shape.
package bench
