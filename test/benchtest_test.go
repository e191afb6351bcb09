package test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/routes"
)

// TestBenchFakeRunsTheAppsStateMachines keeps benchtest's state machines the app's: benchtest
// may not import the CDK, so it holds its own copy of api/targets.go's definitions, and this
// compares what it serves (DescribeStateMachine on its local AWS) with the synthesized
// template's DefinitionString of the machine behind the same stack output.
func TestBenchFakeRunsTheAppsStateMachines(t *testing.T) {
	s := app(t)
	fake := benchtest.New(t, benchtest.Options{NoAccessLog: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := bench.AWSConfig(ctx, fake.Outputs())
	if err != nil {
		t.Fatal(err)
	}
	states := sfn.NewFromConfig(cfg)
	for _, output := range []string{routes.WorkflowStateMachineArnOutput, routes.ExpressStateMachineArnOutput} {
		t.Run(output, func(t *testing.T) {
			o, _ := s.json["Outputs"].(map[string]any)[output].(map[string]any)
			ref, _ := o["Value"].(map[string]any)["Ref"].(string)
			if ref == "" {
				t.Fatalf("the template's output %s is %v, not a Ref to its state machine", output, o)
			}
			// A definition naming other resources is an Fn::Join; resolve makes their
			// ARNs "${LogicalID.Arn}", which the comparison lets stand for any ARN.
			var want any
			if err := json.Unmarshal([]byte(resolve(s.props(ref)["DefinitionString"])), &want); err != nil {
				t.Fatalf("%s's DefinitionString: %v", ref, err)
			}
			d, err := states.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(fake.Outputs()[output])})
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := json.Unmarshal([]byte(aws.ToString(d.Definition)), &got); err != nil {
				t.Fatalf("benchtest's definition: %v", err)
			}
			if diff := definitionDiff("", want, got); diff != "" {
				t.Errorf("benchtest's %s differs from the app's %s (api/targets.go): %s", aws.ToString(d.Name), ref, diff)
			}
		})
	}
}

// definitionDiff says where two decoded definitions differ, "" when they do not; a template
// string holding a resolved reference matches any ARN, since the fake's differ by construction.
func definitionDiff(path string, app, fake any) string {
	switch a := app.(type) {
	case map[string]any:
		f, ok := fake.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is %v in the app, %v in benchtest", path, app, fake)
		}
		for k := range a {
			if _, ok := f[k]; !ok {
				return fmt.Sprintf("%s.%s is %v in the app, missing in benchtest", path, k, a[k])
			}
		}
		for k := range f {
			if _, ok := a[k]; !ok {
				return fmt.Sprintf("%s.%s is %v in benchtest, missing in the app", path, k, f[k])
			}
			if d := definitionDiff(path+"."+k, a[k], f[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		f, ok := fake.([]any)
		if !ok || len(f) != len(a) {
			return fmt.Sprintf("%s is %v in the app, %v in benchtest", path, app, fake)
		}
		for i := range a {
			if d := definitionDiff(fmt.Sprintf("%s[%d]", path, i), a[i], f[i]); d != "" {
				return d
			}
		}
		return ""
	case string:
		if f, ok := fake.(string); ok && strings.Contains(a, "${") && strings.HasPrefix(f, "arn:") {
			return ""
		}
	}
	if !reflect.DeepEqual(app, fake) {
		return fmt.Sprintf("%s is %v in the app, %v in benchtest", path, app, fake)
	}
	return ""
}

func TestDefinitionDiff(t *testing.T) {
	decode := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		name, app, fake string
		differ          bool
	}{
		{"the same definition in another key order is no difference", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, `{"States":{"A":{"End":true,"Type":"Pass"}},"StartAt":"A"}`, false},
		{"a comment missing in the fake is a difference", `{"Comment":"c","StartAt":"A"}`, `{"StartAt":"A"}`, true},
		{"a state only the fake has is a difference", `{"States":{"A":{}}}`, `{"States":{"A":{},"B":{}}}`, true},
		{"another value is a difference", `{"TimeoutSeconds":300}`, `{"TimeoutSeconds":30}`, true},
		{"a choice missing is a difference", `{"Choices":[1,2]}`, `{"Choices":[1]}`, true},
		{"a resolved reference matches the fake's ARN", `{"Resource":"${Fn.Arn}"}`, `{"Resource":"arn:aws:lambda:us-east-1:000000000000:function:Fn"}`, false},
		{"a resolved reference does not match a non-ARN", `{"Resource":"${Fn.Arn}"}`, `{"Resource":"Fn"}`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := definitionDiff("", decode(tt.app), decode(tt.fake)); (d != "") != tt.differ {
				t.Errorf("diff %q, want a difference: %v", d, tt.differ)
			}
		})
	}
}
