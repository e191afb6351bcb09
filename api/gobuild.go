package api

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// goBuild bundles a Go Lambda function with the local Go toolchain: no Docker, here or on CI.
// It implements awscdk.ILocalBundling and must be passed as a pointer (a value panics in jsii
// with "reflect.Value.Addr of unaddressable value").
type goBuild struct {
	moduleDir string // the directory holding go.mod
	pkg       string // the function's package, relative to moduleDir: "./lambda/greeting"
}

// TryBundle builds the function into outputDir/bootstrap for provided.al2023 on arm64. A
// failed build stops the synth with go's own message rather than falling back to a Docker
// image that is not there.
func (g *goBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-tags=lambda.norpc",
		"-o", filepath.Join(*outputDir, "bootstrap"), g.pkg)
	cmd.Dir = g.moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := cmd.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("bundle %s: go build for linux/arm64 failed: %v\n%s\nfirstclass builds Lambda functions with the local Go toolchain; install Go 1.26 or newer", g.pkg, err, strings.TrimSpace(string(out))))
	}
	return jsii.Bool(true)
}

// ModuleDir finds the firstclass module's directory by walking up from dir, so the app
// synthesizes the same from the project root (cdk synth) and from test/ (go test).
func ModuleDir(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), "module firstclass\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod of module firstclass in %s or above; run from the firstclass checkout", dir)
		}
	}
}
