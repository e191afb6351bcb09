package sqs

import (
	"fmt"
	"net/http"

	"firstclass/internal/awslocal/awsproto"
)

// SQS errors. The JSON protocol reports Type in __type and QueryCode in the
// x-amzn-query-error header; the query protocol reports QueryCode in
// <Code>. The pairs follow the SQS Smithy model's awsQueryError traits (as
// shipped in aws-sdk-go-v2/service/sqs/schemas) and, for the coral-generated
// validation errors, responses recorded against AWS in LocalStack's
// tests/aws/services/sqs/test_sqs.snapshot.json. Statuses are the model's too
// (its awsQueryError StatusCode, the same on both protocols): 400 unless an
// error says otherwise; PurgeQueueInProgress's 403 is also what LocalStack
// recorded from AWS (test_successive_purge_calls_fail).

func sqsErrorStatus(code, queryCode string, status int, message string) *awsproto.Error {
	e := sqsError(code, queryCode, message)
	e.Status = status
	return e
}

func sqsError(code, queryCode, message string) *awsproto.Error {
	return &awsproto.Error{Code: code, Type: "com.amazonaws.sqs#" + code, QueryCode: queryCode, Message: message}
}

func errNonExistentQueue() *awsproto.Error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist.")
}

func errInvalidParameterValue(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: "InvalidParameterValueException", Type: "com.amazon.coral.service#InvalidParameterValueException",
		QueryCode: "InvalidParameterValue", Message: fmt.Sprintf(format, args...)}
}

func errMissingParameter(name string) *awsproto.Error {
	return &awsproto.Error{Code: "MissingRequiredParameterException", Type: "com.amazon.coral.service#MissingRequiredParameterException",
		QueryCode: "MissingParameter", Message: fmt.Sprintf("The request must contain the parameter %s.", name)}
}

func errInvalidAttributeName(format string, args ...any) *awsproto.Error {
	return sqsError("InvalidAttributeName", "InvalidAttributeName", fmt.Sprintf(format, args...))
}

func errInvalidAttributeValue(format string, args ...any) *awsproto.Error {
	return sqsError("InvalidAttributeValue", "InvalidAttributeValue", fmt.Sprintf(format, args...))
}

func errInvalidMessageContents() *awsproto.Error {
	return sqsError("InvalidMessageContents", "InvalidMessageContents",
		"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
}

func errReceiptHandleIsInvalid(handle string) *awsproto.Error {
	return sqsErrorStatus("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", http.StatusNotFound,
		fmt.Sprintf("The input receipt handle \"%s\" is not a valid receipt handle.", handle))
}

func errMessageNotInflight() *awsproto.Error {
	return sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
		"The message referred to isn't in flight.")
}

func errQueueNameExists(attr string) *awsproto.Error {
	return sqsError("QueueNameExists", "QueueAlreadyExists",
		fmt.Sprintf("A queue already exists with the same name and a different value for attribute %s", attr))
}

func errPurgeQueueInProgress(name string) *awsproto.Error {
	return sqsErrorStatus("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", http.StatusForbidden,
		fmt.Sprintf("Only one PurgeQueue operation on %s is allowed every 60 seconds.", name))
}

func errEmptyBatch(entry string) *awsproto.Error {
	return sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
		fmt.Sprintf("There should be at least one %s in the request.", entry))
}

func errTooManyEntries(n int) *awsproto.Error {
	return sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
		fmt.Sprintf("Maximum number of entries per request are 10. You have sent %d.", n))
}

func errBatchIdsNotDistinct(id string) *awsproto.Error {
	return sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
		fmt.Sprintf("Id %s repeated.", id))
}

func errInvalidBatchEntryID() *awsproto.Error {
	return sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
}

func errBatchRequestTooLong(limit, n int) *awsproto.Error {
	return sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", limit, n))
}

func errInvalidAddress(url string) *awsproto.Error {
	return sqsErrorStatus("InvalidAddress", "InvalidAddress", http.StatusNotFound, fmt.Sprintf("The address %s is not valid for this endpoint.", url))
}

func errUnsupportedSQSOperation(action string) *awsproto.Error {
	return &awsproto.Error{Code: "UnknownOperationException", Type: "com.amazon.coral.service#UnknownOperationException",
		QueryCode: "InvalidAction", Message: fmt.Sprintf("The action %s is not valid for this endpoint.", action)}
}

// errMaxNumberOfMessages is ReceiveMessage's answer to a MaxNumberOfMessages outside 1-10,
// an explicit 0 included.
func errMaxNumberOfMessages(n int) error {
	return errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", n)
}
