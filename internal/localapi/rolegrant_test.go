package localapi

import (
	"strings"
	"testing"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
)

// TestEveryServiceRouteNamesItsTarget: the listing says what each route calls, also when
// the integration takes the resource from the request (POST /workflow/stop's execution from a
// header: the role names the machine), names only it besides a header (HTTP DELETE /jobs: the
// QueueUrl), or is a REST action-style URI, which names none (the VTL does).
func TestEveryServiceRouteNamesItsTarget(t *testing.T) {
	want := map[contract.Kind]map[string]string{
		contract.HTTP: {
			"POST /workflow/stop": "StepFunctions-StopExecution → Firstclass-TargetsWorkflow2F799B67",
			"DELETE /jobs":        "SQS-DeleteMessage → Firstclass-TargetsJobs46A9A14B",
			"POST /workflow":      "StepFunctions-StartExecution → Firstclass-TargetsWorkflow2F799B67",
		},
		contract.REST: {
			"POST /workflow/stop":                "AWS states StopExecution (VTL) → Firstclass-TargetsWorkflow2F799B67",
			"POST /workflow/sync":                "AWS states StartSyncExecution (VTL) → Firstclass-TargetsExpressWorkflowF6C6627D",
			"POST /events/{source}/{detailType}": "AWS events PutEvents (VTL) → FirstclassTargetsBus938860D3",
			"POST /stream":                       "AWS kinesis PutRecord (VTL) → Firstclass-TargetsStreamD661F322",
			"DELETE /jobs":                       "AWS sqs Firstclass-TargetsJobs46A9A14B (VTL)", // path-style: the URI names the queue
		},
	}
	seen := 0
	for _, a := range shared(t).r.APIs() {
		for _, rt := range a.Routes {
			key := rt.Method + " " + rt.Path
			if w, ok := want[a.Kind][key]; ok {
				seen++
				if rt.Integration != w {
					t.Errorf("%s %s: %q, want %q", a.Kind, key, rt.Integration, w)
				}
			}
			if a.Kind == contract.HTTP && !strings.Contains(rt.Integration, " → ") {
				t.Errorf("%s %s: %q names no target", a.Kind, key, rt.Integration)
			}
		}
	}
	if seen != len(want[contract.HTTP])+len(want[contract.REST]) {
		t.Errorf("found %d of the routes %v", seen, want)
	}
}

// TestGrantedResourceIsTheOneResourceTheRoleMayActOn reads the grants as IAM would apply
// them, and names a resource only when they allow the action on that one alone.
func TestGrantedResourceIsTheOneResourceTheRoleMayActOn(t *testing.T) {
	const (
		role    = "HttpApiRouteStopWorkflowInvokeRole2188E449"
		policy  = "HttpApiRouteStopWorkflowInvokeRoleDefaultPolicyD8EA5B37"
		machine = "Firstclass-TargetsWorkflow2F799B67"
		action  = "states:StopExecution"
	)
	executions := func(logicalID string) any {
		return map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":states:", map[string]any{"Ref": "AWS::Region"},
			":", map[string]any{"Ref": "AWS::AccountId"}, ":execution:", map[string]any{"Fn::GetAtt": []any{logicalID, "Name"}}, ":*"}}}
	}
	statement := func(tmpl *cfn.Template) map[string]any {
		doc := tmpl.Resources[policy].Properties["PolicyDocument"].(map[string]any)
		return doc["Statement"].([]any)[0].(map[string]any)
	}
	for _, tt := range []struct {
		name   string
		change func(*cfn.Template)
		want   string
	}{
		{"the synthesized grant names the machine", func(*cfn.Template) {}, machine},
		{"an action in another case or a wildcard matches as in IAM", func(tmpl *cfn.Template) { statement(tmpl)["Action"] = []any{"States:Stop*"} }, machine},
		{"a NotAction that leaves the action out allows it", func(tmpl *cfn.Template) {
			st := statement(tmpl)
			delete(st, "Action")
			st["NotAction"] = "sqs:*"
		}, machine},
		{"the grant in the role's own Policies counts", func(tmpl *cfn.Template) {
			doc := tmpl.Resources[policy].Properties["PolicyDocument"]
			tmpl.Resources[policy].Properties["Roles"] = []any{}
			tmpl.Resources[role].Properties["Policies"] = []any{map[string]any{"PolicyName": "inline", "PolicyDocument": doc}}
		}, machine},
		{"another action names nothing", func(tmpl *cfn.Template) { statement(tmpl)["Action"] = "states:StartExecution" }, ""},
		{"a NotAction naming the action names nothing", func(tmpl *cfn.Template) {
			st := statement(tmpl)
			delete(st, "Action")
			st["NotAction"] = "states:*"
		}, ""},
		{"a Deny names nothing", func(tmpl *cfn.Template) { statement(tmpl)["Effect"] = "Deny" }, ""},
		{"any resource names nothing", func(tmpl *cfn.Template) { statement(tmpl)["Resource"] = "*" }, ""},
		{"a NotResource names nothing", func(tmpl *cfn.Template) {
			st := statement(tmpl)
			st["NotResource"] = st["Resource"]
			delete(st, "Resource")
		}, ""},
		{"two machines name nothing", func(tmpl *cfn.Template) {
			statement(tmpl)["Resource"] = []any{executions("TargetsWorkflow2F799B67"), executions("TargetsExpressWorkflowF6C6627D")}
		}, ""},
		{"a policy of another role names nothing", func(tmpl *cfn.Template) {
			tmpl.Resources[policy].Properties["Roles"] = []any{map[string]any{"Ref": "HttpApiRouteStartWorkflowInvokeRole411B68F4"}}
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := shared(t)
			tmpl := golden(t)
			tt.change(tmpl)
			// The shared runner's identities and resolver, on the changed grants.
			r := &Runner{tmpl: tmpl, vals: s.r.vals, resolver: s.r.resolver}
			roleARN := s.r.vals[role].attrs["Arn"]
			if got := r.grantedResource(roleARN, action); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}
