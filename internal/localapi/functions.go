package localapi

import (
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

// functionProps are AWS::Lambda::Function's properties.
type functionProps struct {
	FunctionName string `json:"FunctionName"`
	Environment  *struct {
		Variables map[string]scalar `json:"Variables"`
	} `json:"Environment"`
	Timeout                      scalar  `json:"Timeout"`
	MemorySize                   scalar  `json:"MemorySize"`
	ReservedConcurrentExecutions scalar  `json:"ReservedConcurrentExecutions"`
	Handler                      string  `json:"Handler"`
	Runtime                      string  `json:"Runtime"`
	Code                         ignored `json:"Code"` // the runner builds the function's source instead
	Architectures                ignored `json:"Architectures"`
	Role                         ignored `json:"Role"`
	Description                  ignored `json:"Description"`
	LoggingConfig                ignored `json:"LoggingConfig"`
	TracingConfig                ignored `json:"TracingConfig"`
	Tags                         ignored `json:"Tags"`
}

// createFunction builds a Lambda function for this host and starts it on demand. Only Go
// functions built by firstclass can run: a Lambda zip holds a linux/arm64 binary, which this
// host may not run, so the runner builds the function's own source instead.
func (r *Runner) createFunction(res *cfn.Resource) error {
	pkg, _ := res.Metadata[contract.GoPackageMetadata].(string)
	if pkg == "" {
		return cannot("the local runner builds Go functions whose resource carries "+contract.GoPackageMetadata+" metadata (set by api/)", "cannot run this function locally")
	}
	var p functionProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	dir := r.buildDir(res.LogicalID)
	bin, err := lambdalocal.Build(r.ctx, r.opts.ModuleDir, pkg, dir)
	if err != nil {
		return err
	}
	env := map[string]string{}
	if p.Environment != nil {
		for k, v := range p.Environment.Variables {
			env[k] = string(v)
		}
	}
	timeout := 3 * time.Second
	if s, ok := p.Timeout.number(); ok {
		timeout = time.Duration(s * float64(time.Second))
	}
	memory := 128
	if m, ok := p.MemorySize.number(); ok {
		memory = int(m)
	}
	concurrency := 16
	if c, ok := p.ReservedConcurrentExecutions.number(); ok && c > 0 {
		concurrency = int(c)
	}
	id := r.vals[res.LogicalID]
	fn, err := r.startFunction(res.LogicalID, lambdalocal.FunctionConfig{
		Name: id.ref, ARN: id.attrs["Arn"], Binary: bin, Env: env, Timeout: timeout, MemoryMB: memory,
		MaxConcurrency: concurrency, Region: r.aws.Region(), Logs: prefixWriter(r.opts.Logs, id.ref),
	})
	if err != nil {
		return err
	}
	r.functions[res.LogicalID] = fn
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

// FunctionSources are the directories the stack's Go functions are built from, for a watcher.
func (r *Runner) FunctionSources() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for _, res := range r.tmpl.OfType("AWS::Lambda::Function") {
		if pkg, _ := res.Metadata[contract.GoPackageMetadata].(string); pkg != "" {
			out = append(out, filepath.Join(r.opts.ModuleDir, pkg))
		}
	}
	return out
}
