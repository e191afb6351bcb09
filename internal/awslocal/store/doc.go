// Package store makes awslocal durable: a snapshot plus an append-only log
// in one state directory (awslocal.Options.StateDir), shared by the SQS,
// EventBridge and Step Functions services.
//
// Each service registers a Section (its snapshot member and its record
// prefix) with Open, which restores the directory; it then records every
// mutation with Append inside Gate and, outside its locks, Waits for the
// record's fsync before it answers. Concurrent callers share one fsync.
// A nil *Store is the in-memory server: every method is a no-op.
//
// The root package awslocal creates and opens the store; the service
// packages (awslocal/sqs, awslocal/events, awslocal/sfn) write to it.
package store
