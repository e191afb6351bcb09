package main

import (
	"bytes"
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/loadrun"
)

func main() {
	lambda.Start(func(ctx context.Context, ev loadrun.Event) (loadrun.WorkerResult, error) {
		return Handle(ctx, ev, os.Getenv("LOAD_RESULTS_BUCKET"), s3Store{outputs: ev.Task.Outputs})
	})
}

// s3Store keeps results in the stack's bucket: in the function's region with its role, or,
// when the outputs are the local runner's (AwsEndpoint), at the runner's endpoint, path-style.
type s3Store struct{ outputs contract.Outputs }

func (s s3Store) Put(ctx context.Context, bucket, key string, body []byte) error {
	local := s.outputs[contract.AWSEndpointOutput] != ""
	var cfg aws.Config
	var err error
	if local {
		cfg, err = bench.AWSConfig(ctx, s.outputs)
	} else {
		cfg, err = config.LoadDefaultConfig(ctx) // the function's region and role
	}
	if err != nil {
		return err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local })
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	return err
}
