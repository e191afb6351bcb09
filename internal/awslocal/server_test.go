package awslocal

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Tests of the composition: identifiers across services, and EventBridge
// delivering to SQS through the target registry.

func TestRegionAndAccountInIdentifiers(t *testing.T) {
	srv, err := New(Options{Region: "eu-west-1", Account: "123456789012", BaseURL: "http://127.0.0.1:9000"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url, _ := srv.CreateQueue("q", nil)
	bus, _ := srv.CreateEventBus("b")
	sm, _ := srv.CreateStateMachine(CreateStateMachineInput{Name: "m", Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`})
	ex, _ := srv.StartExecution(StartExecutionInput{StateMachineArn: sm, Name: "e"})
	for got, want := range map[string]string{
		url:                 "http://127.0.0.1:9000/123456789012/q",
		srv.QueueARN("q"):   "arn:aws:sqs:eu-west-1:123456789012:q",
		bus:                 "arn:aws:events:eu-west-1:123456789012:event-bus/b",
		sm:                  "arn:aws:states:eu-west-1:123456789012:stateMachine:m",
		ex:                  "arn:aws:states:eu-west-1:123456789012:execution:m:e",
		srv.EventBusARN(""): "arn:aws:events:eu-west-1:123456789012:event-bus/default",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

func TestEventsPutEventsRoutedToQueue(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	matched := mustCreateQueue(t, e, "orders-events", nil)
	transformed := mustCreateQueue(t, e, "orders-summary", nil)

	bus, err := e.events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(bus.EventBusArn) != "arn:aws:events:us-east-1:000000000000:event-bus/app" {
		t.Errorf("bus ARN = %s", aws.ToString(bus.EventBusArn))
	}
	rule, err := e.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orders"), EventBusName: aws.String("app"),
		EventPattern: aws.String(`{"source":["shop"],"detail-type":[{"prefix":"Order"}],"detail":{"total":[{"numeric":[">",100]}]}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(rule.RuleArn) != "arn:aws:events:us-east-1:000000000000:rule/app/orders" {
		t.Errorf("rule ARN = %s", aws.ToString(rule.RuleArn))
	}
	_, err = e.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"), EventBusName: aws.String("app"), Targets: []ebtypes.Target{
		{Id: aws.String("raw"), Arn: aws.String(e.srv.QueueARN("orders-events"))},
		{Id: aws.String("summary"), Arn: aws.String(e.srv.QueueARN("orders-summary")), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "total": "$.detail.total"},
			InputTemplate: aws.String(`{"order": <id>, "label": "order <id> costs <total>", "rule": "<aws.events.rule-name>"}`),
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}

	out, err := e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-1","total":250}`), EventBusName: aws.String("app"),
			Time: aws.Time(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)), Resources: []string{"arn:aws:shop:order/o-1"}},
		{Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-2","total":50}`), EventBusName: aws.String("app")},
		{Source: aws.String("other"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-3","total":500}`), EventBusName: aws.String("app")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 0 || len(out.Entries) != 3 || aws.ToString(out.Entries[0].EventId) == "" {
		t.Fatalf("PutEvents = %+v", out)
	}

	r, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(matched), MaxNumberOfMessages: 10})
	if len(r.Messages) != 1 {
		t.Fatalf("matched queue got %d messages, want 1 (o-2 and o-3 do not match)", len(r.Messages))
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(r.Messages[0].Body)), &env); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": "0", "id": aws.ToString(out.Entries[0].EventId), "detail-type": "OrderPlaced", "source": "shop",
		"account": "000000000000", "time": "2025-03-01T12:00:00Z", "region": "us-east-1"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("envelope %s = %v, want %v", k, env[k], v)
		}
	}
	if res, _ := env["resources"].([]any); len(res) != 1 || res[0] != "arn:aws:shop:order/o-1" {
		t.Errorf("resources = %v", env["resources"])
	}
	if d, _ := env["detail"].(map[string]any); d["id"] != "o-1" {
		t.Errorf("detail = %v", env["detail"])
	}
	// The envelope keeps AWS's member order.
	if body := aws.ToString(r.Messages[0].Body); !strings.HasPrefix(body, `{"version":"0","id":"`) || !strings.Contains(body, `"resources":["arn:aws:shop:order/o-1"],"detail":{"id":"o-1","total":250}}`) {
		t.Errorf("envelope text = %s", body)
	}

	s, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(transformed)})
	if len(s.Messages) != 1 {
		t.Fatal("no transformed message")
	}
	if got, want := aws.ToString(s.Messages[0].Body), `{"order": "o-1", "label": "order o-1 costs 250", "rule": "orders"}`; got != want {
		t.Errorf("transformed = %s, want %s", got, want)
	}
}
