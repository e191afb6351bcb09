package localapi

import (
	"slices"
	"strings"
)

// IAM is not enforced locally, but the template's grants still say what an integration is
// for: a least-privilege role is allowed its action on the one resource it acts on. The
// listing reads them when a first-class integration's mapping takes that resource from the
// request (StepFunctions-StopExecution's ExecutionArn from a header), or a REST action-style
// URI names none, so it can still say which machine the route stops executions of.

// grantedResource is the name of the one resource the template allows the role roleARN the
// IAM action on, by its own Policies and the AWS::IAM::Policy resources attached to it; an ARN
// ending in wildcard segments names what is left ("…:execution:Machine:*" is Machine). It is
// "" when the grants name no resource, several, or any (a wildcard, a NotResource).
func (r *Runner) grantedResource(roleARN, action string) string {
	if roleARN == "" {
		return ""
	}
	var role string
	var docs []any
	for _, res := range r.tmpl.OfType("AWS::IAM::Role") {
		if v := r.vals[res.LogicalID]; v == nil || v.attrs["Arn"] != roleARN {
			continue
		}
		role = r.vals[res.LogicalID].ref
		if props, err := r.resolveProps(res); err == nil {
			policies, _ := props["Policies"].([]any)
			for _, p := range policies {
				if p, ok := p.(map[string]any); ok {
					docs = append(docs, p["PolicyDocument"])
				}
			}
		}
	}
	if role == "" {
		return ""
	}
	for _, res := range r.tmpl.OfType("AWS::IAM::Policy") {
		props, err := r.resolveProps(res)
		if err != nil {
			continue // a policy that does not resolve grants nothing the listing can name
		}
		if roles, _ := props["Roles"].([]any); slices.Contains(roles, any(role)) {
			docs = append(docs, props["PolicyDocument"])
		}
	}
	names := map[string]bool{}
	for _, doc := range docs {
		for _, st := range policyStatements(doc) {
			if st["Effect"] != "Allow" || !allowsAction(st, action) {
				continue
			}
			if st["NotResource"] != nil {
				return ""
			}
			for _, arn := range stringList(st["Resource"]) {
				name := resourceName(arn)
				if name == "" {
					return ""
				}
				names[name] = true
			}
		}
	}
	if len(names) != 1 {
		return ""
	}
	return sortedKeys(names)[0]
}

// policyStatements are a policy document's statements: its Statement is one or a list.
func policyStatements(doc any) []map[string]any {
	d, _ := doc.(map[string]any)
	switch s := d["Statement"].(type) {
	case map[string]any:
		return []map[string]any{s}
	case []any:
		var out []map[string]any
		for _, x := range s {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// allowsAction says whether a statement's Action matches action, or its NotAction does not:
// IAM's wildcards (matchesAny, as for an authorizer's policy), and action names in any case.
func allowsAction(st map[string]any, action string) bool {
	lower := func(v any) []string {
		l := stringList(v)
		for i := range l {
			l[i] = strings.ToLower(l[i])
		}
		return l
	}
	action = strings.ToLower(action)
	if st["NotAction"] != nil {
		return !matchesAny(lower(st["NotAction"]), action)
	}
	return matchesAny(lower(st["Action"]), action)
}

// resourceName is the name a resource ARN ends in, its trailing wildcard segments left out;
// "" for an ARN that still has a wildcard, which names no one resource.
func resourceName(arn string) string {
	for strings.HasSuffix(arn, ":*") || strings.HasSuffix(arn, "/*") {
		arn = arn[:len(arn)-2]
	}
	if strings.ContainsAny(arn, "*?") {
		return ""
	}
	return shortName(arn)
}
