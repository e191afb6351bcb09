package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Integration is what Validate checks: one HTTP API route's first-class
// integration as the route table describes it before deployment.
type Integration struct {
	// RouteKey is the HTTP API route key, e.g. "POST /events/{source}/{detailType}"
	// or "$default".
	RouteKey string
	// Subtype is the IntegrationSubtype, e.g. "SQS-SendMessage".
	Subtype string
	// Parameters is the RequestParameters map.
	Parameters map[string]string
	// TokenParameters names parameters whose value a deployment token
	// supplies (QueueUrl filled with the queue's URL by the CDK layer). They
	// count as mapped; any value given for them in Parameters is not parsed.
	TokenParameters []string
	// StageVariables maps each stage name to the stage variables it defines.
	// A $stageVariables.X that some stage lacks is dropped on that stage.
	StageVariables map[string][]string
}

// Problem is one mistake found by Validate.
type Problem struct {
	Route     string
	Subtype   string
	Parameter string // empty for problems of the route or subtype as a whole
	Offset    int    // byte offset in the parameter's value, or -1
	Message   string // says what is wrong and how to fix it
}

func (p *Problem) Error() string {
	if p.Parameter == "" {
		return fmt.Sprintf("route %q: %s", p.Route, p.Message)
	}
	return fmt.Sprintf("route %q: parameter %q: %s", p.Route, p.Parameter, p.Message)
}

// ValidationError holds every problem Validate found, in a stable order.
type ValidationError struct {
	Problems []*Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so errors.As finds a *Problem.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Validate checks an integration at synth time and returns all its problems
// as a *ValidationError, or nil. It checks the route key, the subtype,
// unknown and missing parameters, the syntax of every value, path parameters
// against the route key, stage variables against the stages, and context
// variables against the HTTP API catalogue.
func Validate(in Integration) error {
	v := validator{in: in, tokens: map[string]bool{}}
	v.run()
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

type validator struct {
	in          Integration
	problems    []*Problem
	st          *Subtype
	routeOK     bool
	routeParams []string
	tokens      map[string]bool
}

func (v *validator) add(param string, offset int, format string, args ...any) {
	v.problems = append(v.problems, &Problem{
		Route: v.in.RouteKey, Subtype: v.in.Subtype, Parameter: param,
		Offset: offset, Message: fmt.Sprintf(format, args...),
	})
}

func (v *validator) run() {
	in := v.in
	params, err := routeParams(in.RouteKey)
	if err != nil {
		v.add("", -1, "%v", err)
	} else {
		v.routeOK, v.routeParams = true, params
	}

	st, ok := LookupSubtype(in.Subtype)
	if ok {
		v.st = st
	} else {
		if hint := didYouMean(in.Subtype, SubtypeNames()); hint != "" {
			v.add("", -1, "integration subtype %q is unknown%s", in.Subtype, hint)
		} else {
			v.add("", -1, "integration subtype %q is unknown; known subtypes are %s", in.Subtype, strings.Join(SubtypeNames(), ", "))
		}
	}

	names := sortedKeys(in.Parameters)
	for _, t := range in.TokenParameters {
		v.tokens[t] = true
		if _, dup := in.Parameters[t]; !dup {
			names = append(names, t)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names) // a token may be listed twice
	for _, name := range names {
		v.parameter(name)
	}

	if v.st != nil {
		for _, name := range v.st.Required() {
			if _, mapped := in.Parameters[name]; mapped || v.tokens[name] {
				continue
			}
			v.add(name, -1, "required by %s but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token", v.st.Name)
		}
	}
}

func (v *validator) parameter(name string) {
	if v.st != nil {
		if _, ok := v.st.Parameter(name); !ok {
			if s, ok := suggest(name, v.st.ParameterNames()); ok {
				v.add(name, -1, "unknown for %s; did you mean %q?", v.st.Name, s)
			} else {
				v.add(name, -1, "unknown for %s; its parameters are %s", v.st.Name, strings.Join(v.st.ParameterNames(), ", "))
			}
			// Check the value anyway: renaming the parameter will not fix it.
		}
	}
	if v.tokens[name] {
		return // the deployment fills it in; there is nothing to parse
	}
	raw := v.in.Parameters[name]
	if raw == "" {
		v.add(name, -1, "empty value; map it to a request value or a non-empty static value, or leave the parameter out")
		return
	}
	val, err := Parse(raw)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			v.add(name, pe.Offset, "value %q: offset %d: %s", raw, pe.Offset, pe.Msg)
		} else {
			v.add(name, -1, "value %q: %v", raw, err)
		}
		return
	}
	for _, e := range val.Exprs() {
		switch e.Source {
		case SourcePathParam:
			v.pathParam(name, e)
		case SourceContext:
			v.contextVar(name, e)
		case SourceStageVariable:
			v.stageVar(name, e)
		}
	}
}

func (v *validator) pathParam(param string, e *Expr) {
	if !v.routeOK || slices.Contains(v.routeParams, e.Name) {
		return
	}
	switch {
	case len(v.routeParams) == 0:
		v.add(param, e.Offset, "%s: route %q has no path parameters; add {%s} to its path or map another value",
			e.String(), v.in.RouteKey, e.Name)
	default:
		if s, ok := suggest(e.Name, v.routeParams); ok {
			v.add(param, e.Offset, "%s: route has no path parameter %q; did you mean %q?", e.String(), e.Name, s)
		} else {
			v.add(param, e.Offset, "%s: route has no path parameter %q; its path parameters are %s",
				e.String(), e.Name, strings.Join(v.routeParams, ", "))
		}
	}
}

func (v *validator) contextVar(param string, e *Expr) {
	switch e.Name {
	case "authorizer.claims":
		v.add(param, e.Offset, "%s returns null, so the parameter is always dropped; name a claim, e.g. $context.authorizer.claims.sub", e.String())
		return
	case "authorizer":
		v.add(param, e.Offset, "%s is an object, so the parameter is always dropped; name a key, e.g. $context.authorizer.principalId", e.String())
		return
	}
	cv, ok := LookupContextVariable(e.Name)
	if !ok {
		v.add(param, e.Offset, "%s: unknown HTTP API context variable%s", e.String(), didYouMean(e.Name, contextNames()))
		return
	}
	if !cv.AtRequest {
		v.add(param, e.Offset, "%s is not known when the request is mapped (it is %s), so the parameter is always dropped; map a request-time value instead",
			e.String(), cv.Doc)
	}
}

func (v *validator) stageVar(param string, e *Expr) {
	stages := sortedStages(v.in.StageVariables)
	var lacking []string
	var known []string
	for _, stage := range stages {
		names := v.in.StageVariables[stage]
		known = append(known, names...)
		if !slices.Contains(names, e.Name) {
			lacking = append(lacking, stage)
		}
	}
	switch {
	case len(stages) == 0:
		v.add(param, e.Offset, "%s: no stage defines stage variable %q; define it on every stage or map another value", e.String(), e.Name)
	case len(lacking) == len(stages):
		v.add(param, e.Offset, "%s: no stage defines stage variable %q; define it on every stage (%s) or map another value%s",
			e.String(), e.Name, strings.Join(stages, ", "), didYouMean(e.Name, known))
	case len(lacking) > 0:
		v.add(param, e.Offset, "%s: stage variable %q is not defined on stage %s, where the parameter is dropped; define it on every stage",
			e.String(), e.Name, strings.Join(lacking, ", "))
	}
}

func sortedStages(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var routeMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// routeParams parses an HTTP API route key ("METHOD /path", "$default") and
// returns its path parameter names. A greedy {proxy+} yields "proxy", the name
// $request.path uses for it.
func routeParams(key string) ([]string, error) {
	if key == "$default" {
		return nil, nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok {
		return nil, fmt.Errorf("route key %q is malformed; write \"METHOD /path\" or \"$default\"", key)
	}
	if !slices.Contains(routeMethods, method) {
		return nil, fmt.Errorf("route key %q has unknown method %q%s", key, method, didYouMean(method, routeMethods))
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("route key %q: path must start with \"/\"", key)
	}
	var params []string
	segs := strings.Split(path[1:], "/")
	for i, seg := range segs {
		if !strings.ContainsAny(seg, "{}") {
			continue
		}
		if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' {
			return nil, fmt.Errorf("route key %q: segment %q must be a whole {param}", key, seg)
		}
		name := seg[1 : len(seg)-1]
		if strings.HasSuffix(name, "+") {
			if i != len(segs)-1 {
				return nil, fmt.Errorf("route key %q: greedy {%s} must be the last segment", key, name)
			}
			name = strings.TrimSuffix(name, "+")
		}
		for j := 0; j < len(name); j++ {
			if !pathParamChar[name[j]] {
				return nil, fmt.Errorf("route key %q: path parameter name %q has invalid character %q", key, name, name[j])
			}
		}
		if name == "" {
			return nil, fmt.Errorf("route key %q: empty path parameter name", key)
		}
		if slices.Contains(params, name) {
			return nil, fmt.Errorf("route key %q: path parameter %q appears twice", key, name)
		}
		params = append(params, name)
	}
	return params, nil
}
