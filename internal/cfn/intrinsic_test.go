package cfn

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type fakeValues map[string]string

func (f fakeValues) Ref(id string) (string, error) {
	if v, ok := f[id]; ok {
		return v, nil
	}
	return "", fmt.Errorf("no resource %q", id)
}

func (f fakeValues) GetAtt(id, attr string) (string, error) {
	if v, ok := f[id+"."+attr]; ok {
		return v, nil
	}
	return "", fmt.Errorf("no attribute %s.%s", id, attr)
}

func resolver() *Resolver {
	return &Resolver{
		Pseudo: Pseudo{AccountID: "000000000000", Region: "us-east-1", Partition: "aws", URLSuffix: "amazonaws.com", StackName: "Firstclass"},
		Values: fakeValues{"Queue": "http://127.0.0.1:1/000000000000/q", "Queue.Arn": "arn:aws:sqs:us-east-1:000000000000:q", "Queue.QueueName": "q", "Api": "abc123"},
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, in string
		want     any
	}{
		{"ref", `{"Ref":"Queue"}`, "http://127.0.0.1:1/000000000000/q"},
		{"pseudo", `{"Ref":"AWS::Region"}`, "us-east-1"},
		{"getatt list", `{"Fn::GetAtt":["Queue","Arn"]}`, "arn:aws:sqs:us-east-1:000000000000:q"},
		{"getatt dotted", `{"Fn::GetAtt":"Queue.QueueName"}`, "q"},
		{"join nested", `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":apigateway:",{"Ref":"AWS::Region"},":sqs:path/",{"Fn::Join":["/",[{"Ref":"AWS::AccountId"},{"Fn::GetAtt":["Queue","QueueName"]}]]}]]}`,
			"arn:aws:apigateway:us-east-1:sqs:path/000000000000/q"},
		{"sub", `{"Fn::Sub":"cdk-assets-${AWS::AccountId}-${AWS::Region}/${Queue.QueueName}/${!Literal}"}`, "cdk-assets-000000000000-us-east-1/q/${Literal}"},
		{"sub with variables", `{"Fn::Sub":["https://${Id}.execute-api.${AWS::Region}.${AWS::URLSuffix}/",{"Id":{"Ref":"Api"}}]}`, "https://abc123.execute-api.us-east-1.amazonaws.com/"},
		{"select and split", `{"Fn::Select":[1,{"Fn::Split":[":",{"Fn::GetAtt":["Queue","Arn"]}]}]}`, "aws"},
		{"novalue drops the key", `{"A":"x","B":{"Ref":"AWS::NoValue"}}`, map[string]any{"A": "x"}},
		{"plain map copied", `{"Name":{"Ref":"Queue"},"N":3}`, map[string]any{"Name": "http://127.0.0.1:1/000000000000/q", "N": 3.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in any
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			got, err := resolver().Resolve(in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestResolveErrorsNameTheProblem(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"Ref":"Nope"}`, `no resource "Nope"`},
		{`{"Fn::GetAtt":["Queue","Nope"]}`, `no attribute Queue.Nope`},
		{`{"Fn::ImportValue":"x"}`, `Fn::ImportValue is not an intrinsic the local runner resolves`},
		{`{"Props":{"Fn::Join":["",[{"Ref":"Nope"}]]}}`, `Props: [0]: no resource "Nope"`},
	} {
		var in any
		_ = json.Unmarshal([]byte(tt.in), &in)
		_, err := resolver().Resolve(in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestDeps(t *testing.T) {
	var in any
	_ = json.Unmarshal([]byte(`{"A":{"Ref":"Queue"},"B":[{"Fn::GetAtt":["Bus","Arn"]}],"C":{"Fn::Sub":"${Api}/${Role.Arn}/${AWS::Region}"},"D":{"Ref":"AWS::Region"}}`), &in)
	if got := strings.Join(Deps(in), ","); got != "Api,Bus,Queue,Role" {
		t.Errorf("Deps = %s", got)
	}
}

func TestParseTemplate(t *testing.T) {
	tmpl, err := ParseTemplate([]byte(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Metadata":{"aws:cdk:path":"S/Q/Resource"}},"B":{"Type":"AWS::Events::EventBus","Properties":{"Name":"b"}}},"Outputs":{"QueueUrl":{"Value":{"Ref":"Q"},"Description":"d"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if q := tmpl.OfType("AWS::SQS::Queue"); len(q) != 1 || q[0].Path() != "S/Q/Resource" || q[0].Properties == nil {
		t.Errorf("queues = %v", q)
	}
	if o := tmpl.Outputs["QueueUrl"]; o == nil || o.Description != "d" {
		t.Errorf("outputs = %v", tmpl.Outputs)
	}
}
