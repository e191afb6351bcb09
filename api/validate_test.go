package api

import (
	"strings"
	"testing"

	"firstclass/internal/spec"
	"firstclass/routes"
)

func TestTheRouteTableValidates(t *testing.T) {
	c, _ := ParseConfig(lookup(nil))
	if err := ValidateHTTPRoutes(routes.Routes, c); err != nil {
		t.Fatal(err)
	}
}

// Each kind of mapping mistake stops the synth with the route, the parameter and the fix.
func TestValidateHTTPRoutesNamesEachMistake(t *testing.T) {
	withParams := func(base spec.Route, set map[string]spec.Value, drop ...string) spec.Route {
		r := base
		r.HTTP.Parameters = map[string]spec.Value{}
		for k, v := range base.HTTP.Parameters {
			r.HTTP.Parameters[k] = v
		}
		for _, k := range drop {
			delete(r.HTTP.Parameters, k)
		}
		for k, v := range set {
			r.HTTP.Parameters[k] = v
		}
		return r
	}
	tests := []struct {
		name  string
		route spec.Route
		want  []string
	}{
		{"unknown parameter, near miss", withParams(routes.SendToQueueRoute, map[string]spec.Value{"MesageBody": spec.Expr("$request.body")}, "MessageBody"),
			[]string{`route "POST /queue": parameter "MesageBody": unknown for SQS-SendMessage; did you mean "MessageBody"?`}},
		{"missing required parameter", withParams(routes.PutEventRoute, nil, "DetailType"),
			[]string{`route "POST /events/{source}/{detailType}"`, `"DetailType"`, `required`}},
		{"malformed expression", withParams(routes.StartWorkflowRoute, map[string]spec.Value{"Input": spec.Expr("$request.bdy")}),
			[]string{`route "POST /workflow": parameter "Input"`}},
		{"path parameter the route lacks", withParams(routes.PutEventRoute, map[string]spec.Value{"Source": spec.Expr("$request.path.src")}),
			[]string{`parameter "Source"`, `src`, `source`}},
		{"stage variable no stage defines", withParams(routes.SendToQueueRoute, map[string]spec.Value{"MessageGroupId": spec.Expr("$stageVariables.group")}),
			[]string{`parameter "MessageGroupId"`, `group`}},
		{"recursive descent in a body path", withParams(routes.StartWorkflowRoute, map[string]spec.Value{"Input": spec.Expr("$request.body..order")}),
			[]string{`parameter "Input"`, `recursive descent`}},
		{"unknown subtype", func() spec.Route { r := routes.SendToQueueRoute; r.HTTP.Subtype = "SQS-SendMesage"; return r }(),
			[]string{`SQS-SendMesage`, `did you mean "SQS-SendMessage"`}},
	}
	c, _ := ParseConfig(lookup(nil))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateHTTPRoutes(spec.Table{tt.route}, c)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestValidateHTTPRoutesReportsEveryProblemAtOnce(t *testing.T) {
	a, b := routes.SendToQueueRoute, routes.StartWorkflowRoute
	a.HTTP.Parameters = map[string]spec.Value{"QueueUrl": spec.Of(spec.QueueURL), "Body": spec.Expr("$request.body")}
	b.HTTP.Parameters = map[string]spec.Value{"StateMachineArn": spec.Of(spec.StateMachineArn), "Input": spec.Expr("$request.querystring")}
	c, _ := ParseConfig(lookup(nil))
	err := ValidateHTTPRoutes(spec.Table{a, b}, c)
	if err == nil || !strings.Contains(err.Error(), "POST /queue") || !strings.Contains(err.Error(), "POST /workflow") {
		t.Errorf("want problems of both routes, got %v", err)
	}
}
