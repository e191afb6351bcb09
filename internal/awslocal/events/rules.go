package events

import (
	"regexp"
	"strings"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// PutRuleInput is a PutRule request.
type PutRuleInput struct {
	Name               string `json:"Name"`
	EventBusName       string `json:"EventBusName,omitempty"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
}

func (svc *Service) putRule(in PutRuleInput) (string, error) {
	if !eventsNameRE.MatchString(in.Name) {
		return "", errEventsValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return "", errEventsValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	compiled, perr := compileEventPattern(in.EventPattern)
	if perr != nil {
		return "", perr
	}
	state := in.State
	if state == "" {
		state = "ENABLED"
	}
	if state != "ENABLED" && state != "DISABLED" && state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
		return "", errEventsValidation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", state)
	}
	bn := busName(in.EventBusName)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	b, err := svc.bus(bn)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return "", err
	}
	r := &eventRule{name: in.Name, arn: svc.ruleARN(bn, in.Name), bus: bn, pattern: in.EventPattern, compiled: compiled,
		state: state, description: in.Description, schedule: in.ScheduleExpression, roleArn: in.RoleArn}
	if old := b.rules[in.Name]; old != nil {
		r.targets = old.targets
	}
	b.rules[in.Name] = r
	svc.rebuild(b)
	in.EventBusName = bn
	in.State = state
	seq := svc.store.Append(recPutRule, in)
	svc.mu.Unlock()
	unlock()
	return r.arn, svc.store.Wait(seq)
}

func (svc *Service) rule(bus, name string) (*eventBus, *eventRule, *awsproto.Error) {
	b, err := svc.bus(bus)
	if err != nil {
		return nil, nil, err
	}
	r := b.rules[name]
	if r == nil {
		return nil, nil, errEventsNotFound("Rule %s does not exist on EventBus %s.", name, bus)
	}
	return b, r, nil
}

var inputPlaceholderRE = regexp.MustCompile(`<([^<>]*)>`)

var predefinedPlaceholders = map[string]bool{
	"aws.events.rule-arn": true, "aws.events.rule-name": true, "aws.events.event.ingestion-time": true,
	"aws.events.event": true, "aws.events.event.json": true,
}

func validateTarget(t *EventTarget) *awsproto.Error {
	if t.ID == "" || t.Arn == "" {
		return errEventsValidation("Target Id and Arn are required.")
	}
	n := 0
	if t.Input != "" {
		n++
		if _, err := jsonvalue.Decode([]byte(t.Input)); err != nil {
			return errEventsValidation("Input for target %s is not valid JSON text.", t.ID)
		}
	}
	if t.InputPath != "" {
		n++
		if _, err := jsonvalue.ParsePath(t.InputPath); err != nil {
			return errEventsValidation("InputPath for target %s is invalid: %v", t.ID, err)
		}
	}
	if t.InputTransformer != nil {
		n++
		it := t.InputTransformer
		if len(it.InputPathsMap) > 100 {
			return errEventsValidation("InputPathsMap for target %s has more than 100 entries.", t.ID)
		}
		for k, p := range it.InputPathsMap {
			if strings.HasPrefix(k, "aws.") || predefinedPlaceholders[k] {
				return errEventsValidation("Input template key %s for target %s is reserved.", k, t.ID)
			}
			if _, err := jsonvalue.ParsePath(p); err != nil {
				return errEventsValidation("Invalid InputPathsMap[%s] for target %s: %v", k, t.ID, err)
			}
		}
		for _, m := range inputPlaceholderRE.FindAllStringSubmatch(it.InputTemplate, -1) {
			if _, ok := it.InputPathsMap[m[1]]; !ok && !predefinedPlaceholders[m[1]] {
				return errEventsValidation("InputTemplate for target %s contains invalid placeholder %s.", t.ID, m[1])
			}
		}
	}
	if n > 1 {
		return errEventsValidation("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", t.ID)
	}
	return nil
}

func (svc *Service) putTargets(bus, ruleName string, targets []EventTarget) error {
	if len(targets) == 0 || len(targets) > 10 {
		return errEventsValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	for i := range targets {
		if err := validateTarget(&targets[i]); err != nil {
			return err
		}
	}
	bn := busName(bus)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	b, r, err := svc.rule(bn, ruleName)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return err
	}
	for i := range targets {
		if err := svc.CheckTarget(targets[i].Arn); err != nil {
			svc.mu.Unlock()
			unlock()
			return errEventsValidation("Target %s: %v.", targets[i].ID, err)
		}
	}
	merged := append([]EventTarget(nil), r.targets...)
	for _, t := range targets {
		replaced := false
		for i := range merged {
			if merged[i].ID == t.ID {
				merged[i] = t
				replaced = true
			}
		}
		if !replaced {
			merged = append(merged, t)
		}
	}
	if len(merged) > 5 {
		svc.mu.Unlock()
		unlock()
		return &awsproto.Error{Code: "LimitExceededException", Message: "The requested resource exceeds the maximum number allowed."}
	}
	nr := *r
	nr.targets = merged
	b.rules[ruleName] = &nr
	svc.rebuild(b)
	seq := svc.store.Append(recPutTargets, targetsRecord{Bus: bn, Rule: ruleName, Targets: targets})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

func (svc *Service) removeTargets(bus, ruleName string, ids []string) ([]string, error) {
	bn := busName(bus)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	b, r, err := svc.rule(bn, ruleName)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return nil, err
	}
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	var kept []EventTarget
	var removed []string
	for _, t := range r.targets {
		if drop[t.ID] {
			removed = append(removed, t.ID)
			continue
		}
		kept = append(kept, t)
	}
	nr := *r
	nr.targets = kept
	b.rules[ruleName] = &nr
	svc.rebuild(b)
	seq := svc.store.Append(recRemoveTargets, removeTargetsRecord{Bus: bn, Rule: ruleName, IDs: ids})
	svc.mu.Unlock()
	unlock()
	return removed, svc.store.Wait(seq)
}

func (svc *Service) deleteRule(bus, name string) error {
	bn := busName(bus)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	b, r, err := svc.rule(bn, name)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		if err.Code == "ResourceNotFoundException" && strings.HasPrefix(err.Message, "Rule") {
			return nil // deleting a missing rule succeeds
		}
		return err
	}
	if len(r.targets) > 0 {
		svc.mu.Unlock()
		unlock()
		return errEventsValidation("Rule can't be deleted since it has targets.")
	}
	delete(b.rules, name)
	svc.rebuild(b)
	seq := svc.store.Append(recDeleteRule, ruleRef{Bus: bn, Rule: name})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}
