// Package mapping is firstclass's single implementation of HTTP API parameter
// mapping: the little language of the RequestParameters of an API Gateway HTTP
// API first-class (AWS_PROXY) integration, such as
//
//	"MessageBody": "$request.body"
//	"DetailType":  "$request.path.detailType"
//	"Name":        "order-${request.body.order.id}-${context.requestId}"
//
// In the cloud a bad mapping fails silently: API Gateway accepts it, then drops
// the parameter on every request. So firstclass checks mappings before deploying
// and runs them offline with the same parser, and both sides agree:
//
//   - At synth time the route table and the CDK layer call [Validate] for every
//     HTTP API route. It reports all problems at once (unknown or missing
//     parameters for the [Subtype], malformed expressions, path parameters the
//     route key lacks, stage variables no stage defines, unknown $context
//     variables), each naming the route, the parameter and the fix.
//   - At run time the local runner compiles each integration once with
//     [NewMapping] (or a single value with [Parse]) and evaluates it for every
//     request with [Mapping.Evaluate] or [Value.Evaluate] against a plain
//     [Request] it fills from the incoming HTTP request.
//
// The subtype catalogue ([Subtypes], [LookupSubtype]) lists every first-class
// integration AWS documents, with its parameters and the service call each one
// becomes; the CDK layer and the runner both read it.
//
// The package uses only the standard library. The rules it implements, and where
// each was found, are written next to the code that implements them.
package mapping
