// Package logs is awslocal's minimal in-memory Amazon CloudWatch Logs on its JSON 1.1
// protocol (X-Amz-Target: Logs_20140328.<Action>): log groups and streams, PutLogEvents,
// GetLogEvents and FilterLogEvents, so that `aws logs filter-log-events` against the local
// endpoint reads what EventBridge rules delivered to a log group target (WriteEvent). With
// Options.Dir each group is also mirrored to a text file, one line per event; with a store
// every group, stream and event is durable.
//
// Filter patterns are terms (every one must appear; a quoted term is a phrase); JSON and
// space-delimited metric patterns are refused with InvalidParameterException rather than
// matched differently. Retention, metric and subscription filters, Insights queries and KMS
// are not emulated.
package logs
