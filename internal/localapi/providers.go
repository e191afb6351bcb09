package localapi

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
)

// A provider is what the runner does with one CloudFormation resource type: what the resource
// is called locally (its Ref and Fn::GetAtt attributes, computed for every resource before
// anything is created, so that intrinsics resolve in any order), how it comes to exist
// locally, and, for a type with no local behaviour, why it is skipped. A resource type with no
// provider is a problem reported at start. A new resource type is one entry in providers.
type provider struct {
	// identity names the resource locally; nil gives it an opaque local ID.
	identity func(r *Runner, res *cfn.Resource) (*identity, error)
	// create makes the resource exist locally (a queue, a function, an API); nil when it
	// has nothing to create.
	create func(r *Runner, res *cfn.Resource) error
	// phase orders creation: every resource of a lower phase is created first (a rule's
	// bus before the rule, a function before the API that integrates it).
	phase int
	// first, when set, orders resources within the phase: true ones first (dead-letter
	// queues before the queues that name them).
	first func(res *cfn.Resource) bool
	// skipped says why the type has no local behaviour ("" for a type that has some).
	skipped string
	// remove deletes the resource from the local AWS when a reload's template no longer has
	// it; vals are the identities of the template that had it. nil: nothing to delete.
	remove func(r *Runner, res *cfn.Resource, vals values) error
}

// Creation phases.
const (
	phaseQueues    = iota
	phaseLogGroups // before the rules that deliver to them
	phaseTopics    // after the queues their subscriptions deliver to
	phaseBuses
	phaseBusParts // rules, archives
	phaseMachines
	phasePools // Cognito user pools, before their clients and domains
	phasePoolParts
	phaseFunctions
	phaseStreams
	phaseConfigApps     // AppConfig applications and deployment strategies
	phaseConfigParts    // their environments and configuration profiles
	phaseConfigVersions // hosted configuration versions
	phaseConfigDeploys  // deployments, which name a version by the number it got
	phaseAPIs
	phaseAPIParts // read by their API's loader
	phaseAPIKeys
	phaseUsagePlans
	phaseUsagePlanKeys // a plan's keys, once keys and plans exist
)

// providers are the resource types the runner knows, by type.
var providers = map[string]*provider{
	"AWS::SQS::Queue":                  {identity: queueIdentity, create: (*Runner).createQueue, phase: phaseQueues, first: isDeadLetterQueue, remove: removeQueue},
	"AWS::S3::Bucket":                  {identity: bucketIdentity, create: (*Runner).createBucket, phase: phaseQueues},
	"AWS::Events::EventBus":            {identity: busIdentity, create: (*Runner).createBus, phase: phaseBuses, remove: removeBus},
	"AWS::Events::Rule":                {identity: namedIdentity("Name", 64, "arn:aws:events:%s:%s:rule/%s"), create: (*Runner).createRule, phase: phaseBusParts, remove: removeRule},
	"AWS::Events::Archive":             {identity: namedIdentity("ArchiveName", 48, "arn:aws:events:%s:%s:archive/%s"), create: (*Runner).createArchive, phase: phaseBusParts},
	"AWS::StepFunctions::StateMachine": {identity: machineIdentity, create: (*Runner).createStateMachine, phase: phaseMachines, remove: removeMachine},
	"AWS::SNS::Topic":                  {identity: topicIdentity, create: (*Runner).createTopic, phase: phaseTopics},
	"AWS::SNS::Subscription":           {create: (*Runner).createSubscription, phase: phaseBusParts},
	"AWS::SNS::TopicPolicy":            {skipped: "IAM is not enforced locally"},
	"AWS::Lambda::Function":            {identity: namedIdentity("FunctionName", 64, "arn:aws:lambda:%s:%s:function:%s"), create: (*Runner).createFunction, phase: phaseFunctions},
	"AWS::Logs::LogGroup":              {identity: namedIdentity("LogGroupName", 512, "arn:aws:logs:%s:%s:log-group:%s:*"), create: (*Runner).createLogGroup, phase: phaseLogGroups},

	"AWS::ApiGatewayV2::Api":               {identity: apiIdentity, create: (*Runner).loadHTTPAPI, phase: phaseAPIs},
	"AWS::ApiGatewayV2::Route":             {phase: phaseAPIParts},
	"AWS::ApiGatewayV2::Integration":       {phase: phaseAPIParts},
	"AWS::ApiGatewayV2::Stage":             {identity: stageIdentity, phase: phaseAPIParts},
	"AWS::ApiGateway::RestApi":             {identity: apiIdentity, create: (*Runner).loadRESTAPI, phase: phaseAPIs},
	"AWS::ApiGateway::Resource":            {phase: phaseAPIParts},
	"AWS::ApiGateway::Method":              {phase: phaseAPIParts},
	"AWS::ApiGateway::Model":               {identity: modelIdentity, phase: phaseAPIParts},
	"AWS::ApiGateway::RequestValidator":    {phase: phaseAPIParts},
	"AWS::ApiGateway::Deployment":          {phase: phaseAPIParts},
	"AWS::ApiGateway::Stage":               {identity: stageIdentity, phase: phaseAPIParts},
	"AWS::ApiGateway::GatewayResponse":     {phase: phaseAPIParts},
	"AWS::Cognito::UserPool":               {identity: poolIdentity, create: (*Runner).createUserPool, phase: phasePools},
	"AWS::Cognito::UserPoolClient":         {identity: poolClientIdentity, create: (*Runner).createUserPoolClient, phase: phasePoolParts},
	"AWS::Cognito::UserPoolDomain":         {create: (*Runner).createUserPoolDomain, phase: phasePoolParts},
	"AWS::Cognito::UserPoolResourceServer": {skipped: "a client's scopes are its AllowedOAuthScopes; the resource server only names them"},
	"AWS::ApiGateway::Authorizer":          {phase: phaseAPIParts},
	"AWS::ApiGatewayV2::Authorizer":        {phase: phaseAPIParts},
	"AWS::ApiGateway::ApiKey":              {identity: opaqueIdentity("APIKeyId"), create: (*Runner).createAPIKey, phase: phaseAPIKeys},
	"AWS::ApiGateway::UsagePlan":           {identity: opaqueIdentity("Id"), create: (*Runner).createUsagePlan, phase: phaseUsagePlans},
	"AWS::ApiGateway::UsagePlanKey":        {identity: opaqueIdentity("Id"), create: (*Runner).createUsagePlanKey, phase: phaseUsagePlanKeys},

	"AWS::IAM::Role":             {identity: roleIdentity, skipped: "IAM is not enforced locally"},
	"AWS::IAM::Policy":           {skipped: "IAM is not enforced locally"},
	"AWS::Lambda::Permission":    {skipped: "IAM is not enforced locally"},
	"AWS::SQS::QueuePolicy":      {skipped: "queue policies (enforceSSL) are not enforced on the plain-HTTP local endpoint"},
	"AWS::S3::BucketPolicy":      {skipped: "bucket policies (enforceSSL) are not enforced on the plain-HTTP local endpoint"},
	"AWS::CDK::Metadata":         {skipped: "CDK version reporting"},
	"AWS::CloudFormation::Stack": {identity: nestedStackIdentity, skipped: "a nested stack's resources are served as part of its parent (one whose template is not in the assembly is a problem)"},
	"AWS::ApiGateway::Account":   {skipped: "account settings"},
}

// providerOf is the provider of a resource's type.
func providerOf(res *cfn.Resource) (*provider, error) {
	p, ok := providers[res.Type]
	if !ok && isCustomResource(res) {
		return customResourceProvider, nil
	}
	if !ok {
		return nil, cannot("the local runner emulates "+strings.Join(providedTypes(), ", "), "no local behaviour for this resource type")
	}
	return p, nil
}

func providedTypes() []string {
	var out []string
	for t, p := range providers {
		if p.skipped == "" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// identity is what a resource is called locally: its Ref and its Fn::GetAtt attributes.
type identity struct {
	ref   string
	attrs map[string]string
	// refErr, when set, is why the resource or parameter has no local value: a Ref to it is
	// a problem of the resource that makes it.
	refErr error
}

// values implements cfn.Values over the identities of a template's resources.
type values map[string]*identity

func (v values) Ref(id string) (string, error) {
	i, ok := v[id]
	if !ok {
		return "", fmt.Errorf("no resource %q in the template", id)
	}
	return i.ref, i.refErr
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
//
// A nested stack's resource (logical ID "STACK-RESOURCE", cfn.Assembly.Flatten) keeps its own
// logical ID whole and shortens the nested stack's part, as CloudFormation's names do:
// "NestedApp-ServiceNestedStackServiceNes-GreetFunction1A2B3C".
func physicalName(stack, logicalID string, max int) string {
	n := stack + "-" + logicalID
	if len(n) <= max {
		return n
	}
	if i := strings.LastIndexByte(logicalID, '-'); i >= 0 && len(logicalID)-i < max/2 {
		own := logicalID[i:]
		return (stack + "-" + logicalID[:i])[:max-len(own)] + own
	}
	return n[:max]
}

// literal is a resource's property when it is a plain string in the template.
func literal(res *cfn.Resource, key string) string {
	s, _ := res.Properties[key].(string)
	return s
}

// nameOr is the resource's literal name property, or the name CloudFormation would make.
func (r *Runner) nameOr(res *cfn.Resource, key string, max int) string {
	if s := literal(res, key); s != "" {
		return s
	}
	return physicalName(r.stack, res.LogicalID, max)
}

// namedIdentity is the identity of a resource whose Ref is its name and whose Arn is
// arnFormat with the region, the account and the name.
func namedIdentity(nameKey string, max int, arnFormat string) func(r *Runner, res *cfn.Resource) (*identity, error) {
	return func(r *Runner, res *cfn.Resource) (*identity, error) {
		name := r.nameOr(res, nameKey, max)
		return &identity{ref: name, attrs: map[string]string{"Arn": fmt.Sprintf(arnFormat, r.aws.Region(), r.aws.Account(), name)}}, nil
	}
}

func queueIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := literal(res, "QueueName")
	if name == "" {
		name = physicalName(r.stack, res.LogicalID, 80)
		if fifo, _ := res.Properties["FifoQueue"].(bool); fifo {
			name = physicalName(r.stack, res.LogicalID, 75) + ".fifo"
		}
	}
	url := r.aws.QueueURL(name)
	return &identity{ref: url, attrs: map[string]string{"Arn": r.aws.QueueARN(name), "QueueName": name, "QueueUrl": url}}, nil
}

func busIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := literal(res, "Name")
	if name == "" {
		return nil, cannot("give the bus a literal Name (the CDK's EventBus always does)", "an event bus needs a literal Name")
	}
	return &identity{ref: name, attrs: map[string]string{"Name": name, "Arn": r.aws.EventBusARN(name)}}, nil
}

func machineIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := r.nameOr(res, "StateMachineName", 80)
	arn := r.aws.StateMachineARN(name)
	return &identity{ref: arn, attrs: map[string]string{"Arn": arn, "Name": name}}, nil
}

func roleIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := r.nameOr(res, "RoleName", 64)
	return &identity{ref: name, attrs: map[string]string{"Arn": fmt.Sprintf("arn:aws:iam::%s:role/%s", r.aws.Account(), name), "RoleId": localID(r.stack, res.LogicalID)}}, nil
}

func apiIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	apiID := localID(r.stack, res.LogicalID)
	return &identity{ref: apiID, attrs: map[string]string{
		"ApiId": apiID, "RootResourceId": localID(r.stack, res.LogicalID+"/"),
		"ApiEndpoint": fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", apiID, r.aws.Region()),
	}}, nil
}

// opaqueIdentity is the identity of a resource whose Ref is an ID API Gateway makes, with
// the attribute that repeats it.
func opaqueIdentity(attr string) func(r *Runner, res *cfn.Resource) (*identity, error) {
	return func(r *Runner, res *cfn.Resource) (*identity, error) {
		id := localID(r.stack, res.LogicalID)
		return &identity{ref: id, attrs: map[string]string{attr: id}}, nil
	}
}

func stageIdentity(_ *Runner, res *cfn.Resource) (*identity, error) {
	return &identity{ref: literal(res, "StageName")}, nil
}

// modelIdentity: a model's Ref is its name, which is how methods name their request models.
func modelIdentity(_ *Runner, res *cfn.Resource) (*identity, error) {
	name := literal(res, "Name")
	if name == "" {
		name = res.LogicalID
	}
	return &identity{ref: name}, nil
}

// identities computes every resource's local identity; a resource type with no provider, or
// whose identity cannot be made, is a problem.
func (r *Runner) identities(t *cfn.Template, ps *problems) values {
	vals := values{}
	for _, id := range sortedKeys(t.Resources) {
		res := t.Resources[id]
		p, err := providerOf(res)
		if err != nil {
			ps.add(res, err)
			continue
		}
		i := &identity{ref: localID(r.stack, id)} // resources, methods, routes, deployments: an opaque ID
		if p.identity != nil {
			if i, err = p.identity(r, res); err != nil {
				ps.add(res, err)
				continue
			}
		}
		if i.attrs == nil {
			i.attrs = map[string]string{}
		}
		vals[id] = i
	}
	return vals
}

// createAll creates every resource with something to create, phase by phase; what cannot be
// created is a problem, and creation goes on with the rest so that every problem is found.
func (r *Runner) createAll(t *cfn.Template, ps *problems) {
	byPhase := map[int][]*cfn.Resource{}
	for _, res := range t.Resources {
		if p, ok := providers[res.Type]; ok && p.create != nil && r.vals[res.LogicalID] != nil {
			byPhase[p.phase] = append(byPhase[p.phase], res)
		}
	}
	for _, phase := range sortedKeys(byPhase) {
		list := byPhase[phase]
		sort.Slice(list, func(i, j int) bool { return list[i].LogicalID < list[j].LogicalID })
		if first := providers[list[0].Type].first; first != nil {
			sort.SliceStable(list, func(i, j int) bool { return first(list[i]) && !first(list[j]) })
		}
		for _, res := range list {
			ps.add(res, providers[res.Type].create(r, res))
		}
	}
}

// isCode reports whether err is an awslocal error with the given code.
func isCode(err error, code string) bool {
	var e *awslocal.Error
	return errors.As(err, &e) && e.Code == code
}

// eachResource calls fn with every resource of typ whose resolved properties keep accepts
// (nil: every one), in logical-ID order; fn's errors are problems of that resource.
func (r *Runner) eachResource(t *cfn.Template, typ string, keep func(map[string]any) bool, ps *problems, fn func(*cfn.Resource, map[string]any) error) {
	for _, res := range t.OfType(typ) {
		props, err := r.resolveProps(res)
		if err != nil {
			ps.add(res, err)
			continue
		}
		if keep != nil && !keep(props) {
			continue
		}
		ps.add(res, fn(res, props))
	}
}

// resolveProps resolves a resource's properties.
func (r *Runner) resolveProps(res *cfn.Resource) (map[string]any, error) {
	v, err := r.resolver.Resolve(res.Properties)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}
