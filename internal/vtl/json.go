package vtl

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSON decodes strict JSON into template values the way API Gateway's
// Java side sees them: objects keep document order (printing as
// {k=v, ...}), arrays print as JSON, integers are Integer/Long/BigInteger
// and other numbers Double.
func parseJSON(s string) (value, error) {
	d := &jsonDecoder{s: s}
	d.skip()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skip()
	if d.i < len(d.s) {
		return nil, d.errf("unexpected %q after the JSON value", d.s[d.i:min(d.i+10, len(d.s))])
	}
	return v, nil
}

type jsonDecoder struct {
	s string
	i int
}

func (d *jsonDecoder) errf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) skip() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
			continue
		}
		return
	}
}

func (d *jsonDecoder) value(depth int) (value, error) {
	if depth > maxValueDepth {
		return nil, d.errf("JSON nests deeper than %d levels", maxValueDepth)
	}
	if d.i >= len(d.s) {
		return nil, d.errf("unexpected end of JSON")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		d.i++
		m := newMap(false)
		d.skip()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			return m, nil
		}
		for {
			d.skip()
			if d.i >= len(d.s) || d.s[d.i] != '"' {
				return nil, d.errf("expected a string key")
			}
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			d.skip()
			if d.i >= len(d.s) || d.s[d.i] != ':' {
				return nil, d.errf("expected ':'")
			}
			d.i++
			d.skip()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			m.put(k, v)
			d.skip()
			if d.i < len(d.s) && d.s[d.i] == ',' {
				d.i++
				continue
			}
			if d.i < len(d.s) && d.s[d.i] == '}' {
				d.i++
				return m, nil
			}
			return nil, d.errf("expected ',' or '}'")
		}
	case c == '[':
		d.i++
		l := &vList{kind: listJSON}
		d.skip()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			return l, nil
		}
		for {
			d.skip()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, v)
			d.skip()
			if d.i < len(d.s) && d.s[d.i] == ',' {
				d.i++
				continue
			}
			if d.i < len(d.s) && d.s[d.i] == ']' {
				d.i++
				return l, nil
			}
			return nil, d.errf("expected ',' or ']'")
		}
	case c == '"':
		return d.str()
	case c == '-' || isDigit(c):
		return d.number()
	}
	for _, lit := range []struct {
		s string
		v value
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(d.s[d.i:], lit.s) {
			d.i += len(lit.s)
			return lit.v, nil
		}
	}
	return nil, d.errf("unexpected %q", d.s[d.i:min(d.i+10, len(d.s))])
}

func (d *jsonDecoder) number() (value, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	if d.i >= len(d.s) || !isDigit(d.s[d.i]) {
		return nil, d.errf("bad number")
	}
	if d.s[d.i] == '0' && d.i+1 < len(d.s) && isDigit(d.s[d.i+1]) {
		return nil, d.errf("leading zero in number")
	}
	for d.i < len(d.s) && isDigit(d.s[d.i]) {
		d.i++
	}
	isFloat := false
	if d.i < len(d.s) && d.s[d.i] == '.' {
		isFloat = true
		d.i++
		if d.i >= len(d.s) || !isDigit(d.s[d.i]) {
			return nil, d.errf("bad number")
		}
		for d.i < len(d.s) && isDigit(d.s[d.i]) {
			d.i++
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		isFloat = true
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.i >= len(d.s) || !isDigit(d.s[d.i]) {
			return nil, d.errf("bad number")
		}
		for d.i < len(d.s) && isDigit(d.s[d.i]) {
			d.i++
		}
	}
	lit := d.s[start:d.i]
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !isRangeErr(err) {
			return nil, d.errf("bad number %q", lit)
		}
		return f, nil
	}
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n, nil
	}
	b, _ := new(big.Int).SetString(lit, 10)
	return b, nil
}

func (d *jsonDecoder) str() (string, error) {
	d.i++ // opening quote
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if c == '"' {
			s := d.s[start:d.i]
			d.i++
			if !utf8.ValidString(s) {
				s = strings.ToValidUTF8(s, "\uFFFD")
			}
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		d.i++
	}
	var b strings.Builder
	b.WriteString(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			s := b.String()
			if !utf8.ValidString(s) {
				s = strings.ToValidUTF8(s, "\uFFFD")
			}
			return s, nil
		case c < 0x20:
			return "", d.errf("control character in string")
		case c == '\\':
			if d.i+1 >= len(d.s) {
				return "", d.errf("unterminated escape")
			}
			d.i++
			switch e := d.s[d.i]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := d.hex4(d.i + 1)
				if !ok {
					return "", d.errf(`bad \u escape`)
				}
				d.i += 4
				if utf16.IsSurrogate(r) {
					if r2, ok := d.hex4(d.i + 3); ok && strings.HasPrefix(d.s[d.i+1:], `\u`) {
						if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
							b.WriteRune(c)
							d.i += 6
							break
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				return "", d.errf("bad escape \\%c", e)
			}
			d.i++
		default:
			b.WriteByte(c)
			d.i++
		}
	}
	return "", d.errf("unterminated string")
}

func (d *jsonDecoder) hex4(i int) (rune, bool) {
	if i+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[i:i+4], 16, 32)
	return rune(n), err == nil
}

// evalJSONPath evaluates the Jayway JsonPath subset templates use: $, .name,
// ['name'], [index], [-index], [*], .*, [a:b], [i,j], ['a','b'] and ..name.
// found is false when a definite path matches nothing. Filters are an
// error.
func evalJSONPath(root value, path string) (v value, found bool, err error) {
	p := strings.TrimSpace(path)
	if !strings.HasPrefix(p, "$") {
		// Jayway reads "a.b" as "$.a.b".
		p = "$." + p
	}
	nodes := []value{root}
	definite := true
	i := 1
	for i < len(p) {
		if len(nodes) > maxRange*10 {
			return nil, false, errors.New("JSONPath matches too many values")
		}
		switch {
		case strings.HasPrefix(p[i:], ".."):
			definite = false
			i += 2
			var name string
			var wild bool
			switch {
			case i < len(p) && p[i] == '*':
				wild = true
				i++
			case i < len(p) && p[i] == '[':
				return nil, false, fmt.Errorf("JSONPath %q: deep scan with brackets is not supported", path)
			default:
				j := i
				for j < len(p) && p[j] != '.' && p[j] != '[' {
					j++
				}
				name = p[i:j]
				i = j
				if name == "" {
					return nil, false, fmt.Errorf("JSONPath %q: missing name after ..", path)
				}
			}
			var out []value
			for _, n := range nodes {
				out = deepScan(n, name, wild, out, 0)
			}
			nodes = out
		case p[i] == '.':
			i++
			if i < len(p) && p[i] == '*' {
				i++
				definite = false
				nodes = children(nodes)
				continue
			}
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i {
				return nil, false, fmt.Errorf("JSONPath %q: missing name after .", path)
			}
			nodes = property(nodes, []string{p[i:j]})
			i = j
		case p[i] == '[':
			end := bracketEnd(p, i)
			if end < 0 {
				return nil, false, fmt.Errorf("JSONPath %q: unterminated [", path)
			}
			sel := strings.TrimSpace(p[i+1 : end])
			i = end + 1
			var d bool
			nodes, d, err = bracket(nodes, sel, path)
			if err != nil {
				return nil, false, err
			}
			definite = definite && d
		default:
			return nil, false, fmt.Errorf("JSONPath %q: unexpected %q", path, p[i:])
		}
	}
	if definite {
		if len(nodes) == 0 {
			return nil, false, nil
		}
		return nodes[0], true, nil
	}
	return &vList{kind: listJSON, items: nodes}, true, nil
}

// bracketEnd finds the ] closing p[i] == '[', skipping quoted names.
func bracketEnd(p string, i int) int {
	var q byte
	for j := i + 1; j < len(p); j++ {
		switch c := p[j]; {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == ']':
			return j
		}
	}
	return -1
}

func children(nodes []value) []value {
	var out []value
	for _, n := range nodes {
		switch n := n.(type) {
		case *vMap:
			for _, i := range n.iter() {
				out = append(out, n.vals[i])
			}
		case *vList:
			out = append(out, n.items...)
		}
	}
	return out
}

func property(nodes []value, names []string) []value {
	var out []value
	for _, n := range nodes {
		if m, ok := n.(*vMap); ok {
			for _, name := range names {
				if v, ok := m.get(name); ok {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func deepScan(n value, name string, wild bool, out []value, depth int) []value {
	if depth > maxValueDepth || len(out) > maxRange*10 {
		return out
	}
	switch n := n.(type) {
	case *vMap:
		for _, i := range n.iter() {
			if wild || n.keys[i] == name {
				out = append(out, n.vals[i])
			}
		}
		for _, i := range n.iter() {
			out = deepScan(n.vals[i], name, wild, out, depth+1)
		}
	case *vList:
		if wild {
			out = append(out, n.items...)
		}
		for _, x := range n.items {
			out = deepScan(x, name, wild, out, depth+1)
		}
	}
	return out
}

func bracket(nodes []value, sel, path string) ([]value, bool, error) {
	switch {
	case sel == "*":
		return children(nodes), false, nil
	case strings.HasPrefix(sel, "?"):
		return nil, false, fmt.Errorf("JSONPath %q: filter expressions are not supported", path)
	case strings.HasPrefix(sel, "'") || strings.HasPrefix(sel, `"`):
		var names []string
		for _, part := range splitOutsideQuotes(sel) {
			part = strings.TrimSpace(part)
			if len(part) < 2 || part[0] != part[len(part)-1] || part[0] != '\'' && part[0] != '"' {
				return nil, false, fmt.Errorf("JSONPath %q: bad name %s", path, part)
			}
			names = append(names, part[1:len(part)-1])
		}
		return property(nodes, names), len(names) == 1, nil
	case strings.Contains(sel, ":"):
		a, b, _ := strings.Cut(sel, ":")
		if strings.Contains(b, ":") {
			return nil, false, fmt.Errorf("JSONPath %q: slice steps are not supported", path)
		}
		var out []value
		for _, n := range nodes {
			l, ok := n.(*vList)
			if !ok {
				continue
			}
			from, to, err := sliceBounds(strings.TrimSpace(a), strings.TrimSpace(b), len(l.items))
			if err != nil {
				return nil, false, fmt.Errorf("JSONPath %q: %v", path, err)
			}
			if from < to {
				out = append(out, l.items[from:to]...)
			}
		}
		return out, false, nil
	}
	parts := strings.Split(sel, ",")
	var out []value
	for _, n := range nodes {
		l, ok := n.(*vList)
		if !ok {
			continue
		}
		for _, part := range parts {
			i, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return nil, false, fmt.Errorf("JSONPath %q: bad index %q", path, part)
			}
			if i < 0 {
				i += len(l.items)
			}
			if i >= 0 && i < len(l.items) {
				out = append(out, l.items[i])
			}
		}
	}
	return out, len(parts) == 1, nil
}

func splitOutsideQuotes(s string) []string {
	var parts []string
	var q byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func sliceBounds(a, b string, n int) (int, int, error) {
	bound := func(s string, def int) (int, error) {
		if s == "" {
			return def, nil
		}
		i, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("bad slice bound %q", s)
		}
		if i < 0 {
			i += n
		}
		return max(0, min(i, n)), nil
	}
	from, err := bound(a, 0)
	if err != nil {
		return 0, 0, err
	}
	to, err := bound(b, n)
	return from, to, err
}
