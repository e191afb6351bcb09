package awslocal

import (
	"context"
	"testing"
	"time"
)

func TestInspectQueuesShowsMessagesWithoutReceivingThem(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url, err := s.CreateQueue("orders", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"first", "second", "third"} {
		if _, err := s.SendMessage(SendMessageInput{QueueURL: url, MessageBody: body}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ReceiveMessage(context.Background(), ReceiveMessageInput{QueueURL: url, MaxNumberOfMessages: 1, VisibilityTimeout: ptr(30)}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // inspecting twice changes nothing
		qs := s.InspectQueues(2)
		if len(qs) != 1 || qs[0].Name != "orders" {
			t.Fatalf("queues %+v, want orders", qs)
		}
		q := qs[0]
		if q.Visible != 2 || q.InFlight != 1 || len(q.Messages) != 2 {
			t.Errorf("visible %d, in flight %d, %d messages shown; want 2, 1, 2 (the limit)", q.Visible, q.InFlight, len(q.Messages))
		}
		if q.Messages[0].Body != "first" || q.Messages[0].State != "in flight" || q.Messages[0].ReceiveCount != 1 {
			t.Errorf("oldest message %+v, want first, in flight, received once", q.Messages[0])
		}
	}
	msgs, err := s.ReceiveMessage(context.Background(), ReceiveMessageInput{QueueURL: url, MaxNumberOfMessages: 10})
	if err != nil || len(msgs) != 2 {
		t.Errorf("after inspection a receive gets %d messages (%v), want the 2 visible ones", len(msgs), err)
	}
}

func TestInspectBusesKeepsRecentEventsOnlyWhenAsked(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PutRule(PutRuleInput{Name: "orders", EventBusName: "default", EventPattern: `{"source":["shop"]}`}); err != nil {
		t.Fatal(err)
	}
	put := func(source string) {
		t.Helper()
		if _, failed, err := s.PutEvents(PutEventsEntry{Source: source, DetailType: "Placed", Detail: `{"n":1}`}); err != nil || failed != 0 {
			t.Fatalf("PutEvents: %v, %d failed", err, failed)
		}
	}
	put("shop")
	if evs := s.InspectBuses()[0].Events; len(evs) != 0 {
		t.Fatalf("kept %d events before KeepForInspection", len(evs))
	}
	s.KeepForInspection(2)
	put("shop")
	put("other")
	put("shop")
	bus := s.InspectBuses()[0]
	if bus.Name != "default" || len(bus.Events) != 2 {
		t.Fatalf("bus %s with %d events, want default with the last 2", bus.Name, len(bus.Events))
	}
	if e := bus.Events[0]; e.Source != "other" || len(e.Rules) != 0 {
		t.Errorf("older event %+v, want source other matching no rule", e)
	}
	if e := bus.Events[1]; e.Source != "shop" || len(e.Rules) != 1 || e.Rules[0] != "orders" {
		t.Errorf("newest event %+v, want source shop matching rule orders", e)
	}
}

func TestInspectStateMachinesShowsEachStateEnteredAndExited(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.KeepForInspection(10)
	def := `{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"Done"}],"Default":"No"},"Done":{"Type":"Pass","End":true},"No":{"Type":"Fail","Error":"Rejected"}}}`
	arn, err := s.CreateStateMachine(CreateStateMachineInput{Name: "flow", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	exec, err := s.StartExecution(StartExecutionInput{StateMachineArn: arn, Input: `{"ok":true}`})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.WaitExecution(ctx, exec); err != nil {
		t.Fatal(err)
	}
	ms := s.InspectStateMachines(5)
	if len(ms) != 1 || len(ms[0].Executions) != 1 {
		t.Fatalf("machines %+v, want flow with one execution", ms)
	}
	var types []string
	for _, h := range ms[0].Executions[0].History {
		types = append(types, h.Type+" "+h.State)
	}
	want := []string{"ChoiceStateEntered Check", "ChoiceStateExited Check", "PassStateEntered Done", "PassStateExited Done"}
	if len(types) != len(want) {
		t.Fatalf("history %q, want %q", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Errorf("history[%d] = %q, want %q", i, types[i], want[i])
		}
	}
	if got := ms[0].Executions[0].History[0].Input; got != `{"ok":true}` {
		t.Errorf("the first state's input %s, want the execution's", got)
	}
}

func ptr[T any](v T) *T { return &v }
