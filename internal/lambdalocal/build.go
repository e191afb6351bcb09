package lambdalocal

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BinaryName is the file name Build writes: the executable an OS-only (provided.al2023)
// runtime starts.
const BinaryName = "bootstrap"

// Build compiles the Go package pkg (relative to moduleDir, e.g. "./lambda/greeting") for this
// host into outDir/bootstrap and returns the binary's path. It runs the go toolchain on PATH with
// CGO_ENABLED=0, -tags lambda.norpc and -trimpath, as the deployed function is built, but for this
// host's GOOS and GOARCH: a linux/arm64 Lambda binary may not run here. A failed build returns
// go's own output in the error. Nothing is rebuilt when nothing changed: go's build cache
// answers, and the go command leaves an up-to-date binary alone.
func Build(ctx context.Context, moduleDir, pkg, outDir string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("build %s: the go toolchain is not on PATH: %w", pkg, err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	out, err := filepath.Abs(filepath.Join(outDir, BinaryName))
	if err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	// -buildvcs=false: stamping VCS data runs git on every build, which costs time and makes
	// the binary change with every edit anywhere in the work tree, for data nobody reads here.
	cmd := exec.CommandContext(ctx, gobin, "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-o", out, pkg)
	cmd.Dir = moduleDir
	// Explicit GOOS/GOARCH win over any inherited from a shell set up for cross-compiling the
	// cloud build (GOOS=linux GOARCH=arm64).
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("build %s: %w", pkg, ctx.Err())
		}
		return "", fmt.Errorf("build %s: %w\n%s", pkg, err, bytes.TrimSpace(output.Bytes()))
	}
	return out, nil
}
