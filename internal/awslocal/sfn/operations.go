package sfn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"firstclass/internal/awslocal/awsproto"
)

// The JSON 1.0 protocol: the response shapes and the operation table.

type execDescription struct {
	ExecutionArn    string              `json:"executionArn"`
	StateMachineArn string              `json:"stateMachineArn"`
	Name            string              `json:"name"`
	Status          string              `json:"status"`
	StartDate       awsproto.EpochTime  `json:"startDate"`
	StopDate        *awsproto.EpochTime `json:"stopDate,omitempty"`
	Input           string              `json:"input"`
	InputDetails    map[string]bool     `json:"inputDetails"`
	Output          *string             `json:"output,omitempty"`
	OutputDetails   map[string]bool     `json:"outputDetails,omitempty"`
	Error           string              `json:"error,omitempty"`
	Cause           string              `json:"cause,omitempty"`
	RedriveCount    *int                `json:"redriveCount,omitempty"`
	BillingDetails  *billing            `json:"billingDetails,omitempty"`
}

type billing struct {
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
}

func (e *execution) describe() execDescription {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := execDescription{ExecutionArn: e.arn, StateMachineArn: e.machine.arn, Name: e.name, Status: e.status,
		StartDate: awsproto.EpochTime(e.start), Input: e.input, InputDetails: map[string]bool{"included": true},
		Error: e.errName, Cause: e.cause}
	if !e.stop.IsZero() {
		st := awsproto.EpochTime(e.stop)
		d.StopDate = &st
	}
	if e.status == "SUCCEEDED" {
		out := e.output
		d.Output = &out
	}
	if e.status != "RUNNING" {
		d.OutputDetails = map[string]bool{"included": true}
	}
	return d
}

// ServeJSON answers a Step Functions JSON 1.0 request (X-Amz-Target:
// AWSStepFunctions.<action>) whose body has been read.
func (svc *Service) ServeJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	awsproto.ServeJSON(w, r.Context(), "1.0", svc, operations, action, body, errUnknownOperation)
}

func errUnknownOperation(action string) *awsproto.Error {
	return sfnErr("UnknownOperationException", "The action %s is not supported by awslocal's Step Functions.", action)
}

// operations are the Step Functions actions by name: each decodes its
// request shape, runs and returns its response shape.
var operations = map[string]awsproto.JSONOperation[*Service]{
	"CreateStateMachine":   awsproto.JSONOp(createStateMachineOp),
	"DescribeStateMachine": awsproto.JSONOp(describeStateMachineOp),
	"ListStateMachines":    listStateMachinesOp,
	"DeleteStateMachine":   awsproto.JSONOp(deleteStateMachineOp),
	"StartExecution":       awsproto.JSONOp(startExecutionOp),
	"StartSyncExecution":   awsproto.JSONOp(startSyncExecutionOp),
	"DescribeExecution":    awsproto.JSONOp(describeExecutionOp),
	"ListExecutions":       awsproto.JSONOp(listExecutionsOp),
	"StopExecution":        awsproto.JSONOp(stopExecutionOp),
	"SendTaskSuccess":      awsproto.JSONOp(sendTaskSuccessOp),
	"SendTaskFailure":      awsproto.JSONOp(sendTaskFailureOp),
	"SendTaskHeartbeat":    awsproto.JSONOp(sendTaskHeartbeatOp),
	"GetExecutionHistory":  awsproto.JSONOp(getExecutionHistoryOp),
}

type machineRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
}

type executionRequest struct {
	ExecutionArn string `json:"executionArn"`
}

func createStateMachineOp(svc *Service, _ context.Context, in CreateStateMachineInput) (any, error) {
	m, err := svc.createStateMachine(in)
	if err != nil {
		return nil, err
	}
	return struct {
		StateMachineArn string             `json:"stateMachineArn"`
		CreationDate    awsproto.EpochTime `json:"creationDate"`
	}{m.arn, awsproto.EpochTime(m.created)}, nil
}

func describeStateMachineOp(svc *Service, _ context.Context, in machineRequest) (any, error) {
	m, err := svc.machine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	logging := m.logging
	if len(logging) == 0 {
		logging = json.RawMessage(`{"level":"OFF","includeExecutionData":false}`)
	}
	tracing := m.tracing
	if len(tracing) == 0 {
		tracing = json.RawMessage(`{"enabled":false}`)
	}
	return struct {
		StateMachineArn      string             `json:"stateMachineArn"`
		Name                 string             `json:"name"`
		Status               string             `json:"status"`
		Definition           string             `json:"definition"`
		RoleArn              string             `json:"roleArn"`
		Type                 string             `json:"type"`
		Description          string             `json:"description,omitempty"`
		CreationDate         awsproto.EpochTime `json:"creationDate"`
		LoggingConfiguration json.RawMessage    `json:"loggingConfiguration"`
		TracingConfiguration json.RawMessage    `json:"tracingConfiguration"`
	}{m.arn, m.name, "ACTIVE", m.definition, m.roleArn, m.typ, m.description, awsproto.EpochTime(m.created), logging, tracing}, nil
}

// listStateMachinesOp takes no input and does not read the body.
func listStateMachinesOp(svc *Service, _ context.Context, _ []byte) (any, error) {
	type item struct {
		StateMachineArn string             `json:"stateMachineArn"`
		Name            string             `json:"name"`
		Type            string             `json:"type"`
		CreationDate    awsproto.EpochTime `json:"creationDate"`
	}
	out := []item{}
	svc.mu.RLock()
	for _, m := range svc.machines {
		out = append(out, item{m.arn, m.name, m.typ, awsproto.EpochTime(m.created)})
	}
	svc.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return struct {
		StateMachines []item `json:"stateMachines"`
	}{out}, nil
}

func deleteStateMachineOp(svc *Service, _ context.Context, in machineRequest) (any, error) {
	return struct{}{}, svc.deleteStateMachine(in.StateMachineArn)
}

func startExecutionOp(svc *Service, _ context.Context, in StartExecutionInput) (any, error) {
	e, err := svc.startExecution(in, true)
	if err != nil {
		return nil, err
	}
	return struct {
		ExecutionArn string             `json:"executionArn"`
		StartDate    awsproto.EpochTime `json:"startDate"`
	}{e.arn, awsproto.EpochTime(e.start)}, nil
}

func startSyncExecutionOp(svc *Service, ctx context.Context, in StartExecutionInput) (any, error) {
	e, err := svc.startSync(ctx, in)
	if err != nil {
		return nil, err
	}
	d := e.describe()
	ms := e.stop.Sub(e.start).Milliseconds()
	d.BillingDetails = &billing{BilledDurationInMilliseconds: max(100, (ms+99)/100*100), BilledMemoryUsedInMB: 64}
	return d, nil
}

func describeExecutionOp(svc *Service, _ context.Context, in executionRequest) (any, error) {
	e, err := svc.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	d := e.describe()
	zero := 0
	d.RedriveCount = &zero
	return d, nil
}

func listExecutionsOp(svc *Service, _ context.Context, in struct {
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}) (any, error) {
	return svc.listExecutions(in.StateMachineArn, in.StatusFilter, in.MaxResults, in.NextToken)
}

func stopExecutionOp(svc *Service, _ context.Context, in struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}) (any, error) {
	stop, err := svc.stopExecution(in.ExecutionArn, in.Error, in.Cause)
	if err != nil {
		return nil, err
	}
	return struct {
		StopDate awsproto.EpochTime `json:"stopDate"`
	}{awsproto.EpochTime(stop)}, nil
}

type execListItem struct {
	ExecutionArn    string              `json:"executionArn"`
	StateMachineArn string              `json:"stateMachineArn"`
	Name            string              `json:"name"`
	Status          string              `json:"status"`
	StartDate       awsproto.EpochTime  `json:"startDate"`
	StopDate        *awsproto.EpochTime `json:"stopDate,omitempty"`
}

func (svc *Service) listExecutions(machineArn, status string, max int, token string) (any, error) {
	m, err := svc.machine(machineArn)
	if err != nil {
		return nil, err
	}
	if m.typ == "EXPRESS" {
		return nil, sfnErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	switch status {
	case "", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE":
	default:
		return nil, sfnErr("ValidationException", "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]", status)
	}
	if max < 0 || max > 1000 {
		return nil, sfnErr("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", max)
	}
	if max == 0 {
		max = listDefaultSize
	}
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		n, _ := strconv.Atoi(strings.TrimPrefix(string(b), machineArn+"|"))
		if err != nil || !strings.HasPrefix(string(b), machineArn+"|") || n < 0 {
			return nil, sfnErr("InvalidToken", "Invalid Token: '%s'", token)
		}
		start = n
	}
	svc.mu.RLock()
	all := svc.byMachine[machineArn]
	list := make([]*execution, len(all))
	copy(list, all)
	svc.mu.RUnlock()
	var items []execListItem
	for i := len(list) - 1; i >= 0; i-- { // newest first
		d := list[i].describe()
		if status != "" && d.Status != status {
			continue
		}
		items = append(items, execListItem{d.ExecutionArn, d.StateMachineArn, d.Name, d.Status, d.StartDate, d.StopDate})
	}
	if start > len(items) {
		start = len(items)
	}
	items = items[start:]
	next := ""
	if len(items) > max {
		items = items[:max]
		next = base64.RawURLEncoding.EncodeToString([]byte(machineArn + "|" + strconv.Itoa(start+max)))
	}
	if items == nil {
		items = []execListItem{}
	}
	return struct {
		Executions []execListItem `json:"executions"`
		NextToken  string         `json:"nextToken,omitempty"`
	}{items, next}, nil
}

// historyRequest is a GetExecutionHistory request; includeExecutionData is
// true when absent.
type historyRequest struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	ReverseOrder         bool   `json:"reverseOrder"`
	NextToken            string `json:"nextToken"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

// getExecutionHistoryOp answers a page of a STANDARD execution's events, the
// oldest first or with reverseOrder the newest first. An EXPRESS execution's
// ARN is InvalidArn ("Resource type not valid in this context: express", as
// AWS answered it in LocalStack's test_sfn_api_express snapshot). The token
// names the execution, the order and the position, so that a token from
// another listing is InvalidToken.
func getExecutionHistoryOp(svc *Service, _ context.Context, in historyRequest) (any, error) {
	if in.MaxResults < 0 || in.MaxResults > 1000 {
		return nil, sfnErr("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", in.MaxResults)
	}
	e, err := svc.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	max := in.MaxResults
	if max == 0 {
		max = listDefaultSize
	}
	// The token holds the index of the next event to answer, so that the
	// events a running execution adds do not shift the pages.
	prefix := in.ExecutionArn + "|" + strconv.FormatBool(in.ReverseOrder) + "|"
	events := e.historyEvents()
	pos, step := 0, 1
	if in.ReverseOrder {
		pos, step = len(events)-1, -1
	}
	if in.NextToken != "" {
		b, derr := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, aerr := strconv.Atoi(strings.TrimPrefix(string(b), prefix))
		if derr != nil || aerr != nil || !strings.HasPrefix(string(b), prefix) || n < 0 || n >= len(events) {
			return nil, sfnErr("InvalidToken", "Invalid Token: '%s'", in.NextToken)
		}
		pos = n
	}
	data := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := []map[string]any{}
	for ; pos >= 0 && pos < len(events) && len(out) < max; pos += step {
		out = append(out, wireEvent(&events[pos], pos+1, svc.region, data))
	}
	next := ""
	if pos >= 0 && pos < len(events) {
		next = base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.Itoa(pos)))
	}
	return struct {
		Events    []map[string]any `json:"events"`
		NextToken string           `json:"nextToken,omitempty"`
	}{out, next}, nil
}
