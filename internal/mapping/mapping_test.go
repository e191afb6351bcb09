package mapping

import (
	"errors"
	"strings"
	"testing"
)

func TestNewMappingRejectsWhatAWSWouldReject(t *testing.T) {
	tests := []struct {
		name    string
		subtype string
		params  map[string]string
		want    []string
	}{
		{"unknown subtype", "SQS-Send", nil, []string{`unknown integration subtype "SQS-Send"`}},
		{"unknown parameter", "SQS-PurgeQueue", map[string]string{"QueueUrl": "q", "Queue": "x"},
			[]string{`parameter "Queue": unknown for SQS-PurgeQueue`}},
		{"bad value", "SQS-PurgeQueue", map[string]string{"QueueUrl": "$request.body..x"},
			[]string{`parameter "QueueUrl": value "$request.body..x": offset 13: recursive descent`}},
		{"missing required", "SQS-SendMessage", map[string]string{"QueueUrl": "q"},
			[]string{`parameter "MessageBody": required by SQS-SendMessage but not mapped`}},
		{"several at once", "SQS-SendMessage", map[string]string{"QueueUrl": "$request.body[*]", "Body": "x"},
			[]string{`parameter "Body": unknown`, `parameter "QueueUrl": value`, `parameter "MessageBody": required`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMapping(tt.subtype, tt.params)
			if err == nil {
				t.Fatal("NewMapping returned no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMappingEvaluateFillsParameters(t *testing.T) {
	m, err := NewMapping("EventBridge-PutEvents", map[string]string{
		"Source":       "$request.path.source",
		"DetailType":   "$request.path.detailType",
		"Detail":       "$request.body",
		"EventBusName": "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
		"TraceHeader":  "$request.header.x-amzn-trace-id",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &Request{
		PathParams: map[string]string{"source": "shop", "detailType": "OrderPlaced"},
		Body:       []byte(`{"id":1}`),
	}
	out := map[string]string{}
	if err := m.Evaluate(r, out); err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := map[string]string{
		"Source": "shop", "DetailType": "OrderPlaced", "Detail": `{"id":1}`,
		"EventBusName": "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
	}
	if len(out) != len(want) {
		t.Errorf("got %v, want %v (TraceHeader dropped: no such header)", out, want)
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %q, want %q", k, out[k], v)
		}
	}
	if v, ok := m.Value("Detail"); !ok || v.Raw() != "$request.body" {
		t.Errorf("Value(Detail) = %v, %v", v, ok)
	}
	if m.Subtype().Name != "EventBridge-PutEvents" {
		t.Errorf("Subtype() = %s", m.Subtype().Name)
	}
}

func TestMappingEvaluateReportsDroppedRequiredParameters(t *testing.T) {
	// The DESIGN.md /queue route, with a client that forgot the body field
	// and the header: both required parameters are dropped, and the error
	// says why, so the runner can answer and log.
	m, err := NewMapping("SQS-SendMessage", map[string]string{
		"QueueUrl":     "$request.header.x-queue",
		"MessageBody":  "$request.body.message",
		"DelaySeconds": "$request.querystring.delay",
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = m.Evaluate(&Request{Body: []byte(`{"msg":"typo"}`)}, out)
	if !errors.Is(err, ErrRequiredParameterDropped) {
		t.Fatalf("Evaluate error = %v, want ErrRequiredParameterDropped", err)
	}
	var me *MissingParametersError
	if !errors.As(err, &me) {
		t.Fatalf("error is %T", err)
	}
	if len(me.Missing) != 2 || me.Missing[0].Name != "MessageBody" || me.Missing[1].Name != "QueueUrl" {
		t.Errorf("missing = %+v", me.Missing)
	}
	want := `SQS-SendMessage: required parameter "MessageBody" dropped: the body has no value (or null) at $.message ($request.body.message); ` +
		`required parameter "QueueUrl" dropped: the request has no header "x-queue" ($request.header.x-queue)`
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
	if len(out) != 0 {
		t.Errorf("out = %v, want nothing mapped", out)
	}
}

func TestMappingIsSafeForConcurrentUse(t *testing.T) {
	m, err := NewMapping("StepFunctions-StartExecution", map[string]string{
		"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
		"Input":           `{"id":"${request.body.id}"}`,
		"Name":            "$context.requestId",
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			out := map[string]string{}
			for i := 0; i < 200; i++ {
				r := &Request{Body: []byte(`{"id":"a"}`), Context: map[string]string{"requestId": "r"}}
				if err := m.Evaluate(r, out); err != nil {
					done <- err
					return
				}
				if out["Input"] != `{"id":"a"}` {
					done <- errors.New("wrong Input " + out["Input"])
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
