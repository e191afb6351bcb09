package awslocal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"firstclass/internal/awslocal/events"
	"firstclass/internal/awslocal/jsonvalue"
	"firstclass/internal/awslocal/sfn"
	"firstclass/internal/awslocal/sqs"
)

// Step Functions Task states that call the other local services, as the
// optimized integrations do: SQS SendMessage and EventBridge PutEvents
// (and SNS Publish, sns.go). Parameter handling and result shapes are
// AWS's, from LocalStack's snapshots recorded against AWS
// (tests/aws/services/stepfunctions/v2/services/test_sqs_task_service,
// test_events_task_service): a MessageBody or Detail that is not a string
// is sent as its JSON text; PutEvents adds the state machine's and the
// execution's ARNs to each entry's Resources and fails the task with
// EventBridge.FailedEntry when an entry failed.

func (s *Server) registerTaskIntegrations() {
	wait := []string{"waitForTaskToken"}
	s.sfn.RegisterIntegration("sqs:sendMessage", sfn.Integration{Patterns: wait, Call: s.sendMessageTask})
	s.sfn.RegisterIntegration("events:putEvents", sfn.Integration{Patterns: wait, Call: s.putEventsTask})
}

func (s *Server) sendMessageTask(_ context.Context, t *sfn.TaskCall) (any, *sfn.TaskFailure) {
	p, _ := t.Parameters.(map[string]any)
	in := sqs.SendMessageInput{}
	in.QueueURL, _ = p["QueueUrl"].(string)
	if v, ok := p["MessageBody"]; ok && v != nil {
		in.MessageBody = jsonTextOf(v)
	}
	if n, ok := jsonvalue.Number(p["DelaySeconds"]); ok {
		d := int(n)
		in.DelaySeconds = &d
	}
	in.MessageGroupID, _ = p["MessageGroupId"].(string)
	in.MessageDeduplicationID, _ = p["MessageDeduplicationId"].(string)
	if attrs, ok := p["MessageAttributes"].(map[string]any); ok {
		in.MessageAttributes = map[string]sqs.MessageAttribute{}
		for name, av := range attrs {
			a, _ := av.(map[string]any)
			ma := sqs.MessageAttribute{}
			ma.DataType, _ = a["DataType"].(string)
			ma.StringValue, _ = a["StringValue"].(string)
			if b, ok := a["BinaryValue"].(string); ok {
				ma.BinaryValue, _ = base64.StdEncoding.DecodeString(b)
			}
			in.MessageAttributes[name] = ma
		}
	}
	out, err := s.sqs.SendMessage(in)
	if err != nil {
		return nil, sfn.ServiceFailure("SQS.AmazonSQSException", "AmazonSQS", err)
	}
	res := map[string]any{"MessageId": out.MessageID, "MD5OfMessageBody": out.MD5OfMessageBody}
	if out.MD5OfMessageAttributes != "" {
		res["MD5OfMessageAttributes"] = out.MD5OfMessageAttributes
	}
	if out.SequenceNumber != "" {
		res["SequenceNumber"] = out.SequenceNumber
	}
	return sfn.SdkResult(res, "application/x-amz-json-1.0"), nil
}

func (s *Server) putEventsTask(_ context.Context, t *sfn.TaskCall) (any, *sfn.TaskFailure) {
	p, _ := t.Parameters.(map[string]any)
	list, _ := p["Entries"].([]any)
	entries := make([]events.PutEventsEntry, 0, len(list))
	for _, ev := range list {
		e, _ := ev.(map[string]any)
		var entry events.PutEventsEntry
		entry.Source, _ = e["Source"].(string)
		entry.DetailType, _ = e["DetailType"].(string)
		entry.EventBusName, _ = e["EventBusName"].(string)
		if d, ok := e["Detail"]; ok && d != nil {
			entry.Detail = jsonTextOf(d)
		}
		for _, r := range asList(e["Resources"]) {
			entry.Resources = append(entry.Resources, fmt.Sprint(r))
		}
		entry.Resources = append(entry.Resources, t.StateMachineARN, t.ExecutionARN)
		entries = append(entries, entry)
	}
	results, failed, err := s.events.PutEvents(entries...)
	if err != nil {
		return nil, sfn.ServiceFailure("EventBridge.AmazonEventBridgeException", "AmazonEventBridge", err)
	}
	outEntries := make([]any, len(results))
	for i, r := range results {
		m := map[string]any{}
		if r.EventID != "" {
			m["EventId"] = r.EventID
		}
		if r.ErrorCode != "" {
			m["ErrorCode"], m["ErrorMessage"] = r.ErrorCode, r.ErrorMessage
		}
		outEntries[i] = m
	}
	out := map[string]any{"Entries": outEntries, "FailedEntryCount": json.Number(fmt.Sprint(failed))}
	if failed > 0 {
		return nil, &sfn.TaskFailure{Name: "EventBridge.FailedEntry", Cause: jsonvalue.Text(out)}
	}
	return out, nil
}

func jsonTextOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonvalue.Text(v)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
