package localapi

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/lambdalocal"
)

// createFunctions builds every Lambda function for this host and starts it on demand. Only Go
// functions built by firstclass can run: a Lambda zip holds a linux/arm64 binary, which this
// host may not run, so the runner builds the function's own source instead.
func (r *Runner) createFunctions(ctx context.Context, t *cfn.Template) error {
	for _, res := range t.OfType("AWS::Lambda::Function") {
		pkg, _ := res.Metadata[contract.GoPackageMetadata].(string)
		if pkg == "" {
			return fmt.Errorf("cannot run %s locally: only Go functions whose resource carries %s metadata (set by api/) can be built for this host", res, contract.GoPackageMetadata)
		}
		props, err := r.resolveProps(res)
		if err != nil {
			return fmt.Errorf("%s: %w", res, err)
		}
		dir := filepath.Join(r.opts.LogDir, "functions", res.LogicalID)
		bin, err := lambdalocal.Build(ctx, r.opts.ModuleDir, pkg, dir)
		if err != nil {
			return fmt.Errorf("%s: %w", res, err)
		}
		env := map[string]string{}
		if e, ok := props["Environment"].(map[string]any); ok {
			if vars, ok := e["Variables"].(map[string]any); ok {
				for k, v := range vars {
					env[k] = fmt.Sprint(v)
				}
			}
		}
		timeout := 3 * time.Second
		if s, ok := props["Timeout"].(float64); ok {
			timeout = time.Duration(s * float64(time.Second))
		}
		memory := 128
		if m, ok := props["MemorySize"].(float64); ok {
			memory = int(m)
		}
		concurrency := 16
		if c, ok := props["ReservedConcurrentExecutions"].(float64); ok && c > 0 {
			concurrency = int(c)
		}
		id := r.vals[res.LogicalID]
		fn, err := lambdalocal.NewFunction(lambdalocal.FunctionConfig{
			Name: id.ref, ARN: id.attrs["Arn"], Binary: bin, Env: env, Timeout: timeout, MemoryMB: memory,
			MaxConcurrency: concurrency, Region: r.aws.Region(), Logs: prefixWriter(r.opts.Logs, id.ref),
		})
		if err != nil {
			return fmt.Errorf("%s: %w", res, err)
		}
		r.functions[res.LogicalID] = fn
	}
	return nil
}

// functionByARN finds a function from its ARN or name, as integrations name them.
func (r *Runner) functionByARN(arn string) (*lambdalocal.Function, error) {
	for id, fn := range r.functions {
		v := r.vals[id]
		if v.attrs["Arn"] == arn || v.ref == arn || strings.HasPrefix(arn, v.attrs["Arn"]+":") {
			return fn, nil
		}
	}
	return nil, fmt.Errorf("no Lambda function %s in the stack", arn)
}

// prefixWriter prefixes every line with the function's name, as `sam local` does, so that
// several functions' output stays readable on one terminal.
func prefixWriter(w io.Writer, name string) io.Writer {
	return &linePrefixer{w: w, prefix: []byte("[" + name + "] ")}
}

type linePrefixer struct {
	mu     sync.Mutex
	w      io.Writer
	prefix []byte
	mid    bool
}

func (p *linePrefixer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]byte, 0, len(b)+len(p.prefix))
	for _, c := range b {
		if !p.mid {
			out = append(out, p.prefix...)
			p.mid = true
		}
		out = append(out, c)
		if c == '\n' {
			p.mid = false
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
