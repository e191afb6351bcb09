package localapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/lambdalocal"
	"firstclass/internal/sigv4"
)

// Options configure a Runner.
type Options struct {
	// Assembly is the synthesized app; StackName picks a stack ("" when it has one).
	Assembly  *cfn.Assembly
	StackName string
	// ModuleDir is the Go module that Go functions with firstclass:GoPackage metadata are
	// built from (the package path is relative to it); only they need one. Every other
	// function runs from its asset in the assembly.
	ModuleDir string
	// Parameters are template parameter values, as `cdk deploy --parameters` takes them:
	// "Name" or "StackName:Name" → value. A parameter without one takes its default.
	Parameters map[string]string
	// Node and Python, when set, are the node and python3 executables Node.js and Python
	// functions run on; by default the first recent enough on PATH.
	Node, Python string
	// Host and Port: the first API listens on Port, the next APIs on the following ports, and
	// the AWS endpoint after them. Port 0 picks free ports.
	Host string
	Port int
	// Stage serves only this stage of every API; "" serves them all.
	Stage string
	// StateDir makes the AWS services durable across restarts; "" keeps them in memory.
	StateDir string
	// LogDir receives one access log file per log group a stage writes to, and the build of
	// Lambda functions; it defaults to a temporary directory, removed by Close.
	LogDir string
	// Logs receives the runner's and the Lambda functions' own output.
	Logs io.Writer
	// AccessLog, when set, also receives every access log line, prefixed with its log group.
	AccessLog io.Writer
	// NoThrottle turns stage throttling off, and the Kinesis shards' write capacity with
	// it, to load-test the runner itself beyond the stages' and shards' limits.
	NoThrottle bool
	// Region and Account of the local AWS; default us-east-1 and 000000000000.
	Region, Account string
	// Join serves this stack next to another runner's, as two stacks of one app deployed
	// to one account: the same local AWS and AWS endpoint, which Join owns (close this
	// runner first). Region, Account and StateDir are Join's.
	Join *Runner
	// Trace records what the gateway does with each request (Runner.Traces, Subscribe);
	// TraceLog, when set, also receives every trace as it completes, and implies Trace.
	Trace    bool
	TraceLog io.Writer
	// Inspector serves the inspector page (InspectorURL) on the port after the AWS
	// endpoint's; it implies Trace, and keeps recent events and execution histories.
	Inspector bool
	// Credentials are the access keys IAM-authorized routes accept; DefaultCredentials when
	// empty.
	Credentials []sigv4.Credentials
}

// Runner serves one stack's APIs and AWS targets on localhost.
type Runner struct {
	opts     Options
	stack    string
	tmpl     *cfn.Template
	aws      *awslocal.Server
	vals     values
	resolver *cfn.Resolver

	functions    map[string]*lambdalocal.Function // by logical ID
	invoker      *functionInvoker                 // the local AWS's Lambda, shared by every generation
	httpAPIs     []*httpAPI
	restAPIs     []*restAPI
	sinks        map[string]*logSink // by log group name
	traces       *traceStore         // nil unless Options.Trace
	inspectorURL string
	inspectorSrv *http.Server
	iam          *iamAuthorizer
	usage        *usagePlans // REST API keys and usage plans
	pools        *cognitoPools
	// authorizerCores are what authorizer resources share between their routes, by local ID.
	authorizerCores map[string]any

	awsServer *http.Server
	// joined: the local AWS and its Lambda are another runner's (Options.Join).
	joined    bool
	awsURL    string
	closeOnce sync.Once
	ownLogDir bool // LogDir is a temporary directory of the runner's own

	// The listeners stay across reloads (Reload): one per API by logical ID, each serving
	// the API of the current generation, whose in-flight requests guard holds.
	listeners map[string]*apiListener
	guard     *generationGuard
	nextPort  int                       // the port offset (Options.Port + n) the next new listener takes
	mu        sync.RWMutex              // the generation's fields above, against Reload
	reloadMu  sync.Mutex                // one Reload at a time
	sinkMu    *sync.Mutex               // sinks, shared with the generation being loaded
	gen       int                       // 0, then one more per reload: where function builds go
	reused    map[string]*builtFunction // by logical ID: the last generation's functions, while loading
	built     map[string]*builtFunction // by logical ID: this generation's
	retiring  sync.WaitGroup            // generations waiting for their last requests

	// While New loads the template: its context (function builds) and its problems.
	ctx     context.Context
	loading *problems
	// deployTime are the CDK's deploy-time custom resources and their provider functions,
	// by logical ID: skipped, and named in one warning at start.
	deployTime map[string]bool
}

// New loads the stack and creates everything it declares. Anything it cannot emulate is an
// error naming the resource; nothing listens until Start.
func New(ctx context.Context, opts Options) (r *Runner, err error) {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Logs == nil {
		opts.Logs = os.Stderr
	}
	if opts.LogDir == "" {
		dir, err := newOwnLogDir(opts.Logs)
		if err != nil {
			return nil, err
		}
		opts.LogDir = dir
		defer func() {
			if r != nil {
				r.ownLogDir = true
			} else {
				os.RemoveAll(dir)
			}
		}()
	}
	stack, err := opts.Assembly.Stack(opts.StackName)
	if err != nil {
		return nil, err
	}
	var aws *awslocal.Server
	var invoker *functionInvoker
	if opts.Join != nil {
		aws, invoker = opts.Join.aws, opts.Join.invoker
	} else {
		invoker = newFunctionInvoker()
		defer close(invoker.ready)
		if aws, err = awslocal.New(awslocal.Options{Region: opts.Region, Account: opts.Account, StateDir: opts.StateDir, Log: opts.Logs, Lambda: invoker,
			LogsDir: filepath.Join(opts.LogDir, "cloudwatch-logs"), UnthrottledShards: opts.NoThrottle}); err != nil {
			return nil, err
		}
	}
	// Nested stacks are served as part of their parent; what cannot be merged is a problem
	// reported with the rest.
	tmpl, ps := flattenStack(opts.Assembly, stack)
	runner := &Runner{opts: opts, stack: stack.Name, tmpl: tmpl, aws: aws, invoker: invoker,
		functions: map[string]*lambdalocal.Function{}, sinks: map[string]*logSink{}, sinkMu: &sync.Mutex{},
		listeners: map[string]*apiListener{}, guard: &generationGuard{}, built: map[string]*builtFunction{},
		iam: newIAMAuthorizer(aws.Region(), aws.Account(), opts.Credentials), usage: newUsagePlans(), pools: newCognitoPools(), authorizerCores: map[string]any{}}
	if opts.Inspector {
		aws.KeepForInspection(inspectorLimit)
	}
	if opts.Trace || opts.TraceLog != nil || opts.Inspector {
		runner.traces = newTraceStore(opts.TraceLog)
	}
	if opts.Join == nil {
		invoker.r = runner
	}
	r = runner
	ok := false
	defer func() {
		if !ok {
			runner.Close() // what was started so far; r is nil by now
		}
	}()

	r.nextPort = len(tmpl.OfType("AWS::ApiGatewayV2::Api")) + len(tmpl.OfType("AWS::ApiGateway::RestApi"))
	if opts.Join != nil {
		r.joined, r.awsURL = true, opts.Join.awsURL
		invoker.join(r)
	} else {
		// The AWS endpoint listens first: queue URLs are built from its address.
		awsLn, err := r.listen(r.nextPort)
		if err != nil {
			return nil, err
		}
		r.nextPort++
		r.awsURL = "http://" + awsLn.Addr().String()
		aws.SetBaseURL(r.awsURL)
		// Cognito is served by the runner whose stack declares the pools: a joined stack's
		// pools are not reachable on this endpoint.
		r.awsServer = connTimeouts.Server(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if !r.serveCognito(w, req) {
				aws.ServeHTTP(w, req)
			}
		}))
		go r.awsServer.Serve(connTimeouts.Listener(awsLn))
	}

	if err := r.load(ctx, ps); err != nil {
		return nil, err
	}
	ok = true
	return r, nil
}

// load builds everything the template declares: the identities of all resources, then, phase
// by phase, what each provider creates (targets, functions, APIs). Everything it cannot
// emulate, in the whole template, is one *StartError.
func (r *Runner) load(ctx context.Context, ps *problems) error {
	r.ctx = ctx
	defer func() { r.ctx = nil }()
	r.loading = ps
	r.deployTime = deployTimeResources(r.tmpl)
	r.invoker.setLoading(r)
	defer r.invoker.setLoading(nil)
	r.vals = r.identities(r.tmpl, ps)
	r.parameters(r.tmpl, ps)
	r.resolver = &cfn.Resolver{Values: r.vals, Pseudo: cfn.Pseudo{
		AccountID: r.aws.Account(), Region: r.aws.Region(), Partition: "aws", URLSuffix: "amazonaws.com",
		StackName: r.stack, StackID: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", r.aws.Region(), r.aws.Account(), r.stack, localID(r.stack, "stack")),
	}}
	r.createAll(r.tmpl, ps)
	if w := r.deployTimeWarning(); w != "" {
		fmt.Fprintln(r.opts.Logs, w)
	}
	return ps.err(r.stack)
}

// flattenStack is the stack's template with its nested stacks merged in, and the problems
// merging found.
func flattenStack(asm *cfn.Assembly, stack *cfn.Stack) (*cfn.Template, *problems) {
	ps := &problems{}
	return asm.Flatten(stack.Template, ps.add), ps
}

// listen opens the listener for the n-th port (0-based) after Options.Port.
func (r *Runner) listen(n int) (net.Listener, error) {
	port := 0
	if r.opts.Port != 0 {
		port = r.opts.Port + n
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(r.opts.Host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("local runner: %w", err)
	}
	return ln, nil
}

// Start serves every API, each on its port: the first on Options.Port, the next ones on the
// following ports (the AWS endpoint's comes after them). It returns once all are listening.
func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, a := range r.served() {
		l, err := r.openListener(a, n)
		n++
		if err != nil {
			return err
		}
		r.listeners[a.logical()] = l
		l.serve(a, r.guard)
	}
	if r.opts.Inspector {
		return r.startInspector()
	}
	return nil
}

// AWSEndpoint is the local AWS endpoint's URL, for SDK and CLI endpoint overrides.
func (r *Runner) AWSEndpoint() string { return r.awsURL }

// AWS is the in-memory AWS the integrations call.
func (r *Runner) AWS() *awslocal.Server { return r.aws }

var executeAPIURL = regexp.MustCompile(`^https://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(/.*)?$`)

// Outputs are the stack's outputs resolved to local values, with the keys `cdk deploy
// --outputs-file` writes: API URLs point at the local listeners, access log groups at the
// local log files, and AwsEndpoint at the local AWS.
func (r *Runner) Outputs() (contract.Outputs, error) {
	out := contract.Outputs{}
	bases := map[string]string{}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, a := range r.httpAPIs {
		bases[a.id] = a.baseURL
	}
	for _, a := range r.restAPIs {
		bases[a.id] = a.baseURL
	}
	r.sinkMu.Lock()
	defer r.sinkMu.Unlock()
	for key, o := range r.tmpl.Outputs {
		v, err := r.resolver.String(o.Value)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", key, err)
		}
		if m := executeAPIURL.FindStringSubmatch(v); m != nil {
			if base, ok := bases[m[1]]; ok {
				v = base + m[2]
			}
		}
		if local, ok := r.localDomainURL(v); ok {
			v = local
		}
		if sink, ok := r.sinks[v]; ok {
			v = "file://" + sink.path
		}
		out[key] = v
	}
	out[contract.AWSEndpointOutput] = r.awsURL
	// The secrets a deployed stack never outputs, for the bench and curl.
	if secret, ok := r.firstClientSecret(); ok {
		out[contract.UserPoolClientSecretOutput] = secret
	}
	for _, k := range r.APIKeys() {
		if k.Enabled && len(k.UsagePlans) > 0 {
			out[contract.APIKeyValueOutput] = k.Value
			break
		}
	}
	return out, nil
}

// StackName is the name of the stack being served.
func (r *Runner) StackName() string { return r.stack }

// Close stops the listeners, the Lambda functions and the AWS services, flushing access logs
// and (with a state directory) the durable state.
func (r *Runner) Close() error {
	var errs []error
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.mu.Lock()
		for _, l := range r.listeners {
			l.srv.Shutdown(ctx)
		}
		r.mu.Unlock()
		if r.inspectorSrv != nil {
			r.inspectorSrv.Shutdown(ctx)
		}
		if r.awsServer != nil {
			r.awsServer.Shutdown(ctx)
		}
		if !r.joined { // a joined runner's AWS and Lambda are its Join's, closed after it
			errs = append(errs, r.aws.Close()) // stops executions first: they may be invoking functions
			r.invoker.close()
		}
		r.closeRetired()
		for _, f := range r.functions {
			errs = append(errs, f.Close())
		}
		for _, s := range r.sinks {
			errs = append(errs, s.close())
		}
		if r.ownLogDir {
			errs = append(errs, os.RemoveAll(r.opts.LogDir))
		}
	})
	return errors.Join(errs...)
}

// sink returns the access log sink of a log group, given its ARN or name.
func (r *Runner) sink(destination string) (*logSink, error) {
	name := destination
	if strings.HasPrefix(name, "arn:") {
		const marker = ":log-group:"
		i := strings.Index(name, marker)
		if i < 0 {
			return nil, fmt.Errorf("access log destination %q is not a CloudWatch Logs log group (Firehose is not emulated)", destination)
		}
		name = strings.TrimSuffix(name[i+len(marker):], ":*")
	}
	r.sinkMu.Lock()
	defer r.sinkMu.Unlock()
	if s, ok := r.sinks[name]; ok {
		return s, nil
	}
	s, err := newFileSink(filepath.Join(r.opts.LogDir, sanitizeFileName(name)+".log"))
	if err != nil {
		return nil, err
	}
	s.group = name
	if r.opts.AccessLog != nil {
		s.tee, s.teePrefix = r.opts.AccessLog, []byte("["+name+"] ")
	}
	r.sinks[name] = s
	return s, nil
}

func sanitizeFileName(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '/' || c == '\\' || c == ':' || c == ' ' {
			return '_'
		}
		return c
	}, s)
}
