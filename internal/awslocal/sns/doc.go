// Package sns is awslocal's minimal in-memory Amazon SNS on its query protocol (a form with
// Action=…, answered in XML): standard and FIFO topics, subscriptions of SQS queues and Lambda
// functions, and Publish, which delivers to every subscription before it answers. What a
// subscription receives is what SNS sends: the JSON notification envelope in the queue message
// (or the message itself with RawMessageDelivery), the {"Records":[{"EventSource":"aws:sns",…}]}
// event to a function, asynchronously. Deliveries go through a registry by protocol
// (RegisterProtocol): the root package registers "sqs" and "lambda".
//
// A subscription protocol nothing delivers to (http, email, sms…) and a subscription filter
// policy are refused with InvalidParameter, and CheckSubscription says so before anything runs,
// rather than accepted and dropped. Message signatures are placeholders: nothing verifies them
// locally.
package sns
