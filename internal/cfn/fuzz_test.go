package cfn

import (
	"encoding/json"
	"testing"
)

// FuzzResolve feeds the resolver arbitrary JSON: it may refuse a value, but it never panics,
// and what it resolves still encodes as JSON.
func FuzzResolve(f *testing.F) {
	for _, seed := range []string{
		`{"Ref":"Queue"}`, `{"Fn::GetAtt":["Queue","Arn"]}`, `{"Fn::GetAtt":"Queue.QueueName"}`,
		`{"Fn::Join":["",["a",{"Ref":"AWS::Region"}]]}`, `{"Fn::Sub":"${AWS::AccountId}-${Queue.Arn}-${!x}"}`,
		`{"Fn::Sub":["${A}",{"A":{"Ref":"Api"}}]}`, `{"Fn::Select":[1,{"Fn::Split":[":","a:b"]}]}`,
		`{"A":{"Ref":"AWS::NoValue"}}`, `[{"Fn::Sub":"${"}]`, `{"Fn::Select":[-1,[]]}`,
	} {
		f.Add(seed)
	}
	r := resolver()
	f.Fuzz(func(t *testing.T, in string) {
		var v any
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		out, err := r.Resolve(v)
		if err != nil {
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("resolved %s to %#v, which does not encode: %v", in, out, err)
		}
	})
}
