package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, payload json.RawMessage) (Response, error) {
		return Handle(payload)
	})
}
