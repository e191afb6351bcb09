package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/cost"
	"firstclass/routes"
)

func init() {
	register("cost", "price a workload on each API kind", runCost)
}

const costUsage = `usage: firstclass cost (--rate R | --monthly-requests N) [--payload-size S] [--route NAME,...] [--prices FILE] [--json]
       firstclass cost --print-prices

Prices each route on the HTTP API and on the REST API, with its target service and logs, for a
constant rate or a monthly volume: line items, per million and per month, where the prices come
from and when they were read, and the request size from which the REST API is cheaper.

flags:
`

func runCost(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), costUsage)
		fs.PrintDefaults()
	}
	rate := fs.Float64("rate", 0, "`R` requests a second on each route, constant over a 730-hour month")
	monthly := fs.Float64("monthly-requests", 0, "requests a month on each route (`N`), instead of --rate")
	var size sizeFlag
	fs.Var(&size, "payload-size", "request body `size` (bytes, or 512KB, 1MB: KB = 1024 bytes; default each route's sample body)")
	routeList := fs.String("route", "", "comma-separated route `names` (default every route)")
	pricesFile := fs.String("prices", "", "price `file` in the shape of --print-prices (default: the embedded prices)")
	asJSON := fs.Bool("json", false, "write JSON")
	authMode := fs.String("auth", "none", "the routes' auth `mode`: none, iam, jwt (free on both APIs), lambda or lambda-token (a Lambda authorizer invocation per uncached request)")
	hitRatio := fs.Float64("cache-hit-ratio", cost.DefaultAuthWorkload("lambda").CacheHitRatio, "lambda: the share of requests the authorizer cache answers, 0 to 1")
	tokenLifetime := fs.Duration("token-lifetime", time.Hour, "jwt, lambda: how long a client reuses its access token before fetching another (Cognito client credentials are billed per token request)")
	printPrices := fs.Bool("print-prices", false, "print the embedded price file, with its sources, and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: cost takes flags only", fs.Arg(0))
	}
	if *printPrices {
		_, err := stdout.Write(cost.DefaultPricesJSON())
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["rate"] && set["monthly-requests"]:
		return errors.New("--rate and --monthly-requests: give one (a rate is spread over a 730-hour month)")
	case !set["rate"] && !set["monthly-requests"]:
		return errors.New("give --rate R (requests a second) or --monthly-requests N (requests a month) on each route")
	case set["rate"] && (*rate <= 0 || math.IsInf(*rate, 0)):
		return fmt.Errorf("--rate %g: give a positive number of requests a second, like --rate 100", *rate)
	case set["monthly-requests"] && (*monthly <= 0 || math.IsInf(*monthly, 0)):
		return fmt.Errorf("--monthly-requests %g: give a positive number, like --monthly-requests 1e9", *monthly)
	}
	selected, err := parseRoutes(*routeList)
	if err != nil {
		return fmt.Errorf("--route: %w", err)
	}
	if selected == nil {
		selected = routes.Routes
	}
	prices, err := loadPrices(*pricesFile)
	if err != nil {
		return err
	}
	n := *monthly
	if set["rate"] {
		n = cost.MonthlyRequests(*rate)
	}
	var payload *int64
	if set["payload-size"] {
		p := int64(size)
		payload = &p
	}
	switch *authMode {
	case "none", "iam", "jwt", "lambda", "lambda-token":
	default:
		return fmt.Errorf("--auth %q: use none, iam, jwt, lambda or lambda-token", *authMode)
	}
	if *hitRatio < 0 || *hitRatio > 1 {
		return fmt.Errorf("--cache-hit-ratio %g: give a share from 0 to 1, like 0.99", *hitRatio)
	}
	auth := bench.SheetAuth{Workload: cost.DefaultAuthWorkload(*authMode), TokenLifetime: *tokenLifetime}
	auth.Workload.CacheHitRatio = *hitRatio
	sheet := bench.NewCostSheet(prices, selected, n, payload, auth)
	if *asJSON {
		return sheet.WriteJSON(stdout)
	}
	return sheet.WriteText(stdout)
}
