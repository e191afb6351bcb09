package cfn

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Values supplies what Ref and Fn::GetAtt give for each resource, and the pseudo parameters.
type Values interface {
	Ref(logicalID string) (string, error)
	GetAtt(logicalID, attribute string) (string, error)
}

// Pseudo holds the pseudo parameters of a stack.
type Pseudo struct {
	AccountID, Region, Partition, URLSuffix, StackName, StackID string
}

func (p Pseudo) lookup(name string) (string, bool) {
	switch name {
	case "AWS::AccountId":
		return p.AccountID, true
	case "AWS::Region":
		return p.Region, true
	case "AWS::Partition":
		return p.Partition, true
	case "AWS::URLSuffix":
		return p.URLSuffix, true
	case "AWS::StackName":
		return p.StackName, true
	case "AWS::StackId":
		return p.StackID, true
	}
	return "", false
}

// Resolver resolves intrinsic functions in template values.
type Resolver struct {
	Pseudo Pseudo
	Values Values
}

// noValue is what {"Ref": "AWS::NoValue"} resolves to: the enclosing property is removed.
type noValue struct{}

// Resolve returns v with every intrinsic function replaced by its value. Maps and lists are
// copied; strings, numbers and booleans are returned as they are.
func (r *Resolver) Resolve(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			rx, err := r.Resolve(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := rx.(noValue); !drop {
				out[k] = rx
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(v))
		for i, x := range v {
			rx, err := r.Resolve(x)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := rx.(noValue); !drop {
				out = append(out, rx)
			}
		}
		return out, nil
	}
	return v, nil
}

// String resolves v and requires a string (numbers and booleans are formatted).
func (r *Resolver) String(v any) (string, error) {
	rv, err := r.Resolve(v)
	if err != nil {
		return "", err
	}
	switch rv := rv.(type) {
	case string:
		return rv, nil
	case float64:
		return strconv.FormatFloat(rv, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(rv), nil
	}
	return "", fmt.Errorf("want a string, got %T", rv)
}

func (r *Resolver) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref takes a name, got %v", arg)
		}
		if name == "AWS::NoValue" {
			return noValue{}, nil
		}
		if v, ok := r.Pseudo.lookup(name); ok {
			return v, nil
		}
		return r.Values.Ref(name)
	case "Fn::GetAtt":
		id, attr, ok := getAttArgs(arg)
		if !ok {
			return nil, fmt.Errorf("Fn::GetAtt takes [logicalId, attribute], got %v", arg)
		}
		return r.Values.GetAtt(id, attr)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Join takes [delimiter, [values]], got %v", arg)
		}
		sep, _ := a[0].(string)
		list, err := r.Resolve(a[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Join: the values are not a list")
		}
		parts := make([]string, len(items))
		for i, it := range items {
			s, err := r.String(it)
			if err != nil {
				return nil, fmt.Errorf("Fn::Join [%d]: %w", i, err)
			}
			parts[i] = s
		}
		return strings.Join(parts, sep), nil
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Select takes [index, list], got %v", arg)
		}
		idx, err := r.String(a[0])
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(idx)
		if err != nil {
			return nil, fmt.Errorf("Fn::Select index %q: %w", idx, err)
		}
		list, err := r.Resolve(a[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok || i < 0 || i >= len(items) {
			return nil, fmt.Errorf("Fn::Select index %d out of range", i)
		}
		return items[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Split takes [delimiter, string], got %v", arg)
		}
		sep, _ := a[0].(string)
		s, err := r.String(a[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, sep) {
			out = append(out, p)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not an intrinsic the local runner resolves (it knows Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split)", fn)
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (r *Resolver) sub(arg any) (any, error) {
	var text string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("Fn::Sub takes a string or [string, {variables}], got %v", arg)
		}
		text, _ = a[0].(string)
		m, _ := a[1].(map[string]any)
		for k, v := range m {
			vars[k] = v
		}
	default:
		return nil, fmt.Errorf("Fn::Sub takes a string or [string, {variables}], got %v", arg)
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		var s string
		var err error
		if v, ok := vars[name]; ok {
			s, err = r.String(v)
		} else if p, ok := r.Pseudo.lookup(name); ok {
			s = p
		} else if id, attr, ok := strings.Cut(name, "."); ok {
			s, err = r.Values.GetAtt(id, attr)
		} else {
			s, err = r.Values.Ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		return s
	})
	if firstErr != nil {
		return nil, firstErr
	}
	// ${!Literal} is written as ${Literal}.
	return strings.ReplaceAll(out, "${!", "${"), nil
}

// Deps lists the logical IDs v refers to with Ref, Fn::GetAtt or Fn::Sub, sorted.
func Deps(v any) []string {
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "Ref":
					if s, ok := x.(string); ok && !strings.HasPrefix(s, "AWS::") {
						seen[s] = true
					}
				case "Fn::GetAtt":
					if a, ok := x.([]any); ok && len(a) > 0 {
						if s, ok := a[0].(string); ok {
							seen[s] = true
						}
					}
				case "Fn::Sub":
					s, _ := x.(string)
					if a, ok := x.([]any); ok && len(a) > 0 {
						s, _ = a[0].(string)
					}
					for _, m := range subVar.FindAllStringSubmatch(s, -1) {
						name, _, _ := strings.Cut(m[1], ".")
						if !strings.HasPrefix(name, "AWS::") {
							seen[name] = true
						}
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
