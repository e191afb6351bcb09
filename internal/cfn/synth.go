package cfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SynthOptions say how to run a CDK app.
type SynthOptions struct {
	// AppDir holds cdk.json; the app runs there.
	AppDir string
	// OutDir receives the cloud assembly; "" is AppDir/cdk.out, as for `cdk synth`.
	OutDir string
	// Context is added over cdk.json's and cdk.context.json's context, as `cdk synth -c` does.
	Context map[string]any
	// Stderr receives the app's own output; nil discards it (it is still in the error when
	// the app fails).
	Stderr io.Writer
}

// Synth runs the CDK app in opts.AppDir the way `cdk synth` runs it, without the CDK CLI:
// cdk.json's "app" command, with the merged context in CDK_CONTEXT_JSON and the output
// directory in CDK_OUTDIR, then loads the cloud assembly it wrote. The CLI adds nothing the
// local runner reads, and skipping it saves Node's start-up and the need for node_modules.
func Synth(ctx context.Context, opts SynthOptions) (*Assembly, error) {
	dir, err := filepath.Abs(opts.AppDir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "cdk.json"))
	if err != nil {
		return nil, fmt.Errorf("synth: %w (--app-dir must be a CDK app directory with cdk.json)", err)
	}
	var cdkJSON struct {
		App     string         `json:"app"`
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cdkJSON); err != nil {
		return nil, fmt.Errorf("synth: %s: %w", filepath.Join(dir, "cdk.json"), err)
	}
	if strings.TrimSpace(cdkJSON.App) == "" {
		return nil, fmt.Errorf("synth: %s has no \"app\" command", filepath.Join(dir, "cdk.json"))
	}
	merged := CLIDefaultContext()
	for k, v := range cdkJSON.Context {
		merged[k] = v
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cdk.context.json")); err == nil {
		var cached map[string]any
		if err := json.Unmarshal(b, &cached); err != nil {
			return nil, fmt.Errorf("synth: cdk.context.json: %w", err)
		}
		for k, v := range cached {
			merged[k] = v
		}
	}
	for k, v := range opts.Context {
		merged[k] = v
	}
	contextJSON, err := json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	out := opts.OutDir
	if out == "" {
		out = filepath.Join(dir, "cdk.out")
	}
	if out, err = filepath.Abs(out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}

	cmd := exec.CommandContext(ctx, "sh", "-c", cdkJSON.App)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"CDK_OUTDIR="+out,
		"CDK_CONTEXT_JSON="+string(contextJSON),
		"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1",
	)
	// The Node.js that package.json pins (node_modules/.bin/node) runs jsii when it is there.
	if bin := filepath.Join(dir, "node_modules", ".bin"); isDir(bin) {
		cmd.Env = append(cmd.Env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var captured bytes.Buffer
	var w io.Writer = &captured
	if opts.Stderr != nil {
		w = io.MultiWriter(&captured, opts.Stderr)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(captured.String())
		if len(msg) > 8000 {
			msg = "…" + msg[len(msg)-8000:]
		}
		return nil, fmt.Errorf("synth: %q in %s failed: %w\n%s", cdkJSON.App, dir, err, msg)
	}
	return LoadAssembly(out)
}

// CLIDefaultContext is the context `cdk synth` gives every app unless told otherwise. It is
// not cosmetic: construct paths land in each resource's metadata, where the local runner's
// messages find them, and the REST API deployment's logical ID hashes the API's metadata.
// A synth in a test uses it too, so that tests see the template users deploy.
func CLIDefaultContext() map[string]any {
	return map[string]any{
		"aws:cdk:enable-path-metadata":  true,
		"aws:cdk:enable-asset-metadata": true,
		"aws:cdk:bundling-stacks":       []any{"**"},
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
