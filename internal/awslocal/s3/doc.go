// Package s3 is an in-memory Amazon S3 of buckets and whole objects, on S3's REST protocol
// with path-style addressing (http://ENDPOINT/BUCKET/KEY; SDK clients set UsePathStyle).
//
// It is what firstclass's own stacks need: the load workers' stack keeps each worker's result
// in a bucket, written with PutObject by the worker and read with GetObject by the bench.
// It serves CreateBucket, HeadBucket, DeleteBucket, PutObject, GetObject, HeadObject and
// DeleteObject, and answers every other operation 501 NotImplemented, as S3 does for a
// feature it does not implement. Objects are kept in memory only, also with a state
// directory: they are read back within the run that wrote them. Listing, versioning,
// multipart uploads, ranges and conditional requests are not emulated.
package s3
