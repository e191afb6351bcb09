package events

// The Go API: the operations for direct callers (awslocal.Server, tests).
// Errors are *awsproto.Error values with the codes the wire protocol
// reports.

// EventBusARN returns the ARN of the named event bus (a name or an ARN;
// "" is the default bus), whether or not it exists.
func (svc *Service) EventBusARN(name string) string { return svc.busARN(busName(name)) }

// CreateEventBus creates a custom event bus and returns its ARN. The
// "default" bus always exists.
func (svc *Service) CreateEventBus(name string) (string, error) {
	return svc.createEventBus(name, "")
}

// PutRule creates or updates a rule and returns its ARN.
func (svc *Service) PutRule(in PutRuleInput) (string, error) { return svc.putRule(in) }

// PutTargets adds or replaces targets of a rule on a bus ("" for default).
func (svc *Service) PutTargets(bus, rule string, targets ...EventTarget) error {
	return svc.putTargets(bus, rule, targets)
}

// CreateArchive creates an archive of a bus's events and returns its ARN.
func (svc *Service) CreateArchive(in CreateArchiveInput) (string, error) {
	a, err := svc.createArchive(in, svc.now())
	if err != nil {
		return "", err
	}
	return a.arn, nil
}

// DescribeArchive reports an archive, with its event count and size.
func (svc *Service) DescribeArchive(name string) (EventArchiveInfo, error) {
	return svc.describeArchive(name)
}

// PutEvents puts events, returning per-entry results and the failed count.
func (svc *Service) PutEvents(entries ...PutEventsEntry) ([]PutEventsResultEntry, int, error) {
	return svc.putEvents(entries)
}

// DeleteEventBus deletes a custom event bus with its rules; deleting a
// missing bus succeeds.
func (svc *Service) DeleteEventBus(name string) error { return svc.deleteEventBus(busName(name)) }

// DeleteRule removes a rule's targets, then the rule, as a CloudFormation
// stack update does; deleting a missing rule succeeds.
func (svc *Service) DeleteRule(bus, name string) error {
	svc.mu.RLock()
	var ids []string
	if _, r, err := svc.rule(busName(bus), name); err == nil {
		for _, t := range r.targets {
			ids = append(ids, t.ID)
		}
	}
	svc.mu.RUnlock()
	if len(ids) > 0 {
		if _, err := svc.removeTargets(bus, name, ids); err != nil {
			return err
		}
	}
	return svc.deleteRule(bus, name)
}
