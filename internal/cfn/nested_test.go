package cfn

import (
	"path/filepath"
	"strings"
	"testing"
)

type echoValues map[string]string

func (f echoValues) Ref(id string) (string, error) { return "ref:" + id, nil }
func (f echoValues) GetAtt(id, attr string) (string, error) {
	return "att:" + id + "." + attr, nil
}

func TestFlattenMergesANestedStackWithItsParametersAndOutputs(t *testing.T) {
	asm, err := LoadAssembly(filepath.Join("..", "localapi", "testdata", "apps", "nested", "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := asm.Stack("")
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	flat := asm.Flatten(st.Template, func(res *Resource, err error) { problems = append(problems, res.LogicalID+": "+err.Error()) })
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	const stack = "ServiceNestedStackServiceNestedStackResource228B88A0"
	if flat.Nested[stack] == "" {
		t.Fatalf("Nested = %v, want %s", flat.Nested, stack)
	}
	var fn *Resource
	for id, r := range flat.Resources {
		if r.Type == "AWS::Lambda::Function" {
			if !strings.HasPrefix(id, stack+"-") || r.LogicalID != id {
				t.Errorf("nested function's logical ID = %s (%s), want it prefixed with %s-", id, r.LogicalID, stack)
			}
			fn = r
		}
	}
	if fn == nil {
		t.Fatal("the nested function is not in the flattened template")
	}
	res := &Resolver{Values: echoValues{}}
	env, err := res.Resolve(fn.Properties["Environment"])
	if err != nil {
		t.Fatal(err)
	}
	if got := env.(map[string]any)["Variables"].(map[string]any)["GREETING"]; got != "ref:Greeting" {
		t.Errorf("GREETING = %v, want the parent's Ref Greeting passed through the nested parameter", got)
	}
	url, err := res.String(flat.Outputs["ServiceUrl"].Value)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "ref:"+stack+"-ServiceApi") || !strings.Contains(url, "ref:"+stack+"-ServiceApiDeploymentStageprod") {
		t.Errorf("ServiceUrl = %s, want the nested API and stage refs", url)
	}
}

func TestNestedScopeRewritesSubVariables(t *testing.T) {
	s := &nestedScope{prefix: "N-", params: map[string]any{"P": map[string]any{"Ref": "Outer"}}, local: map[string]bool{"Fn": true}}
	got, err := s.rewrite(map[string]any{"Fn::Sub": "${Fn.Arn}/${P}/${AWS::Region}/${!Literal}"})
	if err != nil {
		t.Fatal(err)
	}
	res := &Resolver{Values: echoValues{}, Pseudo: Pseudo{Region: "eu-west-1"}}
	v, err := res.String(got)
	if err != nil {
		t.Fatal(err)
	}
	if v != "att:N-Fn.Arn/ref:Outer/eu-west-1/${Literal}" {
		t.Errorf("rewritten Sub = %q", v)
	}
}

func TestAssetPathFindsCodeByMetadataOrByS3Key(t *testing.T) {
	asm, err := LoadAssembly(filepath.Join("..", "localapi", "testdata", "apps", "lambda-rest-api", "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	fn := asm.Stacks[0].Template.OfType("AWS::Lambda::Function")[0]
	byMeta, ok := asm.AssetPath(fn, "")
	if !ok {
		t.Fatal("no asset by metadata")
	}
	key := fn.Properties["Code"].(map[string]any)["S3Key"].(string)
	bare := &Resource{LogicalID: fn.LogicalID}
	byKey, ok := asm.AssetPath(bare, key)
	if !ok || byKey != byMeta {
		t.Errorf("by S3 key %s = %q %v, want %q", key, byKey, ok, byMeta)
	}
	if _, ok := asm.AssetPath(bare, "nothing.zip"); ok {
		t.Error("an unknown key found an asset")
	}
}

func TestFlattenReportsANestedStackWhoseTemplateIsMissing(t *testing.T) {
	parent := &Template{Parameters: map[string]*Parameter{}, Resources: map[string]*Resource{
		"Child": {LogicalID: "Child", Type: "AWS::CloudFormation::Stack", Properties: map[string]any{"TemplateURL": "https://s3.amazonaws.com/bucket/missing.json"}},
	}, Outputs: map[string]*Output{}}
	var got []string
	flat := (&Assembly{Dir: t.TempDir()}).Flatten(parent, func(res *Resource, err error) { got = append(got, res.LogicalID+": "+err.Error()) })
	if len(got) != 1 || !strings.Contains(got[0], "Child: its template is not in the cloud assembly") {
		t.Errorf("problems = %v", got)
	}
	if flat.Resources["Child"] == nil || len(flat.Nested) != 0 {
		t.Errorf("the unmerged stack should stay, unmerged: %v %v", flat.Resources, flat.Nested)
	}
}
