// Command faulty is a test fixture: a Lambda function that misbehaves as asked, behind both a
// Lambda proxy (payload 2.0: the instruction is the request body) and a Lambda custom
// integration (the instruction is the event the request template renders).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type instruction struct {
	Error   string `json:"error"`
	Panic   bool   `json:"panic"`
	Exit    int    `json:"exit"`
	SleepMS int    `json:"sleepMs"`
}

func main() {
	lambda.Start(func(_ context.Context, payload json.RawMessage) (any, error) {
		var proxy struct {
			Version string `json:"version"`
			Body    string `json:"body"`
		}
		json.Unmarshal(payload, &proxy)
		raw := []byte(payload)
		if proxy.Version == "2.0" {
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
		if proxy.Version == "2.0" {
			return map[string]any{"statusCode": 200, "body": "ok"}, nil
		}
		return map[string]any{"body": "ok"}, nil
	})
}
