package localapi

import (
	"fmt"
	"sort"
	"strings"

	"firstclass/internal/cfn"
)

// Deploy-time resources. The CDK adds custom resources that only act while CloudFormation
// deploys the stack (Custom::LogRetention sets a log group's retention, AwsCustomResource's
// Custom::AWS makes an SDK call, Custom::VpcRestrictDefaultSG, Custom::S3AutoDeleteObjects,
// Custom::CDKBucketDeployment…), each with a provider function (a singleton Lambda function, or
// the Provider framework's functions). No request ever reaches them, so the runner skips them
// and names them in one warning at start; nothing of theirs is served. A Fn::GetAtt on one
// (its data) has no local value and is a problem of the resource that reads it.

// customResourceProvider is the provider of every custom resource type.
var customResourceProvider = &provider{
	identity: func(r *Runner, res *cfn.Resource) (*identity, error) {
		return &identity{ref: localID(r.stack, res.LogicalID)}, nil
	},
	skipped: "a deploy-time custom resource",
}

// isCustomResource reports whether res is a custom resource: Custom::NAME or
// AWS::CloudFormation::CustomResource.
func isCustomResource(res *cfn.Resource) bool {
	return strings.HasPrefix(res.Type, "Custom::") || res.Type == "AWS::CloudFormation::CustomResource"
}

// deployTimeResources are the custom resources of t and the functions (and Provider framework
// state machines) that serve them: those their ServiceToken names, and what those name in
// turn (the framework's onEvent function names the user's handler in its environment).
func deployTimeResources(t *cfn.Template) map[string]bool {
	out := map[string]bool{}
	var queue []string
	for id, res := range t.Resources {
		if isCustomResource(res) {
			out[id] = true
			queue = append(queue, cfn.Deps(res.Properties["ServiceToken"])...)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		res, ok := t.Resources[id]
		if !ok || out[id] || (res.Type != "AWS::Lambda::Function" && res.Type != "AWS::StepFunctions::StateMachine") {
			continue
		}
		out[id] = true
		queue = append(queue, cfn.Deps(res.Properties)...)
	}
	return out
}

// deployTimeWarning is the one line that names what was skipped, or "".
func (r *Runner) deployTimeWarning() string {
	var custom, providers []string
	for id := range r.deployTime {
		res := r.tmpl.Resources[id]
		if isCustomResource(res) {
			custom = append(custom, fmt.Sprintf("%s %s (%s)", res.Type, id, res.Path()))
		} else {
			providers = append(providers, id)
		}
	}
	if len(custom) == 0 {
		return ""
	}
	sort.Strings(custom)
	sort.Strings(providers)
	w := fmt.Sprintf("warning: skipped %d deploy-time custom resource(s), which act only while CloudFormation deploys: %s", len(custom), strings.Join(custom, ", "))
	if len(providers) > 0 {
		w += fmt.Sprintf("; and their provider function(s), not started: %s", strings.Join(providers, ", "))
	}
	return w
}
