package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/spec"
	"firstclass/routes"
)

// A wrong mapping or template in the route table stops the app before anything is written,
// with the construct path and the fix. (The kinds of mistakes are tested in api/.)
func TestSynthStopsOnAWrongRoute(t *testing.T) {
	badMapping := routes.SendToQueueRoute
	badMapping.HTTP.Parameters = map[string]spec.Value{"QueueUrl": spec.Of(spec.QueueURL), "MesageBody": spec.Expr("$request.body")}
	badTemplate := routes.StartWorkflowRoute
	badTemplate.REST.RequestTemplate = "no-such.vtl"
	for _, tt := range []struct {
		name  string
		table spec.Table
		want  []string
	}{
		{"mapping", spec.Table{badMapping}, []string{"Firstclass/HttpApi: ", `parameter "MesageBody": unknown for SQS-SendMessage; did you mean "MessageBody"?`}},
		{"template", spec.Table{badTemplate}, []string{"Firstclass/RestApi: ", `template "no-such.vtl": not in api/templates`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			err := synth(app, tt.table)
			if err == nil {
				t.Fatal("synth succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
