package localapi

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"firstclass/internal/cfn"
)

// Template parameters take the value Options.Parameters gives them ("Name" or
// "StackName:Name", as `cdk deploy --parameters` does), else their default. One with neither,
// a value the parameter's AllowedValues refuse, or a value for no parameter of the template is
// a problem reported at start, as CloudFormation refuses such a deploy.

// parameters adds the template parameters' values to r.vals.
func (r *Runner) parameters(t *cfn.Template, ps *problems) {
	used := map[string]bool{}
	for _, name := range sortedKeys(t.Parameters) {
		p := t.Parameters[name]
		res := &cfn.Resource{LogicalID: name, Type: "Parameter", Metadata: map[string]any{"aws:cdk:path": "Parameters." + name}}
		value, given := r.opts.Parameters[r.stack+":"+name]
		if given {
			used[r.stack+":"+name] = true
		} else if value, given = r.opts.Parameters[name]; given {
			used[name] = true
		}
		id := &identity{ref: value, attrs: map[string]string{}}
		switch {
		case given:
		case strings.HasPrefix(p.Type, "AWS::SSM::Parameter::Value<"):
			// The CDK's BootstrapVersion is one; only its deploy-time rule reads it.
			id.refErr = cannot(fmt.Sprintf("pass --parameters %s=VALUE", name), "parameter %s is read from SSM Parameter Store at deploy, which the local runner does not run", name)
		default:
			d, ok := p.DefaultString()
			if !ok {
				ps.add(res, cannot(fmt.Sprintf("pass --parameters %s=VALUE", name), "parameter %s (%s) has no default and no value", name, p.Type))
				continue
			}
			id.ref = d
		}
		if len(p.AllowedValues) > 0 && id.refErr == nil && !slices.ContainsFunc(p.AllowedValues, func(v any) bool { return fmt.Sprint(v) == id.ref }) {
			ps.add(res, fmt.Errorf("parameter %s: value %q is not one of its AllowedValues %v", name, id.ref, p.AllowedValues))
			continue
		}
		r.vals[name] = id
	}
	// An unscoped name is for every stack that declares it, as cdk deploy passes it: it is
	// unknown only when no stack of the assembly does.
	declared := func(name string) bool {
		for _, st := range r.opts.Assembly.Stacks {
			if _, ok := st.Template.Parameters[name]; ok {
				return true
			}
		}
		return false
	}
	var unknown []string
	for k := range r.opts.Parameters {
		stack, _, scoped := strings.Cut(k, ":")
		if !used[k] && ((scoped && stack == r.stack) || (!scoped && !declared(k))) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		ps.add(&cfn.Resource{LogicalID: k, Type: "Parameter"}, fmt.Errorf("--parameters %s: the stack %s has no such parameter (it has %s)", k, r.stack, strings.Join(sortedKeys(t.Parameters), ", ")))
	}
}

// nestedStackIdentity: a nested stack's Ref is its stack ID.
func nestedStackIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := physicalName(r.stack, res.LogicalID, 128)
	return &identity{ref: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", r.aws.Region(), r.aws.Account(), name, localID(r.stack, res.LogicalID))}, nil
}
