// Package awsproto holds what awslocal's services share about the AWS wire
// protocols: the service error type (Error) and how each protocol reports
// it, request and resource IDs, epoch timestamps as the JSON protocols send
// them, the awsJson 1.0/1.1 codec with its operation tables (JSONOp,
// ServeJSON), and the awsQuery codec (Form to read a form, XMLWriter and
// WriteQueryResponse to answer in XML or, when the client asks for JSON,
// in the query shape as JSON).
//
// The service packages (awslocal/sqs, awslocal/events, awslocal/sfn) and
// the durable store (awslocal/store) use it; the root package awslocal
// re-exports Error.
package awsproto
