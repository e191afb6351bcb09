package localapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal"
)

// testdata/apps/state-machine is a TypeScript CDK app with Node.js functions: LambdaInvoke tasks
// (the optimized integration with outputPath, and payloadResponseOnly's function ARN), a Catch
// and a Retry on the functions' error names, an SQS task-token callback, and a rule to a
// CloudWatch Logs log group (with the CDK's deploy-time log resource policy) and to a function.
func TestStateMachineAppRunsItsNodeTasksAndRuleTargets(t *testing.T) {
	logs := &syncWriter{}
	s := serveApp(t, "state-machine", Options{Logs: logs})
	r, out := s.r, s.out
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := func(name, input string) string {
		arn, err := r.AWS().StartExecution(awslocal.StartExecutionInput{StateMachineArn: out["WorkflowArn"], Name: name, Input: input})
		if err != nil {
			t.Fatal(err)
		}
		return arn
	}

	invalid := start("no-items", `{"orderId":"o-2","items":[]}`)
	paid := start("paid", `{"orderId":"o-1","items":[{"price":5,"qty":2},{"price":1,"qty":3}]}`)
	wait := 20
	msgs, err := r.AWS().ReceiveMessage(ctx, awslocal.ReceiveMessageInput{QueueURL: out["ApprovalsQueueUrl"], WaitTimeSeconds: &wait})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("approval: %v %d", err, len(msgs))
	}
	var approval struct {
		Token string
		Order struct{ Total int }
	}
	json.Unmarshal([]byte(msgs[0].Body), &approval)
	if approval.Order.Total != 13 {
		t.Errorf("the approval carries the checked order: %s", msgs[0].Body)
	}
	if err := r.AWS().SendTaskSuccess(approval.Token, `{"approvedBy":"test"}`); err != nil {
		t.Fatal(err)
	}

	e, err := r.AWS().WaitExecution(ctx, paid)
	if err != nil || e.Status != "SUCCEEDED" {
		t.Fatalf("%v %+v", err, e)
	}
	var o struct {
		Total    int
		Approval map[string]string
		Payment  struct{ Charged, Attempt int }
	}
	json.Unmarshal([]byte(e.Output), &o)
	if o.Total != 13 || o.Approval["approvedBy"] != "test" || o.Payment.Charged != 13 || o.Payment.Attempt != 2 {
		t.Errorf("paid order output %s: want the total, the approval and the second (retried) charge", e.Output)
	}
	e, err = r.AWS().WaitExecution(ctx, invalid)
	if err != nil || e.Status != "SUCCEEDED" || !strings.Contains(e.Output, `"Error":"InvalidOrder"`) || !strings.Contains(e.Output, `order o-2 has no items`) {
		t.Errorf("invalid order: %v %s %s", err, e.Status, e.Output)
	}

	if _, failed, err := r.AWS().PutEvents(awslocal.PutEventsEntry{Source: "shop.orders", DetailType: "placed", Detail: `{"orderId":"o-1"}`}); err != nil || failed != 0 {
		t.Fatalf("PutEvents: %v %d", err, failed)
	}
	res := awsCall(t, r.AWSEndpoint(), "Logs_20140328.FilterLogEvents", `{"logGroupName":"`+out["OrderEventsLogGroup"]+`"}`)
	if !strings.Contains(res, `\"source\":\"shop.orders\"`) {
		t.Errorf("the log group holds %s", res)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "audit order o-1") {
		if time.Now().After(deadline) {
			t.Fatalf("the audit function did not run on the transformed event; output:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
