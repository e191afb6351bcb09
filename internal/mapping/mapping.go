package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Mapping is the parsed RequestParameters of one first-class integration,
// ready to evaluate for each request. It is immutable and safe for
// concurrent use.
type Mapping struct {
	subtype *Subtype
	params  []mappedParam // sorted by name
}

type mappedParam struct {
	name     string
	value    *Value
	required bool
}

// NewMapping parses the RequestParameters of an integration of the given
// subtype, as deployed (deployment tokens already resolved to text). It
// reports every unknown or malformed parameter and every missing required
// one, joined; synth-time checks with route context are Validate's job.
func NewMapping(subtype string, params map[string]string) (*Mapping, error) {
	st, ok := LookupSubtype(subtype)
	if !ok {
		return nil, fmt.Errorf("unknown integration subtype %q%s", subtype, didYouMean(subtype, SubtypeNames()))
	}
	m := &Mapping{subtype: st}
	var errs []error
	for _, name := range sortedKeys(params) {
		p, ok := st.Parameter(name)
		if !ok {
			errs = append(errs, fmt.Errorf("parameter %q: unknown for %s%s", name, st.Name, didYouMean(name, st.ParameterNames())))
			continue
		}
		v, err := Parse(params[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("parameter %q: value %q: %w", name, params[name], err))
			continue
		}
		m.params = append(m.params, mappedParam{name: name, value: v, required: p.Required})
	}
	for _, name := range st.Required() {
		if _, ok := params[name]; !ok {
			errs = append(errs, fmt.Errorf("parameter %q: required by %s but not mapped", name, st.Name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// Subtype returns the integration subtype.
func (m *Mapping) Subtype() *Subtype { return m.subtype }

// Value returns the parsed value of a parameter.
func (m *Mapping) Value(name string) (*Value, bool) {
	for _, p := range m.params {
		if p.name == name {
			return p.value, true
		}
	}
	return nil, false
}

// ErrRequiredParameterDropped is matched (errors.Is) by the error
// Mapping.Evaluate returns when a required parameter found no value.
var ErrRequiredParameterDropped = errors.New("required parameter dropped")

// MissingParametersError lists the required parameters that found no value
// for a request, with the reason of each. API Gateway drops such parameters
// and calls the service without them (see "What a missing value becomes" in
// eval.go); AWS documents no special status for this case. The faithful move
// for the local runner is therefore to make the same service call without the
// parameters and relay the service's own validation error; when the call is
// impossible (no QueueUrl, no StateMachineArn) a 400 is the best guess.
type MissingParametersError struct {
	Subtype string
	Missing []MissingParameter
}

// MissingParameter is one dropped required parameter.
type MissingParameter struct {
	Name   string
	Reason string
}

func (e *MissingParametersError) Error() string {
	var b strings.Builder
	b.WriteString(e.Subtype)
	for i, m := range e.Missing {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%srequired parameter %q dropped: %s", sep, m.Name, m.Reason)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrRequiredParameterDropped) true.
func (e *MissingParametersError) Is(target error) bool { return target == ErrRequiredParameterDropped }

// Evaluate computes the parameters for one request into out, which the
// caller may reuse across requests (it is not cleared). Parameters whose
// expressions found nothing are left out, as API Gateway leaves them out.
// When a required one is among them, Evaluate also returns a
// *MissingParametersError.
func (m *Mapping) Evaluate(r *Request, out map[string]string) error {
	var missing []MissingParameter
	for _, p := range m.params {
		v, ok := p.value.Evaluate(r)
		if ok {
			out[p.name] = v
			continue
		}
		if p.required {
			missing = append(missing, MissingParameter{Name: p.name, Reason: p.value.WhyMissing(r)})
		}
	}
	if missing != nil {
		return &MissingParametersError{Subtype: m.subtype.Name, Missing: missing}
	}
	return nil
}

// WhyMissing explains why the value finds nothing for r, or returns "" when
// it does find a value. It is for error messages, not the hot path.
func (v *Value) WhyMissing(r *Request) string {
	for _, s := range v.segs {
		if s.expr == nil {
			continue
		}
		if _, ok := s.expr.evalString(r); ok {
			continue
		}
		e := s.expr
		switch e.Source {
		case SourceHeader:
			return fmt.Sprintf("the request has no header %q (%s)", e.Name, e.String())
		case SourceQuery:
			return fmt.Sprintf("the request has no query string parameter %q (%s)", e.Name, e.String())
		case SourcePathParam:
			return fmt.Sprintf("the request has no path parameter %q (%s)", e.Name, e.String())
		case SourceContext:
			return fmt.Sprintf("context variable %q is not set (%s)", e.Name, e.String())
		case SourceStageVariable:
			return fmt.Sprintf("stage variable %q is not set on this stage (%s)", e.Name, e.String())
		case SourceBodyPath:
			doc := jsonPathBody(r.Body)
			switch {
			case len(r.Body) > MaxJSONPathBody && !validJSON(doc):
				return fmt.Sprintf("the body is larger than %d bytes; API Gateway cuts it there before applying %s, and the cut body is not valid JSON; map $request.body instead", MaxJSONPathBody, e.String())
			case !validJSON(doc):
				return fmt.Sprintf("the body is not valid JSON, so %s selects nothing", e.String())
			default:
				return fmt.Sprintf("the body has no value (or null) at $%s (%s)", PathString(e.Path), e.String())
			}
		}
		return e.String() + " found nothing"
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
