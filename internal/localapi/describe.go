package localapi

import (
	"firstclass/internal/contract"
	"fmt"
	"sort"
	"strings"
)

// API describes one served API, for the terminal and for tests.
type API struct {
	Kind      contract.Kind
	LogicalID string
	Path      string // construct path
	BaseURL   string // the listener; stages are path prefixes under it
	Stages    []Stage
	Routes    []Route
}

// Stage is one served stage.
type Stage struct {
	Name              string
	URL               string
	RateLimit, Burst  float64 // 0 when not throttled
	AccessLog         string  // file the stage's access log lines go to, "" for none
	AccessLogGroup    string  // the log group the template names
	VariablesDeclared int
}

// Route is one served route: "POST /queue", what it integrates with and how.
type Route struct {
	Method, Path string
	Integration  string
	// Details are the HTTP API's parameter mapping, or the REST method's validation and
	// integration responses.
	Details []string
}

// APIs describes what the runner serves, HTTP APIs first, then REST APIs, each in template
// order of logical IDs.
func (r *Runner) APIs() []API {
	var out []API
	for _, a := range r.httpAPIs {
		api := API{Kind: contract.HTTP, LogicalID: a.logicalID, Path: r.tmpl.Resources[a.logicalID].Path(), BaseURL: a.baseURL}
		for _, s := range sortedStages(a.stages) {
			st := a.stages[s]
			api.Stages = append(api.Stages, stageInfo(st.name, a.baseURL, "", st.bucket, st.sink, st.vars))
		}
		for _, rt := range a.routes {
			method, path, _ := strings.Cut(rt.key, " ")
			if rt.isDefault {
				method, path = "ANY", "$default"
			}
			api.Routes = append(api.Routes, Route{Method: method, Path: path, Integration: rt.integ.describe, Details: rt.integ.details})
		}
		sort.SliceStable(api.Routes, func(i, j int) bool { return api.Routes[i].Path < api.Routes[j].Path })
		out = append(out, api)
	}
	for _, a := range r.restAPIs {
		api := API{Kind: contract.REST, LogicalID: a.logicalID, Path: r.tmpl.Resources[a.logicalID].Path(), BaseURL: a.baseURL}
		for _, s := range sortedStages(a.stages) {
			st := a.stages[s]
			// A REST stage URL ends in a slash, as the CDK's stage.urlForPath("/") writes it.
			api.Stages = append(api.Stages, stageInfo(st.name, a.baseURL, "/", st.bucket, st.sink, st.vars))
		}
		var walk func(n *resourceNode)
		walk = func(n *resourceNode) {
			for _, m := range sortedMethods(n.methods) {
				api.Routes = append(api.Routes, Route{Method: m, Path: n.path, Integration: n.methods[m].integ.describe, Details: describeMethod(n.methods[m])})
			}
			for _, c := range n.children {
				walk(c)
			}
		}
		walk(a.root)
		sort.SliceStable(api.Routes, func(i, j int) bool { return api.Routes[i].Path < api.Routes[j].Path })
		out = append(out, api)
	}
	return out
}

// stageInfo describes a stage served under baseURL ("" before Start).
func stageInfo(name, baseURL, trailing string, defaults *bucket, sink *logSink, vars map[string]string) Stage {
	info := Stage{Name: name, VariablesDeclared: len(vars)}
	if baseURL != "" {
		info.URL = baseURL + "/" + name + trailing
	}
	if defaults != nil {
		info.RateLimit, info.Burst = defaults.rate, defaults.burst
	}
	if sink != nil {
		info.AccessLog, info.AccessLogGroup = sink.path, sink.group
	}
	return info
}

func sortedStages[S any](m map[string]S) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedMethods(m map[string]*restMethod) []string { return sortedStages(m) }

// shortName is the last part of an ARN or URL: the queue, bus, machine or function name.
func shortName(s string) string {
	if i := strings.LastIndexAny(s, "/:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// describeHTTP says what a first-class or Lambda integration calls.
func describeHTTP(in *httpIntegration, params map[string]string, fnName string) string {
	if in.fn != nil {
		return fmt.Sprintf("Lambda proxy (payload %s) → %s", in.version, fnName)
	}
	for _, key := range []string{"QueueUrl", "EventBusName", "StateMachineArn"} {
		if v, ok := params[key]; ok && !strings.Contains(v, "$") {
			return fmt.Sprintf("%s → %s", in.subtype.Name, shortName(v))
		}
	}
	return in.subtype.Name
}

// describeREST says what a REST integration calls.
func describeREST(in *restIntegration, fnName string) string {
	switch {
	case in.typ == "MOCK":
		return "MOCK"
	case in.fn != nil:
		return "Lambda custom (VTL) → " + fnName
	case in.action != "":
		return fmt.Sprintf("AWS %s %s (VTL)", in.service, in.action)
	default:
		return fmt.Sprintf("AWS %s %s (VTL)", in.service, shortName(in.path))
	}
}

// describeMapping lists a first-class integration's parameters, "MessageBody=$request.body",
// with target URLs and ARNs shortened to their names.
func describeMapping(params map[string]string) []string {
	var out []string
	for _, k := range sortedStages(params) {
		v := params[k]
		if strings.HasPrefix(v, "http") || strings.HasPrefix(v, "arn:") {
			v = shortName(v)
		}
		out = append(out, k+"="+v)
	}
	return []string{strings.Join(out, ", ")}
}

// describeMethod says what a REST method checks and which integration responses it has.
func describeMethod(m *restMethod) []string {
	var out []string
	var checks []string
	if m.validateBody && len(m.models) > 0 {
		checks = append(checks, "validates the body against its model")
	}
	if m.validateParams && len(m.required) > 0 {
		checks = append(checks, "requires "+strings.Join(m.required, ", "))
	}
	if len(checks) > 0 {
		out = append(out, strings.Join(checks, "; "))
	}
	var responses []string
	for _, r := range m.integ.responses {
		if r.pattern == nil {
			responses = append(responses, fmt.Sprintf("%d by default", r.status))
		} else {
			responses = append(responses, fmt.Sprintf("%d if /%s/", r.status, r.selection))
		}
	}
	if len(responses) > 0 {
		out = append(out, "responses: "+strings.Join(responses, ", "))
	}
	return out
}
