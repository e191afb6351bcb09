package loadrun

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// sdkEngine is Engine over the AWS SDK: Step Functions and S3 in the load stack's region, or
// the local runner's endpoint (path-style S3).
type sdkEngine struct {
	sfn *sfn.Client
	s3  *s3.Client
}

// NewEngine returns the SDK's Engine; local makes S3 path-style, as the local runner serves it.
func NewEngine(cfg aws.Config, local bool) Engine {
	return &sdkEngine{
		sfn: sfn.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			if local {
				// The local S3 keeps whole objects without checksums.
				o.UsePathStyle = true
				o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
			}
		}),
	}
}

func (e *sdkEngine) StateMachineExists(ctx context.Context, arn string) (bool, error) {
	_, err := e.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	var missing *sfntypes.StateMachineDoesNotExist
	if errors.As(err, &missing) {
		return false, nil
	}
	return err == nil, err
}

func (e *sdkEngine) StartExecution(ctx context.Context, machine, name, input string) (string, error) {
	out, err := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String(name), Input: aws.String(input)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ExecutionArn), nil
}

func (e *sdkEngine) DescribeExecution(ctx context.Context, arn string) (Execution, error) {
	out, err := e.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return Execution{}, err
	}
	return Execution{Status: string(out.Status), Output: aws.ToString(out.Output), Error: aws.ToString(out.Error), Cause: aws.ToString(out.Cause)}, nil
}

// History reads the execution's whole history (every page) and returns the events from
// index from on. A run's history has a few events per worker.
func (e *sdkEngine) History(ctx context.Context, arn string, from int) ([]HistoryEvent, error) {
	var all []HistoryEvent
	in := &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000}
	for {
		out, err := e.sfn.GetExecutionHistory(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, ev := range out.Events {
			he := HistoryEvent{Type: string(ev.Type)}
			if d := ev.MapIterationStartedEventDetails; d != nil {
				he.Index = int(d.Index)
			} else if d := ev.MapIterationSucceededEventDetails; d != nil {
				he.Index = int(d.Index)
			} else if d := ev.MapIterationFailedEventDetails; d != nil {
				he.Index = int(d.Index)
			} else if d := ev.MapIterationAbortedEventDetails; d != nil {
				he.Index = int(d.Index)
			}
			all = append(all, he)
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if from >= len(all) {
		return nil, nil
	}
	return all[from:], nil
}

func (e *sdkEngine) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}
