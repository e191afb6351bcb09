// Package lambdahook is how awslocal's services call Lambda functions without knowing how
// they run: Step Functions Task states invoke them (RequestResponse), EventBridge rule targets
// queue them (Event). awslocal is given an Invoker at construction; the local runner
// (internal/localapi) implements it with its lambdalocal functions, so the function's real
// process answers. awslocal never imports the runner.
package lambdahook

import (
	"context"

	"firstclass/internal/awslocal/awsproto"
)

// Invoker invokes Lambda functions by the name a caller gives: a function name, a full or
// partial ARN, with or without a qualifier (":$LATEST", an alias or a version).
type Invoker interface {
	// Invoke runs one RequestResponse invocation. A function error is a Result with
	// FunctionError set and the error document as Payload, as the Invoke API answers; the
	// error return is for the Invoke API's own errors, an *awsproto.Error with the Lambda
	// error code and HTTP status (ResourceNotFoundException 404, TooManyRequestsException
	// 429, RequestTooLargeException 413, ServiceException 500…).
	Invoke(ctx context.Context, function string, payload []byte) (Result, error)
	// InvokeAsync queues one Event invocation and returns once it is accepted (the Invoke
	// API's 202). The function then runs in the background, retried as Lambda retries an
	// asynchronous invocation. The error is the Invoke API's, as for Invoke.
	InvokeAsync(function string, payload []byte) error
	// Exists reports whether the function can be invoked, for checks made before anything
	// runs (a state machine's Lambda tasks, a rule's Lambda targets).
	Exists(function string) bool
}

// Result is a RequestResponse invocation's outcome, as the Lambda Invoke API reports it.
type Result struct {
	// Payload is the function's response, or for a function error its error document.
	Payload []byte
	// FunctionError is the X-Amz-Function-Error header: "" on success, "Unhandled" (or
	// "Handled") for a function error.
	FunctionError string
	// ExecutedVersion is the X-Amz-Executed-Version header, "$LATEST" when empty.
	ExecutedVersion string
	// RequestID is the invocation's request ID (x-amzn-RequestId).
	RequestID string
}

// NotFound is the Invoke API's error for a function that does not exist, with Lambda's
// message ("Function not found: arn:aws:lambda:…:function:NAME:$LATEST").
func NotFound(functionARN string) *awsproto.Error {
	return &awsproto.Error{Code: "ResourceNotFoundException", Status: 404, Message: "Function not found: " + functionARN}
}
