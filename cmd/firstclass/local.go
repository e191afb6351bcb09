package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/localapi"
	"firstclass/internal/sigv4"
	"firstclass/routes"
)

func init() {
	register("local", "serve both APIs of the synthesized app on localhost, with in-memory AWS", runLocal)
	register("routes", "synthesize the app and print the routes both APIs serve", runRoutes)
}

// appFlags are the flags every command that loads the app shares.
type appFlags struct {
	appDir       string
	output       string
	stacks       stackList
	noSynth      bool
	params       parameterFlag
	node, python string
}

// stackList is a repeated --stack flag.
type stackList []string

func (l *stackList) String() string { return strings.Join(*l, ",") }

func (l *stackList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (f *appFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.appDir, "app-dir", ".", "the CDK app's directory (with cdk.json)")
	fs.Var(&f.stacks, "stack", "a `stack` to serve; repeat it for several (default: every stack of the app, as cdk deploy --all does)")
	fs.StringVar(&f.output, "output", "", "the cloud assembly directory, as cdk synth --output (default APP-DIR/cdk.out)")
	fs.BoolVar(&f.noSynth, "no-synth", false, "reuse the cloud assembly instead of synthesizing")
	f.params = parameterFlag{}
	fs.Var(f.params, "parameters", "a template parameter, NAME=VALUE or STACK:NAME=VALUE as cdk deploy takes it (repeatable; others take their defaults)")
	fs.StringVar(&f.node, "node", "", "the node executable Node.js functions run on (default: the first recent enough on PATH)")
	fs.StringVar(&f.python, "python", "", "the python3 executable Python functions run on (default: the first recent enough on PATH)")
}

// load finds the app's Go module, if it is in one (firstclass's own Go functions are built
// from it; an app without Go functions to build needs none), and synthesizes the app, or loads
// cdk.out with --no-synth, saying how long it took.
func (f *appFlags) load(ctx context.Context, stderr io.Writer) (module string, asm *cfn.Assembly, err error) {
	module = moduleDir(f.appDir)
	asm, err = f.assembly(ctx, stderr)
	return module, asm, err
}

// outDir is the cloud assembly's directory.
func (f *appFlags) outDir() string {
	if f.output == "" {
		return filepath.Join(f.appDir, "cdk.out")
	}
	return f.output
}

func (f *appFlags) assembly(ctx context.Context, stderr io.Writer) (*cfn.Assembly, error) {
	began := time.Now()
	out := f.outDir()
	if f.noSynth {
		a, err := cfn.LoadAssembly(out)
		if err == nil {
			fmt.Fprintf(stderr, "loaded %s\n", a.Dir)
		}
		return a, err
	}
	fmt.Fprintf(stderr, "synthesizing %s ...\n", f.appDir)
	a, err := cfn.Synth(ctx, cfn.SynthOptions{AppDir: f.appDir, OutDir: out})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "synthesized %s in %.1fs\n", a.Dir, time.Since(began).Seconds())
	return a, nil
}

// moduleDir is the Go module the app is in, or "" when it is in none.
func moduleDir(appDir string) string {
	dir, err := filepath.Abs(appDir)
	if err != nil {
		return ""
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var app appFlags
	app.register(fs)
	stage := fs.String("stage", "", "serve only this stage (default: every stage)")
	addr := fs.String("addr", "127.0.0.1:4010", "host:port of the first API; the next APIs and the AWS endpoint take the following ports (port 0: any free ports)")
	outputsFile := fs.String("outputs-file", "", "write the stack outputs here, with the keys `cdk deploy --outputs-file` writes")
	stateDir := fs.String("state-dir", "", "keep queues, events and executions here across restarts (default: in memory)")
	logDir := fs.String("log-dir", "", "directory for access log files and Lambda builds (default: a temporary directory, removed at exit)")
	accessLogStderr := fs.Bool("access-log-stderr", false, "also print every access log line on stderr")
	noThrottle := fs.Bool("no-throttle", false, "turn the stages' throttling off, to load-test beyond their limits")
	creds := fs.String("credentials", "", "access keys IAM-authorized routes accept, as ID:SECRET[,ID:SECRET...] (default: AWS's documentation pair "+
		localapi.DefaultCredentials.AccessKeyID+":"+localapi.DefaultCredentials.SecretAccessKey+")")
	try := fs.Bool("try", false, "send every route's sample request to both APIs, print the answers and exit (non-zero if one fails)")
	var wf watchFlags
	fs.BoolVar(&wf.on, "watch", false, "watch the app's sources; on a change, synthesize again and swap the new assembly in (with --no-synth: watch the cloud assembly)")
	fs.DurationVar(&wf.interval, "watch-interval", 300*time.Millisecond, "how often --watch looks at the sources")
	fs.DurationVar(&wf.debounce, "watch-debounce", 300*time.Millisecond, "how long the sources must stay unchanged before --watch reloads")
	trace := fs.Bool("trace", false, "print what the gateway did with each request (API Gateway's test-invoke log) on stderr")
	inspector := fs.Bool("inspector", true, "serve the inspector page (recent requests with their traces, queues, events, executions) on the port after the AWS endpoint's")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: firstclass local [flags]\n\nServes every stage of the app's HTTP APIs and REST APIs on localhost, with SQS, EventBridge and\nStep Functions in memory and Lambda functions (Node.js, Python, Go, provided) as local processes.\nCtrl-C stops it.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	host, port, err := splitAddr(*addr)
	if err != nil {
		return err
	}
	credentials, err := parseCredentials(*creds)
	if err != nil {
		return err
	}
	mod, asm, err := app.load(ctx, stderr)
	if err != nil {
		return err
	}
	names, err := app.stackNames(asm)
	if err != nil {
		return err
	}
	opts := localapi.Options{
		Assembly: asm, ModuleDir: mod, Host: host, Port: port, Stage: *stage,
		StateDir: *stateDir, LogDir: *logDir, Logs: stderr, NoThrottle: *noThrottle, Credentials: credentials,
		Parameters: app.params, Node: app.node, Python: app.python,
	}
	if *accessLogStderr {
		opts.AccessLog = stderr
	}
	if *trace {
		opts.TraceLog = stderr
	}
	opts.Inspector = *inspector && !*try
	runners, err := serveStacks(ctx, names, opts)
	if err != nil {
		return addrHint(err)
	}
	defer closeRunners(runners)
	r := runners[0]
	all := contract.StacksOutputs{}
	for _, sr := range runners {
		if all[sr.StackName()], err = sr.Outputs(); err != nil {
			return err
		}
	}
	out := all[r.StackName()]
	if *outputsFile != "" {
		if err := writeOutputs(*outputsFile, all); err != nil {
			return err
		}
	}
	for _, sr := range runners {
		if len(runners) > 1 {
			fmt.Fprintf(stdout, "\nstack %s\n", sr.StackName())
		}
		printAPIs(stdout, sr)
		if len(sr.APIs()) == 0 {
			fmt.Fprintln(stdout, "  no APIs: its functions, state machines, queues and buckets are on the AWS endpoint")
		}
	}
	printAuth(stdout, r, credentials, out)
	fmt.Fprintf(stdout, "\nAWS endpoint  %s  (SQS, SNS, EventBridge, Step Functions, CloudWatch Logs, Kinesis, AppConfig, AppConfig Data; any credentials, region %s)\n", r.AWSEndpoint(), r.AWS().Region())
	if u := r.InspectorURL(); u != "" {
		fmt.Fprintf(stdout, "inspector     %s  (recent requests with their traces, queues, events, executions)\n", u)
	}
	if *outputsFile != "" {
		fmt.Fprintf(stdout, "outputs       %s\n", *outputsFile)
	}

	if *try {
		return tryRoutes(ctx, stdout, r, *stage, isFirstclass(app.appDir, mod))
	}

	if q, ok := out[routes.QueueURLOutput]; ok {
		fmt.Fprintf(stdout, "\ntry:  curl -s -X POST %s -H 'Content-Type: application/json' -d '{\"orderId\":\"o-1\"}'\n",
			localapi.JoinURL(out[contract.APIURLOutput(contract.HTTP, firstStage(r))], "/queue"))
		fmt.Fprintf(stdout, "      AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --endpoint-url %s --region %s sqs receive-message --queue-url %s\n",
			r.AWSEndpoint(), out[contract.RegionOutput], q)
	}
	fmt.Fprintln(stdout, "\nCtrl-C stops.")
	if wf.on {
		watchApp(ctx, stderr, &app, r, wf, *logDir, *stateDir, *outputsFile)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "\nstopping")
	return closeRunners(runners)
}

// stackNames are the stacks to serve: those named by --stack, or every stack of the app with
// the stacks that have APIs first, so the first one's APIs take the first ports.
func (f *appFlags) stackNames(asm *cfn.Assembly) ([]string, error) {
	if len(f.stacks) > 0 {
		for _, n := range f.stacks {
			if _, err := asm.Stack(n); err != nil {
				return nil, err
			}
		}
		return f.stacks, nil
	}
	var apis, others []string
	for _, s := range asm.Stacks {
		if len(s.Template.OfType("AWS::ApiGatewayV2::Api"))+len(s.Template.OfType("AWS::ApiGateway::RestApi")) > 0 {
			apis = append(apis, s.Name)
		} else {
			others = append(others, s.Name)
		}
	}
	return append(apis, others...), nil
}

// serveStacks serves each named stack; every stack after the first joins the first's local
// AWS (one account, as cdk deploy --all), and its APIs, if any, listen on free ports.
func serveStacks(ctx context.Context, names []string, opts localapi.Options) ([]*localapi.Runner, error) {
	var runners []*localapi.Runner
	for i, name := range names {
		o := opts
		o.StackName = name
		if i > 0 {
			o.Join, o.Port = runners[0], 0
		}
		r, err := localapi.New(ctx, o)
		if err == nil {
			runners = append(runners, r)
			err = r.Start()
		}
		if err != nil {
			closeRunners(runners)
			return nil, err
		}
	}
	return runners, nil
}

// closeRunners closes the runners that joined the first one, then the first.
func closeRunners(runners []*localapi.Runner) error {
	var errs []error
	for i := len(runners) - 1; i >= 0; i-- {
		errs = append(errs, runners[i].Close())
	}
	return errors.Join(errs...)
}

func runRoutes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("routes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var app appFlags
	app.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	mod, asm, err := app.load(ctx, stderr)
	if err != nil {
		return err
	}
	names, err := app.stackNames(asm)
	if err != nil {
		return err
	}
	r, err := localapi.New(ctx, localapi.Options{Assembly: asm, StackName: names[0], ModuleDir: mod, Logs: io.Discard,
		Parameters: app.params, Node: app.node, Python: app.python})
	if err != nil {
		return err
	}
	defer r.Close()
	printAPIs(stdout, r)
	return nil
}

func firstStage(r *localapi.Runner) string {
	for _, a := range r.APIs() {
		if len(a.Stages) > 0 {
			return a.Stages[0].Name
		}
	}
	return ""
}

// printAPIs prints each API's stages and routes.
func printAPIs(w io.Writer, r *localapi.Runner) {
	for _, a := range r.APIs() {
		kind := "HTTP API (v2)"
		if a.Kind == contract.REST {
			kind = "REST API (v1)"
		}
		fmt.Fprintf(w, "\n%s  %s\n", kind, strings.TrimSuffix(a.Path, "/Resource"))
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, s := range a.Stages {
			throttle := "not throttled"
			if s.RateLimit > 0 || s.Burst > 0 {
				throttle = fmt.Sprintf("%g rps, burst %g, per route", s.RateLimit, s.Burst)
			}
			log := "no access log"
			if s.AccessLog != "" {
				log = "access log " + s.AccessLogGroup
				if s.URL != "" {
					log += " → " + s.AccessLog
				}
			}
			if s.URL != "" {
				fmt.Fprintf(tw, "  stage %s\t%s\t%s\t%s\n", s.Name, s.URL, throttle, log)
			} else {
				fmt.Fprintf(tw, "  stage %s\t%s\t%s\n", s.Name, throttle, log)
			}
		}
		tw.Flush()
		for _, rt := range a.Routes {
			fmt.Fprintf(w, "  %-36s %s\n", rt.Method+" "+rt.Path, rt.Integration)
			for _, d := range rt.Details {
				fmt.Fprintf(w, "  %-36s   %s\n", "", d)
			}
		}
	}
}

// parameterFlag collects --parameters NAME=VALUE (or STACK:NAME=VALUE), as cdk deploy does.
type parameterFlag map[string]string

func (p parameterFlag) String() string { return "" }

func (p parameterFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE or STACK:NAME=VALUE, not %q", v)
	}
	p[name] = value
	return nil
}

func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("--addr %q: %w (want host:port, like 127.0.0.1:4010)", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("--addr %q: port %q is not a number from 0 to 65535", addr, p)
	}
	return host, port, nil
}

func writeOutputs(path string, all contract.StacksOutputs) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--outputs-file: %w", err)
	}
	err = contract.WriteAllOutputs(f, all)
	return errors.Join(err, f.Close())
}

// isFirstclass reports whether the app is firstclass itself (its directory is the root of the
// firstclass module), whose route table has better samples than the ones the runner makes
// from any template.
func isFirstclass(appDir, moduleDir string) bool {
	if dir, err := filepath.Abs(appDir); err != nil || dir != moduleDir {
		return false
	}
	b, err := os.ReadFile(filepath.Join(moduleDir, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return f[1] == "firstclass"
		}
	}
	return false
}

// addrHint says which flag picks the ports when the runner could not listen.
func addrHint(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "listen" {
		return fmt.Errorf("%w: choose another --addr (port 0 picks free ports)", err)
	}
	return err
}

// tryRoutes sends a sample request to every served route, on stage or else on each API's first
// stage, prints what came back and fails when one did not answer 2xx. firstclass's own routes
// get its route table's samples; any other app's the ones the runner makes from its template.
func tryRoutes(ctx context.Context, stdout io.Writer, r *localapi.Runner, stage string, firstclass bool) error {
	var samples map[string]localapi.Sample
	if firstclass {
		samples = localapi.TableSamples(routes.Routes)
	}
	first := map[string]string{} // API → the stage tried
	var targets []localapi.Target
	for _, t := range r.Targets(stage, samples) {
		if st, ok := first[t.API]; ok && st != t.Stage {
			continue
		}
		first[t.API] = t.Stage
		targets = append(targets, t)
	}
	fmt.Fprintln(stdout, "\nsample requests:")
	failed := 0
	for _, t := range localapi.TryAll(ctx, targets) {
		fmt.Fprintf(stdout, "  %s  (stage %s)\n", t.String(), t.Stage)
		if t.Failed() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d sample requests did not answer 2xx", failed)
	}
	return nil
}

// parseCredentials reads --credentials: ID:SECRET pairs, comma-separated.
func parseCredentials(s string) ([]sigv4.Credentials, error) {
	if s == "" {
		return nil, nil
	}
	var out []sigv4.Credentials
	for _, pair := range strings.Split(s, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("--credentials: %q is not ACCESS_KEY_ID:SECRET_ACCESS_KEY", pair)
		}
		out = append(out, sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret})
	}
	return out, nil
}

// printAuth says what the API keys are and which access keys IAM routes accept.
func printAuth(w io.Writer, r *localapi.Runner, creds []sigv4.Credentials, out contract.Outputs) {
	keys := r.APIKeys()
	if u := out[contract.TokenURLOutput]; u != "" {
		fmt.Fprintf(w, "\ntokens        curl -s -u %s:%s -d grant_type=client_credentials -d scope=%s %s\n",
			out[contract.UserPoolClientIDOutput], out[contract.UserPoolClientSecretOutput], out[contract.OAuthScopeOutput], u)
		fmt.Fprintf(w, "              (the local issuer of user pool %s; send Authorization: Bearer <access_token>)\n", out[contract.UserPoolIDOutput])
	}
	if r.UsesIAM() {
		if len(creds) == 0 {
			creds = []sigv4.Credentials{localapi.DefaultCredentials}
		}
		ids := make([]string, len(creds))
		for i, c := range creds {
			ids[i] = c.AccessKeyID
		}
		fmt.Fprintf(w, "\nIAM routes    accept SigV4 (service execute-api, region %s) from %s", r.AWS().Region(), strings.Join(ids, ", "))
		if creds[0] == localapi.DefaultCredentials {
			fmt.Fprintf(w, " (secret %s; --credentials sets others)", localapi.DefaultCredentials.SecretAccessKey)
		}
		fmt.Fprintln(w)
	}
	for _, k := range keys {
		state := "enabled"
		if !k.Enabled {
			state = "disabled"
		}
		plans := "no usage plan"
		if len(k.UsagePlans) > 0 {
			plans = "usage plan " + strings.Join(k.UsagePlans, ", ")
		}
		fmt.Fprintf(w, "API key       %s  x-api-key: %s  (%s, %s)\n", k.LogicalID, k.Value, state, plans)
	}
}
