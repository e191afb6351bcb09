package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
	"firstclass/internal/awslocal/lambdahook"
)

// Lambda Task states, through the service's lambdahook.Invoker:
//
//   - arn:aws:states:::lambda:invoke (optionally .waitForTaskToken) takes
//     FunctionName, Payload (a JSON value, or a string sent as it is when it
//     is JSON text), InvocationType and Qualifier, and returns the Invoke
//     API's response: {ExecutedVersion, Payload, SdkHttpMetadata,
//     SdkResponseMetadata, StatusCode};
//   - a Lambda function ARN as the Resource sends the effective input as the
//     payload and returns the function's own result.
//
// A function error fails the task with the error document's errorType as
// its name and the document as its cause, or Lambda.Unknown when the
// document has no errorType (AWS "Handle Lambda service exceptions"); an
// Invoke API error with Lambda.<ErrorCode> (Lambda.ResourceNotFoundException,
// Lambda.TooManyRequestsException, Lambda.ServiceException…).

func (svc *Service) registerLambda(hook lambdahook.Invoker) {
	svc.lambda = hook
	svc.RegisterIntegration("lambda:invoke", Integration{Patterns: []string{"waitForTaskToken"},
		Call: func(ctx context.Context, t *TaskCall) (any, *TaskFailure) { return lambdaInvoke(ctx, hook, t) }})
	svc.RegisterIntegration(lambdaFunctionKey, Integration{Patterns: []string{"waitForTaskToken"},
		Call: func(ctx context.Context, t *TaskCall) (any, *TaskFailure) { return lambdaFunction(ctx, hook, t) }})
}

// lambdaPayload is the bytes a Payload parameter sends: {} for none, a
// string that is JSON text as it is, any other value as JSON.
func lambdaPayload(v any, present bool) []byte {
	if !present || v == nil {
		return []byte("{}")
	}
	if s, ok := v.(string); ok && json.Valid([]byte(s)) {
		return []byte(s)
	}
	return []byte(jsonvalue.Text(v))
}

func lambdaInvoke(ctx context.Context, hook lambdahook.Invoker, t *TaskCall) (any, *TaskFailure) {
	p, _ := t.Parameters.(map[string]any)
	fn, _ := p["FunctionName"].(string)
	if fn == "" {
		return nil, &TaskFailure{Name: "States.Runtime", Cause: "The field 'FunctionName' is required but was missing"}
	}
	if q, _ := p["Qualifier"].(string); q != "" {
		fn += ":" + q
	}
	payloadV, present := p["Payload"]
	payload := lambdaPayload(payloadV, present)
	switch typ, _ := p["InvocationType"].(string); typ {
	case "", "RequestResponse":
	case "Event":
		if err := hook.InvokeAsync(fn, payload); err != nil {
			return nil, lambdaAPIFailure(err)
		}
		return invokeOutput(202, "", "$LATEST", awsproto.NewRequestID()), nil
	default:
		return nil, lambdaAPIFailure(&awsproto.Error{Code: "InvalidParameterValueException", Status: 400,
			Message: fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)})
	}
	res, err := hook.Invoke(ctx, fn, payload)
	if err != nil {
		return nil, lambdaAPIFailure(err)
	}
	if res.FunctionError != "" {
		return nil, functionFailure(res.Payload)
	}
	version := res.ExecutedVersion
	if version == "" {
		version = "$LATEST"
	}
	return invokeOutput(200, decodePayload(res.Payload), version, res.RequestID), nil
}

func invokeOutput(status int, payload any, version, requestID string) map[string]any {
	if requestID == "" {
		requestID = awsproto.NewRequestID()
	}
	length := len(jsonvalue.Text(payload))
	if status == 202 {
		length = 0
	}
	meta := SdkHTTPMetadata("application/json", length, requestID, map[string]string{
		"X-Amz-Executed-Version": version, "x-amzn-Remapped-Content-Length": "0", "X-Amzn-Trace-Id": "root=1-" + requestID[:8] + "-" + requestID[9:13]})
	meta["HttpStatusCode"] = json.Number(fmt.Sprint(status))
	return map[string]any{"ExecutedVersion": version, "Payload": payload, "SdkHttpMetadata": meta,
		"SdkResponseMetadata": map[string]any{"RequestId": requestID}, "StatusCode": json.Number(fmt.Sprint(status))}
}

func lambdaFunction(ctx context.Context, hook lambdahook.Invoker, t *TaskCall) (any, *TaskFailure) {
	res, err := hook.Invoke(ctx, t.Resource, []byte(jsonvalue.Text(t.Parameters)))
	if err != nil {
		return nil, lambdaAPIFailure(err)
	}
	if res.FunctionError != "" {
		f := functionFailure(res.Payload)
		if f.Name != "Lambda.Unknown" {
			f.Cause = spacedJSON(res.Payload)
		}
		return nil, f
	}
	return decodePayload(res.Payload), nil
}

// functionFailure is the failure of a function error: its errorType and
// the document, or Lambda.Unknown.
func functionFailure(doc []byte) *TaskFailure {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(doc, &e) == nil && e.ErrorType != "" {
		return &TaskFailure{Name: e.ErrorType, Cause: string(doc)}
	}
	return &TaskFailure{Name: "Lambda.Unknown", Cause: "The cause could not be determined because Lambda did not return an error type. Returned payload: " + string(doc)}
}

// lambdaAPIFailure is the failure of an Invoke API error: Lambda.<Code>,
// or Lambda.ServiceException for anything that is not an AWS error.
func lambdaAPIFailure(err error) *TaskFailure {
	var e *awsproto.Error
	if !errors.As(err, &e) {
		e = &awsproto.Error{Code: "ServiceException", Status: 500, Message: err.Error()}
	}
	return ServiceFailure("Lambda."+e.Code, "AWSLambda", e)
}

// spacedJSON re-encodes compact JSON with a space after each ':' and ','
// outside strings, keeping the key order: the Cause a Lambda function
// resource (the legacy form) reports for a function error.
func spacedJSON(doc []byte) string {
	var c bytes.Buffer
	if json.Compact(&c, doc) != nil {
		return string(doc)
	}
	var b bytes.Buffer
	inString, escaped := false, false
	for _, ch := range c.Bytes() {
		b.WriteByte(ch)
		switch {
		case escaped:
			escaped = false
		case inString && ch == '\\':
			escaped = true
		case ch == '"':
			inString = !inString
		case !inString && (ch == ':' || ch == ','):
			b.WriteByte(' ')
		}
	}
	return b.String()
}
