package contract

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestOutputsRoundTripAsCDKWritesThem(t *testing.T) {
	out := Outputs{APIURLOutput(HTTP, "dev"): "https://h/dev", APIURLOutput(REST, "prod"): "https://r/prod/", "QueueUrl": "q"}
	var buf bytes.Buffer
	if err := WriteOutputs(&buf, "Firstclass", out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"Firstclass": {`) || !strings.Contains(buf.String(), `"HttpApiDevUrl": "https://h/dev"`) {
		t.Errorf("written:\n%s", buf.String())
	}
	got, err := ReadOutputs(&buf, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Stages(HTTP)[0] != "dev" || got.Stages(REST)[0] != "prod" {
		t.Errorf("stages = %v / %v", got.Stages(HTTP), got.Stages(REST))
	}
	if _, err := got.Get("EventBusName"); err == nil || !strings.Contains(err.Error(), `no "EventBusName"`) {
		t.Errorf("Get of a missing key: %v", err)
	}
}

func TestReadOutputsNeedsAStackNameWhenSeveral(t *testing.T) {
	file := `{"A":{"QueueUrl":"a"},"B":{"QueueUrl":"b"}}`
	if _, err := ReadOutputs(strings.NewReader(file), ""); err == nil || !strings.Contains(err.Error(), "2 stacks (A, B)") {
		t.Errorf("error = %v", err)
	}
	out, err := ReadOutputs(strings.NewReader(file), "B")
	if err != nil || out["QueueUrl"] != "b" {
		t.Errorf("out = %v, err = %v", out, err)
	}
	if _, err := ReadOutputs(strings.NewReader(file), "C"); err == nil || !strings.Contains(err.Error(), `no stack "C"; it has A, B`) {
		t.Errorf("error = %v", err)
	}
}

func TestAccessLogFormatIsOneJSONObjectPerKind(t *testing.T) {
	for _, kind := range Kinds {
		var m map[string]string
		if err := json.Unmarshal([]byte(AccessLogFormat(kind)), &m); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, f := range []string{"requestId", "status", "responseLatency", "integrationLatency", "integrationStatus", "integrationError"} {
			if !strings.HasPrefix(m[f], "$context.") {
				t.Errorf("%s: field %q = %q", kind, f, m[f])
			}
		}
	}
}

func TestOutputsOfSeveralStacksPickTheOneWithAPIs(t *testing.T) {
	file := StacksOutputs{
		"Firstclass":     {APIURLOutput(HTTP, "dev"): "http://127.0.0.1:4010/dev", RegionOutput: "us-east-1"},
		"FirstclassLoad": {LoadStateMachineArnOutput: "arn:aws:states:us-east-1:000000000000:stateMachine:M", RegionOutput: "us-east-1"},
	}
	out, err := file.Stack("")
	if err != nil || out[APIURLOutput(HTTP, "dev")] == "" {
		t.Errorf(`Stack("") = %v, %v; want the stack with APIs`, out, err)
	}
	if out, err := file.Stack(DefaultLoadStackName); err != nil || out[LoadStateMachineArnOutput] == "" {
		t.Errorf("Stack(FirstclassLoad) = %v, %v", out, err)
	}
	file["Other"] = Outputs{APIURLOutput(REST, "prod"): "http://x"}
	if _, err := file.Stack(""); err == nil || !strings.Contains(err.Error(), "3 stacks") {
		t.Errorf(`with two stacks with APIs, Stack("") = %v; want it to ask for a name`, err)
	}
	var buf bytes.Buffer
	if err := WriteAllOutputs(&buf, file); err != nil {
		t.Fatal(err)
	}
	back, err := ReadAllOutputs(&buf)
	if err != nil || len(back) != 3 || back["FirstclassLoad"][LoadStateMachineArnOutput] == "" {
		t.Errorf("round trip = %v, %v", back, err)
	}
}
