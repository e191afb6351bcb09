package events

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"firstclass/internal/awslocal/awsproto"
)

// ServeJSON answers an EventBridge JSON 1.1 request (X-Amz-Target:
// AWSEvents.<action>) whose body has been read.
func (svc *Service) ServeJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	awsproto.ServeJSON(w, r.Context(), "1.1", svc, operations, action, body, errUnknownOperation)
}

func errUnknownOperation(action string) *awsproto.Error {
	return &awsproto.Error{Code: "UnknownOperationException", Message: fmt.Sprintf("The action %s is not supported by awslocal's EventBridge.", action)}
}

// operations are the EventBridge actions by name: each decodes its request
// shape, runs and returns its response shape.
var operations = map[string]awsproto.JSONOperation[*Service]{
	"PutEvents":         awsproto.JSONOp(putEventsOp),
	"CreateEventBus":    awsproto.JSONOp(createEventBusOp),
	"DescribeEventBus":  awsproto.JSONOp(describeEventBusOp),
	"ListEventBuses":    awsproto.JSONOp(listEventBusesOp),
	"DeleteEventBus":    awsproto.JSONOp(deleteEventBusOp),
	"PutRule":           awsproto.JSONOp(putRuleOp),
	"DescribeRule":      awsproto.JSONOp(describeRuleOp),
	"ListRules":         awsproto.JSONOp(listRulesOp),
	"DeleteRule":        awsproto.JSONOp(deleteRuleOp),
	"PutTargets":        awsproto.JSONOp(putTargetsOp),
	"ListTargetsByRule": awsproto.JSONOp(listTargetsByRuleOp),
	"RemoveTargets":     awsproto.JSONOp(removeTargetsOp),
	"CreateArchive":     awsproto.JSONOp(createArchiveOp),
	"DescribeArchive":   awsproto.JSONOp(describeArchiveOp),
	"ListArchives":      awsproto.JSONOp(listArchivesOp),
	"DeleteArchive":     awsproto.JSONOp(deleteArchiveOp),
}

type ruleDescription struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventBusName       string `json:"EventBusName"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
}

func (r *eventRule) describe() ruleDescription {
	return ruleDescription{Name: r.name, Arn: r.arn, EventBusName: r.bus, EventPattern: r.pattern,
		ScheduleExpression: r.schedule, State: r.state, Description: r.description, RoleArn: r.roleArn}
}

// Request shapes several actions share.
type (
	nameRequest    struct{ Name string }
	ruleRequest    struct{ Name, EventBusName string }
	archiveRequest struct{ ArchiveName string }
	// targetsResult is PutTargets' and RemoveTargets' answer: no entry fails.
	targetsResult struct {
		FailedEntryCount int   `json:"FailedEntryCount"`
		FailedEntries    []any `json:"FailedEntries"`
	}
)

func putEventsOp(svc *Service, _ context.Context, in struct{ Entries []PutEventsEntry }) (any, error) {
	res, failed, err := svc.putEvents(in.Entries)
	if err != nil {
		return nil, err
	}
	return struct {
		Entries          []PutEventsResultEntry `json:"Entries"`
		FailedEntryCount int                    `json:"FailedEntryCount"`
	}{res, failed}, nil
}

func createEventBusOp(svc *Service, _ context.Context, in struct{ Name, Description string }) (any, error) {
	arn, err := svc.createEventBus(in.Name, in.Description)
	if err != nil {
		return nil, err
	}
	return struct{ EventBusArn string }{arn}, nil
}

func describeEventBusOp(svc *Service, _ context.Context, in nameRequest) (any, error) {
	svc.mu.RLock()
	b, err := svc.bus(busName(in.Name))
	svc.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return struct {
		Name             string             `json:"Name"`
		Arn              string             `json:"Arn"`
		Description      string             `json:"Description,omitempty"`
		CreationTime     awsproto.EpochTime `json:"CreationTime"`
		LastModifiedTime awsproto.EpochTime `json:"LastModifiedTime"`
	}{b.name, b.arn, b.description, awsproto.EpochTime(b.created), awsproto.EpochTime(b.created)}, nil
}

func listEventBusesOp(svc *Service, _ context.Context, in struct{ NamePrefix string }) (any, error) {
	type busInfo struct {
		Name, Arn string
	}
	var out []busInfo
	svc.mu.RLock()
	for _, b := range svc.buses {
		if strings.HasPrefix(b.name, in.NamePrefix) {
			out = append(out, busInfo{b.name, b.arn})
		}
	}
	svc.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return struct{ EventBuses []busInfo }{out}, nil
}

func deleteEventBusOp(svc *Service, _ context.Context, in nameRequest) (any, error) {
	return struct{}{}, svc.deleteEventBus(in.Name)
}

func putRuleOp(svc *Service, _ context.Context, in PutRuleInput) (any, error) {
	arn, err := svc.putRule(in)
	if err != nil {
		return nil, err
	}
	return struct{ RuleArn string }{arn}, nil
}

func describeRuleOp(svc *Service, _ context.Context, in ruleRequest) (any, error) {
	svc.mu.RLock()
	_, r, err := svc.rule(busName(in.EventBusName), in.Name)
	svc.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return r.describe(), nil
}

func listRulesOp(svc *Service, _ context.Context, in struct{ NamePrefix, EventBusName string }) (any, error) {
	svc.mu.RLock()
	b, err := svc.bus(busName(in.EventBusName))
	var out []ruleDescription
	if err == nil {
		for _, r := range b.ruleList {
			if strings.HasPrefix(r.name, in.NamePrefix) {
				out = append(out, r.describe())
			}
		}
	}
	svc.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return struct{ Rules []ruleDescription }{out}, nil
}

func deleteRuleOp(svc *Service, _ context.Context, in ruleRequest) (any, error) {
	return struct{}{}, svc.deleteRule(in.EventBusName, in.Name)
}

func putTargetsOp(svc *Service, _ context.Context, in struct {
	Rule, EventBusName string
	Targets            []EventTarget
}) (any, error) {
	if err := svc.putTargets(in.EventBusName, in.Rule, in.Targets); err != nil {
		return nil, err
	}
	return targetsResult{0, []any{}}, nil
}

func listTargetsByRuleOp(svc *Service, _ context.Context, in struct{ Rule, EventBusName string }) (any, error) {
	svc.mu.RLock()
	_, r, err := svc.rule(busName(in.EventBusName), in.Rule)
	svc.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return struct{ Targets []EventTarget }{r.targets}, nil
}

func removeTargetsOp(svc *Service, _ context.Context, in struct {
	Rule, EventBusName string
	Ids                []string
}) (any, error) {
	if _, err := svc.removeTargets(in.EventBusName, in.Rule, in.Ids); err != nil {
		return nil, err
	}
	return targetsResult{0, []any{}}, nil
}

func createArchiveOp(svc *Service, _ context.Context, in CreateArchiveInput) (any, error) {
	a, err := svc.createArchive(in, svc.now())
	if err != nil {
		return nil, err
	}
	return struct {
		ArchiveArn   string             `json:"ArchiveArn"`
		State        string             `json:"State"`
		CreationTime awsproto.EpochTime `json:"CreationTime"`
	}{a.arn, "ENABLED", awsproto.EpochTime(a.created)}, nil
}

func describeArchiveOp(svc *Service, _ context.Context, in archiveRequest) (any, error) {
	return svc.describeArchive(in.ArchiveName)
}

func listArchivesOp(svc *Service, _ context.Context, in struct{ NamePrefix, EventSourceArn string }) (any, error) {
	var out []EventArchiveInfo
	svc.mu.RLock()
	for _, a := range svc.archives {
		if strings.HasPrefix(a.name, in.NamePrefix) && (in.EventSourceArn == "" || in.EventSourceArn == a.source) {
			out = append(out, a.info())
		}
	}
	svc.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ArchiveName < out[j].ArchiveName })
	return struct{ Archives []EventArchiveInfo }{out}, nil
}

func deleteArchiveOp(svc *Service, _ context.Context, in archiveRequest) (any, error) {
	return struct{}{}, svc.deleteArchive(in.ArchiveName)
}
