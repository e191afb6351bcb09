package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"firstclass/internal/contract"
	"firstclass/internal/localapi"
	"firstclass/routes"
)

func init() {
	register("invoke", "send one request to one route of the local runner and print the answer and its trace", runInvoke)
}

// headerFlag is a repeatable --header K:V.
type headerFlag map[string]string

func (h headerFlag) String() string { return "" }
func (h headerFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want NAME:VALUE, like X-Delay-Seconds:5")
	}
	h[strings.TrimSpace(k)] = strings.TrimSpace(v)
	return nil
}

// runInvoke starts the runner from the app's assembly, sends one request and stops: the
// answer's body goes to stdout, the trace to stderr, and a 4xx or 5xx is a non-zero exit.
func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var app appFlags
	app.register(fs)
	stage := fs.String("stage", "", "the stage (default: the API's first)")
	api := fs.String("api", "http", "the API kind: http or rest")
	body := fs.String("body", "", "the request body (default: the route's sample body)")
	header := headerFlag{}
	fs.Var(header, "header", "a request header, NAME:VALUE (repeatable)")
	stateDir := fs.String("state-dir", "", "keep queues, events and executions here between invocations (not a directory a running firstclass local uses)")
	asJSON := fs.Bool("json", false, "print {status, headers, body, trace} as JSON on stdout instead")
	quiet := fs.Bool("quiet", false, "do not print the trace")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: firstclass invoke [flags] "METHOD /path"

Starts the local runner from the app's cloud assembly (synthesized unless --no-synth), sends one
request to one route and stops. ROUTE is a route key ("POST /queue", whose sample body and
parameters are used) or a request of your own ("GET /greeting?greeter=Ada"). The answer's body
goes to stdout, what the gateway did to stderr; the exit status is 1 for a 4xx or 5xx.

flags:`)
		fs.PrintDefaults()
	}
	// Flags may come before or after the route.
	var route []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		route = append(route, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(route) == 0 {
		fs.Usage()
		return fmt.Errorf("no route given")
	}
	kind := contract.Kind(strings.ToLower(*api))
	if kind != contract.HTTP && kind != contract.REST {
		return fmt.Errorf("--api %q: want http or rest", *api)
	}
	in := localapi.InvokeRequest{Kind: kind, Stage: *stage, Route: strings.Join(route, " "), Header: header}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "body" {
			in.Body = body
		}
	})
	mod, asm, err := app.load(ctx, stderr)
	if err != nil {
		return err
	}
	names, err := app.stackNames(asm)
	if err != nil {
		return err
	}
	r, err := localapi.New(ctx, localapi.Options{Assembly: asm, StackName: names[0], ModuleDir: mod, Port: 0,
		Parameters: app.params, Node: app.node, Python: app.python,
		StateDir: *stateDir, Logs: stderr, NoThrottle: true, Trace: true})
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Start(); err != nil {
		return err
	}
	var samples map[string]localapi.Sample
	if isFirstclass(app.appDir, mod) {
		samples = localapi.TableSamples(routes.Routes)
	}
	res, err := r.Invoke(ctx, in, samples)
	if err != nil {
		return err
	}
	if err := printInvoke(stdout, stderr, res, *asJSON, *quiet); err != nil {
		return err
	}
	if res.Status >= 400 {
		return fmt.Errorf("%s answered %d", in.Route, res.Status)
	}
	return nil
}

func printInvoke(stdout, stderr io.Writer, res *localapi.InvokeResult, asJSON, quiet bool) error {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			URL    string              `json:"url"`
			Status int                 `json:"status"`
			Header map[string][]string `json:"headers"`
			Body   string              `json:"body"`
			Trace  *localapi.Trace     `json:"trace"`
		}{res.URL, res.Status, res.Header, string(res.Body), res.Trace})
	}
	if !quiet && res.Trace != nil {
		res.Trace.WriteTo(stderr)
	}
	fmt.Fprintf(stderr, "%d %s\n", res.Status, res.URL)
	stdout.Write(res.Body)
	if len(res.Body) > 0 && res.Body[len(res.Body)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	return nil
}
