package localapi

import (
	"firstclass/internal/contract"
	"firstclass/internal/mapping"
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

	definition map[string]any // the resolved properties that make it, for Reload's diff
}

// APIs describes what the runner serves, HTTP APIs first, then REST APIs, each in template
// order of logical IDs.
func (r *Runner) APIs() []API {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.apisLocked()
}

func (r *Runner) apisLocked() []API {
	var out []API
	for _, a := range r.httpAPIs {
		api := API{Kind: contract.HTTP, LogicalID: a.logicalID, Path: r.tmpl.Resources[a.logicalID].Path(), BaseURL: a.baseURL}
		for _, s := range sortedKeys(a.stages) {
			st := a.stages[s]
			api.Stages = append(api.Stages, stageInfo(st.name, a.baseURL, "", st.bucket, st.sink, st.vars))
		}
		for _, rt := range a.routes {
			method, path, _ := strings.Cut(rt.key, " ")
			if rt.isDefault {
				method, path = "ANY", "$default"
			}
			d := rt.integ.describe()
			api.Routes = append(api.Routes, Route{Method: method, Path: path, Integration: d.what, Details: d.details, definition: rt.def})
		}
		sort.SliceStable(api.Routes, func(i, j int) bool { return api.Routes[i].Path < api.Routes[j].Path })
		out = append(out, api)
	}
	for _, a := range r.restAPIs {
		api := API{Kind: contract.REST, LogicalID: a.logicalID, Path: r.tmpl.Resources[a.logicalID].Path(), BaseURL: a.baseURL}
		for _, s := range sortedKeys(a.stages) {
			st := a.stages[s]
			// A REST stage URL ends in a slash, as the CDK's stage.urlForPath("/") writes it.
			api.Stages = append(api.Stages, stageInfo(st.name, a.baseURL, "/", st.bucket, st.sink, st.vars))
		}
		var walk func(n *resourceNode)
		walk = func(n *resourceNode) {
			for _, m := range sortedKeys(n.methods) {
				api.Routes = append(api.Routes, Route{Method: m, Path: n.path, Integration: n.methods[m].integ.describe().what, Details: describeMethod(n.methods[m]), definition: n.methods[m].def})
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
		info.URL = stageURL(baseURL, name, trailing)
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

// shortName is the last part of an ARN or URL: the queue, bus, machine or function name.
func shortName(s string) string {
	if i := strings.LastIndexAny(s, "/:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// describeSubtype says what a first-class integration calls: the subtype and its target, the
// resource its Resource parameter names when the mapping names it literally, else the one the
// integration's role is granted the action on (granted, called only then).
func describeSubtype(st *mapping.Subtype, params map[string]string, granted func() string) string {
	if v, ok := params[st.Resource]; ok && !strings.Contains(v, "$") {
		return fmt.Sprintf("%s → %s", st.Name, shortName(v))
	}
	if name := granted(); name != "" {
		return fmt.Sprintf("%s → %s", st.Name, name)
	}
	return st.Name
}

// describeMapping lists a first-class integration's parameters, "MessageBody=$request.body",
// with target URLs and ARNs shortened to their names.
func describeMapping(params map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(params) {
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
	return append(out, m.integ.describe().details...)
}

// describeResponses lists a non-proxy integration's responses and when each is chosen.
func describeResponses(responses []*restResponse) []string {
	var out []string
	for _, r := range responses {
		if r.pattern == nil {
			out = append(out, fmt.Sprintf("%d by default", r.status))
		} else {
			out = append(out, fmt.Sprintf("%d if /%s/", r.status, r.selection))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return []string{"responses: " + strings.Join(out, ", ")}
}
