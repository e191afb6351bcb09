package spec

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"firstclass/internal/mapping"
)

// Call is the AWS call a route makes for each request, the same on both API kinds (both reach
// the same target with the same action): what the cost model prices, with no knowledge of
// the route table.
type Call struct {
	// Action is the IAM action the integration's role is allowed: "sqs:SendMessage",
	// "events:PutEvents", "states:StartExecution", "lambda:InvokeFunction".
	Action string
	// Params are the call's parameters that do not come from the request body, for the
	// route's sample request: what the HTTP API's parameter mapping makes of static text,
	// path and query parameters (an event's Source and DetailType). Bills that count more
	// than the body read them.
	Params map[string]string
	// Deliveries and Archived are what the target does with every call on its own
	// (Target.Deliveries, Target.Archived).
	Deliveries []Copy
	Archived   bool
}

// Service is the action's service prefix: "sqs", "events", "states", "lambda".
func (c Call) Service() string { s, _, _ := strings.Cut(c.Action, ":"); return s }

// InvokeAction is the IAM action of a Lambda invocation.
const InvokeAction = "lambda:InvokeFunction"

// restServices are the IAM prefixes of the services a REST AwsIntegration names by its
// endpoint ("states" for Step Functions, as both spell it).
var restServices = map[string]string{"sqs": "sqs", "events": "events", "states": "states", "kinesis": "kinesis", "appconfig": "appconfig"}

// Call derives the route's AWS call from its integrations: the HTTP API subtype's action (from
// internal/mapping's subtype catalogue), else the REST integration's service and action, and a
// Lambda invocation for a Lambda proxy or custom integration.
func (r Route) Call() (Call, error) {
	c := Call{Deliveries: r.Target.Deliveries, Archived: r.Target.Archived}
	switch {
	case r.HTTP.Subtype != "":
		st, ok := mapping.LookupSubtype(r.HTTP.Subtype)
		if !ok {
			return Call{}, fmt.Errorf("route %s: unknown subtype %q", r.Name, r.HTTP.Subtype)
		}
		c.Action = st.IAMAction
	case r.REST.Service == "lambda" || r.REST.Service == "":
		c.Action = InvokeAction
	default:
		prefix, ok := restServices[r.REST.Service]
		if !ok {
			return Call{}, fmt.Errorf("route %s: REST service %q is not one the cost model knows", r.Name, r.REST.Service)
		}
		c.Action = prefix + ":" + r.REST.Action
	}
	c.Params = r.sampleParams()
	return c, nil
}

// sampleParams evaluates the HTTP API parameter mapping on the sample request without its
// body: the parameters a bill may count besides the body.
func (r Route) sampleParams() map[string]string {
	query, _ := url.ParseQuery(r.Sample.Query)
	req := &mapping.Request{PathParams: r.Sample.PathParams, Query: query, Path: r.SamplePath()}
	out := map[string]string{}
	names := make([]string, 0, len(r.HTTP.Parameters))
	for k := range r.HTTP.Parameters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v := r.HTTP.Parameters[name]
		if v.Attr != "" || strings.Contains(v.Expr, "$request.body") {
			continue
		}
		expr, err := mapping.Parse(v.Expr)
		if err != nil {
			continue // mapping.Validate reports it where the table is built
		}
		if s, ok := expr.Evaluate(req); ok {
			out[name] = s
		}
	}
	return out
}
