package awslocal_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"firstclass/internal/awslocal"
	"firstclass/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// The local runner's use: create resources through the Go API, then let
// any AWS client talk to the handler through an endpoint override.
func Example() {
	srv, _ := awslocal.New(awslocal.Options{})
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	srv.SetBaseURL(hs.URL)

	queueURL, _ := srv.CreateQueue("orders", map[string]string{"VisibilityTimeout": "60"})
	client := sqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(hs.URL),
		// The SDK's client behind sdkhttp, which keeps it from losing answers.
		HTTPClient: sdkhttp.Client(nil),
	})
	ctx := context.Background()
	client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(`{"order":1}`)})
	out, _ := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL)})
	fmt.Println(aws.ToString(out.Messages[0].Body))
	// Output: {"order":1}
}

// Events put on a bus reach the queues of matching rules at once.
func ExampleServer_PutEvents() {
	srv, _ := awslocal.New(awslocal.Options{})
	defer srv.Close()
	queueURL, _ := srv.CreateQueue("audit", nil)
	srv.PutRule(awslocal.PutRuleInput{Name: "all-shop", EventPattern: `{"source":["shop"]}`})
	srv.PutTargets("default", "all-shop", awslocal.EventTarget{ID: "audit", Arn: srv.QueueARN("audit"), InputPath: "$.detail"})

	_, failed, _ := srv.PutEvents(
		awslocal.PutEventsEntry{Source: "shop", DetailType: "OrderPlaced", Detail: `{"id":"o-1"}`},
		awslocal.PutEventsEntry{Source: "crm", DetailType: "Lead", Detail: `{"id":"l-1"}`},
	)
	msgs, _ := srv.ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: queueURL, MaxNumberOfMessages: 10})
	fmt.Println(failed, len(msgs), msgs[0].Body)
	// Output: 0 1 {"id":"o-1"}
}

// An EXPRESS state machine runs synchronously.
func ExampleServer_StartSyncExecution() {
	srv, _ := awslocal.New(awslocal.Options{})
	defer srv.Close()
	arn, _ := srv.CreateStateMachine(awslocal.CreateStateMachineInput{
		Name: "greet", Type: "EXPRESS",
		Definition: `{"StartAt":"Hello","States":{"Hello":{"Type":"Pass",
			"Parameters":{"message.$":"States.Format('Hello, {}!', $.name)"},"End":true}}}`,
	})
	ex, _ := srv.StartSyncExecution(context.Background(), awslocal.StartExecutionInput{StateMachineArn: arn, Input: `{"name":"Ada"}`})
	fmt.Println(ex.Status, ex.Output)
	// Output: SUCCEEDED {"message":"Hello, Ada!"}
}
