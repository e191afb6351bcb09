package events

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strings"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Event patterns as the EventBridge User Guide documents them ("Event
// patterns", "Comparison operators for use in event patterns"): a JSON
// object whose leaves are arrays of match values; a field matches when any
// value matches, an event matches when every field does; an array in the
// event matches when any element does. Operators: exact values (string,
// number, true/false, null), prefix and suffix (also with
// equals-ignore-case), equals-ignore-case, anything-but (values, prefix,
// suffix, equals-ignore-case, wildcard), numeric ranges, exists, wildcard,
// cidr, and $or. Validation messages follow AWS's "Event pattern is not
// valid. Reason: ..." as recorded in LocalStack's events snapshots.

type eventPattern struct {
	fields []patternField
	ors    [][]*eventPattern
}

type patternField struct {
	key      string
	child    *eventPattern
	matchers []matcher
}

type matchKind int

const (
	mExact matchKind = iota
	mPrefix
	mSuffix
	mEqualsIgnoreCase
	mAnythingBut
	mNumeric
	mExists
	mWildcard
	mCIDR
)

type numericCond struct {
	op  string
	val float64
}

type matcher struct {
	kind       matchKind
	value      any    // mExact
	str        string // prefix/suffix/equals-ignore-case
	ignoreCase bool   // prefix/suffix with equals-ignore-case
	exists     bool   // mExists
	numeric    []numericCond
	re         *regexp.Regexp // mWildcard
	cidr       *net.IPNet
	// anything-but: a negated list of values or of one inner operator
	notValues []any
	notInner  []matcher
}

func errInvalidPattern(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: "InvalidEventPatternException", Message: "Event pattern is not valid. Reason: " + fmt.Sprintf(format, args...)}
}

// compileEventPattern parses and validates a pattern. An empty string is a
// pattern that matches every event.
func compileEventPattern(src string) (*eventPattern, *awsproto.Error) {
	if strings.TrimSpace(src) == "" {
		return &eventPattern{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errInvalidPattern("Filter is not valid JSON")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errInvalidPattern("Filter is not an object")
	}
	return compileObject(obj)
}

func compileObject(obj map[string]any) (*eventPattern, *awsproto.Error) {
	p := &eventPattern{}
	for _, k := range jsonvalue.SortedKeys(obj) {
		v := obj[k]
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, errInvalidPattern("Or must have at least 2 conditions")
			}
			var group []*eventPattern
			for _, a := range alts {
				ao, ok := a.(map[string]any)
				if !ok {
					return nil, errInvalidPattern("Or condition must be an object")
				}
				sub, err := compileObject(ao)
				if err != nil {
					return nil, err
				}
				group = append(group, sub)
			}
			p.ors = append(p.ors, group)
			continue
		}
		switch val := v.(type) {
		case map[string]any:
			child, err := compileObject(val)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, patternField{key: k, child: child})
		case []any:
			if len(val) == 0 {
				return nil, errInvalidPattern("Empty arrays are not allowed")
			}
			f := patternField{key: k}
			for _, mv := range val {
				m, err := compileMatcher(mv)
				if err != nil {
					return nil, err
				}
				f.matchers = append(f.matchers, m)
			}
			p.fields = append(p.fields, f)
		default:
			return nil, errInvalidPattern("\"%s\" must be an object or an array", k)
		}
	}
	return p, nil
}

func compileMatcher(v any) (matcher, *awsproto.Error) {
	switch val := v.(type) {
	case nil, string, bool, json.Number:
		return matcher{kind: mExact, value: val}, nil
	case map[string]any:
		if len(val) != 1 {
			return matcher{}, errInvalidPattern("Only one key allowed in match expression")
		}
		for op, arg := range val {
			return compileOperator(op, arg)
		}
	}
	return matcher{}, errInvalidPattern("Match value must be String, number, true, false, or null")
}

func compileOperator(op string, arg any) (matcher, *awsproto.Error) {
	switch op {
	case "prefix", "suffix":
		kind := mPrefix
		if op == "suffix" {
			kind = mSuffix
		}
		switch a := arg.(type) {
		case string:
			return matcher{kind: kind, str: a}, nil
		case map[string]any:
			s, ok := a["equals-ignore-case"].(string)
			if len(a) != 1 || !ok {
				return matcher{}, errInvalidPattern("Unsupported %s pattern", op)
			}
			return matcher{kind: kind, str: strings.ToLower(s), ignoreCase: true}, nil
		}
		return matcher{}, errInvalidPattern("%s match pattern must be a string", op)
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, errInvalidPattern("equals-ignore-case match pattern must be a string")
		}
		return matcher{kind: mEqualsIgnoreCase, str: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return matcher{}, errInvalidPattern("exists match pattern must be either true or false.")
		}
		return matcher{kind: mExists, exists: b}, nil
	case "numeric":
		return compileNumeric(arg)
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, errInvalidPattern("wildcard match pattern must be a string")
		}
		return compileWildcard(s)
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, errInvalidPattern("prefix match pattern must be a string")
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			if !strings.Contains(s, "/") {
				return matcher{}, errInvalidPattern("Malformed CIDR, one '/' required")
			}
			return matcher{}, errInvalidPattern("Nonstandard IP address: %s", strings.SplitN(s, "/", 2)[0])
		}
		return matcher{kind: mCIDR, cidr: n}, nil
	case "anything-but":
		return compileAnythingBut(arg)
	}
	return matcher{}, errInvalidPattern("Unrecognized match type %s", op)
}

func compileAnythingBut(arg any) (matcher, *awsproto.Error) {
	m := matcher{kind: mAnythingBut}
	switch a := arg.(type) {
	case nil:
		return m, errInvalidPattern("Value of anything-but must be an array or single string/number value.")
	case string, json.Number, bool:
		m.notValues = []any{a}
	case []any:
		for _, x := range a {
			switch x.(type) {
			case string, json.Number:
				m.notValues = append(m.notValues, x)
			default:
				return m, errInvalidPattern("Inside anything but list, start|null|boolean is not supported.")
			}
		}
	case map[string]any:
		if len(a) != 1 {
			return m, errInvalidPattern("Only one key allowed in match expression")
		}
		for op, inner := range a {
			strs, ok := stringOrStrings(inner)
			switch op {
			case "prefix", "suffix", "equals-ignore-case", "wildcard":
			default:
				return m, errInvalidPattern("Unsupported anything-but pattern: %s", op)
			}
			if !ok {
				return m, errInvalidPattern("%s match pattern must be a string", op)
			}
			for _, s := range strs {
				if (op == "prefix" || op == "suffix") && s == "" {
					return m, errInvalidPattern("Null prefix/suffix not allowed")
				}
				im, err := compileOperator(op, s)
				if err != nil {
					return m, err
				}
				m.notInner = append(m.notInner, im)
			}
		}
	default:
		return m, errInvalidPattern("Value of anything-but must be an array or single string/number value.")
	}
	return m, nil
}

func stringOrStrings(v any) ([]string, bool) {
	switch a := v.(type) {
	case string:
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func compileNumeric(arg any) (matcher, *awsproto.Error) {
	list, ok := arg.([]any)
	if !ok {
		return matcher{}, errInvalidPattern("Value of numeric must be an array.")
	}
	if len(list) == 0 {
		return matcher{}, errInvalidPattern("Invalid member in numeric match: ]")
	}
	m := matcher{kind: mNumeric}
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok {
			return m, errInvalidPattern("Invalid member in numeric match: %v", list[i])
		}
		switch op {
		case "<", "<=", "=", ">", ">=":
		default:
			return m, errInvalidPattern("Unrecognized numeric range operator: %s", op)
		}
		if i+1 >= len(list) {
			return m, errInvalidPattern("Value of %s must be numeric", op)
		}
		n, ok := list[i+1].(json.Number)
		if !ok {
			return m, errInvalidPattern("Value of %s must be numeric", op)
		}
		f, err := n.Float64()
		if err != nil {
			return m, errInvalidPattern("Value of %s must be numeric", op)
		}
		m.numeric = append(m.numeric, numericCond{op, f})
	}
	if len(m.numeric) > 2 {
		return m, errInvalidPattern("Too many terms in numeric range expression")
	}
	if len(m.numeric) == 2 {
		lo, hi := m.numeric[0], m.numeric[1]
		if (lo.op != ">" && lo.op != ">=") || (hi.op != "<" && hi.op != "<=") {
			return m, errInvalidPattern("Bad numeric range operator: %s", hi.op)
		}
		if hi.val <= lo.val {
			return m, errInvalidPattern("Bottom must be less than top")
		}
	}
	return m, nil
}

// compileWildcard turns "a*b" into an anchored expression; "*" matches any
// run of characters and "\*" a literal star.
func compileWildcard(s string) (matcher, *awsproto.Error) {
	if i := strings.Index(s, "**"); i >= 0 {
		return matcher{}, errInvalidPattern("Consecutive wildcard characters at pos %d", i+1)
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\'):
			b.WriteString(regexp.QuoteMeta(s[i+1 : i+2]))
			i++
		case s[i] == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
		}
	}
	b.WriteString("$")
	return matcher{kind: mWildcard, re: regexp.MustCompile(b.String())}, nil
}

// match reports whether the decoded event (a JSON object) matches.
func (p *eventPattern) match(event map[string]any) bool {
	return p.matchNodes([]any{event})
}

func (p *eventPattern) matchNodes(nodes []any) bool {
	for _, f := range p.fields {
		vals, present := collectField(nodes, f.key)
		if f.child != nil {
			if !f.child.matchNodes(vals) {
				return false
			}
			continue
		}
		if !matchLeaf(f.matchers, vals, present) {
			return false
		}
	}
	for _, group := range p.ors {
		matched := false
		for _, alt := range group {
			if alt.matchNodes(nodes) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

// collectField gathers the values of key in every object among nodes,
// flattening arrays, and reports whether the key exists anywhere.
func collectField(nodes []any, key string) ([]any, bool) {
	var out []any
	present := false
	for _, n := range nodes {
		obj, ok := n.(map[string]any)
		if !ok {
			continue
		}
		v, ok := obj[key]
		if !ok {
			continue
		}
		present = true
		out = appendFlat(out, v)
	}
	return out, present
}

func appendFlat(out []any, v any) []any {
	if arr, ok := v.([]any); ok {
		for _, x := range arr {
			out = appendFlat(out, x)
		}
		return out
	}
	return append(out, v)
}

func matchLeaf(ms []matcher, vals []any, present bool) bool {
	for i := range ms {
		m := &ms[i]
		if m.kind == mExists {
			// An empty array or an object is not a leaf value.
			leaf := false
			for _, v := range vals {
				if _, isObj := v.(map[string]any); !isObj {
					leaf = true
					break
				}
			}
			if m.exists == (present && leaf) {
				return true
			}
			continue
		}
		for _, v := range vals {
			if m.matchValue(v) {
				return true
			}
		}
	}
	return false
}

func (m *matcher) matchValue(v any) bool {
	switch m.kind {
	case mExact:
		return jsonvalue.Equal(m.value, v)
	case mPrefix, mSuffix, mEqualsIgnoreCase, mWildcard:
		s, ok := v.(string)
		if !ok {
			return false
		}
		switch m.kind {
		case mPrefix:
			if m.ignoreCase {
				return strings.HasPrefix(strings.ToLower(s), m.str)
			}
			return strings.HasPrefix(s, m.str)
		case mSuffix:
			if m.ignoreCase {
				return strings.HasSuffix(strings.ToLower(s), m.str)
			}
			return strings.HasSuffix(s, m.str)
		case mEqualsIgnoreCase:
			return strings.EqualFold(s, m.str)
		default:
			return m.re.MatchString(s)
		}
	case mNumeric:
		f, ok := jsonvalue.Number(v)
		if !ok {
			return false
		}
		for _, c := range m.numeric {
			var ok bool
			switch c.op {
			case "=":
				ok = f == c.val
			case "<":
				ok = f < c.val
			case "<=":
				ok = f <= c.val
			case ">":
				ok = f > c.val
			case ">=":
				ok = f >= c.val
			}
			if !ok {
				return false
			}
		}
		return true
	case mCIDR:
		s, ok := v.(string)
		if !ok {
			return false
		}
		ip := net.ParseIP(s)
		return ip != nil && m.cidr.Contains(ip)
	case mAnythingBut:
		if m.notInner != nil {
			for i := range m.notInner {
				if m.notInner[i].matchValue(v) {
					return false
				}
			}
			// anything-but with a string operator still needs a string.
			_, isStr := v.(string)
			return isStr
		}
		for _, nv := range m.notValues {
			if jsonvalue.Equal(nv, v) {
				return false
			}
		}
		return true
	}
	return false
}
