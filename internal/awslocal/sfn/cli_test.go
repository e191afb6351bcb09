package sfn

import (
	"encoding/json"
	"testing"

	"firstclass/internal/awslocal/awstest"
)

// The AWS CLI, unchanged, reads an execution's history through
// --endpoint-url, every page of it (the CLI follows nextToken itself).
func TestAWSCLIGetsExecutionHistory(t *testing.T) {
	e := newEnv(t, Options{})
	run := awstest.CLI(t, e.http.URL)
	arn := runStandard(t, e, `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"Big"}],"Default":"Small"},
		"Big":{"Type":"Pass","Result":"big","End":true},"Small":{"Type":"Fail","Error":"TooSmall","Cause":"n <= 1"}}}`, `{"n":2}`)
	// --page-size 2 makes the CLI ask for two events at a time and follow
	// the tokens; --reverse-order the newest first.
	out := run("stepfunctions", "get-execution-history", "--execution-arn", arn, "--page-size", "2", "--reverse-order")
	var res struct {
		Events []struct {
			ID                             int64   `json:"id"`
			PreviousEventID                int64   `json:"previousEventId"`
			Type                           string  `json:"type"`
			Timestamp                      float64 `json:"timestamp"`
			ExecutionSucceededEventDetails *struct {
				Output string `json:"output"`
			} `json:"executionSucceededEventDetails"`
		} `json:"events"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("CLI output: %v\n%s", err, out)
	}
	var got []string
	for _, ev := range res.Events {
		got = append(got, ev.Type)
	}
	want := []string{"ExecutionSucceeded", "PassStateExited", "PassStateEntered", "ChoiceStateExited", "ChoiceStateEntered", "ExecutionStarted"}
	if len(got) != len(want) {
		t.Fatalf("CLI history %q, want %q\n%s", got, want, out)
	}
	for i := range want {
		if got[i] != want[i] || res.Events[i].ID != int64(len(want)-i) {
			t.Errorf("event %d: %s id %d, want %s id %d", i, got[i], res.Events[i].ID, want[i], len(want)-i)
		}
	}
	if d := res.Events[0].ExecutionSucceededEventDetails; d == nil || d.Output != `"big"` || res.Events[0].Timestamp < 1e9 {
		t.Errorf("ExecutionSucceeded %+v at %v\n%s", d, res.Events[0].Timestamp, out)
	}
}
