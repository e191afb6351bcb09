package api

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
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

// ValidateHTTPRoutes checks the route table's HTTP API side before any construct is made.
func ValidateHTTPRoutes(table interface{ Check() error }, stageVariables []string) error {
	if err := table.Check(); err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}
