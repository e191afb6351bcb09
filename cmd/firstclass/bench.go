package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/cost"
	"firstclass/internal/jwtauth"
	"firstclass/internal/loadrun"
	"firstclass/internal/localapi"
	"firstclass/internal/sigv4"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func init() {
	register("bench", "load both APIs route for route, check deliveries, price the run", runBench)
}

const benchUsage = `usage: firstclass bench --outputs FILE (--rate R | --workers N) [flags]
       firstclass bench --from lambda --outputs FILE --rate R --workers N [flags]
       firstclass bench merge A.json B.json ... [--json OUT.json] [--html OUT.html]

Loads every selected route on both API kinds at the same time, at R requests a second each
(open model, latency measured from each request's intended send time) or with N workers each
sending back to back (closed model). Then finds every accepted request downstream (queue
messages, audit-queue events, executions, response bodies), reads API Gateway's overhead from
the stages' access logs, and prices the measured workload. FILE is what
'cdk deploy --outputs-file' or 'firstclass local --outputs-file' wrote.

With --from lambda the load comes from N Lambda workers of the FirstclassLoad stack, started
together by its Step Functions Map state from one start instant, sharing R; their results are
merged and the deliveries checked from here. A run is at most Lambda's 15 minutes (less the
--lead, the request timeout and 30 s to hand in the results); longer runs are refused: run
several and combine them with 'bench merge'.

With --baseline OLD.json the table and the reports put each route × kind's P50, P99, rate and
errors next to those of an earlier run of the same routes and kinds, with the differences: how
a setting chosen at deploy time, such as firstclass:authMode, is compared (run it with the
setting off and --json OLD.json, deploy it on, run again with --baseline OLD.json).

A run that loses a delivery exits 1, after writing its reports.

flags:
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "merge" {
		return runBenchMerge(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), benchUsage)
		fs.PrintDefaults()
	}
	outputsFile := fs.String("outputs", "", "the stack's outputs `file` (cdk deploy --outputs-file or firstclass local --outputs-file)")
	stack := fs.String("stack", "", "the stack `name` in the outputs file, when it holds several")
	stage := fs.String("stage", bench.DefaultStage, "the API `stage` to load")
	routeList := fs.String("routes", "", "comma-separated route `names` (default every route: "+strings.Join(routes.Routes.Names(), ",")+")")
	kindList := fs.String("kinds", "http,rest", "comma-separated API `kinds`: http, rest")
	rate := fs.Float64("rate", 0, "open model: `R` requests a second on each route × kind")
	workers := fs.Int("workers", 0, "closed model: `N` workers per route × kind, each sending when answered")
	maxWorkers := fs.Int("max-workers", bench.DefaultMaxWorkers, "open model: at most `N` requests in flight per route × kind")
	duration := fs.Duration("duration", 30*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", 5*time.Second, "how long to load before measuring (not measured)")
	var payloadSize sizeFlag
	fs.Var(&payloadSize, "payload-size", "pad every request body to exactly this `size` (bytes, or 512KB, 1MB: KB = 1024 bytes)")
	payloadFile := fs.String("payload", "", "use this JSON object `file` as every request body, instead of the routes' samples")
	timeout := fs.Duration("timeout", bench.DefaultTimeout, "give up on one request after this long")
	noDelivery := fs.Bool("no-delivery-check", false, "skip the delivery check")
	deliveryTimeout := fs.Duration("delivery-timeout", bench.DefaultDeliveryTimeout, "wait this long for deliveries after the load; with some still missing, queues are polled until nothing new was found for one visibility period (10 s, at most 5 min more), so a message in flight is never called lost")
	logTimeout := fs.Duration("log-timeout", 0, "wait at most this long for access log lines (default 5s for a file, 90s for CloudWatch Logs)")
	jsonOut := fs.String("json", "", "write the mergeable JSON report to this `file`")
	htmlOut := fs.String("html", "", "write the self-contained HTML report to this `file`")
	pricesFile := fs.String("prices", "", "price the run with this price `file` (default: the embedded prices; see firstclass cost --print-prices)")
	quiet := fs.Bool("quiet", false, "no progress line and no phase messages on stderr")
	authMode := fs.String("auth", "none", "the stack's auth `mode` (firstclass:authMode): none; iam signs every request with SigV4; jwt, lambda and lambda-token send a Cognito access token (client credentials, refreshed before it expires)")
	authCreds := fs.String("credentials", "", "iam: the access key `ID:SECRET` to sign with (default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the local runner's default pair when the outputs are local)")
	clientSecret := fs.String("client-secret", "", "jwt, lambda: the app client's `secret` (default: the outputs' UserPoolClientSecret, which firstclass local writes, or $FIRSTCLASS_CLIENT_SECRET)")
	apiKey := fs.String("api-key", "", "the REST API `key` to send as x-api-key (default: the outputs' RestApiKeyValue, which firstclass local writes)")
	baselineFile := fs.String("baseline", "", "compare with an earlier run: its JSON report `file` (bench --json), with the same routes and kinds; its P50, P99, rate and errors go next to this run's, with the differences, in the table and the reports")
	runID := fs.String("run-id", "", "name the run in bench ids (lower-case letters and digits; default random)")
	from := fs.String("from", "here", "where the load comes from: `here` (this machine) or lambda (Lambda workers of the FirstclassLoad stack; --workers N is then their number)")
	loadOutputs := fs.String("load-outputs", "", "with --from lambda: the load workers' stack outputs `file` (default: the --outputs file, which cdk deploy --all and firstclass local write both stacks to)")
	loadStack := fs.String("load-stack", contract.DefaultLoadStackName, "with --from lambda: the load workers' stack `name`")
	lead := fs.Duration("lead", loadrun.DefaultLead, "with --from lambda: how far ahead the workers' common start instant is set, for all of them to be ready")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from != "here" && *from != "lambda" {
		return fmt.Errorf("--from %q: give here (this machine) or lambda (Lambda workers)", *from)
	}
	lambdaFrom := *from == "lambda"
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: bench takes flags only (to merge reports: firstclass bench merge A.json B.json)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	switch {
	case *outputsFile == "":
		return errors.New("--outputs: required: the file 'cdk deploy --outputs-file out.json' or 'firstclass local --outputs-file out.json' wrote")
	case lambdaFrom && !set["rate"]:
		return errors.New("--from lambda: give --rate R (requests a second on each route and API kind, shared by the workers) and --workers N (Lambda workers)")
	case lambdaFrom && !set["workers"]:
		return errors.New("--from lambda: give --workers N, the number of Lambda workers that share --rate")
	case lambdaFrom && *authMode != "none":
		return fmt.Errorf("--from lambda --auth %s: the Lambda workers do not authenticate yet (they would need the signing credentials or tokens in their task); load a protected stack from here, or deploy it with firstclass:authMode=none", *authMode)
	case !lambdaFrom && (set["load-outputs"] || set["load-stack"] || set["lead"]):
		return errors.New("--load-outputs, --load-stack and --lead are for --from lambda")
	case set["rate"] && set["workers"] && !lambdaFrom:
		return errors.New("--rate and --workers: give one: --rate R for the open model (R requests a second on each route and API kind), --workers N for the closed model")
	case !set["rate"] && !set["workers"]:
		return errors.New("give --rate R (open model: R requests a second on each route and API kind) or --workers N (closed model: N workers each)")
	case set["rate"] && *rate <= 0:
		return fmt.Errorf("--rate %g: give a positive number of requests a second, like --rate 50", *rate)
	case set["workers"] && *workers <= 0:
		return fmt.Errorf("--workers %d: give a positive number of workers, like --workers 8", *workers)
	case set["max-workers"] && set["workers"] && !lambdaFrom:
		return errors.New("--max-workers bounds the open model's requests in flight; with --workers the closed model has exactly that many")
	case *duration <= 0:
		return fmt.Errorf("--duration %s: give how long to measure, like --duration 30s", *duration)
	case *warmup < 0:
		return fmt.Errorf("--warmup %s: give 0s or more", *warmup)
	case set["payload-size"] && *payloadFile != "":
		return errors.New("--payload-size and --payload: give one: --payload-size pads the routes' samples, --payload replaces them with a file")
	case *maxWorkers <= 0:
		return fmt.Errorf("--max-workers %d: give a positive number", *maxWorkers)
	}
	selected, err := parseRoutes(*routeList)
	if err != nil {
		return fmt.Errorf("--routes: %w", err)
	}
	if selected == nil {
		selected = routes.Routes
		// Routes whose requests consume inputs prepared here (receipt handles, running
		// executions) go only in an unsharded open-model run from this machine: the
		// default set leaves them out of the others, and says so; named in --routes, they
		// are refused with the reason.
		if lambdaFrom || !set["rate"] {
			keep, left := bench.SplitDistributable(selected)
			if len(left) > 0 {
				var names []string
				for _, r := range left {
					names = append(names, r.Name)
				}
				how := "the closed model (--workers) does not know its number of requests before the load"
				if lambdaFrom {
					how = "the Lambda workers cannot be handed them"
				}
				fmt.Fprintf(stderr, "bench: not loading %s: each request consumes an input prepared on this machine before the load, and %s; load them with --rate from here\n", strings.Join(names, ", "), how)
			}
			selected = keep
		}
	} else if _, left := bench.SplitDistributable(selected); lambdaFrom && len(left) > 0 {
		return fmt.Errorf("--routes: %s: each request consumes an input prepared on this machine before the load, which the Lambda workers cannot be handed; load it with --rate from here", left[0].Name)
	}
	kinds, err := parseKinds(*kindList)
	if err != nil {
		return fmt.Errorf("--kinds: %w", err)
	}
	prices, err := loadPrices(*pricesFile)
	if err != nil {
		return err
	}
	var names []string
	for _, r := range selected {
		names = append(names, r.Name)
	}
	baseline, err := readBaseline(*baselineFile, prices)
	if err != nil {
		return err
	}
	if baseline != nil {
		// A baseline that cannot be compared is refused before the load is sent.
		if err := bench.CheckBaseline(baseline, names, kinds); err != nil {
			return fmt.Errorf("--baseline %s: %w", *baselineFile, err)
		}
	}
	out, err := readOutputs(*outputsFile, *stack)
	if err != nil {
		return err
	}
	cfg := bench.Config{
		Outputs: out, Stack: *stack, Stage: *stage, Routes: selected, Kinds: kinds,
		Rate: *rate, Workers: *workers, Duration: *duration, Warmup: *warmup,
		PayloadSize: int(payloadSize), Timeout: *timeout, NoDeliveryCheck: *noDelivery,
		DeliveryTimeout: *deliveryTimeout, AccessLogTimeout: *logTimeout, RunID: *runID,
	}
	if lambdaFrom {
		cfg.Workers = 0 // the Lambda workers' count, not the closed model's
	}
	if !cfg.Closed() {
		cfg.MaxWorkers = *maxWorkers
	}
	if cfg.Auth, err = benchAuth(out, *authMode, *authCreds, *clientSecret, *apiKey); err != nil {
		return err
	}
	if *payloadFile != "" {
		b, err := os.ReadFile(*payloadFile)
		if err != nil {
			return fmt.Errorf("--payload: %w", err)
		}
		cfg.Payload, cfg.PayloadFile = b, *payloadFile
	}
	cfg.Prices = &prices
	if !*quiet {
		cfg.Log = stderr
		if f, ok := stderr.(*os.File); ok && bench.IsTerminal(f) {
			cfg.Progress = stderr
		}
	}
	var rep *bench.Report
	if lambdaFrom {
		rep, err = benchFromLambda(ctx, cfg, lambdaRun{outputs: *outputsFile, loadOutputs: *loadOutputs, loadStack: *loadStack, workers: *workers, lead: *lead}, stderr)
	} else {
		rep, err = bench.Run(ctx, cfg)
	}
	if err != nil {
		return err
	}
	if err := setBaseline(rep, baseline, *baselineFile); err != nil {
		return err
	}
	return writeReports(rep, stdout, stderr, *jsonOut, *htmlOut)
}

// readBaseline reads the report --baseline names; no file is no baseline.
func readBaseline(path string, prices cost.Prices) (*bench.Report, error) {
	if path == "" {
		return nil, nil
	}
	base, err := bench.ReadReportFile(path, bench.Pricing{Prices: prices, Routes: routes.Routes})
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	return base, nil
}

// setBaseline compares rep with the --baseline report base, read from path (none: nothing).
func setBaseline(rep, base *bench.Report, path string) error {
	if base == nil {
		return nil
	}
	if err := rep.SetBaseline(path, base); err != nil {
		return fmt.Errorf("--baseline %s: %w", path, err)
	}
	return nil
}

// lambdaRun is what --from lambda adds to a run.
type lambdaRun struct {
	outputs, loadOutputs, loadStack string
	workers                         int
	lead                            time.Duration
}

// benchFromLambda runs the load on Lambda workers (internal/loadrun) and checks it from here.
func benchFromLambda(ctx context.Context, cfg bench.Config, l lambdaRun, stderr io.Writer) (*bench.Report, error) {
	file := l.loadOutputs
	if file == "" {
		file = l.outputs
	}
	load, err := readOutputs(file, l.loadStack)
	if err != nil {
		return nil, fmt.Errorf("--from lambda: %w; the load workers' stack is not in it: deploy it with `npx cdk deploy %s --outputs-file load.json` and pass --load-outputs load.json (or serve it with firstclass local)", err, l.loadStack)
	}
	awsCfg, err := bench.AWSConfig(ctx, load)
	if err != nil {
		return nil, err
	}
	lc := loadrun.Config{Bench: cfg, Load: load, LoadStack: l.loadStack, Workers: l.workers, Lead: l.lead, Prices: cfg.Prices, Log: cfg.Log, Progress: cfg.Progress}
	return loadrun.Run(ctx, lc, loadrun.NewEngine(awsCfg, load[contract.AWSEndpointOutput] != ""))
}

// writeReports prints the table, writes the files asked for, and fails when the run did.
func writeReports(rep *bench.Report, stdout, stderr io.Writer, jsonOut, htmlOut string) error {
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if jsonOut != "" {
		if err := rep.WriteJSONFile(jsonOut); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
		fmt.Fprintf(stderr, "wrote %s\n", jsonOut)
	}
	if htmlOut != "" {
		if err := rep.WriteHTMLFile(htmlOut); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
		fmt.Fprintf(stderr, "wrote %s\n", htmlOut)
	}
	if f := rep.Failed(); len(f) > 0 {
		return fmt.Errorf("the run failed: %s", strings.Join(f, "; "))
	}
	return nil
}

func runBenchMerge(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: firstclass bench merge A.json B.json ... [--json OUT.json] [--html OUT.html] [--prices FILE]\n\n"+
			"Combines bench reports of several runs and machines: counts add, histograms merge, rates are over\nthe union of the runs' windows, costs are derived again.\n\nflags:\n")
		fs.PrintDefaults()
	}
	jsonOut := fs.String("json", "", "write the merged JSON report to this `file`")
	htmlOut := fs.String("html", "", "write the merged HTML report to this `file`")
	pricesFile := fs.String("prices", "", "price with this price `file` (default: the embedded prices)")
	baselineFile := fs.String("baseline", "", "compare the merged report with an earlier run's JSON report `file`, with the same routes and kinds")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("bench merge: give the JSON reports to merge: firstclass bench merge A.json B.json --json all.json")
	}
	prices, err := loadPrices(*pricesFile)
	if err != nil {
		return err
	}
	var reps []*bench.Report
	for _, f := range files {
		rep, err := bench.ReadReportFile(f, bench.Pricing{Prices: prices, Routes: routes.Routes})
		if err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	merged, err := bench.Merge(bench.Pricing{Prices: prices, Routes: routes.Routes}, reps...)
	if err != nil {
		return err
	}
	baseline, err := readBaseline(*baselineFile, prices)
	if err != nil {
		return err
	}
	if err := setBaseline(merged, baseline, *baselineFile); err != nil {
		return err
	}
	return writeReports(merged, stdout, stderr, *jsonOut, *htmlOut)
}

// parseInterleaved parses flags that may come before, between or after the positional
// arguments, as in "merge a.json b.json --json all.json".
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseFlags parses args; -h prints the usage, a mistake only the error and where to look,
// not the whole usage after it.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usageOut := fs.Output()
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(usageOut)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(usageOut)
		fs.Usage()
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (firstclass %s -h lists the flags)", err, fs.Name())
	}
	return nil
}

func readOutputs(path, stack string) (contract.Outputs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--outputs: %w", err)
	}
	defer f.Close()
	out, err := contract.ReadOutputs(f, stack)
	if err != nil {
		return nil, fmt.Errorf("--outputs %s: %w (use --stack NAME to pick one)", path, err)
	}
	return out, nil
}

func loadPrices(path string) (cost.Prices, error) {
	if path == "" {
		return cost.Default(), nil
	}
	p, err := cost.LoadFile(path)
	if err != nil {
		return cost.Prices{}, fmt.Errorf("--prices: %w", err)
	}
	return p, nil
}

// parseRoutes parses a comma-separated list of route names; "" is every route.
func parseRoutes(list string) ([]spec.Route, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []spec.Route
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, r := range routes.Routes {
			if strings.EqualFold(r.Name, name) {
				out = append(out, r)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("no route %q; the routes are %s", name, strings.Join(routes.Routes.Names(), ", "))
		}
	}
	return out, nil
}

// parseKinds parses a comma-separated list of API kinds.
func parseKinds(list string) ([]contract.Kind, error) {
	var out []contract.Kind
	for _, k := range strings.Split(list, ",") {
		switch kind := contract.Kind(strings.ToLower(strings.TrimSpace(k))); kind {
		case contract.HTTP, contract.REST:
			out = append(out, kind)
		default:
			return nil, fmt.Errorf("%q is not an API kind; use http, rest or http,rest", strings.TrimSpace(k))
		}
	}
	return out, nil
}

// sizeFlag is a byte size: 1000, 512KB, 1MB, 1.5MB (binary units, as AWS's limits are).
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

func parseSize(v string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"K", 1 << 10}, {"M", 1 << 20}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*float64(mult) > 1<<40 {
		return 0, fmt.Errorf("%q: give bytes or a size like 512KB or 1MB (1 KB = 1024 bytes, as AWS's limits)", v)
	}
	return int64(f * float64(mult)), nil
}

// benchAuth is how the bench authenticates against the stack of the outputs.
func benchAuth(out contract.Outputs, mode, creds, clientSecret, apiKey string) (*bench.Auth, error) {
	a := &bench.Auth{Mode: mode, Region: out[contract.RegionOutput], APIKey: apiKey}
	if a.APIKey == "" {
		a.APIKey = out[contract.APIKeyValueOutput]
	}
	local := out[contract.AWSEndpointOutput] != ""
	switch mode {
	case "none", "":
	case "iam":
		switch {
		case creds != "":
			c, err := parseCredentials(creds)
			if err != nil || len(c) != 1 {
				return nil, fmt.Errorf("--credentials %q: give one ACCESS_KEY_ID:SECRET_ACCESS_KEY", creds)
			}
			a.Credentials = c[0]
		case os.Getenv("AWS_ACCESS_KEY_ID") != "" && !local:
			a.Credentials = sigv4.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
		case local:
			a.Credentials = localapi.DefaultCredentials
		default:
			return nil, errors.New("--auth iam: give --credentials ID:SECRET or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
		if a.Region == "" {
			a.Region = "us-east-1"
		}
	case "jwt", "lambda", "lambda-token":
		if clientSecret == "" {
			clientSecret = out[contract.UserPoolClientSecretOutput]
		}
		if clientSecret == "" {
			clientSecret = os.Getenv("FIRSTCLASS_CLIENT_SECRET")
		}
		tokenURL, client := out[contract.TokenURLOutput], out[contract.UserPoolClientIDOutput]
		if tokenURL == "" || client == "" {
			return nil, fmt.Errorf("--auth %s: the outputs have no %s or %s; deploy with -c firstclass:authMode=%s", mode, contract.TokenURLOutput, contract.UserPoolClientIDOutput, mode)
		}
		if clientSecret == "" {
			return nil, fmt.Errorf("--auth %s: give --client-secret (aws cognito-idp describe-user-pool-client --user-pool-id %s --client-id %s --query UserPoolClient.ClientSecret)", mode, out[contract.UserPoolIDOutput], client)
		}
		scope := out[contract.OAuthScopeOutput]
		a.Tokens = &jwtauth.TokenSource{TokenURL: tokenURL, ClientID: client, ClientSecret: clientSecret}
		if scope != "" {
			a.Tokens.Scopes = []string{scope}
		}
	default:
		return nil, fmt.Errorf("--auth %q: use none, iam, jwt, lambda or lambda-token", mode)
	}
	return a, nil
}
