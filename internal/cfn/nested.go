package cfn

import (
	"fmt"
	"strings"
)

// Nested stacks. An AWS::CloudFormation::Stack whose template is in the assembly (the CDK's
// NestedStack) is served as part of its parent: Flatten merges the nested template's
// resources into the parent's under the logical ID "STACK-RESOURCE" (the shape of the names
// CloudFormation gives a nested stack's resources), with every Ref to a nested parameter
// replaced by the value the parent passes (or the parameter's default), every reference to a
// nested resource renamed, and every Fn::GetAtt [STACK, Outputs.NAME] in the parent replaced
// by that output's value. Nested stacks nest: the innermost are merged first.

// Flatten returns t with the templates of its nested stacks merged in; t is not changed. A
// nested stack it cannot merge (its template is not in the assembly, or a parameter has no
// value) is left as it is, and problem is told why.
func (a *Assembly) Flatten(t *Template, problem func(res *Resource, err error)) *Template {
	out := &Template{Parameters: t.Parameters, Resources: map[string]*Resource{}, Outputs: t.Outputs, Nested: map[string]string{}}
	for id, res := range t.Resources {
		out.Resources[id] = res
	}
	outputs := map[string]map[string]any{} // stack logical ID → output name → value
	for _, res := range t.OfType("AWS::CloudFormation::Stack") {
		path, ok := a.AssetPath(res, objectKeyOf(res.Properties["TemplateURL"]))
		if !ok {
			problem(res, fmt.Errorf("its template is not in the cloud assembly (TemplateURL names no asset of it)"))
			continue
		}
		nested, err := LoadTemplate(path)
		if err != nil {
			problem(res, err)
			continue
		}
		nested = a.Flatten(nested, problem)
		s, err := newNestedScope(res, nested)
		if err != nil {
			problem(res, err)
			continue
		}
		merged, outs, err := s.merge(nested)
		if err != nil {
			problem(res, err)
			continue
		}
		for id, r := range merged {
			out.Resources[id] = r
		}
		outputs[res.LogicalID] = outs
		out.Nested[res.LogicalID] = path
	}
	if len(outputs) == 0 {
		return out
	}
	// The parent's references to its nested stacks' outputs.
	for id, res := range out.Resources {
		if _, inParent := t.Resources[id]; !inParent {
			continue
		}
		props, err := replaceOutputs(res.Properties, outputs)
		if err != nil {
			problem(res, err)
			continue
		}
		cp := *res
		cp.Properties = props.(map[string]any)
		out.Resources[id] = &cp
	}
	out.Outputs = map[string]*Output{}
	for k, o := range t.Outputs {
		v, err := replaceOutputs(o.Value, outputs)
		if err != nil {
			v = o.Value // the runner reports the output it cannot resolve
		}
		out.Outputs[k] = &Output{Key: k, Value: v, Description: o.Description}
	}
	return out
}

// nestedScope rewrites a nested template's values into its parent's terms.
type nestedScope struct {
	prefix string         // "STACK-"
	params map[string]any // nested parameter → the parent's expression for it
	local  map[string]bool
}

func newNestedScope(stack *Resource, nested *Template) (*nestedScope, error) {
	s := &nestedScope{prefix: stack.LogicalID + "-", params: map[string]any{}, local: map[string]bool{}}
	passed, _ := stack.Properties["Parameters"].(map[string]any)
	for name, p := range nested.Parameters {
		if v, ok := passed[name]; ok {
			s.params[name] = v
			continue
		}
		d, ok := p.DefaultString()
		if !ok {
			return nil, fmt.Errorf("nested stack parameter %s has no value and no default", name)
		}
		s.params[name] = d
	}
	for name := range passed {
		if _, ok := nested.Parameters[name]; !ok {
			return nil, fmt.Errorf("parameter %s is passed to the nested stack, whose template does not declare it", name)
		}
	}
	for id := range nested.Resources {
		s.local[id] = true
	}
	return s, nil
}

// merge is the nested template's resources under their parent-level IDs, and its outputs'
// values in the parent's terms.
func (s *nestedScope) merge(nested *Template) (map[string]*Resource, map[string]any, error) {
	resources := map[string]*Resource{}
	for id, res := range nested.Resources {
		props, err := s.rewrite(res.Properties)
		if err != nil {
			return nil, nil, fmt.Errorf("nested resource %s: %w", id, err)
		}
		cp := *res
		cp.LogicalID = s.prefix + id
		cp.Properties = props.(map[string]any)
		resources[cp.LogicalID] = &cp
	}
	outputs := map[string]any{}
	for name, o := range nested.Outputs {
		v, err := s.rewrite(o.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("nested output %s: %w", name, err)
		}
		outputs[name] = v
	}
	return resources, outputs, nil
}

// rewrite returns v with the nested template's names in its parent's terms.
func (s *nestedScope) rewrite(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			if name, ok := v["Ref"].(string); ok {
				if p, ok := s.params[name]; ok {
					return p, nil
				}
				if s.local[name] {
					return map[string]any{"Ref": s.prefix + name}, nil
				}
				return v, nil
			}
			if arg, ok := v["Fn::GetAtt"]; ok {
				id, attr, ok := getAttArgs(arg)
				if ok && s.local[id] {
					return map[string]any{"Fn::GetAtt": []any{s.prefix + id, attr}}, nil
				}
				return v, nil
			}
			if arg, ok := v["Fn::Sub"]; ok {
				return s.rewriteSub(arg)
			}
		}
	}
	return rewriteChildren(v, s.rewrite)
}

// rewriteSub renames ${Resource} and ${Resource.Attr} and turns ${Parameter} into a variable
// bound to the parent's expression for it.
func (s *nestedScope) rewriteSub(arg any) (any, error) {
	text, vars, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	outVars := map[string]any{}
	for k, x := range vars {
		rx, err := s.rewrite(x)
		if err != nil {
			return nil, err
		}
		outVars[k] = rx
	}
	text = subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if _, ok := vars[name]; ok {
			return m
		}
		id, _, _ := strings.Cut(name, ".")
		if p, ok := s.params[name]; ok {
			outVars[name] = p
			return m
		}
		if s.local[id] {
			return "${" + s.prefix + name + "}"
		}
		return m
	})
	if len(outVars) == 0 {
		return map[string]any{"Fn::Sub": text}, nil
	}
	return map[string]any{"Fn::Sub": []any{text, outVars}}, nil
}

// replaceOutputs replaces the parent's Fn::GetAtt [STACK, Outputs.NAME] (and ${STACK.Outputs.NAME})
// with the nested output's value.
func replaceOutputs(v any, outputs map[string]map[string]any) (any, error) {
	lookup := func(id, attr string) (any, bool, error) {
		outs, ok := outputs[id]
		if !ok {
			return nil, false, nil
		}
		name, ok := strings.CutPrefix(attr, "Outputs.")
		if !ok {
			return nil, false, nil
		}
		val, ok := outs[name]
		if !ok {
			return nil, false, fmt.Errorf("the nested stack %s has no output %s", id, name)
		}
		return val, true, nil
	}
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			if arg, ok := v["Fn::GetAtt"]; ok {
				if id, attr, ok := getAttArgs(arg); ok {
					val, found, err := lookup(id, attr)
					if err != nil || found {
						return val, err
					}
				}
				return v, nil
			}
			if arg, ok := v["Fn::Sub"]; ok {
				text, vars, err := subArgs(arg)
				if err != nil {
					return nil, err
				}
				outVars := map[string]any{}
				for k, x := range vars {
					if outVars[k], err = replaceOutputs(x, outputs); err != nil {
						return nil, err
					}
				}
				var firstErr error
				for _, m := range subVar.FindAllStringSubmatch(text, -1) {
					id, attr, _ := strings.Cut(m[1], ".")
					if _, bound := vars[m[1]]; bound {
						continue
					}
					val, found, err := lookup(id, attr)
					if err != nil && firstErr == nil {
						firstErr = err
					}
					if found {
						outVars[m[1]] = val
					}
				}
				if firstErr != nil {
					return nil, firstErr
				}
				if len(outVars) == 0 {
					return v, nil
				}
				return map[string]any{"Fn::Sub": []any{text, outVars}}, nil
			}
		}
	}
	return rewriteChildren(v, func(x any) (any, error) { return replaceOutputs(x, outputs) })
}

// rewriteChildren is a copy of a map or list with each element rewritten by fn; any other
// value as it is. The template walkers above call it for what they do not rewrite themselves.
func rewriteChildren(v any, fn func(any) (any, error)) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			rx, err := fn(x)
			if err != nil {
				return nil, err
			}
			out[k] = rx
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			rx, err := fn(x)
			if err != nil {
				return nil, err
			}
			out[i] = rx
		}
		return out, nil
	}
	return v, nil
}

func getAttArgs(arg any) (id, attr string, ok bool) {
	switch a := arg.(type) {
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			attr, _ = a[1].(string)
		}
	case string:
		id, attr, _ = strings.Cut(a, ".")
	}
	return id, attr, id != "" && attr != ""
}

func subArgs(arg any) (string, map[string]any, error) {
	switch a := arg.(type) {
	case string:
		return a, nil, nil
	case []any:
		if len(a) == 2 {
			text, ok := a[0].(string)
			vars, ok2 := a[1].(map[string]any)
			if ok && ok2 {
				return text, vars, nil
			}
		}
	}
	return "", nil, fmt.Errorf("Fn::Sub takes a string or [string, {variables}], got %v", arg)
}
