package localapi

import (
	"errors"
	"fmt"
	"strings"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
)

// The targets: queues, buses with their rules and archives, and state machines, created in the
// local AWS from their typed properties.

// queueProps are AWS::SQS::Queue's properties.
type queueProps struct {
	QueueName                     string   `json:"QueueName"`
	DelaySeconds                  scalar   `json:"DelaySeconds"`
	MaximumMessageSize            scalar   `json:"MaximumMessageSize"`
	MessageRetentionPeriod        scalar   `json:"MessageRetentionPeriod"`
	ReceiveMessageWaitTimeSeconds scalar   `json:"ReceiveMessageWaitTimeSeconds"`
	VisibilityTimeout             scalar   `json:"VisibilityTimeout"`
	FifoQueue                     scalar   `json:"FifoQueue"`
	ContentBasedDeduplication     scalar   `json:"ContentBasedDeduplication"`
	DeduplicationScope            scalar   `json:"DeduplicationScope"`
	FifoThroughputLimit           scalar   `json:"FifoThroughputLimit"`
	RedrivePolicy                 jsonText `json:"RedrivePolicy"`
	RedriveAllowPolicy            jsonText `json:"RedriveAllowPolicy"`
	// Encryption has no local meaning: the local queue holds messages in memory or in the
	// state directory, unencrypted.
	SqsManagedSseEnabled         ignored `json:"SqsManagedSseEnabled"`
	KmsMasterKeyId               ignored `json:"KmsMasterKeyId"`
	KmsDataKeyReusePeriodSeconds ignored `json:"KmsDataKeyReusePeriodSeconds"`
	Tags                         ignored `json:"Tags"`
}

// attributes are the queue's SQS attributes, by CreateQueue's names.
func (p *queueProps) attributes() map[string]string {
	out := map[string]string{}
	set := func(name, v string) {
		if v != "" {
			out[name] = v
		}
	}
	set("DelaySeconds", string(p.DelaySeconds))
	set("MaximumMessageSize", string(p.MaximumMessageSize))
	set("MessageRetentionPeriod", string(p.MessageRetentionPeriod))
	set("ReceiveMessageWaitTimeSeconds", string(p.ReceiveMessageWaitTimeSeconds))
	set("VisibilityTimeout", string(p.VisibilityTimeout))
	set("FifoQueue", string(p.FifoQueue))
	set("ContentBasedDeduplication", string(p.ContentBasedDeduplication))
	set("DeduplicationScope", string(p.DeduplicationScope))
	set("FifoThroughputLimit", string(p.FifoThroughputLimit))
	set("RedrivePolicy", string(p.RedrivePolicy))
	set("RedriveAllowPolicy", string(p.RedriveAllowPolicy))
	return out
}

func isDeadLetterQueue(q *cfn.Resource) bool { return q.Properties["RedrivePolicy"] == nil }

func (r *Runner) createQueue(res *cfn.Resource) error {
	var p queueProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	attrs := p.attributes()
	name := r.vals[res.LogicalID].attrs["QueueName"]
	_, err := r.aws.CreateQueue(name, attrs)
	if isCode(err, "QueueAlreadyExists") {
		// From the last run (--state-dir) with other properties: the template wins, as a
		// CloudFormation update would make it, and the messages stay.
		delete(attrs, "FifoQueue")
		return r.aws.SetQueueAttributes(r.aws.QueueURL(name), attrs)
	}
	return err
}

// busProps are AWS::Events::EventBus's properties.
type busProps struct {
	Name             string  `json:"Name"`
	Description      ignored `json:"Description"`
	Tags             ignored `json:"Tags"`
	KmsKeyIdentifier ignored `json:"KmsKeyIdentifier"`
	DeadLetterConfig ignored `json:"DeadLetterConfig"`
	LogConfig        ignored `json:"LogConfig"`
}

func (r *Runner) createBus(res *cfn.Resource) error {
	var p busProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	// With a state directory the bus may be there from the last run.
	if _, err := r.aws.CreateEventBus(r.vals[res.LogicalID].ref); err != nil && !isCode(err, "ResourceAlreadyExistsException") {
		return err
	}
	return nil
}

// ruleProps are AWS::Events::Rule's properties.
type ruleProps struct {
	Name               string       `json:"Name"`
	EventBusName       string       `json:"EventBusName"`
	EventPattern       jsonText     `json:"EventPattern"`
	ScheduleExpression string       `json:"ScheduleExpression"`
	State              string       `json:"State"`
	Targets            []ruleTarget `json:"Targets"`
	Description        ignored      `json:"Description"`
	RoleArn            ignored      `json:"RoleArn"`
}

// ruleTarget is one of a rule's Targets.
type ruleTarget struct {
	Id               string `json:"Id"`
	Arn              string `json:"Arn"`
	Input            string `json:"Input"`
	InputPath        string `json:"InputPath"`
	InputTransformer *struct {
		InputPathsMap map[string]string `json:"InputPathsMap"`
		InputTemplate string            `json:"InputTemplate"`
	} `json:"InputTransformer"`
	SqsParameters *struct {
		MessageGroupId string `json:"MessageGroupId"`
	} `json:"SqsParameters"`
	// Delivery settings with no local meaning: the local bus delivers at once, in process.
	RoleArn          ignored `json:"RoleArn"`
	DeadLetterConfig ignored `json:"DeadLetterConfig"`
	RetryPolicy      ignored `json:"RetryPolicy"`
}

func (r *Runner) createRule(res *cfn.Resource) error {
	var p ruleProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	if p.ScheduleExpression != "" {
		return cannot("run the rule's target yourself, or give the rule an EventPattern", "scheduled rules are not emulated")
	}
	bus := p.EventBusName
	if bus == "" {
		bus = "default"
	}
	if strings.HasPrefix(bus, "arn:") {
		bus = bus[strings.LastIndex(bus, "/")+1:]
	}
	pattern := string(p.EventPattern)
	if pattern == "" {
		pattern = "null"
	}
	name := r.vals[res.LogicalID].ref
	if _, err := r.aws.PutRule(awslocal.PutRuleInput{Name: name, EventBusName: bus, EventPattern: pattern, State: p.State}); err != nil {
		return err
	}
	var targets []awslocal.EventTarget
	var unsupported []error
	for _, x := range p.Targets {
		if err := r.aws.CheckEventTarget(x.Arn); err != nil {
			unsupported = append(unsupported, cannot("remove the target for local runs, or test it in AWS", "target %s (%s): %v", x.Id, x.Arn, err))
			continue
		}
		t := awslocal.EventTarget{ID: x.Id, Arn: x.Arn, Input: x.Input, InputPath: x.InputPath}
		if x.SqsParameters != nil {
			t.SqsParameters = &struct {
				MessageGroupId string `json:"MessageGroupId,omitempty"`
			}{x.SqsParameters.MessageGroupId}
		}
		if it := x.InputTransformer; it != nil {
			t.InputTransformer = &awslocal.EventInputTransformer{InputPathsMap: it.InputPathsMap, InputTemplate: it.InputTemplate}
			if t.InputTransformer.InputPathsMap == nil {
				t.InputTransformer.InputPathsMap = map[string]string{}
			}
		}
		targets = append(targets, t)
	}
	if len(unsupported) > 0 {
		return errors.Join(unsupported...)
	}
	if len(targets) > 0 {
		return r.aws.PutTargets(bus, name, targets...)
	}
	return nil
}

// logGroupProps are AWS::Logs::LogGroup's properties.
type logGroupProps struct {
	LogGroupName         string  `json:"LogGroupName"`
	RetentionInDays      scalar  `json:"RetentionInDays"`
	KmsKeyId             ignored `json:"KmsKeyId"`
	LogGroupClass        ignored `json:"LogGroupClass"`
	DataProtectionPolicy ignored `json:"DataProtectionPolicy"`
	Tags                 ignored `json:"Tags"`
}

// createLogGroup creates the group in the local CloudWatch Logs, where rule targets write and
// `aws logs filter-log-events` reads. (A stage's access log lines go to their own file.)
func (r *Runner) createLogGroup(res *cfn.Resource) error {
	var p logGroupProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	days := 0
	if d, ok := p.RetentionInDays.number(); ok {
		days = int(d)
	}
	err := r.aws.CreateLogGroup(r.vals[res.LogicalID].ref, days)
	if isCode(err, "ResourceAlreadyExistsException") {
		return nil // from the last run (--state-dir), with its events
	}
	return err
}

// archiveProps are AWS::Events::Archive's properties.
type archiveProps struct {
	ArchiveName      string   `json:"ArchiveName"`
	SourceArn        string   `json:"SourceArn"`
	EventPattern     jsonText `json:"EventPattern"`
	RetentionDays    scalar   `json:"RetentionDays"`
	Description      ignored  `json:"Description"`
	KmsKeyIdentifier ignored  `json:"KmsKeyIdentifier"`
}

func (r *Runner) createArchive(res *cfn.Resource) error {
	var p archiveProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	in := awslocal.CreateArchiveInput{ArchiveName: r.vals[res.LogicalID].ref, EventSourceArn: p.SourceArn, EventPattern: string(p.EventPattern)}
	if d, ok := p.RetentionDays.number(); ok {
		in.RetentionDays = int(d)
	}
	_, err := r.aws.CreateArchive(in)
	if isCode(err, "ResourceAlreadyExistsException") {
		return nil // from the last run (--state-dir), with its events
	}
	return err
}

// machineProps are AWS::StepFunctions::StateMachine's properties.
type machineProps struct {
	StateMachineName        string            `json:"StateMachineName"`
	StateMachineType        string            `json:"StateMachineType"`
	DefinitionString        string            `json:"DefinitionString"`
	Definition              jsonText          `json:"Definition"`
	DefinitionSubstitutions map[string]scalar `json:"DefinitionSubstitutions"`
	RoleArn                 ignored           `json:"RoleArn"`
	LoggingConfiguration    ignored           `json:"LoggingConfiguration"`
	TracingConfiguration    ignored           `json:"TracingConfiguration"`
	EncryptionConfiguration ignored           `json:"EncryptionConfiguration"`
	Tags                    ignored           `json:"Tags"`
}

// checkTasks is one problem for each Task state of a definition the local Step Functions
// cannot run, wherever it is (Parallel branches, Map iterators), so that every one is reported
// at start rather than as a failed execution later.
func (r *Runner) checkTasks(def string) error {
	list, err := r.aws.UnsupportedTasks(def)
	if err != nil {
		return err // an invalid definition: CreateStateMachine says so
	}
	var errs []error
	for _, u := range list {
		fix := "run this state in AWS, or replace it for local runs"
		if u.Supported != "" {
			fix = "the local Step Functions runs " + u.Supported
		}
		errs = append(errs, cannot(fix, "Task state %s: resource %s: %s", u.State, u.Resource, u.Why))
	}
	return errors.Join(errs...)
}

func (r *Runner) createStateMachine(res *cfn.Resource) error {
	if res.Properties["DefinitionS3Location"] != nil {
		return cannot("inline the definition (DefinitionBody.fromFile or fromChainable)", "a definition in S3 is not emulated")
	}
	var p machineProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	def := p.DefinitionString
	if def == "" {
		def = string(p.Definition)
	}
	if def == "" {
		return fmt.Errorf("no DefinitionString or Definition")
	}
	for k, v := range p.DefinitionSubstitutions {
		def = strings.ReplaceAll(def, "${"+k+"}", string(v))
	}
	if err := r.checkTasks(def); err != nil {
		return err
	}
	typ := p.StateMachineType
	if typ == "" {
		typ = "STANDARD"
	}
	in := awslocal.CreateStateMachineInput{Name: r.vals[res.LogicalID].attrs["Name"], Definition: def, Type: typ}
	_, err := r.aws.CreateStateMachine(in)
	if isCode(err, "StateMachineAlreadyExists") {
		// From the last generation (Reload) or the last run (--state-dir) with another
		// definition: updated, as a CloudFormation update does; its executions stay.
		if err := r.aws.UpdateStateMachine(in); err != nil {
			return cannot("start with an empty --state-dir, or restart the runner", "the local AWS holds this state machine with another type: %v", err)
		}
		return nil
	}
	return err
}

// The removers delete a target a reload's template no longer has.

func removeQueue(r *Runner, res *cfn.Resource, vals values) error {
	return r.aws.DeleteQueue(vals[res.LogicalID].ref)
}

func removeBus(r *Runner, res *cfn.Resource, vals values) error {
	return r.aws.DeleteEventBus(vals[res.LogicalID].ref)
}

func removeRule(r *Runner, res *cfn.Resource, vals values) error {
	bus := "default"
	if v, err := (&cfn.Resolver{Values: vals, Pseudo: r.resolver.Pseudo}).String(res.Properties["EventBusName"]); err == nil && v != "" {
		bus = v[strings.LastIndex(v, "/")+1:]
	}
	return r.aws.DeleteRule(bus, vals[res.LogicalID].ref)
}

func removeMachine(r *Runner, res *cfn.Resource, vals values) error {
	return r.aws.DeleteStateMachine(vals[res.LogicalID].ref)
}
