// Package kinesis is awslocal's in-memory Amazon Kinesis Data Streams on its
// JSON 1.1 protocol (ServeJSON, X-Amz-Target: Kinesis_20131202.<Action>):
// CreateStream, DescribeStreamSummary, ListShards, PutRecord, PutRecords,
// GetShardIterator and GetRecords.
//
// A stream's shards split the 128-bit hash key space evenly, as CreateStream
// does on AWS; a record goes to the shard whose range holds the MD5 of its
// partition key (or its ExplicitHashKey). Sequence numbers are 56-digit
// decimals that grow within a shard; shard iterators expire after five
// minutes; Data is a base64 blob on the wire and at most 1 MiB; each shard
// takes 1,000 records and 1 MiB a second, and a put beyond that fails with
// ProvisionedThroughputExceededException, as on AWS. Error shapes and
// messages follow the Kinesis API reference and responses recorded against
// AWS (LocalStack's tests/aws/services/kinesis snapshots).
//
// Each action is one entry of the operation table (operations.go); the root
// package awslocal serves it and exposes its Go API, and with a store every
// accepted record is durable before PutRecord answers.
package kinesis
