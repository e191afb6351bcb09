// Package awslocal is an in-memory Amazon SQS, EventBridge, Step Functions,
// Kinesis Data Streams, AppConfig, AppConfig Data and CloudWatch Logs that
// speaks the real AWS wire protocols, so the AWS SDK for Go
// v2, the AWS CLI and API Gateway-shaped requests work against it unchanged
// through an endpoint override.
//
// It exists for `firstclass local`: the local runner (internal/localapi)
// builds a Server, creates the queues, buses, rules, archives and state
// machines of the synthesized CloudFormation template through the Go API
// (CreateQueue, PutRule, CreateStateMachine, ...), and calls the Server in
// process as an http.Handler for every first-class integration, exactly as
// API Gateway would call AWS. `firstclass bench` reads the same endpoint
// with the SDK for its delivery check, and tests use it as a fake AWS.
//
// The local runner's inspector page reads it through a read-only inspection
// API, one per service (sqs.Inspect, events.Inspect, sfn.Inspect, gathered
// by InspectQueues, InspectBuses and InspectStateMachines): messages without
// receiving them, the state-by-state history of executions (their
// GetExecutionHistory), and, once KeepForInspection asks for them, the
// recent events of each bus, which the service otherwise does not keep.
//
// One handler serves every protocol:
//
//   - SQS JSON 1.0 (X-Amz-Target: AmazonSQS.*), what current SDKs and the CLI
//     send, with x-amzn-query-error on errors;
//   - the SQS query protocol (a form with Action=..., posted to the queue URL
//     or /), answered in XML, or in the query shape rendered as JSON when the
//     request says Accept: application/json, as API Gateway REST
//     AwsIntegrations do;
//   - EventBridge JSON 1.1 (AWSEvents.*), Step Functions JSON 1.0
//     (AWSStepFunctions.*), Kinesis JSON 1.1 (Kinesis_20131202.*) and
//     CloudWatch Logs JSON 1.1 (Logs_20140328.*);
//   - AppConfig and AppConfig Data REST-JSON, by path (/applications…,
//     /deploymentstrategies, /configurationsessions, /configuration).
//
// Semantics follow AWS where a client can tell: message MD5 digests, receipt
// handles and visibility timeouts, long polling woken by sends, FIFO
// ordering and the five-minute deduplication window, redrive to a
// dead-letter queue after maxReceiveCount, event pattern matching, input
// transformation and archives, and an Amazon States Language interpreter
// for Pass, Task, Choice, Wait, Succeed, Fail, Parallel and Map states.
// Task states call Lambda functions through Options.Lambda (a
// lambdahook.Invoker the local runner implements with real processes), SQS,
// EventBridge and other state machines in process.
//
// One client-side caveat: the SDK sends StartSyncExecution to a "sync-"
// prefixed host, which does not resolve for 127.0.0.1; a client using an
// endpoint override must turn host prefixing off (in Go, an Initialize
// middleware calling smithyhttp.DisableEndpointHostPrefix; see the tests).
//
// State lives in memory; with Options.StateDir every accepted mutation is
// fsynced to an append-only log before the call answers, and a new Server on
// the same directory restores it. The production code uses the standard
// library only.
//
// This package composes one package per service: awslocal/sqs,
// awslocal/events, awslocal/sfn (with the States Language interpreter),
// awslocal/kinesis, awslocal/appconfig and awslocal/logs
// each own their state, operations and wire codecs; awslocal/awsproto holds
// the protocol codecs and the Error type they share, awslocal/store the
// durable snapshot and log, awslocal/jsonvalue the JSON values and paths of
// EventBridge and Step Functions, and awslocal/clock the time source.
// Server routes each request to its service by X-Amz-Target (or to SQS's
// query protocol), wires EventBridge's targets (queues, state machines,
// log groups, Lambda functions through Options.Lambda) and Step Functions'
// Task integrations to the other services, and keeps the Go API below with the
// services' types under their old names.
package awslocal
