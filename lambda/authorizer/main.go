package main

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"firstclass/internal/jwtauth"
)

func main() {
	issuer := os.Getenv("ISSUER")
	c := Config{Issuer: issuer, Audience: os.Getenv("AUDIENCE"), Scope: os.Getenv("SCOPE"),
		Keys: &jwtauth.RemoteKeys{URL: jwtauth.JWKSURL(issuer)}}
	lambda.Start(func(_ context.Context, payload json.RawMessage) (any, error) {
		return Handle(c, payload, time.Now())
	})
}
