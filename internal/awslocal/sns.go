package awslocal

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/events"
	"firstclass/internal/awslocal/sfn"
	"firstclass/internal/awslocal/sns"
	"firstclass/internal/awslocal/sqs"
)

// SNS's wiring: its subscriptions deliver to SQS queues and (through Options.Lambda) Lambda
// functions; EventBridge rules deliver to topics; Step Functions publishes with
// arn:aws:states:::sns:publish.

func (s *Server) wireSNS(lambda LambdaInvoker) {
	s.sns.RegisterProtocol("sqs", queueSubscriptions{s.sqs})
	if lambda != nil {
		s.sns.RegisterProtocol("lambda", functionSubscriptions{lambda})
	}
	s.events.RegisterTarget("sns", topicTarget{s.sns})
	s.sfn.RegisterIntegration("sns:publish", sfn.Integration{Patterns: []string{"waitForTaskToken"}, Call: s.publishTask})
}

type queueSubscriptions struct{ sqs *sqs.Service }

func (q queueSubscriptions) Deliver(n *sns.Notification) uint64 {
	return q.sqs.SendToARN(n.Endpoint, n.Body, n.MessageGroupID, n.DeduplicationID)
}

func (q queueSubscriptions) Check(endpoint string) error {
	if !q.sqs.HasQueueARN(endpoint) {
		return fmt.Errorf("SQS queue %s does not exist locally", endpoint)
	}
	return nil
}

type functionSubscriptions struct{ l LambdaInvoker }

func (f functionSubscriptions) Deliver(n *sns.Notification) uint64 {
	f.l.InvokeAsync(n.Endpoint, []byte(n.Body))
	return 0
}

func (f functionSubscriptions) Check(endpoint string) error {
	if !f.l.Exists(endpoint) {
		return fmt.Errorf("Lambda function %s does not exist locally", endpoint)
	}
	return nil
}

// topicTarget delivers EventBridge events to SNS topics: the payload is the message.
type topicTarget struct{ sns *sns.Service }

func (t topicTarget) Deliver(d *events.Delivery) uint64 {
	t.sns.Publish(sns.PublishInput{TopicArn: d.Target.Arn, Message: d.Payload})
	return 0 // Publish waits for its own deliveries
}

func (t topicTarget) CheckTarget(arn string) error {
	if !t.sns.HasTopic(arn) {
		return fmt.Errorf("SNS topic %s does not exist locally", arn)
	}
	return nil
}

func (s *Server) publishTask(_ context.Context, t *sfn.TaskCall) (any, *sfn.TaskFailure) {
	p, _ := t.Parameters.(map[string]any)
	in := sns.PublishInput{}
	in.TopicArn, _ = p["TopicArn"].(string)
	if in.TopicArn == "" {
		in.TopicArn, _ = p["TargetArn"].(string)
	}
	if v, ok := p["Message"]; ok && v != nil {
		in.Message = jsonTextOf(v)
	}
	in.Subject, _ = p["Subject"].(string)
	in.MessageStructure, _ = p["MessageStructure"].(string)
	in.MessageGroupID, _ = p["MessageGroupId"].(string)
	in.DeduplicationID, _ = p["MessageDeduplicationId"].(string)
	if attrs, ok := p["MessageAttributes"].(map[string]any); ok {
		in.MessageAttributes = map[string]sns.MessageAttribute{}
		for k, av := range attrs {
			a, _ := av.(map[string]any)
			ma := sns.MessageAttribute{}
			ma.DataType, _ = a["DataType"].(string)
			ma.StringValue, _ = a["StringValue"].(string)
			ma.BinaryValue, _ = a["BinaryValue"].(string)
			in.MessageAttributes[k] = ma
		}
	}
	id, err := s.sns.Publish(in)
	if err != nil {
		code := "AmazonSNS"
		if e, ok := err.(*Error); ok {
			code = e.Code
		}
		if !strings.HasSuffix(code, "Exception") {
			code += "Exception"
		}
		return nil, sfn.ServiceFailure("SNS."+code, "AmazonSNS", err)
	}
	return sfn.SdkResult(map[string]any{"MessageId": id}, "text/xml"), nil
}

// snsActions are the query actions only SNS has, so that an unsigned form reaches it too.
var snsActions = map[string]bool{"Publish": true, "CreateTopic": true, "DeleteTopic": true, "ListTopics": true,
	"GetTopicAttributes": true, "Subscribe": true, "Unsubscribe": true, "ListSubscriptionsByTopic": true}

// isSNS reports whether a query request is SNS's: signed for sns, or an action only SNS has.
func isSNS(w http.ResponseWriter, r *http.Request) bool {
	if signedFor(r, "sns") {
		return true
	}
	if signedFor(r, "sqs") || r.Method != http.MethodPost {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, awsproto.MaxRequestBody)
	if r.ParseForm() != nil {
		return false
	}
	return snsActions[r.PostForm.Get("Action")]
}
