package localapi

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
)

// identity is what a resource is called locally: its Ref and its Fn::GetAtt attributes.
type identity struct {
	ref   string
	attrs map[string]string
}

// values implements cfn.Values over the identities of a template's resources.
type values map[string]*identity

func (v values) Ref(id string) (string, error) {
	i, ok := v[id]
	if !ok {
		return "", fmt.Errorf("no resource %q in the template", id)
	}
	return i.ref, nil
}

func (v values) GetAtt(id, attr string) (string, error) {
	i, ok := v[id]
	if !ok {
		return "", fmt.Errorf("no resource %q in the template", id)
	}
	a, ok := i.attrs[attr]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: the local runner does not know that attribute", id, attr)
	}
	return a, nil
}

// localID is a stable, API-Gateway-shaped ID (10 lower-case letters and digits) for a
// logical ID, so URLs and ARNs do not change between runs.
func localID(stack, logicalID string) string {
	sum := sha256.Sum256([]byte(stack + "/" + logicalID))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(b)
}

// physicalName is the name CloudFormation would generate, without its random suffix:
// "Firstclass-TargetsQueue4E5D0920".
func physicalName(stack, logicalID string, max int) string {
	n := stack + "-" + logicalID
	if len(n) > max {
		n = n[:max]
	}
	return n
}

// identities computes every resource's local identity before anything is created, so that
// intrinsics resolve in any order.
func (r *Runner) identities(t *cfn.Template) (values, error) {
	vals := values{}
	acct, region := r.aws.Account(), r.aws.Region()
	static := func(res *cfn.Resource, key string) string {
		s, _ := res.Properties[key].(string)
		return s
	}
	// nameOr is the resource's literal name property, or the name CloudFormation would make.
	nameOr := func(res *cfn.Resource, key string, max int) string {
		if s := static(res, key); s != "" {
			return s
		}
		return physicalName(r.stack, res.LogicalID, max)
	}
	var errs []string
	for id, res := range t.Resources {
		i := &identity{attrs: map[string]string{}}
		switch res.Type {
		case "AWS::SQS::Queue":
			name := static(res, "QueueName")
			if name == "" {
				name = physicalName(r.stack, id, 80)
				if fifo, _ := res.Properties["FifoQueue"].(bool); fifo {
					name = physicalName(r.stack, id, 75) + ".fifo"
				}
			}
			i.ref = r.aws.QueueURL(name)
			i.attrs["Arn"] = r.aws.QueueARN(name)
			i.attrs["QueueName"] = name
			i.attrs["QueueUrl"] = i.ref
		case "AWS::Events::EventBus":
			name := static(res, "Name")
			if name == "" {
				errs = append(errs, fmt.Sprintf("%s: an event bus needs a literal Name", res))
				continue
			}
			i.ref, i.attrs["Name"], i.attrs["Arn"] = name, name, r.aws.EventBusARN(name)
		case "AWS::Events::Rule":
			name := nameOr(res, "Name", 64)
			i.ref = name
			i.attrs["Arn"] = fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", region, acct, name)
		case "AWS::Events::Archive":
			name := nameOr(res, "ArchiveName", 48)
			i.ref = name
			i.attrs["Arn"] = fmt.Sprintf("arn:aws:events:%s:%s:archive/%s", region, acct, name)
		case "AWS::StepFunctions::StateMachine":
			name := nameOr(res, "StateMachineName", 80)
			i.ref = r.aws.StateMachineARN(name)
			i.attrs["Arn"], i.attrs["Name"] = i.ref, name
		case "AWS::Lambda::Function":
			name := nameOr(res, "FunctionName", 64)
			i.ref = name
			i.attrs["Arn"] = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, name)
		case "AWS::Logs::LogGroup":
			name := nameOr(res, "LogGroupName", 512)
			i.ref = name
			i.attrs["Arn"] = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", region, acct, name)
		case "AWS::IAM::Role":
			name := nameOr(res, "RoleName", 64)
			i.ref = name
			i.attrs["Arn"] = fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, name)
			i.attrs["RoleId"] = localID(r.stack, id)
		case "AWS::ApiGatewayV2::Api", "AWS::ApiGateway::RestApi":
			apiID := localID(r.stack, id)
			i.ref = apiID
			i.attrs["ApiId"] = apiID
			i.attrs["RootResourceId"] = localID(r.stack, id+"/")
			i.attrs["ApiEndpoint"] = fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", apiID, region)
		case "AWS::ApiGatewayV2::Stage", "AWS::ApiGateway::Stage":
			i.ref = static(res, "StageName")
		case "AWS::ApiGateway::Model":
			// A model's Ref is its name, which is how methods name their request models.
			i.ref = static(res, "Name")
			if i.ref == "" {
				i.ref = id
			}
		default:
			// Resources, methods, routes, integrations, deployments, policies: an opaque ID.
			i.ref = localID(r.stack, id)
		}
		vals[id] = i
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return vals, nil
}

// ignored are resource types with no local behaviour: permissions are not enforced on
// localhost, and the rest is deploy-time bookkeeping. They are listed so that any other type
// stops the runner instead of being skipped silently.
var ignored = map[string]string{
	"AWS::IAM::Role":           "IAM is not enforced locally",
	"AWS::IAM::Policy":         "IAM is not enforced locally",
	"AWS::Lambda::Permission":  "IAM is not enforced locally",
	"AWS::SQS::QueuePolicy":    "queue policies (enforceSSL) are not enforced on the plain-HTTP local endpoint",
	"AWS::CDK::Metadata":       "CDK version reporting",
	"AWS::ApiGateway::Account": "account settings",
}

// createTargets creates the queues, buses, rules, archives and state machines in awslocal.
func (r *Runner) createTargets(t *cfn.Template) error {
	// Dead-letter queues first: a redrive policy names its queue's ARN.
	queues := t.OfType("AWS::SQS::Queue")
	sort.SliceStable(queues, func(a, b int) bool {
		return !hasRedrive(queues[a]) && hasRedrive(queues[b])
	})
	for _, q := range queues {
		if err := r.createQueue(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, b := range t.OfType("AWS::Events::EventBus") {
		// With a state directory the bus may be there from the last run.
		if _, err := r.aws.CreateEventBus(r.vals[b.LogicalID].ref); err != nil && !isCode(err, "ResourceAlreadyExistsException") {
			return fmt.Errorf("%s: %w", b, err)
		}
	}
	for _, rule := range t.OfType("AWS::Events::Rule") {
		if err := r.createRule(rule); err != nil {
			return fmt.Errorf("%s: %w", rule, err)
		}
	}
	for _, a := range t.OfType("AWS::Events::Archive") {
		if err := r.createArchive(a); err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
	}
	for _, m := range t.OfType("AWS::StepFunctions::StateMachine") {
		if err := r.createStateMachine(m); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	return nil
}

func hasRedrive(q *cfn.Resource) bool { return q.Properties["RedrivePolicy"] != nil }

// queueAttributes maps AWS::SQS::Queue properties to SQS attribute names.
var queueAttributes = map[string]string{
	"DelaySeconds": "DelaySeconds", "MaximumMessageSize": "MaximumMessageSize",
	"MessageRetentionPeriod": "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
	"VisibilityTimeout": "VisibilityTimeout", "FifoQueue": "FifoQueue", "ContentBasedDeduplication": "ContentBasedDeduplication",
	"DeduplicationScope": "DeduplicationScope", "FifoThroughputLimit": "FifoThroughputLimit",
	"RedrivePolicy": "RedrivePolicy", "RedriveAllowPolicy": "RedriveAllowPolicy",
}

// queueIgnored are queue properties without a local meaning.
var queueIgnored = map[string]bool{"QueueName": true, "SqsManagedSseEnabled": true, "KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true, "Tags": true}

func (r *Runner) createQueue(q *cfn.Resource) error {
	props, err := r.resolveProps(q)
	if err != nil {
		return err
	}
	attrs := map[string]string{}
	for k, v := range props {
		name, ok := queueAttributes[k]
		if !ok {
			if queueIgnored[k] {
				continue
			}
			return fmt.Errorf("property %s is not emulated", k)
		}
		switch v := v.(type) {
		case string:
			attrs[name] = v
		case map[string]any:
			b, _ := json.Marshal(v)
			attrs[name] = string(b)
		case float64:
			attrs[name] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			attrs[name] = strconv.FormatBool(v)
		}
	}
	name := r.vals[q.LogicalID].attrs["QueueName"]
	_, err = r.aws.CreateQueue(name, attrs)
	if isCode(err, "QueueAlreadyExists") {
		// From the last run (--state-dir) with other properties: the template wins, as a
		// CloudFormation update would make it, and the messages stay.
		delete(attrs, "FifoQueue")
		return r.aws.SetQueueAttributes(r.aws.QueueURL(name), attrs)
	}
	return err
}

// isCode reports whether err is an awslocal error with the given code.
func isCode(err error, code string) bool {
	var e *awslocal.Error
	return errors.As(err, &e) && e.Code == code
}

func (r *Runner) createRule(rule *cfn.Resource) error {
	props, err := r.resolveProps(rule)
	if err != nil {
		return err
	}
	if props["ScheduleExpression"] != nil {
		return fmt.Errorf("scheduled rules are not emulated")
	}
	bus, _ := props["EventBusName"].(string)
	if bus == "" {
		bus = "default"
	}
	if strings.HasPrefix(bus, "arn:") {
		bus = bus[strings.LastIndex(bus, "/")+1:]
	}
	pattern, err := json.Marshal(props["EventPattern"])
	if err != nil {
		return err
	}
	name := r.vals[rule.LogicalID].ref
	state, _ := props["State"].(string)
	if _, err := r.aws.PutRule(awslocal.PutRuleInput{Name: name, EventBusName: bus, EventPattern: string(pattern), State: state}); err != nil {
		return err
	}
	var targets []awslocal.EventTarget
	list, _ := props["Targets"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		t := awslocal.EventTarget{}
		t.ID, _ = m["Id"].(string)
		t.Arn, _ = m["Arn"].(string)
		t.Input, _ = m["Input"].(string)
		t.InputPath, _ = m["InputPath"].(string)
		if it, ok := m["InputTransformer"].(map[string]any); ok {
			tr := &awslocal.EventInputTransformer{InputPathsMap: map[string]string{}}
			tr.InputTemplate, _ = it["InputTemplate"].(string)
			if paths, ok := it["InputPathsMap"].(map[string]any); ok {
				for k, v := range paths {
					tr.InputPathsMap[k], _ = v.(string)
				}
			}
			t.InputTransformer = tr
		}
		targets = append(targets, t)
	}
	if len(targets) > 0 {
		return r.aws.PutTargets(bus, name, targets...)
	}
	return nil
}

func (r *Runner) createArchive(a *cfn.Resource) error {
	props, err := r.resolveProps(a)
	if err != nil {
		return err
	}
	in := awslocal.CreateArchiveInput{ArchiveName: r.vals[a.LogicalID].ref}
	in.EventSourceArn, _ = props["SourceArn"].(string)
	if p := props["EventPattern"]; p != nil {
		b, _ := json.Marshal(p)
		in.EventPattern = string(b)
	}
	if d, ok := props["RetentionDays"].(float64); ok {
		in.RetentionDays = int(d)
	}
	_, err = r.aws.CreateArchive(in)
	if isCode(err, "ResourceAlreadyExistsException") {
		return nil // from the last run (--state-dir), with its events
	}
	return err
}

func (r *Runner) createStateMachine(m *cfn.Resource) error {
	props, err := r.resolveProps(m)
	if err != nil {
		return err
	}
	def, _ := props["DefinitionString"].(string)
	if obj, ok := props["Definition"]; ok && def == "" {
		b, _ := json.Marshal(obj)
		def = string(b)
	}
	if def == "" {
		return fmt.Errorf("no DefinitionString or Definition (a definition in S3 is not emulated)")
	}
	if subs, ok := props["DefinitionSubstitutions"].(map[string]any); ok {
		for k, v := range subs {
			def = strings.ReplaceAll(def, "${"+k+"}", fmt.Sprint(v))
		}
	}
	typ, _ := props["StateMachineType"].(string)
	if typ == "" {
		typ = "STANDARD"
	}
	_, err = r.aws.CreateStateMachine(awslocal.CreateStateMachineInput{
		Name: r.vals[m.LogicalID].attrs["Name"], Definition: def, Type: typ,
	})
	if isCode(err, "StateMachineAlreadyExists") {
		return fmt.Errorf("the state directory (--state-dir %s) holds this state machine with another definition or type; the local runner does not update state machines: start with an empty --state-dir", r.opts.StateDir)
	}
	return err
}

// eachResource calls fn with every resource of typ whose resolved properties keep accepts
// (nil: every one), in logical-ID order, and stops at the first error.
func (r *Runner) eachResource(t *cfn.Template, typ string, keep func(map[string]any) bool, fn func(*cfn.Resource, map[string]any) error) error {
	for _, res := range t.OfType(typ) {
		props, err := r.resolveProps(res)
		if err != nil {
			return fmt.Errorf("%s: %w", res, err)
		}
		if keep != nil && !keep(props) {
			continue
		}
		if err := fn(res, props); err != nil {
			return err
		}
	}
	return nil
}

// resolveProps resolves a resource's properties.
func (r *Runner) resolveProps(res *cfn.Resource) (map[string]any, error) {
	v, err := r.resolver.Resolve(res.Properties)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}
