package awslocal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"firstclass/internal/awslocal/logs"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// asyncLambda records Event invocations.
type asyncLambda struct {
	mu    sync.Mutex
	calls []string
}

func (l *asyncLambda) Invoke(context.Context, string, []byte) (LambdaResult, error) {
	return LambdaResult{Payload: []byte(`{}`)}, nil
}
func (l *asyncLambda) Exists(fn string) bool { return strings.HasSuffix(fn, ":function:handler") }
func (l *asyncLambda) InvokeAsync(fn string, payload []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fn+" "+string(payload))
	return nil
}

func putRuleWithTargets(t *testing.T, e *testEnv, name string, targets ...ebtypes.Target) error {
	t.Helper()
	if _, err := e.events.PutRule(ctxT(t), &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.events.PutTargets(ctxT(t), &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: targets})
	return err
}

func putShopEvent(t *testing.T, e *testEnv, detail string) {
	t.Helper()
	out, err := e.events.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(detail)}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
}

func TestRuleTargetsLambdaAndLogGroups(t *testing.T) {
	dir := t.TempDir()
	fn := &asyncLambda{}
	e := newEnv(t, Options{Lambda: fn, LogsDir: dir})
	cwl := cloudwatchlogs.NewFromConfig(sdkConfig(e.http.URL))
	ctx := ctxT(t)
	if err := e.srv.CreateLogGroup("/aws/events/orders", 0); err != nil {
		t.Fatal(err)
	}
	groupARN := "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/orders"
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:handler"
	err := putRuleWithTargets(t, e, "orders",
		ebtypes.Target{Id: aws.String("log"), Arn: aws.String(groupARN)},
		ebtypes.Target{Id: aws.String("fn"), Arn: aws.String(fnARN), InputPath: aws.String("$.detail")},
		ebtypes.Target{Id: aws.String("tmpl"), Arn: aws.String(groupARN + ":*"), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id"}, InputTemplate: aws.String(`{"timestamp":1700000000000,"message":"order <id> placed"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	putShopEvent(t, e, `{"id":"o-7"}`)

	if len(fn.calls) != 1 || fn.calls[0] != fnARN+` {"id":"o-7"}` {
		t.Errorf("Lambda target got %q", fn.calls)
	}
	out, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/events/orders")})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, ev := range out.Events {
		msgs = append(msgs, aws.ToString(ev.Message))
	}
	if len(msgs) != 2 || msgs[0] != "order o-7 placed" || !strings.HasPrefix(msgs[1], `{"version":"0","id":"`) || !strings.Contains(msgs[1], `"detail":{"id":"o-7"}`) {
		t.Fatalf("log group holds %q", msgs)
	}
	if aws.ToInt64(out.Events[0].Timestamp) != 1700000000000 {
		t.Errorf("the transformer's timestamp is the event's: %d", aws.ToInt64(out.Events[0].Timestamp))
	}
	// The stream is the event's ID, readable with GetLogEvents.
	stream := aws.ToString(out.Events[1].LogStreamName)
	got, err := cwl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/events/orders"), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	if err != nil || len(got.Events) != 2 || !strings.Contains(msgs[1], `"id":"`+stream+`"`) {
		t.Errorf("GetLogEvents(%s) = %v %+v", stream, err, got)
	}
	filtered, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/events/orders"), FilterPattern: aws.String(`"o-7 placed"`)})
	if err != nil || len(filtered.Events) != 1 {
		t.Errorf("filter pattern: %v %+v", err, filtered)
	}
	file, _ := os.ReadFile(logs.FilePath(dir, "/aws/events/orders"))
	if lines := strings.Split(strings.TrimSpace(string(file)), "\n"); len(lines) != 2 || !strings.HasSuffix(lines[1], "order o-7 placed") && !strings.HasSuffix(lines[0], "order o-7 placed") {
		t.Errorf("mirror file %s:\n%s", filepath.Base(logs.FilePath(dir, "/aws/events/orders")), file)
	}
}

func TestPutTargetsRefusesWhatCannotBeDelivered(t *testing.T) {
	e := newEnv(t, Options{Lambda: &asyncLambda{}})
	for _, tt := range []struct{ arn, want string }{
		{"arn:aws:kinesis:us-east-1:000000000000:stream/s", `EventBridge targets of kind "kinesis" are not emulated locally`},
		{"arn:aws:lambda:us-east-1:000000000000:function:nobody", "Lambda function arn:aws:lambda:us-east-1:000000000000:function:nobody does not exist locally"},
		{"arn:aws:logs:us-east-1:000000000000:log-group:missing", "CloudWatch Logs log group missing does not exist locally"},
	} {
		err := putRuleWithTargets(t, e, "r", ebtypes.Target{Id: aws.String("t"), Arn: aws.String(tt.arn)})
		if err == nil || !strings.Contains(err.Error(), "ValidationException: Target t: "+tt.want) {
			t.Errorf("%s: %v", tt.arn, err)
		}
	}
}

func TestLogEventsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateLogGroup("g", 0)
	srv.logs.WriteEvent("g", "s", 1, "kept")
	srv.Close()
	e := newEnv(t, Options{StateDir: dir})
	out, err := cloudwatchlogs.NewFromConfig(sdkConfig(e.http.URL)).FilterLogEvents(ctxT(t), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g")})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "kept" {
		t.Errorf("after restart: %v %+v", err, out)
	}
}
