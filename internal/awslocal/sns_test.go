package awslocal

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	snsapi "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestSNSDeliversToQueuesAndFunctions(t *testing.T) {
	fn := &asyncLambda{}
	e := newEnv(t, Options{Lambda: fn})
	ctx := ctxT(t)
	c := snsapi.NewFromConfig(sdkConfig(e.http.URL))
	topic, err := c.CreateTopic(ctx, &snsapi.CreateTopicInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(topic.TopicArn)
	if arn != "arn:aws:sns:us-east-1:000000000000:orders" {
		t.Errorf("TopicArn %s", arn)
	}
	envQ := mustCreateQueue(t, e, "envelope", nil)
	rawQ := mustCreateQueue(t, e, "raw", nil)
	for _, sub := range []*snsapi.SubscribeInput{
		{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(e.srv.QueueARN("envelope"))},
		{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(e.srv.QueueARN("raw")), Attributes: map[string]string{"RawMessageDelivery": "true"}},
		{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String("arn:aws:lambda:us-east-1:000000000000:function:handler")},
	} {
		if _, err := c.Subscribe(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := c.Publish(ctx, &snsapi.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(`{"id":"o-1"}`), Subject: aws.String("new order"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("big")}}})
	if err != nil || aws.ToString(pub.MessageId) == "" {
		t.Fatalf("Publish: %v", err)
	}
	got, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(envQ)})
	var env map[string]any
	if len(got.Messages) != 1 || json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &env) != nil {
		t.Fatalf("envelope queue: %+v", got.Messages)
	}
	if env["Type"] != "Notification" || env["Message"] != `{"id":"o-1"}` || env["Subject"] != "new order" || env["TopicArn"] != arn ||
		env["MessageId"] != aws.ToString(pub.MessageId) || env["MessageAttributes"].(map[string]any)["kind"].(map[string]any)["Value"] != "big" {
		t.Errorf("envelope %v", env)
	}
	raw, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(rawQ)})
	if len(raw.Messages) != 1 || aws.ToString(raw.Messages[0].Body) != `{"id":"o-1"}` {
		t.Errorf("raw queue: %+v", raw.Messages)
	}
	if len(fn.calls) != 1 || !strings.Contains(fn.calls[0], `"EventSource":"aws:sns"`) || !strings.Contains(fn.calls[0], `"Sns":{`) || !strings.Contains(fn.calls[0], `"UnsubscribeUrl":`) {
		t.Errorf("function got %q", fn.calls)
	}

	tests := []struct {
		name string
		sub  *snsapi.SubscribeInput
		want string
	}{
		{"an email subscription is refused", &snsapi.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("a@b.c")},
			`InvalidParameter: Invalid parameter: SNS subscriptions of protocol "email" are not emulated locally`},
		{"a filter policy is refused", &snsapi.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(e.srv.QueueARN("raw")), Attributes: map[string]string{"FilterPolicy": `{"kind":["big"]}`}},
			"InvalidParameter: Invalid parameter: subscription filter policies are not emulated locally"},
		{"a missing queue is refused", &snsapi.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(e.srv.QueueARN("nope"))},
			"does not exist locally"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Subscribe(ctx, tt.sub); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("publishing to a missing topic is NotFound", func(t *testing.T) {
		_, err := c.Publish(ctx, &snsapi.PublishInput{TopicArn: aws.String(arn + "x"), Message: aws.String("m")})
		var nf *snstypes.NotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("sns:publish Task states publish, and name SNS's errors", func(t *testing.T) {
		for name, want := range map[string]string{
			arn:       `"MessageId":"`,
			arn + "x": `SNS.NotFoundException Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound;`,
		} {
			def := `{"StartAt":"P","States":{"P":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"TopicArn":"` + name + `","Message":{"from":"sfn"}},"End":true}}}`
			m, err := e.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("pub" + string(rune('a'+len(name)%26))), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::000000000000:role/r")})
			if err != nil {
				t.Fatal(err)
			}
			start, _ := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn})
			d := waitDone(t, e, aws.ToString(start.ExecutionArn))
			got := aws.ToString(d.Output)
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				got = aws.ToString(d.Error) + " " + aws.ToString(d.Cause)
			}
			if !strings.Contains(got, want) {
				t.Errorf("%s: got %s, want %s", name, got, want)
			}
		}
		msgs, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(rawQ)})
		if len(msgs.Messages) != 1 || aws.ToString(msgs.Messages[0].Body) != `{"from":"sfn"}` {
			t.Errorf("the task's message: %+v", msgs.Messages)
		}
	})
}

func TestTopicsAndSubscriptionsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateQueue("q", nil)
	arn, err := srv.CreateTopic("t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Subscribe(arn, "sqs", srv.QueueARN("q"), map[string]string{"RawMessageDelivery": "true"}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	e := newEnv(t, Options{StateDir: dir})
	c := snsapi.NewFromConfig(sdkConfig(e.http.URL))
	if _, err := c.Publish(ctxT(t), &snsapi.PublishInput{TopicArn: aws.String(arn), Message: aws.String("after")}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.sqs.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(e.srv.QueueURL("q"))})
	if len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "after" {
		t.Errorf("after restart the raw subscription got %+v", got.Messages)
	}
}
