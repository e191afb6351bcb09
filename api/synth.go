package api

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/constructs-go/constructs/v10"

	"firstclass/internal/mapping"
	"firstclass/internal/spec"
)

// SynthError stops a synth: the construct at Path cannot be built as the route table or the
// context asks. app.go prints it and exits non-zero; `cdk synth` shows that output.
type SynthError struct {
	Path string
	Err  error
}

func (e *SynthError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *SynthError) Unwrap() error { return e.Err }

// fail stops the synth at scope. Constructs are built by plain Go calls, so a panic unwinds
// to app.go's recover without crossing into jsii.
func fail(scope constructs.Construct, err error) {
	panic(&SynthError{Path: *scope.Node().Path(), Err: err})
}

// Recover turns a SynthError panic into an error and lets any other panic through. Use it in a
// deferred call around construction: defer api.Recover(&err).
func Recover(err *error) {
	if r := recover(); r != nil {
		se, ok := r.(*SynthError)
		if !ok {
			panic(r)
		}
		*err = se
	}
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ValidateHTTPRoutes checks the route table's HTTP API side with the parameter-mapping
// language (internal/mapping) before any construct is made: unknown or missing subtype
// parameters, malformed expressions, path parameters the route lacks, stage variables a stage
// does not define. It returns every problem, each naming the route, the parameter and the fix.
func ValidateHTTPRoutes(table spec.Table, c Config) error {
	if err := table.Check(); err != nil {
		return err
	}
	stageVars := map[string][]string{}
	for _, s := range c.Stages {
		stageVars[s.Name] = sortedKeys(s.Variables)
	}
	var errs []error
	for _, r := range table {
		if r.HTTP.Subtype == "" {
			if len(r.HTTP.Parameters) > 0 {
				errs = append(errs, fmt.Errorf("route %q: a Lambda proxy integration (no subtype) takes no request parameters here; remove them or set a Subtype", r.Key()))
			}
			continue
		}
		in := mapping.Integration{RouteKey: r.Key(), Subtype: r.HTTP.Subtype, Parameters: map[string]string{}, StageVariables: stageVars}
		for name, v := range r.HTTP.Parameters {
			if v.Attr != "" {
				in.TokenParameters = append(in.TokenParameters, name)
				continue
			}
			in.Parameters[name] = v.Expr
		}
		sort.Strings(in.TokenParameters)
		if err := mapping.Validate(in); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
