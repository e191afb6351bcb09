package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cfn-lint (installed on these machines) finds no error in any template the app deploys: the
// golden ones, which TestTemplateMatchesGolden and its auth-mode twins keep equal to the
// synth, and the customer-key stack's. Its warnings (W3005 on the CDK's explicit role
// dependencies) are not errors.
func TestCfnLintFindsNoErrorInTheTemplates(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint); the templates are not linted")
	}
	paths, err := filepath.Glob(filepath.Join("testdata", "Firstclass*.template.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden templates: %v", err)
	}
	b, err := json.Marshal(appWithCustomerKey(t).json)
	if err != nil {
		t.Fatal(err)
	}
	customer := filepath.Join(t.TempDir(), "Firstclass-customer-key.template.json")
	if err := os.WriteFile(customer, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range append(paths, customer) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			out, _ := exec.Command(lint, "--format", "parseable", path).CombinedOutput()
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				// path:line:col:line:col:CODE:message; E is an error, W a warning, I info.
				if parts := strings.SplitN(line, ":", 7); len(parts) == 7 && strings.HasPrefix(parts[5], "E") {
					t.Errorf("cfn-lint: %s", line)
				} else if len(parts) != 7 && line != "" {
					t.Errorf("cfn-lint said something it was not asked: %s", line)
				}
			}
		})
	}
}
