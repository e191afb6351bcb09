package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Target is a backend resource that routes send to, by the name the app's constructs give it
// ("queue"), with what it does with every request that is billed besides the call itself.
type Target struct {
	// Name is how api/ finds the target's constructs, and how routes name it.
	Name string
	// Kind says what resource it is; api/ checks that the construct of that name is one.
	Kind TargetKind
	// Deliveries are the calls the target makes on its own for every request it gets: an
	// event bus's rules delivering each event to an SQS queue.
	Deliveries []Copy
	// Archived says an event bus archives every event it gets.
	Archived bool
}

func (t Target) String() string { return t.Name }

// Copy is one call a target makes on its own for every request: Via names what receives it
// ("audit queue"), Action is the IAM action of the call ("sqs:SendMessage").
type Copy struct {
	Via    string
	Action string
}

// TargetKind is the kind of resource a target is.
type TargetKind string

// The target kinds firstclass deploys.
const (
	Queue               TargetKind = "sqs-queue"
	EventBus            TargetKind = "event-bus"
	StateMachine        TargetKind = "state-machine"         // STANDARD
	ExpressStateMachine TargetKind = "express-state-machine" // EXPRESS
	Function            TargetKind = "lambda-function"
	Stream              TargetKind = "kinesis-stream"
	// HostedConfiguration is an AppConfig hosted configuration profile, deployed to one
	// environment of one application.
	HostedConfiguration TargetKind = "appconfig-hosted-configuration"
)

// Attr names an attribute of a route's target that an integration needs at deploy time, such
// as the queue URL. The CDK layer fills it with a CloudFormation token; the local runner with
// a local URL or ARN.
type Attr string

const (
	QueueURL        Attr = "QueueUrl"
	EventBusName    Attr = "EventBusName"
	StateMachineArn Attr = "StateMachineArn"
	StreamName      Attr = "StreamName"
	// The AppConfig IDs of a hosted configuration's application, environment and profile.
	ApplicationID          Attr = "ApplicationId"
	EnvironmentID          Attr = "EnvironmentId"
	ConfigurationProfileID Attr = "ConfigurationProfileId"
)

// Value is one integration request parameter: a parameter-mapping expression (static text,
// "$request.body", "$context.requestId", …) or an attribute of the route's target.
type Value struct {
	Expr string
	Attr Attr
}

// Expr is a parameter-mapping value such as "$request.body" or "static text".
func Expr(s string) Value { return Value{Expr: s} }

// Of is the route target's attribute a.
func Of(a Attr) Value { return Value{Attr: a} }

func (v Value) String() string {
	if v.Attr != "" {
		return "<" + string(v.Attr) + ">"
	}
	return v.Expr
}

// HTTPIntegration is how the HTTP API integrates a route.
type HTTPIntegration struct {
	// Subtype is the first-class integration subtype ("SQS-SendMessage", …), or "" for a
	// Lambda proxy integration with payload format 2.0.
	Subtype string
	// Parameters is the request parameter mapping. A custom mapping replaces every default of
	// the CDK integration, so the target's own parameter (QueueUrl, …) must be listed too.
	Parameters map[string]Value
	// Base64Body says the client sends the body base64-encoded: the subtype passes it
	// verbatim into a member that is a base64 blob on the service's wire (Kinesis-PutRecord's
	// Data), so what a consumer reads is the decoded body. Samples and the bench encode it.
	Base64Body bool
}

// RESTIntegration is how the REST API integrates a route.
type RESTIntegration struct {
	// Service is the AWS service of an AwsIntegration ("sqs", "events", "states"), or
	// "lambda" for a Lambda custom (non-proxy) integration with the route's function.
	Service string
	// Action is the service action the integration calls ("PutEvents", …); its role may do
	// that one action on the target.
	Action string
	// QueueInPath makes an SQS integration path-style ("ACCOUNT/QUEUE_NAME", the action in
	// the form body) rather than action-style.
	QueueInPath bool
	// PathStyle makes the integration path-style with the target's REST path (a REST-JSON
	// service such as AppConfig, whose operations are a method and a path), the action only
	// naming the IAM permission.
	PathStyle bool
	// Method is the integration's HTTP method, "" for POST.
	Method string
	// Headers are static integration request headers, such as the Content-Type a service
	// protocol needs.
	Headers map[string]string
	// RequestTemplate is the file name of the application/json request template under
	// api/templates. In it, %QueueUrl%, %EventBusName%, %StateMachineArn% and %StreamName%
	// stand for the target's attributes.
	RequestTemplate string
	// ResponseTemplate is the file name of the 200 response template, "" to pass the
	// integration's body through.
	ResponseTemplate string
	// Errors maps integration errors to method responses, in order.
	Errors []ErrorResponse
	// ValidateBody makes the REST API reject a body that is not a JSON object with a 400,
	// before the integration is called.
	ValidateBody bool
	// RequestParameters declares method request parameters and whether each is required,
	// as "method.request.querystring.greeter": false.
	RequestParameters map[string]bool
}

// ErrorResponse is one integration response for errors.
type ErrorResponse struct {
	// SelectionPattern is matched against the Lambda errorMessage (Lambda custom
	// integrations) or the backend status code (AWS integrations).
	SelectionPattern string
	StatusCode       int
	// Template is the file name of the response template, "" to pass the body through.
	Template string
}

// Sample is the request the bench and the end-to-end tests send to a route.
type Sample struct {
	PathParams map[string]string // values for the route's {params}
	Query      string            // raw query string, without "?"
	Headers    map[string]string // headers the request sends besides Content-Type
	Body       string            // JSON body; "" for none
	// Needs is a request sent first, on the same API and stage, whose JSON answer gives
	// this sample a value it cannot know in advance: a stop needs a running execution.
	Needs *SampleNeed
}

// SampleNeed is the request a sample sends first and what it takes from the answer.
type SampleNeed struct {
	// Route is the route of the table whose sample is sent first ("StartWorkflow").
	Route string
	// Body replaces that route's sample body, "" to keep it (an execution asked to wait).
	Body string
	// Query replaces that route's sample query string, "" to keep it (receive one message).
	Query string
	// Field is the member of its 2xx answer to take ("executionArn"): the first member of
	// that name at any depth of a JSON answer, or the first element of that name in an XML
	// one (SQS's query protocol: "ReceiptHandle").
	Field string
	// Header is the header of this sample that carries the value ("X-Execution-Arn").
	Header string
	// WhenMissing, when set, says why an answer without Field is no failure of either route
	// and what to do (a receive of an empty queue has no handle to delete): the sample is
	// not sent and says so. Without it such an answer fails the sample.
	WhenMissing string
}

// Delivery says how the bench proves that a request a route accepted arrived, and where it
// puts the request's bench id so that the probe can find it. The id always goes in the body
// of a route that has one.
type Delivery struct {
	// Probe names one of the bench's probes: ProbeQueue, ProbeExecutions, ProbeResponse,
	// ProbeSyncExecution.
	Probe string
	// Output is the stack output the probe reads: the queue's URL, the state machine's ARN.
	Output string
	// Via is how reports name what the probe reads ("EventBridge events" on an audit
	// queue), when the probe's own name would mislead; "" for the probe's.
	Via string
	// IDHeader is a header that carries the id too, when the target names what it creates
	// from it (X-Execution-Name is mapped to the execution's name).
	IDHeader string
	// IDQuery is the query parameter that carries the id of a route without a body; the
	// default is "benchId".
	IDQuery string
	// InputHeader is the header each request carries the input its probe prepared for it
	// in (the ARN of the execution to stop), for a probe that prepares one.
	InputHeader string
}

// The bench's probes.
const (
	// ProbeQueue receives the queue at Output until every accepted id is found in a
	// message body (an SQS message, or an EventBridge event copied to an audit queue).
	ProbeQueue = "queue"
	// ProbeExecutions lists the executions of the STANDARD state machine at Output and
	// finds each accepted id as an execution's name.
	ProbeExecutions = "executions"
	// ProbeResponse finds the id in the 2xx response's body: the answer itself proves the
	// delivery (a Lambda function echoing it).
	ProbeResponse = "response"
	// ProbeSyncExecution reads a StartSyncExecution answer: SUCCEEDED, with the id in the
	// execution's output.
	ProbeSyncExecution = "sync-execution"
)

// Route is one route served by both APIs.
type Route struct {
	// Name is the route's public identity: construct IDs (and so CloudFormation logical
	// IDs) and report labels derive from it. Renaming it replaces resources.
	Name   string
	Method string // "GET", "POST", …
	Path   string // "/events/{source}/{detailType}"
	Target Target
	HTTP   HTTPIntegration
	REST   RESTIntegration
	Sample Sample
	// Delivery is how the bench finds an accepted request downstream; the zero value skips
	// the check for the route.
	Delivery Delivery
	// Refusal is the error code of a 4xx answer that is the service refusing the request as
	// it documents, not a failure of the route ("PurgeQueueInProgress": one purge a minute).
	// --try reports such an answer as refused, not failed (the second API kind's sample purge
	// is); the bench counts it as an error that is a refusal (Result.Refused).
	Refusal string
}

// Refused reports whether an answer with this status and body is the documented refusal
// whose error code is refusal (Route.Refusal; "" refuses nothing): a 4xx naming the code, as
// the service's error passes through each API kind.
func Refused(refusal string, status int, body string) bool {
	return refusal != "" && status >= 400 && status < 500 && strings.Contains(body, refusal)
}

// Key is the HTTP API route key, "POST /queue".
func (r Route) Key() string { return r.Method + " " + r.Path }

// PathParams lists the route's {params} in order, without braces and "+".
func (r Route) PathParams() []string {
	var out []string
	for _, seg := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "+"))
		}
	}
	return out
}

// SamplePath is the route's path with the sample's path parameters filled in.
func (r Route) SamplePath() string {
	p := r.Path
	for k, v := range r.Sample.PathParams {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

// Table is an ordered set of routes.
type Table []Route

// Lookup finds a route by name.
func (t Table) Lookup(name string) (Route, bool) {
	for _, r := range t {
		if r.Name == name {
			return r, true
		}
	}
	return Route{}, false
}

// Names lists the route names in table order.
func (t Table) Names() []string {
	out := make([]string, len(t))
	for i, r := range t {
		out[i] = r.Name
	}
	return out
}

var (
	nameRE  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	pathRE  = regexp.MustCompile(`^(/([A-Za-z0-9._-]+|\{[A-Za-z][A-Za-z0-9_]*\}))+$`)
	methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}
)

// Check reports structural mistakes in the table: names, methods, paths, duplicate routes and
// sample requests that do not fit their route. Parameter mappings and templates are checked
// by their own languages (internal/mapping, internal/vtl) where the table is built.
func (t Table) Check() error {
	var errs []string
	seenName := map[string]bool{}
	seenKey := map[string]bool{}
	for _, r := range t {
		where := fmt.Sprintf("route %q", r.Name)
		switch {
		case !nameRE.MatchString(r.Name):
			errs = append(errs, where+": name must be an upper-camel-case identifier (it makes CloudFormation logical IDs), like \"SendToQueue\"")
		case seenName[r.Name]:
			errs = append(errs, where+": name used twice; names make logical IDs and must be unique")
		}
		seenName[r.Name] = true
		if !methods[r.Method] {
			errs = append(errs, fmt.Sprintf("%s: method %q is not an HTTP method API Gateway routes; use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS", where, r.Method))
		}
		if !pathRE.MatchString(r.Path) {
			errs = append(errs, fmt.Sprintf("%s: path %q must start with / and have literal or {param} segments", where, r.Path))
		}
		if seenKey[r.Key()] {
			errs = append(errs, fmt.Sprintf("%s: %s is already routed", where, r.Key()))
		}
		seenKey[r.Key()] = true
		for _, p := range r.PathParams() {
			if _, ok := r.Sample.PathParams[p]; !ok {
				errs = append(errs, fmt.Sprintf("%s: the sample request has no value for path parameter %q", where, p))
			}
		}
		for p := range r.Sample.PathParams {
			if !strings.Contains(r.Path, "{"+p+"}") {
				errs = append(errs, fmt.Sprintf("%s: the sample request sets path parameter %q, which %s does not have", where, p, r.Path))
			}
		}
		if r.REST.Service == "" {
			errs = append(errs, where+": the REST integration needs a Service (sqs, events, states or lambda)")
		}
		if r.Target.Name == "" {
			errs = append(errs, where+": the route needs a Target")
		}
		errs = append(errs, r.Delivery.check(where)...)
		if n := r.Sample.Needs; n != nil {
			if _, ok := t.Lookup(n.Route); !ok || n.Route == r.Name {
				errs = append(errs, fmt.Sprintf("%s: the sample needs route %q first, which is not another route of the table", where, n.Route))
			}
			if n.Field == "" || n.Header == "" {
				errs = append(errs, where+": the sample's Needs names the answer's Field and the Header that carries it")
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Strings(errs)
	return fmt.Errorf("route table: %s", strings.Join(errs, "\n  "))
}

// The probes of streams and configurations.
const (
	// ProbeStream reads every shard of the Kinesis stream named by Output from its trim
	// horizon and finds each accepted id in a record's data.
	ProbeStream = "stream"
	// ProbeConfiguration reads the AppConfig configuration that Output names
	// (APPLICATION/ENVIRONMENT/PROFILE) and checks that every 2xx answered exactly its
	// content.
	ProbeConfiguration = "configuration"
	// ProbeStoppedExecutions starts executions of the STANDARD state machine at Output
	// before the load, each with the input {"holdSeconds": N} that the machine must wait on
	// (firstclass's Workflow does), named by the bench id of the request that gets its ARN in
	// InputHeader; afterwards every accepted one must be listed ABORTED.
	ProbeStoppedExecutions = "stopped-executions"
	// ProbeReceivedMessages sends messages to the queue at Output before the load, named by
	// the run, for the route's receives to consume; afterwards every message a 2xx answer
	// named must be one the run sent, still in flight under the handle that answer gave.
	ProbeReceivedMessages = "received-messages"
	// ProbeDeletedMessages sends and receives one message of the queue at Output per request
	// before the load, passing its receipt handle in InputHeader; afterwards every accepted
	// request's message must be gone.
	ProbeDeletedMessages = "deleted-messages"
	// ProbePurges puts marker messages on the queue at Output before the load; afterwards
	// none may remain if a purge was accepted. SQS refuses a purge within 60 seconds of the
	// last (PurgeQueueInProgress): a documented refusal, not a failure.
	ProbePurges = "purges"
)

// Probes are the bench's probes by name, with whether each reads a stack output: the one
// list Table.Check accepts (internal/bench registers how each one looks). A new probe is a
// constant above, an entry here and its implementation in internal/bench/probe.go.
// Prepares says the probe makes what the route's requests consume before the load; such a
// probe passes each request its input in Delivery.InputHeader unless NoInputHeader (the
// messages a receive takes, the markers a purge deletes: the request names none of them).
var Probes = map[string]struct{ NeedsOutput, Prepares, NoInputHeader bool }{
	ProbeQueue:             {NeedsOutput: true},
	ProbeExecutions:        {NeedsOutput: true},
	ProbeResponse:          {},
	ProbeSyncExecution:     {},
	ProbeStream:            {NeedsOutput: true},
	ProbeConfiguration:     {NeedsOutput: true},
	ProbeStoppedExecutions: {NeedsOutput: true, Prepares: true},
	ProbeReceivedMessages:  {NeedsOutput: true, Prepares: true, NoInputHeader: true},
	ProbeDeletedMessages:   {NeedsOutput: true, Prepares: true},
	ProbePurges:            {NeedsOutput: true, Prepares: true, NoInputHeader: true},
}

func (d Delivery) check(where string) []string {
	if d.Probe == "" {
		return nil
	}
	p, ok := Probes[d.Probe]
	if !ok {
		names := make([]string, 0, len(Probes))
		for n := range Probes {
			names = append(names, n)
		}
		sort.Strings(names)
		return []string{fmt.Sprintf("%s: delivery probe %q is not one the bench has; use one of %s", where, d.Probe, strings.Join(names, ", "))}
	}
	var errs []string
	if p.NeedsOutput && d.Output == "" {
		errs = append(errs, fmt.Sprintf("%s: the %s probe reads a stack output: name it in Delivery.Output", where, d.Probe))
	}
	if (p.Prepares && !p.NoInputHeader) != (d.InputHeader != "") {
		errs = append(errs, fmt.Sprintf("%s: Delivery.InputHeader is the header of the input a preparing probe makes for each request; the %s probe %s", where, d.Probe,
			map[bool]string{true: "prepares one: name the header", false: "prepares none: leave it out"}[p.Prepares && !p.NoInputHeader]))
	}
	return errs
}
