package routes

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Kind is an API Gateway API kind.
type Kind string

const (
	HTTP Kind = "http" // API Gateway v2 HTTP API: first-class integrations, parameter mapping
	REST Kind = "rest" // API Gateway v1 REST API: AWS and Lambda custom integrations, VTL
)

// Kinds lists the API kinds in report order.
var Kinds = []Kind{HTTP, REST}

// Target is a backend resource that routes send to.
type Target string

const (
	Queue           Target = "queue"           // standard SQS queue with a dead-letter queue
	Bus             Target = "bus"             // custom EventBridge bus, archived and audited
	Workflow        Target = "workflow"        // STANDARD Step Functions state machine
	ExpressWorkflow Target = "expressWorkflow" // EXPRESS Step Functions state machine
	Greeter         Target = "greeter"         // the greeting Lambda function in lambda/greeting
)

// Attr names an attribute of a route's target that an integration needs at deploy time, such
// as the queue URL. The CDK layer fills it with a CloudFormation token; the local runner with
// a local URL or ARN.
type Attr string

const (
	QueueURL        Attr = "QueueUrl"
	EventBusName    Attr = "EventBusName"
	StateMachineArn Attr = "StateMachineArn"
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
	// Headers are static integration request headers, such as the Content-Type a service
	// protocol needs.
	Headers map[string]string
	// RequestTemplate is the file name of the application/json request template under
	// api/templates. In it, %QueueUrl%, %EventBusName% and %StateMachineArn% stand for the
	// target's attributes.
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
	Body       string            // JSON body; "" for none
}

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
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Strings(errs)
	return fmt.Errorf("route table: %s", strings.Join(errs, "\n  "))
}
