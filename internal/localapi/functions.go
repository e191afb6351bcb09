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
	Timeout                      scalar       `json:"Timeout"`
	MemorySize                   scalar       `json:"MemorySize"`
	ReservedConcurrentExecutions scalar       `json:"ReservedConcurrentExecutions"`
	Handler                      string       `json:"Handler"`
	Runtime                      string       `json:"Runtime"`
	PackageType                  string       `json:"PackageType"`
	Code                         functionCode `json:"Code"`
	Layers                       []any        `json:"Layers"`
	FileSystemConfigs            []any        `json:"FileSystemConfigs"`
	Architectures                ignored      `json:"Architectures"` // an executable built for another one is refused by lambdalocal
	Role                         ignored      `json:"Role"`          // IAM is not enforced locally
	VpcConfig                    ignored      `json:"VpcConfig"`     // the function reaches what this machine reaches
	DeadLetterConfig             ignored      `json:"DeadLetterConfig"`
	KmsKeyArn                    ignored      `json:"KmsKeyArn"`
	EphemeralStorage             ignored      `json:"EphemeralStorage"`
	RuntimeManagementConfig      ignored      `json:"RuntimeManagementConfig"`
	RecursiveLoop                ignored      `json:"RecursiveLoop"`
	SnapStart                    ignored      `json:"SnapStart"`
	CodeSigningConfigArn         ignored      `json:"CodeSigningConfigArn"`
	Description                  ignored      `json:"Description"`
	LoggingConfig                ignored      `json:"LoggingConfig"`
	TracingConfig                ignored      `json:"TracingConfig"`
	Tags                         ignored      `json:"Tags"`
	ImageConfig                  ignored      `json:"ImageConfig"`
}

// functionCode is a function's Code: an asset in S3, inline code, or a container image.
type functionCode struct {
	S3Bucket        ignored `json:"S3Bucket"`
	S3Key           string  `json:"S3Key"`
	S3ObjectVersion ignored `json:"S3ObjectVersion"`
	ZipFile         *string `json:"ZipFile"`
	ImageUri        string  `json:"ImageUri"`
}

// createFunction makes a Lambda function that starts on demand, from what its resource says:
//   - a Go function of firstclass's (firstclass:GoPackage metadata) is built for this host
//     from its package in Options.ModuleDir, since its asset holds a linux/arm64 binary;
//   - any other runs its code from the cloud assembly (aws:asset:path, or the asset its
//     Code.S3Key names), or its inline Code.ZipFile, on its Runtime: Node.js and Python on
//     this machine's node and python3, provided.* and go1.x as the asset's own executable.
//
// A function that cannot run here (Java, .NET, Ruby, an image, a missing interpreter, an
// executable for another OS or architecture, layers) is a problem at start. Deploy-time custom
// resource providers are skipped.
func (r *Runner) createFunction(res *cfn.Resource) error {
	if r.deployTime[res.LogicalID] {
		return nil
	}
	var p functionProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	if len(p.Layers) > 0 {
		return cannot("bundle what the layers hold into the function's asset for the local run", "Lambda layers are not emulated (no /opt)")
	}
	if len(p.FileSystemConfigs) > 0 {
		return cannot("leave EFS out of the local run", "EFS file systems are not emulated")
	}
	id := r.vals[res.LogicalID]
	cfg := lambdalocal.FunctionConfig{
		Name: id.ref, ARN: id.attrs["Arn"], Env: map[string]string{}, Timeout: 3 * time.Second, MemoryMB: 128,
		MaxConcurrency: 16, Region: r.aws.Region(), Logs: prefixWriter(r.opts.Logs, id.ref),
	}
	if p.Environment != nil {
		for k, v := range p.Environment.Variables {
			cfg.Env[k] = string(v)
		}
	}
	if s, ok := p.Timeout.number(); ok {
		cfg.Timeout = time.Duration(s * float64(time.Second))
	}
	if m, ok := p.MemorySize.number(); ok {
		cfg.MemoryMB = int(m)
	}
	if c, ok := p.ReservedConcurrentExecutions.number(); ok && c > 0 {
		cfg.MaxConcurrency = int(c)
	}
	if err := r.functionCode(res, &p, &cfg); err != nil {
		return err
	}
	if err := lambdalocal.CheckRuntime(cfg); err != nil {
		return cannot("change the runtime, or leave the function out of the local run", "%s", strings.TrimPrefix(err.Error(), "lambda function "+cfg.Name+": "))
	}
	fn, err := r.startFunction(res.LogicalID, r.buildDir(res.LogicalID), cfg)
	if err != nil {
		return err
	}
	r.functions[res.LogicalID] = fn
	return nil
}

// functionCode fills in what cfg runs: a Go build, the asset directory, or the inline code.
func (r *Runner) functionCode(res *cfn.Resource, p *functionProps, cfg *lambdalocal.FunctionConfig) error {
	dir := r.buildDir(res.LogicalID)
	if pkg, _ := res.Metadata[contract.GoPackageMetadata].(string); pkg != "" {
		if r.opts.ModuleDir == "" {
			return cannot("run firstclass local inside the Go module (go.mod) the function's package is in", "the function is built from Go package %s, and no Go module was given", pkg)
		}
		bin, err := lambdalocal.Build(r.ctx, r.opts.ModuleDir, pkg, dir)
		if err != nil {
			return err
		}
		cfg.Binary = bin
		return nil
	}
	cfg.Runtime, cfg.Handler, cfg.PackageType = p.Runtime, p.Handler, p.PackageType
	if p.PackageType == lambdalocal.PackageTypeImage || p.Code.ImageUri != "" {
		cfg.PackageType = lambdalocal.PackageTypeImage
		return nil // CheckRuntime names it
	}
	switch {
	case strings.HasPrefix(p.Runtime, "nodejs"):
		cfg.Interpreter = r.opts.Node
	case strings.HasPrefix(p.Runtime, "python"):
		cfg.Interpreter = r.opts.Python
	}
	if p.Code.ZipFile != nil {
		code, err := writeInlineCode(dir, p.Runtime, *p.Code.ZipFile)
		cfg.CodeDir = code
		return err
	}
	path, ok := r.opts.Assembly.AssetPath(res, p.Code.S3Key)
	if !ok {
		return cannot("synthesize the app with cdk synth so that the function's code is in the cloud assembly", "its code (Code.S3Key %q) is not an asset of the cloud assembly", p.Code.S3Key)
	}
	code, err := assetDir(path, dir)
	cfg.CodeDir = code
	return err
}

// functionByARN finds a function from its ARN or name, as integrations name them.
func (r *Runner) functionByARN(arn string) (*lambdalocal.Function, error) {
	for id, fn := range r.functions {
		v := r.vals[id]
		if v.attrs["Arn"] == arn || v.ref == arn || strings.HasPrefix(arn, v.attrs["Arn"]+":") {
			return fn, nil
		}
	}
	for id, v := range r.vals {
		if res := r.tmpl.Resources[id]; res != nil && res.Type == "AWS::Lambda::Function" && (v.attrs["Arn"] == arn || v.ref == arn) {
			if r.deployTime[id] {
				return nil, cannot("integrate a function of the app instead", "the function %s is a deploy-time custom resource provider, which the local runner does not start", id)
			}
			return nil, errReported // the function's own problem says why it does not run
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
