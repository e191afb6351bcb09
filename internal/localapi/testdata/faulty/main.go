// Command faulty is a test fixture: a Lambda function that misbehaves as asked, behind a Lambda
// proxy (payload 2.0 or 1.0, or a REST AWS_PROXY: the instruction is the request body) or a
// Lambda custom integration (the instruction is the event the request template renders).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type instruction struct {
	Error   string `json:"error"`
	Panic   bool   `json:"panic"`
	Exit    int    `json:"exit"`
	SleepMS int    `json:"sleepMs"`
	// RespondBytes asks for an answer whose body is that many bytes.
	RespondBytes int `json:"respondBytes"`
}

func main() {
	lambda.Start(func(_ context.Context, payload json.RawMessage) (any, error) {
		var proxy struct {
			Version    string `json:"version"`
			HTTPMethod string `json:"httpMethod"`
			Body       string `json:"body"`
		}
		json.Unmarshal(payload, &proxy)
		isProxy := proxy.Version != "" || proxy.HTTPMethod != ""
		raw := []byte(payload)
		if isProxy {
			raw = []byte(proxy.Body)
		}
		var in instruction
		json.Unmarshal(raw, &in)
		switch {
		case in.Panic:
			panic("asked to panic")
		case in.Exit != 0:
			os.Exit(in.Exit)
		case in.Error != "":
			return nil, errors.New(in.Error)
		}
		time.Sleep(time.Duration(in.SleepMS) * time.Millisecond)
		body := "ok"
		if in.RespondBytes > 0 {
			body = strings.Repeat("x", in.RespondBytes)
		}
		if isProxy {
			return map[string]any{"statusCode": 200, "body": body}, nil
		}
		return map[string]any{"body": body}, nil
	})
}
