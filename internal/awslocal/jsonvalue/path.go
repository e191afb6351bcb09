package jsonvalue

import (
	"fmt"
	"strconv"
	"strings"
)

// A JSONPath subset shared by EventBridge (InputPath, InputPathsMap) and
// the Step Functions interpreter (InputPath, Parameters, ResultPath, ...):
// $ and $$ roots, .name and ['name'], [n] (negative counts from the end),
// [*] and .*, [a:b] slices, [n,m] unions and ..name deep scan. Filter
// expressions are not supported and are rejected when parsed.

type segKind int

const (
	segField segKind = iota
	segIndex
	segWildcard
	segSlice
	segUnion
	segDeep
)

type pathSeg struct {
	kind      segKind
	name      string
	index     int
	lo, hi    *int
	indexes   []int
	deepField string
}

// Path is a parsed JSONPath.
type Path struct {
	src     string
	context bool // starts with $$
	segs    []pathSeg
	// definite paths select at most one value; others yield a list.
	definite bool
}

// ParsePath parses a path; filter expressions and malformed paths fail.
func ParsePath(src string) (*Path, error) {
	p := &Path{src: src, definite: true}
	s := src
	switch {
	case strings.HasPrefix(s, "$$"):
		p.context = true
		s = s[2:]
	case strings.HasPrefix(s, "$"):
		s = s[1:]
	default:
		return nil, fmt.Errorf("path %q must start with $", src)
	}
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, ".."):
			s = s[2:]
			name, rest := readName(s)
			if name == "" {
				return nil, fmt.Errorf("path %q: expected a field name after ..", src)
			}
			p.segs = append(p.segs, pathSeg{kind: segDeep, deepField: name})
			p.definite = false
			s = rest
		case s[0] == '.':
			s = s[1:]
			if strings.HasPrefix(s, "*") {
				p.segs = append(p.segs, pathSeg{kind: segWildcard})
				p.definite = false
				s = s[1:]
				continue
			}
			name, rest := readName(s)
			if name == "" {
				return nil, fmt.Errorf("path %q: expected a field name after .", src)
			}
			p.segs = append(p.segs, pathSeg{kind: segField, name: name})
			s = rest
		case s[0] == '[':
			end := closingBracket(s)
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", src)
			}
			inner := strings.TrimSpace(s[1:end])
			s = s[end+1:]
			seg, err := parseBracket(inner)
			if err != nil {
				return nil, fmt.Errorf("path %q: %v", src, err)
			}
			if seg.kind != segField && seg.kind != segIndex {
				p.definite = false
			}
			p.segs = append(p.segs, seg)
		default:
			return nil, fmt.Errorf("path %q: unexpected %q", src, s[:1])
		}
	}
	return p, nil
}

func readName(s string) (string, string) {
	i := 0
	for i < len(s) && s[i] != '.' && s[i] != '[' {
		i++
	}
	return s[:i], s[i:]
}

func closingBracket(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ']':
			return i
		}
	}
	return -1
}

func parseBracket(inner string) (pathSeg, error) {
	switch {
	case inner == "*":
		return pathSeg{kind: segWildcard}, nil
	case strings.HasPrefix(inner, "?"):
		return pathSeg{}, fmt.Errorf("filter expressions are not supported")
	case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
		name := inner[1 : len(inner)-1]
		name = strings.ReplaceAll(name, `\'`, `'`)
		name = strings.ReplaceAll(name, `\"`, `"`)
		return pathSeg{kind: segField, name: name}, nil
	case strings.Contains(inner, ":"):
		parts := strings.Split(inner, ":")
		seg := pathSeg{kind: segSlice}
		for i, part := range parts[:min(2, len(parts))] {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			n, err := strconv.Atoi(part)
			if err != nil {
				return seg, fmt.Errorf("bad slice %q", inner)
			}
			if i == 0 {
				seg.lo = &n
			} else {
				seg.hi = &n
			}
		}
		return seg, nil
	case strings.Contains(inner, ","):
		seg := pathSeg{kind: segUnion}
		for _, part := range strings.Split(inner, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return seg, fmt.Errorf("bad index list %q", inner)
			}
			seg.indexes = append(seg.indexes, n)
		}
		return seg, nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil {
		return pathSeg{}, fmt.Errorf("bad subscript [%s]", inner)
	}
	return pathSeg{kind: segIndex, index: n}, nil
}

// String returns the path as written.
func (p *Path) String() string { return p.src }

// IsContext reports whether the path starts at the context object ($$).
func (p *Path) IsContext() bool { return p.context }

// Eval selects from root. A definite path returns its value and whether it
// exists; an indefinite one returns the list of matches (possibly empty).
func (p *Path) Eval(root any) (any, bool) {
	cur := []any{root}
	for _, seg := range p.segs {
		var next []any
		for _, v := range cur {
			next = seg.apply(v, next)
		}
		cur = next
	}
	if p.definite {
		if len(cur) == 0 {
			return nil, false
		}
		return cur[0], true
	}
	if cur == nil {
		cur = []any{}
	}
	return cur, true
}

func (seg *pathSeg) apply(v any, out []any) []any {
	switch seg.kind {
	case segField:
		if m, ok := v.(map[string]any); ok {
			if x, ok := m[seg.name]; ok {
				out = append(out, x)
			}
		}
	case segIndex:
		if a, ok := v.([]any); ok {
			i := seg.index
			if i < 0 {
				i += len(a)
			}
			if i >= 0 && i < len(a) {
				out = append(out, a[i])
			}
		}
	case segWildcard:
		switch x := v.(type) {
		case []any:
			out = append(out, x...)
		case map[string]any:
			for _, k := range SortedKeys(x) {
				out = append(out, x[k])
			}
		}
	case segSlice:
		if a, ok := v.([]any); ok {
			lo, hi := 0, len(a)
			if seg.lo != nil {
				lo = *seg.lo
				if lo < 0 {
					lo += len(a)
				}
			}
			if seg.hi != nil {
				hi = *seg.hi
				if hi < 0 {
					hi += len(a)
				}
			}
			lo, hi = max(lo, 0), min(hi, len(a))
			for i := lo; i < hi; i++ {
				out = append(out, a[i])
			}
		}
	case segUnion:
		if a, ok := v.([]any); ok {
			for _, i := range seg.indexes {
				if i < 0 {
					i += len(a)
				}
				if i >= 0 && i < len(a) {
					out = append(out, a[i])
				}
			}
		}
	case segDeep:
		out = deepScan(v, seg.deepField, out)
	}
	return out
}

func deepScan(v any, name string, out []any) []any {
	switch x := v.(type) {
	case map[string]any:
		if y, ok := x[name]; ok {
			out = append(out, y)
		}
		for _, k := range SortedKeys(x) {
			out = deepScan(x[k], name, out)
		}
	case []any:
		for _, y := range x {
			out = deepScan(y, name, out)
		}
	}
	return out
}

// IsReference reports whether p only names fields and indexes, as
// ResultPath and Choice Variables require.
func (p *Path) IsReference() bool {
	for _, s := range p.segs {
		if s.kind != segField && s.kind != segIndex {
			return false
		}
	}
	return true
}

// Set returns root with val placed at the path, creating objects on the
// way. It fails when the path crosses a value that is not an object.
func (p *Path) Set(root any, val any) (any, error) {
	if len(p.segs) == 0 {
		return val, nil
	}
	return setAt(root, p.segs, val, p.src)
}

func setAt(node any, segs []pathSeg, val any, src string) (any, error) {
	seg := segs[0]
	switch seg.kind {
	case segField:
		var m map[string]any
		switch x := node.(type) {
		case map[string]any:
			m = make(map[string]any, len(x)+1)
			for k, v := range x {
				m[k] = v
			}
		case nil:
			m = map[string]any{}
		default:
			return nil, fmt.Errorf("unable to apply ResultPath %q to input: a value on the path is not an object", src)
		}
		if len(segs) == 1 {
			m[seg.name] = val
			return m, nil
		}
		child, err := setAt(m[seg.name], segs[1:], val, src)
		if err != nil {
			return nil, err
		}
		m[seg.name] = child
		return m, nil
	case segIndex:
		a, ok := node.([]any)
		if !ok || seg.index < 0 || seg.index >= len(a) {
			return nil, fmt.Errorf("unable to apply ResultPath %q to input: index out of range", src)
		}
		cp := append([]any(nil), a...)
		if len(segs) == 1 {
			cp[seg.index] = val
			return cp, nil
		}
		child, err := setAt(cp[seg.index], segs[1:], val, src)
		if err != nil {
			return nil, err
		}
		cp[seg.index] = child
		return cp, nil
	}
	return nil, fmt.Errorf("ResultPath %q must be a reference path", src)
}

// EvalString evaluates a path given as text on root (json input).
func EvalString(path string, root any) (any, bool, error) {
	p, err := ParsePath(path)
	if err != nil {
		return nil, false, err
	}
	v, ok := p.Eval(root)
	return v, ok, nil
}
