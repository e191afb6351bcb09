package logs

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"firstclass/internal/awslocal/awsproto"
)

// ServeJSON answers a CloudWatch Logs JSON 1.1 request whose body has been read.
func (svc *Service) ServeJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	awsproto.ServeJSON(w, r.Context(), "1.1", svc, operations, action, body, func(action string) *awsproto.Error {
		return logsErr("UnknownOperationException", "The action %s is not supported by awslocal's CloudWatch Logs.", action)
	})
}

var operations = map[string]awsproto.JSONOperation[*Service]{
	"CreateLogGroup":     awsproto.JSONOp(createLogGroupOp),
	"DeleteLogGroup":     awsproto.JSONOp(deleteLogGroupOp),
	"DescribeLogGroups":  awsproto.JSONOp(describeLogGroupsOp),
	"CreateLogStream":    awsproto.JSONOp(createLogStreamOp),
	"DescribeLogStreams": awsproto.JSONOp(describeLogStreamsOp),
	"PutLogEvents":       awsproto.JSONOp(putLogEventsOp),
	"GetLogEvents":       awsproto.JSONOp(getLogEventsOp),
	"FilterLogEvents":    awsproto.JSONOp(filterLogEventsOp),
}

type groupRequest struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
}

func (g groupRequest) name() string {
	if g.LogGroupIdentifier != "" {
		return groupName(g.LogGroupIdentifier)
	}
	return g.LogGroupName
}

func createLogGroupOp(svc *Service, _ context.Context, in groupRequest) (any, error) {
	return struct{}{}, svc.CreateLogGroup(in.LogGroupName, 0)
}

func deleteLogGroupOp(svc *Service, _ context.Context, in groupRequest) (any, error) {
	return struct{}{}, svc.deleteLogGroup(in.name())
}

type groupDescription struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int    `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
}

func describeLogGroupsOp(svc *Service, _ context.Context, in struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
}) (any, error) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, logsErr("InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	out := []groupDescription{}
	for _, g := range sortedGroups(svc.groups) {
		if !strings.HasPrefix(g.name, in.LogGroupNamePrefix) || !strings.Contains(g.name, in.LogGroupNamePattern) {
			continue
		}
		var size int64
		for _, st := range g.streams {
			for _, e := range st.events {
				size += int64(len(e.Message))
			}
		}
		out = append(out, groupDescription{LogGroupName: g.name, CreationTime: g.created, RetentionInDays: g.retention,
			Arn: svc.groupARN(g.name) + ":*", LogGroupArn: svc.groupARN(g.name), StoredBytes: size, LogGroupClass: "STANDARD"})
	}
	return struct {
		LogGroups []groupDescription `json:"logGroups"`
	}{out}, nil
}

func createLogStreamOp(svc *Service, _ context.Context, in struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}) (any, error) {
	return struct{}{}, svc.createLogStream(in.LogGroupName, in.LogStreamName)
}

func describeLogStreamsOp(svc *Service, _ context.Context, in struct {
	groupRequest
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
}) (any, error) {
	type item struct {
		LogStreamName       string `json:"logStreamName"`
		CreationTime        int64  `json:"creationTime"`
		FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
		LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
		LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
		Arn                 string `json:"arn"`
		StoredBytes         int64  `json:"storedBytes"`
	}
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	g := svc.groups[in.name()]
	if g == nil {
		return nil, errNoGroup
	}
	out := []item{}
	for _, st := range sortedStreams(g.streams) {
		if !strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			continue
		}
		it := item{LogStreamName: st.name, CreationTime: st.created, Arn: svc.groupARN(g.name) + ":log-stream:" + st.name}
		if n := len(st.events); n > 0 {
			it.FirstEventTimestamp, it.LastEventTimestamp, it.LastIngestionTime = st.events[0].Timestamp, st.events[n-1].Timestamp, st.events[n-1].IngestionTime
		}
		out = append(out, it)
	}
	return struct {
		LogStreams []item `json:"logStreams"`
	}{out}, nil
}

func putLogEventsOp(svc *Service, _ context.Context, in struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
	LogEvents     []struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	} `json:"logEvents"`
}) (any, error) {
	if len(in.LogEvents) == 0 || len(in.LogEvents) > 10000 {
		return nil, logsErr("InvalidParameterException", "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000")
	}
	events := make([]Event, len(in.LogEvents))
	for i, e := range in.LogEvents {
		if i > 0 && e.Timestamp < in.LogEvents[i-1].Timestamp {
			return nil, logsErr("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
		}
		events[i] = Event{Timestamp: e.Timestamp, Message: e.Message}
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	seq, err := svc.putLocked(in.LogGroupName, in.LogStreamName, events, false)
	svc.mu.Unlock()
	unlock()
	if err != nil {
		return nil, err
	}
	if err := svc.store.Wait(seq); err != nil {
		return nil, err
	}
	return struct {
		NextSequenceToken string `json:"nextSequenceToken"`
	}{fmt.Sprintf("%056d", seq)}, nil
}

type outEvent struct {
	LogStreamName string `json:"logStreamName,omitempty"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId,omitempty"`
}

func checkLimit(limit int) *awsproto.Error {
	if limit < 0 || limit > 10000 {
		return logsErr("InvalidParameterException", "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000", limit)
	}
	return nil
}

var errBadToken = logsErr("InvalidParameterException", "The specified nextToken is invalid.")

// inRange applies startTime (inclusive) and endTime (exclusive); 0 is unbounded.
func inRange(ts, start, end int64) bool { return ts >= start && (end == 0 || ts < end) }

func getLogEventsOp(svc *Service, _ context.Context, in struct {
	groupRequest
	LogStreamName string `json:"logStreamName"`
	StartTime     int64  `json:"startTime"`
	EndTime       int64  `json:"endTime"`
	Limit         int    `json:"limit"`
	NextToken     string `json:"nextToken"`
	StartFromHead bool   `json:"startFromHead"`
}) (any, error) {
	if err := checkLimit(in.Limit); err != nil {
		return nil, err
	}
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	g := svc.groups[in.name()]
	if g == nil {
		return nil, errNoGroup
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, errNoStream
	}
	var sel []Event
	for _, e := range st.events {
		if inRange(e.Timestamp, in.StartTime, in.EndTime) {
			sel = append(sel, e)
		}
	}
	limit := in.Limit
	if limit == 0 {
		limit = 10000
	}
	// Tokens are f/N and b/N: the position to read forward from, or backward to.
	lo, hi := 0, len(sel)
	switch {
	case in.NextToken != "":
		n, err := strconv.Atoi(in.NextToken[min(2, len(in.NextToken)):])
		if err != nil || n < 0 || n > len(sel) || !(strings.HasPrefix(in.NextToken, "f/") || strings.HasPrefix(in.NextToken, "b/")) {
			return nil, errBadToken
		}
		if in.NextToken[0] == 'f' {
			lo, hi = n, min(len(sel), n+limit)
		} else {
			lo, hi = max(0, n-limit), n
		}
	case in.StartFromHead:
		hi = min(len(sel), limit)
	default:
		lo = max(0, len(sel)-limit)
	}
	out := make([]outEvent, 0, hi-lo)
	for _, e := range sel[lo:hi] {
		out = append(out, outEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.IngestionTime})
	}
	return struct {
		Events            []outEvent `json:"events"`
		NextForwardToken  string     `json:"nextForwardToken"`
		NextBackwardToken string     `json:"nextBackwardToken"`
	}{out, fmt.Sprintf("f/%056d", hi), fmt.Sprintf("b/%056d", lo)}, nil
}

func filterLogEventsOp(svc *Service, _ context.Context, in struct {
	groupRequest
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           int64    `json:"startTime"`
	EndTime             int64    `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	Limit               int      `json:"limit"`
	NextToken           string   `json:"nextToken"`
}) (any, error) {
	if err := checkLimit(in.Limit); err != nil {
		return nil, err
	}
	match, perr := compileFilter(in.FilterPattern)
	if perr != nil {
		return nil, perr
	}
	start := 0
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, aerr := strconv.Atoi(string(b))
		if err != nil || aerr != nil || n < 0 {
			return nil, errBadToken
		}
		start = n
	}
	svc.mu.RLock()
	g := svc.groups[in.name()]
	if g == nil {
		svc.mu.RUnlock()
		return nil, errNoGroup
	}
	var all []outEvent
	for _, st := range sortedStreams(g.streams) {
		if (len(in.LogStreamNames) > 0 && !contains(in.LogStreamNames, st.name)) || !strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			continue
		}
		for _, e := range st.events {
			if inRange(e.Timestamp, in.StartTime, in.EndTime) && match(e.Message) {
				all = append(all, outEvent{LogStreamName: st.name, Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.IngestionTime, EventID: e.ID})
			}
		}
	}
	svc.mu.RUnlock()
	sort.SliceStable(all, func(i, j int) bool { return all[i].Timestamp < all[j].Timestamp })
	limit := in.Limit
	if limit == 0 {
		limit = 10000
	}
	if start > len(all) {
		return nil, errBadToken
	}
	all = all[start:]
	next := ""
	if len(all) > limit {
		all = all[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(start + limit)))
	}
	if all == nil {
		all = []outEvent{}
	}
	return struct {
		Events    []outEvent `json:"events"`
		NextToken string     `json:"nextToken,omitempty"`
	}{all, next}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compileFilter compiles a filter pattern of terms: every term must appear in the message,
// a "quoted phrase" as a whole. JSON ({ $.x = … }) and space-delimited ([a, b]) patterns are
// refused, not approximated.
func compileFilter(pattern string) (func(string) bool, *awsproto.Error) {
	p := strings.TrimSpace(pattern)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") || strings.HasPrefix(p, "%") {
		return nil, logsErr("InvalidParameterException", "awslocal: the local CloudWatch Logs matches term filter patterns only, not %q", pattern)
	}
	var terms []string
	for p != "" {
		if p[0] == '"' {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, logsErr("InvalidParameterException", "Invalid filter pattern")
			}
			terms = append(terms, p[1:1+end])
			p = strings.TrimSpace(p[end+2:])
			continue
		}
		t, rest, _ := strings.Cut(p, " ")
		if strings.HasPrefix(t, "?") || strings.HasPrefix(t, "-") {
			return nil, logsErr("InvalidParameterException", "awslocal: the local CloudWatch Logs does not match ?OR or -NOT terms (%q)", t)
		}
		terms = append(terms, t)
		p = strings.TrimSpace(rest)
	}
	return func(msg string) bool {
		for _, t := range terms {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		return true
	}, nil
}
