package logs

import (
	"net/http/httptest"
	"strings"
	"testing"

	"firstclass/internal/awslocal/awstest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func newClient(t *testing.T) (*Service, *cloudwatchlogs.Client) {
	svc := New(Options{})
	hs := httptest.NewServer(awstest.JSONHandler("Logs_20140328", svc.ServeJSON))
	t.Cleanup(func() { hs.Close(); svc.Close() })
	return svc, cloudwatchlogs.NewFromConfig(awstest.Config(hs.URL))
}

func TestLogsErrorsAreAWSs(t *testing.T) {
	svc, c := newClient(t)
	ctx := awstest.Context(t)
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	svc.WriteEvent("g", "s", 5, "x")
	events := func(ts ...int64) []types.InputLogEvent {
		var out []types.InputLogEvent
		for _, t := range ts {
			out = append(out, types.InputLogEvent{Timestamp: aws.Int64(t), Message: aws.String("m")})
		}
		return out
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"a second group of the same name", func() error {
			_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")})
			return err
		}, "ResourceAlreadyExistsException: The specified log group already exists"},
		{"a name over 512 characters", func() error {
			_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(strings.Repeat("a", 513))})
			return err
		}, "InvalidParameterException: Invalid LogGroup or LogStream, both must have length less than or equal to 512."},
		{"events to a missing stream", func() error {
			_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope"), LogEvents: events(1)})
			return err
		}, "ResourceNotFoundException: The specified log stream does not exist."},
		{"events out of order", func() error {
			_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: events(2, 1)})
			return err
		}, "InvalidParameterException: Log events in a single PutLogEvents request must be in chronological order."},
		{"a missing group", func() error {
			_, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException: The specified log group does not exist."},
		{"a limit over 10000", func() error {
			_, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10001)})
			return err
		}, "InvalidParameterException: 1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"an unknown token", func() error {
			_, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: aws.String("!!")})
			return err
		}, "InvalidParameterException: The specified nextToken is invalid."},
		{"a JSON filter pattern is refused, not approximated", func() error {
			_, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = 1 }`)})
			return err
		}, "InvalidParameterException: awslocal: the local CloudWatch Logs matches term filter patterns only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestGetLogEventsPagesForwardAndBackward(t *testing.T) {
	svc, c := newClient(t)
	ctx := awstest.Context(t)
	svc.CreateLogGroup("g", 0)
	for i := int64(1); i <= 5; i++ {
		svc.WriteEvent("g", "s", i, string(rune('a'+i-1)))
	}
	msgs := func(out *cloudwatchlogs.GetLogEventsOutput) string {
		var b strings.Builder
		for _, e := range out.Events {
			b.WriteString(aws.ToString(e.Message))
		}
		return b.String()
	}
	head, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(2)})
	if err != nil || msgs(head) != "ab" {
		t.Fatalf("head: %v %s", err, msgs(head))
	}
	next, _ := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: head.NextForwardToken, Limit: aws.Int32(2)})
	if msgs(next) != "cd" {
		t.Errorf("forward page: %s", msgs(next))
	}
	tail, _ := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(2)})
	if msgs(tail) != "de" {
		t.Errorf("default is the newest: %s", msgs(tail))
	}
	back, _ := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: tail.NextBackwardToken, Limit: aws.Int32(2)})
	if msgs(back) != "bc" {
		t.Errorf("backward page: %s", msgs(back))
	}
	window, _ := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), StartTime: aws.Int64(2), EndTime: aws.Int64(4)})
	if len(window.Events) != 2 || aws.ToString(window.Events[0].Message) != "b" {
		t.Errorf("time window [2,4): %+v", window.Events)
	}
}
