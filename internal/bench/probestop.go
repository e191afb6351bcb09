package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The stopped-executions probe (spec.ProbeStoppedExecutions): a StopExecution route needs a
// RUNNING execution for each of its requests. Before the load, startHeld starts one per request
// on the STANDARD machine at the route's output, named by the bench id of the request that will
// stop it and asked to wait ({"holdSeconds": N}, which the machine's Hold state honours) until
// after the schedule's end; request seq carries its execution's ARN in the route's
// Delivery.InputHeader. After the load, every accepted request's execution must be listed
// ABORTED (executionList with a status filter): one still RUNNING, or ended otherwise, is
// missing.

// Prepared executions must outlast the schedule by holdMargin, plus the time preparing the
// route's other kind and the other prepared routes may take, at holdStartRate starts a second.
const (
	holdMargin    = time.Minute
	holdStartRate = 25
	// holdConcurrency is how many StartExecution calls a preparation makes at once.
	holdConcurrency = 16
)

// startHeld starts p.n held executions and returns each request's header with its ARN.
func startHeld(ctx context.Context, p preparation) (*Prepared, error) {
	header := p.route.Delivery.InputHeader
	if header == "" {
		return nil, fmt.Errorf("route %s names no Delivery.InputHeader to carry each request's execution ARN", p.route.Name)
	}
	hold := p.end + holdMargin + time.Duration(p.n/holdStartRate)*time.Second
	input := fmt.Sprintf(`{"holdSeconds":%d}`, int(math.Ceil(hold.Seconds())))
	api := sfn.NewFromConfig(p.awsCfg)
	if limit, err := machineTimeout(ctx, api, p.output); err != nil {
		return nil, err
	} else if limit > 0 && hold >= limit {
		return nil, fmt.Errorf("each of its executions would be held %s (the run's %s of warm-up and duration, %s of margin and %s to start %d executions), but the state machine %s times out after %s (its TimeoutSeconds), before the run could stop them: shorten --warmup and --duration, or lower --rate, or leave %s out of --routes",
			hold, p.end, holdMargin, time.Duration(p.n/holdStartRate)*time.Second, p.n, p.output, limit, p.route.Name)
	}
	began := time.Now()
	inputs := make([]Input, p.n)
	err := forEachConcurrently(ctx, p.n, holdConcurrency, func(ctx context.Context, seq int) error {
		out, err := api.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(p.output),
			Name: aws.String(p.ID(uint64(seq))), Input: aws.String(input)})
		if err != nil {
			return fmt.Errorf("StartExecution %s: %w", p.output, err)
		}
		inputs[seq] = Input{Header: http.Header{header: {aws.ToString(out.ExecutionArn)}}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Prepared{Inputs: inputs, Note: fmt.Sprintf("%d executions started, each held %s", p.n, hold), Lasts: began.Add(hold)}, nil
}

// machineTimeout is the TimeoutSeconds of the state machine's definition, 0 when it has none.
func machineTimeout(ctx context.Context, api *sfn.Client, arn string) (time.Duration, error) {
	out, err := api.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		return 0, fmt.Errorf("DescribeStateMachine %s: %w", arn, err)
	}
	var def struct{ TimeoutSeconds float64 }
	if err := json.Unmarshal([]byte(aws.ToString(out.Definition)), &def); err != nil {
		return 0, fmt.Errorf("state machine %s: its definition is not JSON: %w", arn, err)
	}
	return time.Duration(def.TimeoutSeconds * float64(time.Second)), nil
}

// findStopped finds the accepted requests whose execution is ABORTED.
func findStopped(ctx context.Context, l lookup) (*seenSet, error) {
	e := &executionList{api: sfn.NewFromConfig(l.awsCfg), arn: l.output, run: l.run, route: l.route, want: l.want,
		accepted: l.accepted, since: l.since, deadline: l.deadline, status: sfntypes.ExecutionStatusAborted}
	return e.find(ctx)
}

// forEachConcurrently calls f for 0 … n-1, at most width at a time, and returns the first
// error; after one, the calls not yet made are not.
func forEachConcurrently(ctx context.Context, n, width int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(width, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(ctx, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}
