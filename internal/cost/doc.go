// Package cost prices firstclass's routes on each API kind: API Gateway requests, the target
// service behind each route, and the CloudWatch Logs the stage and the function write.
//
// Prices live in one data file, prices.json, embedded here with the URL and the date each
// block was read; a user replaces it with `firstclass cost --prices FILE`. The rules that
// turn a request into billed units are code with worked examples in the tests: the HTTP API
// meters 512 KB increments, SQS and EventBridge bill 64 KB chunks, Step Functions Standard
// bills state transitions and Express requests plus rounded duration and memory, Lambda bills
// requests plus GB-seconds, CloudWatch Logs bills ingested GB.
//
// `firstclass cost` prints estimates; `firstclass bench` prices the workload it measured.
package cost
