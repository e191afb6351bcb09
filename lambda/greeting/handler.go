// Command greeting is the Lambda function behind GET /greeting on both APIs.
//
// It serves two integration styles with one handler, so the REST and HTTP API routes can be
// compared on the same code:
//   - the REST API's Lambda custom (non-proxy) integration sends {"greeter": "NAME"} built by a
//     VTL request template, and maps an error to a 400 by matching its message (seed 003);
//   - the HTTP API's Lambda proxy integration sends a payload format 2.0 event and expects a
//     proxy response.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrMissingGreeter is the error the REST API's integration response matches with its
// selection pattern; its text is the contract with api/ (seed 003 uses this exact message).
var ErrMissingGreeter = errors.New("Missing the required greeter parameter.")

// Greet returns the greeting for a caller: "Hello, NAME!" for a name, "Hello, World" for an
// empty name (seed 003 spells it without the exclamation mark), and ErrMissingGreeter when no
// name was given at all.
func Greet(greeter *string) (string, error) {
	switch {
	case greeter == nil:
		return "", ErrMissingGreeter
	case *greeter == "":
		return "Hello, World", nil
	default:
		return "Hello, " + *greeter + "!", nil
	}
}

// Response is the result shape of seed 003's function, which is also a valid Lambda proxy
// response for the HTTP API.
type Response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// event holds the fields of both invocation styles.
type event struct {
	// Custom integration: the body the VTL template renders.
	Greeter *string `json:"greeter"`
	// Proxy integration, payload format 2.0.
	Version               string            `json:"version"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
}

// Handle decodes one invocation and answers it. A custom-integration call without a greeter is
// an error (the REST API maps it to 400); a proxy call without one gets a 400 proxy response,
// because the HTTP API turns any Lambda error into a bare 500.
func Handle(payload []byte) (Response, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Response{}, fmt.Errorf("decode event: %w", err)
	}
	if ev.Version == "" {
		msg, err := Greet(ev.Greeter)
		if err != nil {
			return Response{}, err
		}
		return textResponse(200, msg), nil
	}
	var greeter *string
	if name, ok := ev.QueryStringParameters["greeter"]; ok {
		greeter = &name
	}
	msg, err := Greet(greeter)
	if err != nil {
		body, _ := json.Marshal(map[string]string{"message": err.Error()})
		return Response{StatusCode: 400, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(body)}, nil
	}
	return textResponse(200, msg), nil
}

func textResponse(status int, body string) Response {
	return Response{StatusCode: status, Headers: map[string]string{"Content-Type": "*/*"}, Body: body}
}
