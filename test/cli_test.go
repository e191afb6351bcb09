package test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"firstclass/internal/cfn"
)

// pinnedCLI is the CDK CLI version package.json pins; the library's cloud assembly schema must
// be one this CLI reads.
const pinnedCLI = "2.1148.1"

// TestPinnedCDKCLISynthesizesTheSameTemplate runs `cdk synth` with the CLI that package.json
// pins (installed by npm ci, which make test runs), so a library upgrade the CLI cannot read,
// or a CLI that synthesizes differently, fails here rather than at a user's cdk deploy.
func TestPinnedCDKCLISynthesizesTheSameTemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CDK CLI and synthesizes: not with -short")
	}
	cdk, err := filepath.Abs(filepath.Join("..", "node_modules", ".bin", "cdk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cdk); err != nil {
		t.Fatalf("the pinned CDK CLI is not installed (%v): run npm ci in the project root (make test does)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env := append(os.Environ(), "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1", "CDK_DISABLE_CLI_TELEMETRY=true",
		"PATH="+filepath.Dir(cdk)+string(os.PathListSeparator)+os.Getenv("PATH"))

	version := exec.CommandContext(ctx, cdk, "--version")
	version.Env = env
	v, err := version.Output()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(v)), pinnedCLI) {
		t.Fatalf("cdk --version = %q (%v), want %s as package.json pins", v, err, pinnedCLI)
	}

	out := filepath.Join(t.TempDir(), "cdk.out")
	cmd := exec.CommandContext(ctx, cdk, "synth", "--quiet", "--no-notices", "--output", out)
	cmd.Dir = ".."
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, b)
	}
	asm, err := cfn.LoadAssembly(out)
	if err != nil {
		t.Fatal(err)
	}
	stack, err := asm.Stack("Firstclass")
	if err != nil {
		t.Fatal(err)
	}
	// The CLI's synth and the in-process one (what the other tests assert on) must declare
	// the same resources with the same properties; the CLI only adds its version report.
	s := app(t)
	want := resourceList(s.json)
	var got []string
	for id, r := range stack.Template.Resources {
		if r.Type != "AWS::CDK::Metadata" {
			got = append(got, id+" "+r.Type)
		}
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("cdk synth declares other resources than the in-process synth:\n%s", lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
	}
	inProcess := s.json["Resources"].(map[string]any)
	for id, r := range stack.Template.Resources {
		if r.Type == "AWS::CDK::Metadata" {
			continue
		}
		a, _ := json.Marshal(r.Properties)
		props, _ := inProcess[id].(map[string]any)["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		b, _ := json.Marshal(props)
		if !bytes.Equal(assetHash.ReplaceAll(a, nil), assetHash.ReplaceAll(b, nil)) {
			t.Errorf("%s: cdk synth gives other properties than the in-process synth:\n%s", id, lineDiff(string(b), string(a)))
		}
	}
}

func resourceList(template map[string]any) []string {
	res, _ := template["Resources"].(map[string]any)
	var out []string
	for id, r := range res {
		m, _ := r.(map[string]any)
		out = append(out, id+" "+m["Type"].(string))
	}
	sort.Strings(out)
	return out
}
