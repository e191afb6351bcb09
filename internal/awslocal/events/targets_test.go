package events

import (
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

type recordedInvoke struct{ fn, payload string }

type fakeFunctions struct{ calls []recordedInvoke }

func (f *fakeFunctions) InvokeAsync(fn string, payload []byte) error {
	f.calls = append(f.calls, recordedInvoke{fn, string(payload)})
	return nil
}
func (f *fakeFunctions) Exists(fn string) bool { return strings.HasSuffix(fn, ":function:fn") }

type logLine struct {
	group, stream, message string
	ts                     int64
}

type fakeLogs struct{ lines []logLine }

func (l *fakeLogs) WriteEvent(group, stream string, ts int64, message string) uint64 {
	l.lines = append(l.lines, logLine{group, stream, message, ts})
	return 0
}
func (l *fakeLogs) GroupExists(group string) bool { return group == "/g" }

const (
	fnTarget    = "arn:aws:lambda:us-east-1:000000000000:function:fn"
	groupTarget = "arn:aws:logs:us-east-1:000000000000:log-group:/g"
)

func TestFunctionAndLogGroupTargetsGetTheTransformedEvent(t *testing.T) {
	tests := []struct {
		name   string
		target EventTarget
		// want is the function's payload, or the log event's message and timestamp
		want   string
		wantTS int64
	}{
		{"a function gets the whole event", EventTarget{ID: "a", Arn: fnTarget}, `"detail":{"id":"o-1","n":2}`, 0},
		{"a function gets the InputPath selection", EventTarget{ID: "a", Arn: fnTarget, InputPath: "$.detail.n"}, `2`, 0},
		{"a function gets Input as it is", EventTarget{ID: "a", Arn: fnTarget, Input: `{"fixed":true}`}, `{"fixed":true}`, 0},
		{"a log group gets the transformer's message and timestamp", EventTarget{ID: "a", Arn: groupTarget + ":*", InputTransformer: &EventInputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id"}, InputTemplate: `{"timestamp":1700000000123,"message":"order <id>"}`}}, `order o-1`, 1700000000123},
		{"a log group gets a template that is not the timestamp/message form as its message", EventTarget{ID: "a", Arn: groupTarget, InputTransformer: &EventInputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id"}, InputTemplate: `{"order":<id>}`}}, `{"order":"o-1"}`, 1735732800000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fns, logs := &fakeFunctions{}, &fakeLogs{}
			svc := New(Options{})
			svc.RegisterTarget("lambda", FunctionTarget(fns))
			svc.RegisterTarget("logs", LogGroupTarget(logs))
			if _, err := svc.PutRule(PutRuleInput{Name: "r", EventPattern: `{"source":["shop"]}`}); err != nil {
				t.Fatal(err)
			}
			if err := svc.PutTargets("", "r", tt.target); err != nil {
				t.Fatal(err)
			}
			res, failed, err := svc.PutEvents(PutEventsEntry{Source: "shop", DetailType: "order", Detail: `{"id":"o-1","n":2}`, Time: epoch(1735732800)})
			if err != nil || failed != 0 {
				t.Fatalf("PutEvents: %v %d", err, failed)
			}
			if strings.HasPrefix(tt.target.Arn, "arn:aws:lambda:") {
				if len(fns.calls) != 1 || fns.calls[0].fn != fnTarget || !strings.Contains(fns.calls[0].payload, tt.want) {
					t.Errorf("function calls %+v, want a payload with %s", fns.calls, tt.want)
				}
				return
			}
			if len(logs.lines) != 1 {
				t.Fatalf("log lines %+v", logs.lines)
			}
			l := logs.lines[0]
			if l.group != "/g" || l.stream != res[0].EventID || l.message != tt.want || l.ts != tt.wantTS {
				t.Errorf("log event %+v, want group /g, stream %s, message %s at %d", l, res[0].EventID, tt.want, tt.wantTS)
			}
		})
	}
}

func TestCheckTargetNamesWhatCannotBeDelivered(t *testing.T) {
	svc := New(Options{})
	svc.RegisterTarget("lambda", FunctionTarget(&fakeFunctions{}))
	svc.RegisterTarget("logs", LogGroupTarget(&fakeLogs{}))
	tests := []struct{ arn, want string }{
		{fnTarget, ""},
		{groupTarget, ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:other", "Lambda function arn:aws:lambda:us-east-1:000000000000:function:other does not exist locally"},
		{"arn:aws:logs:us-east-1:000000000000:log-group:/other:*", "CloudWatch Logs log group /other does not exist locally"},
		{"arn:aws:logs:us-east-1:000000000000:destination:d", "target arn:aws:logs:us-east-1:000000000000:destination:d is not a CloudWatch Logs log group"},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/s", `EventBridge targets of kind "kinesis" are not emulated locally (the local EventBridge delivers to events, lambda, logs)`},
		{"arn:aws:events:us-east-1:000000000000:event-bus/b", ""},
	}
	for _, tt := range tests {
		err := svc.CheckTarget(tt.arn)
		if (tt.want == "") != (err == nil) || err != nil && err.Error() != tt.want {
			t.Errorf("CheckTarget(%s) = %v, want %q", tt.arn, err, tt.want)
		}
	}
}

func epoch(sec int64) *awsproto.EpochTime {
	t := awsproto.EpochTime(time.Unix(sec, 0))
	return &t
}
