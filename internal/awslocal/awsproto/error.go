package awsproto

import (
	"context"
	"errors"
	"net/http"
)

// Error is an AWS service error. Code is the error shape name the JSON
// protocols report in __type (and the SDK's typed error); QueryCode, when
// set, is the legacy code the SQS query protocol uses and the JSON protocol
// repeats in the x-amzn-query-error header.
type Error struct {
	Code      string
	Message   string
	Status    int
	QueryCode string
	// Type is the full __type when it differs from Code (SQS namespaces its
	// shapes, e.g. "com.amazonaws.sqs#QueueDoesNotExist").
	Type string
	// Receiver marks a server-side fault (query protocol <Type>Receiver</Type>).
	Receiver bool
}

func (e *Error) Error() string {
	code := e.Code
	if e.QueryCode != "" {
		code = e.QueryCode
	}
	return code + ": " + e.Message
}

// QueryErrorCode is the code the query protocol reports: QueryCode, or Code
// when there is none.
func (e *Error) QueryErrorCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// JSONType is the __type the JSON protocols report.
func (e *Error) JSONType() string {
	if e.Type != "" {
		return e.Type
	}
	return e.Code
}

// HTTPStatus is the response status, 400 unless Status says otherwise.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// fault is the query protocol's <Type>: who is at fault.
func (e *Error) fault() string {
	if e.Receiver {
		return "Receiver"
	}
	return "Sender"
}

// ErrRequestTooLarge answers a request body over MaxRequestBody.
var ErrRequestTooLarge = &Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
	Message: "request body too large"}

// AsError returns err as an *Error: itself when it is one, RequestCanceled
// for a cancelled context, and otherwise an InternalFailure.
func AsError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: "RequestCanceled", Status: 499, Message: err.Error()}
	}
	return &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Message: err.Error(), Receiver: true}
}
