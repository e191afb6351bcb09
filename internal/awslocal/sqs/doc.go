// Package sqs is awslocal's in-memory Amazon SQS: standard and FIFO
// queues with message MD5 digests, receipt handles and visibility
// timeouts, long polling woken by sends, the five-minute FIFO
// deduplication window and redrive to a dead-letter queue.
//
// It speaks both SQS wire protocols: JSON 1.0 (ServeJSON, what current
// SDKs and the AWS CLI send) and the query protocol (ServeQuery, what API
// Gateway integrations send), answered in XML or, with Accept:
// application/json, in the query shape as JSON. Each action is one
// operation on protocol-neutral input and output (operations.go); the two
// codecs (json.go, query.go) only decode requests and encode results.
//
// The root package awslocal serves it and exposes its Go API; EventBridge
// targets reach queues through SendToARN.
package sqs
