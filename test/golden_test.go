package test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden template in testdata/")

// assetHash matches content hashes of assets, which change with the Go toolchain that built
// the Lambda binary; everything else in the template must not change by accident.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

func normalizedTemplate(t *testing.T) []byte { return normalized(t, app(t)) }

func normalized(t *testing.T, s *synthesized) []byte { return normalizedJSON(t, s.json) }

// normalizedJSON is a template as its golden file holds it: indented, asset hashes masked.
func normalizedJSON(t *testing.T, tmpl any) []byte {
	b, err := json.MarshalIndent(tmpl, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(assetHash.ReplaceAll(b, []byte("<asset-hash>")), '\n')
}

// matchGolden compares got with testdata/name, or rewrites the file with -update. run is the
// -run pattern that refreshes it, for the failure message.
func matchGolden(t *testing.T, name string, got []byte, run string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("template differs from %s; if the change is intended, run go test ./test -run '%s' -update and review the diff:\n%s", path, run, lineDiff(string(want), string(got)))
	}
}

// TestTemplateMatchesGolden snapshots the whole synthesized template. Refresh it with
// `go test ./test -run TestTemplateMatchesGolden -update` and review the diff.
func TestTemplateMatchesGolden(t *testing.T) {
	matchGolden(t, "Firstclass.template.json", normalizedTemplate(t), "TestTemplateMatchesGolden")
}

func TestSynthIsDeterministic(t *testing.T) {
	// Two renderings of the same synth must agree byte for byte (map order, no timestamps).
	if a, b := normalizedTemplate(t), normalizedTemplate(t); !bytes.Equal(a, b) {
		t.Error("two renderings of the template differ")
	}
}
