package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// API Gateway's overhead is what a stage's access log says it spent on a request beyond the
// integration: responseLatency − integrationLatency (routes.AccessLogFields). The bench reads
// the stage's lines of the measured window: from the file the local runner writes (outputs
// say file:///path) or from the CloudWatch log group the stage logs to (FilterLogEvents over
// the window).

// accessEntry is one access log line, as the bench needs it.
type accessEntry struct {
	at           time.Time
	method       string
	path         string
	routeKey     string // HTTP API
	resourcePath string // REST API
	response     int64  // ms; -1 when the line has none
	integration  int64  // ms; -1 when the line has none
	authorizer   int64  // ms, $context.authorizer.latency; -1 when the line has none
	authorizerIn int64  // ms, $context.authorizer.integrationLatency (the invocation); -1 for none
	bytes        int    // the line's size, newline included
}

// parseAccessLine parses one JSON access log line in the format of routes.AccessLogFormat:
// every value a string, "-" when API Gateway had none.
func parseAccessLine(line []byte) (accessEntry, error) {
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		return accessEntry{}, fmt.Errorf("not a JSON access log line: %w", err)
	}
	str := func(k string) string {
		switch v := m[k].(type) {
		case string:
			if v == "-" {
				return ""
			}
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	num := func(k string) int64 {
		n, err := strconv.ParseFloat(str(k), 64)
		if err != nil {
			return -1
		}
		return int64(n)
	}
	e := accessEntry{
		method: str("httpMethod"), path: str("path"), routeKey: str("routeKey"), resourcePath: str("resourcePath"),
		response: num("responseLatency"), integration: num("integrationLatency"), bytes: len(line) + 1,
		authorizer: num("authorizerLatency"), authorizerIn: num("authorizerIntegrationLatency"),
	}
	epoch := num("requestTimeEpoch")
	if epoch < 0 {
		return accessEntry{}, errors.New("access log line without requestTimeEpoch")
	}
	e.at = time.UnixMilli(epoch)
	return e, nil
}

// route finds which of rs the line is for: by the HTTP API's route key or the REST API's
// resource path, else by method and path (the path has the stage in front).
func (e accessEntry) route(kind contract.Kind, rs []spec.Route) (spec.Route, bool) {
	for _, r := range rs {
		switch {
		case kind == contract.HTTP && e.routeKey != "":
			if e.routeKey == r.Key() {
				return r, true
			}
		case kind == contract.REST && e.resourcePath != "":
			if e.resourcePath == r.Path && e.method == r.Method {
				return r, true
			}
		default:
			if e.method == r.Method && strings.HasSuffix(e.path, r.SamplePath()) {
				return r, true
			}
		}
	}
	return spec.Route{}, false
}

// overhead is API Gateway's own part of a request.
func (e accessEntry) overhead() (time.Duration, bool) {
	if e.response < 0 || e.integration < 0 {
		return 0, false
	}
	return time.Duration(max(0, e.response-e.integration)) * time.Millisecond, true
}

// accessTally collects the lines of one stage for the results of one API kind.
type accessTally struct {
	kind    contract.Kind
	rs      []spec.Route
	windows map[string]Window // by route name
	source  string
	stats   map[string]*AccessLogStats
	hists   map[string]*Histogram
	authz   map[string]*Histogram // $context.authorizer.latency, by route
	authzIn map[string]*Histogram // $context.authorizer.integrationLatency
	bad     int
}

func newAccessTally(kind contract.Kind, source string, rs []spec.Route, windows map[string]Window) *accessTally {
	t := &accessTally{kind: kind, rs: rs, windows: windows, source: source, stats: map[string]*AccessLogStats{}, hists: map[string]*Histogram{},
		authz: map[string]*Histogram{}, authzIn: map[string]*Histogram{}}
	for _, r := range rs {
		t.stats[r.Name] = &AccessLogStats{Source: source}
		t.hists[r.Name], t.authz[r.Name], t.authzIn[r.Name] = NewHistogram(), NewHistogram(), NewHistogram()
	}
	return t
}

func (t *accessTally) add(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	e, err := parseAccessLine(line)
	if err != nil {
		t.bad++
		return
	}
	r, ok := e.route(t.kind, t.rs)
	if !ok {
		return
	}
	w := t.windows[r.Name]
	// requestTimeEpoch has whole milliseconds: compare at that precision.
	if e.at.Before(w.Start.Truncate(time.Millisecond)) || !e.at.Before(w.End) {
		return
	}
	s := t.stats[r.Name]
	s.Lines++
	s.Bytes += uint64(e.bytes)
	if d, ok := e.overhead(); ok {
		t.hists[r.Name].Record(d)
	}
	if e.authorizer >= 0 {
		t.authz[r.Name].Record(time.Duration(e.authorizer) * time.Millisecond)
	}
	if e.authorizerIn >= 0 {
		t.authzIn[r.Name].Record(time.Duration(e.authorizerIn) * time.Millisecond)
	}
}

func (t *accessTally) lines() uint64 {
	var n uint64
	for _, s := range t.stats {
		n += s.Lines
	}
	return n
}

// accessSource reads a stage's access log lines: all of them the first time, then each call
// what is new (a file) or everything again (CloudWatch, where lines arrive out of order).
type accessSource interface {
	read(ctx context.Context, t *accessTally) (fresh bool, err error)
	// every is how often to read again while lines are missing.
	every() time.Duration
}

// fileSource reads a JSON-lines file, from where the last read stopped.
type fileSource struct {
	path   string
	offset int64
}

func newAccessSource(value string, logs logsAPI, window Window) (accessSource, string, error) {
	if strings.HasPrefix(value, "file://") {
		u, err := url.Parse(value)
		if err != nil || u.Path == "" {
			return nil, "", fmt.Errorf("access log %q: want file:///absolute/path", value)
		}
		return &fileSource{path: u.Path}, u.Path, nil
	}
	if logs == nil {
		return nil, "", fmt.Errorf("access log group %q: no CloudWatch Logs client", value)
	}
	return &cloudWatchSource{api: logs, group: value, window: window}, "CloudWatch Logs " + value, nil
}

func (f *fileSource) every() time.Duration { return 250 * time.Millisecond }

func (f *fileSource) read(_ context.Context, t *accessTally) (bool, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	if _, err := fh.Seek(f.offset, io.SeekStart); err != nil {
		return false, err
	}
	br := bufio.NewReaderSize(fh, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			// A line without its newline is still being written: read it next time.
			return false, nil
		}
		if err != nil {
			return false, err
		}
		f.offset += int64(len(line))
		t.add(line)
	}
}

// logsAPI is the part of the CloudWatch Logs client the bench uses.
type logsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// cloudWatchSource reads a log group's events of the window with FilterLogEvents. API
// Gateway delivers access logs with a delay and out of order, so each read asks for the whole
// window again and replaces what the tally had.
type cloudWatchSource struct {
	api    logsAPI
	group  string
	window Window
}

// every keeps well under FilterLogEvents' few requests a second per account, which each read
// of a long window may take several of.
func (c *cloudWatchSource) every() time.Duration { return 5 * time.Second }

func (c *cloudWatchSource) read(ctx context.Context, t *accessTally) (bool, error) {
	fresh := newAccessTally(t.kind, t.source, t.rs, t.windows)
	in := &cloudwatchlogs.FilterLogEventsInput{
		StartTime: aws.Int64(c.window.Start.Add(-time.Second).UnixMilli()),
		EndTime:   aws.Int64(c.window.End.Add(time.Minute).UnixMilli()),
	}
	if strings.HasPrefix(c.group, "arn:") {
		in.LogGroupIdentifier = aws.String(c.group)
	} else {
		in.LogGroupName = aws.String(c.group)
	}
	for {
		out, err := c.api.FilterLogEvents(ctx, in)
		if err != nil {
			return false, fmt.Errorf("FilterLogEvents %s: %w", c.group, err)
		}
		for _, e := range out.Events {
			fresh.add([]byte(aws.ToString(e.Message)))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	*t = *fresh
	return true, nil
}

// readAccessLog reads a stage's lines until every request sent in the window has its line or
// the deadline passes: the local runner flushes its log every 200 ms, CloudWatch takes
// seconds to minutes.
func readAccessLog(ctx context.Context, src accessSource, t *accessTally, want uint64, deadline time.Time) error {
	for {
		if _, err := src.read(ctx, t); err != nil {
			return err
		}
		if t.lines() >= want || !time.Now().Before(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(min(time.Until(deadline), src.every())):
		}
	}
}
