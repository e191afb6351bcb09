package awslocal

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestTaskStatesCallTheOtherLocalServices(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	queue := mustCreateQueue(t, e, "work", nil)
	audit := mustCreateQueue(t, e, "audit", nil)
	if _, err := e.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(e.srv.QueueARN("audit"))}}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, state string
		status      sfntypes.ExecutionStatus
		want        []string
		check       func(t *testing.T)
	}{
		{"sqs:sendMessage sends a JSON body as its text and returns SendMessage's result",
			`"Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"QueueUrl":"` + queue + `","MessageBody":{"order.$":"$.id"},"MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}`,
			"SUCCEEDED", []string{`"MD5OfMessageBody":"`, `"MD5OfMessageAttributes":"`, `"MessageId":"`, `"Content-Type":["application/x-amz-json-1.0"]`},
			func(t *testing.T) {
				out, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MessageAttributeNames: []string{"All"}})
				if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != `{"order":"o-1"}` || aws.ToString(out.Messages[0].MessageAttributes["k"].StringValue) != "v" {
					t.Errorf("queue holds %+v", out.Messages)
				}
			}},
		{"a SendMessage error is SQS.AmazonSQSException",
			`"Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"QueueUrl":"` + queue + `"}`,
			"FAILED", []string{`SQS.AmazonSQSException The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter;`}, nil},
		{"events:putEvents adds the machine and execution to Resources",
			`"Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[{"Source":"app","DetailType":"done","Detail":{"id.$":"$.id"}}]}`,
			"SUCCEEDED", []string{`{"Entries":[{"EventId":"`, `"FailedEntryCount":0}`},
			func(t *testing.T) {
				out, _ := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(audit)})
				if len(out.Messages) != 1 {
					t.Fatalf("audit queue holds %d", len(out.Messages))
				}
				b := aws.ToString(out.Messages[0].Body)
				if !strings.Contains(b, `"detail":{"id":"o-1"}`) || !strings.Contains(b, `"resources":["arn:aws:states:us-east-1:000000000000:stateMachine:`) || !strings.Contains(b, `:execution:`) {
					t.Errorf("event %s", b)
				}
			}},
		{"a failed entry is EventBridge.FailedEntry with the response as the cause",
			`"Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[{"Source":"app","DetailType":"done","Detail":"not json"}]}`,
			"FAILED", []string{`EventBridge.FailedEntry {"Entries":[{"ErrorCode":"MalformedDetail","ErrorMessage":"Detail is malformed."}],"FailedEntryCount":1}`}, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := `{"StartAt":"T","States":{"T":{"Type":"Task",` + tt.state + `,"End":true}}}`
			m, err := e.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("task" + string(rune('a'+i))), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::000000000000:role/r")})
			if err != nil {
				t.Fatal(err)
			}
			start, err := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn, Input: aws.String(`{"id":"o-1"}`)})
			if err != nil {
				t.Fatal(err)
			}
			d := waitDone(t, e, aws.ToString(start.ExecutionArn))
			got := aws.ToString(d.Output)
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				got = aws.ToString(d.Error) + " " + aws.ToString(d.Cause)
			}
			if d.Status != tt.status {
				t.Fatalf("status %s (%s)", d.Status, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %s\nwant it to contain %s", got, w)
				}
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
}
