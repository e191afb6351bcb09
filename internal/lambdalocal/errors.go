package lambdalocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Errors for the caller's problems, which the Lambda Invoke API reports as errors rather than
// as a function error.
var (
	// ErrClosed is returned by Invoke once Close was called.
	ErrClosed = errors.New("lambda function is closed")
	// ErrTooManyRequests stands for Lambda's TooManyRequestsException ("Rate Exceeded.",
	// HTTP 429), returned by Invoke when ThrottleWhenBusy is set and MaxConcurrency instances
	// are busy.
	ErrTooManyRequests = errors.New("rate exceeded: every instance of the function is busy (TooManyRequestsException)")
	// ErrRequestTooLarge stands for Lambda's RequestTooLargeException (HTTP 413): a
	// synchronous invocation's payload is limited to MaxRequestSize bytes.
	ErrRequestTooLarge = errors.New("request too large (RequestTooLargeException)")
)

const (
	// MaxRequestSize is Lambda's limit on a synchronous invocation's payload (6 MB).
	MaxRequestSize = 6 * 1024 * 1024
	// MaxResponseSize is Lambda's limit on a synchronous response: 6 MiB + 100 bytes, the
	// 6291556 bytes its error message names (the Runtime Interface Emulator's
	// interop.MaxPayloadSize).
	MaxResponseSize = 6*1024*1024 + 100
)

// Error types Lambda puts in the error documents it writes itself. They are the names the
// Runtime Interface Emulator uses (fatalerror and rapid/model); Sandbox.Timedout is the type the
// Invoke API answers with for a timeout (AWS "Troubleshoot invocation issues in Lambda").
const (
	ErrorTypeTimeout            = "Sandbox.Timedout"
	ErrorTypeExit               = "Runtime.ExitError"
	ErrorTypeOutOfMemory        = "Runtime.OutOfMemory"
	ErrorTypeInvalidEntrypoint  = "Runtime.InvalidEntrypoint"
	ErrorTypeResponseSizeTooBig = "Function.ResponseSizeTooLarge"
	ErrorTypeUnknown            = "Runtime.Unknown"
)

// FunctionErrorUnhandled is the X-Amz-Function-Error value of every failed invocation.
const FunctionErrorUnhandled = "Unhandled"

// platformError is an error document Lambda writes itself for an invocation, in the key order
// the Invoke API uses: {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: … Error: …"}.
type platformError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func platformDocument(errorType, requestID, message string) []byte {
	doc, _ := json.Marshal(platformError{ErrorType: errorType, ErrorMessage: "RequestId: " + requestID + " Error: " + message})
	return doc
}

// timeoutMessage is Lambda's text for a timeout, with the configured timeout in seconds to two
// decimals ("Task timed out after 3.00 seconds"), as the Runtime Interface Emulator formats it.
func timeoutMessage(timeout time.Duration) string {
	return "Task timed out after " + strconv.FormatFloat(timeout.Seconds(), 'f', 2, 64) + " seconds"
}

// exitMessage is the text Lambda gives a runtime that exited: "Runtime exited with error:
// exit status 2" or "… signal: killed" (os.ProcessState's own wording, which Lambda's Go
// supervisor also uses), and "Runtime exited without providing a reason" for a clean exit.
func exitMessage(state string, success bool) string {
	if success {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + state
}

// responseTooLarge is the document for a response over MaxResponseSize. Its key order and text
// are the Invoke API's (errorMessage first); the size is the one the runtime sent.
func responseTooLarge(size int64) []byte {
	doc, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{
		ErrorMessage: fmt.Sprintf("Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).", size, MaxResponseSize),
		ErrorType:    ErrorTypeResponseSizeTooBig,
	})
	return doc
}

// Runtime API error answers, as the Runtime Interface Emulator renders them.
var (
	invalidRequestIDBody    = []byte(`{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}` + "\n")
	requestEntityTooLarge   = []byte(`{"errorMessage":"Exceeded maximum allowed payload size (` + strconv.Itoa(MaxResponseSize) + ` bytes).","errorType":"RequestEntityTooLarge"}` + "\n")
	truncatedRequestBody    = []byte(`{"errorMessage":"HTTP request detected as truncated","errorType":"TruncatedHTTPRequest"}` + "\n")
	acceptedBody            = []byte(`{"status":"OK"}` + "\n")
	notAllowedFormat        = `{"errorMessage":"State transition from %s to %s failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}` + "\n"
	unknownEndpointResponse = []byte(`{"errorMessage":"Unknown Runtime API endpoint","errorType":"NotFound"}` + "\n")
)

// errorTypeOf reads the errorType of an error document, for Result.ErrorType when the runtime
// did not name it in the Lambda-Runtime-Function-Error-Type header.
func errorTypeOf(doc []byte) string {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(doc, &e) != nil {
		return ""
	}
	return e.ErrorType
}
