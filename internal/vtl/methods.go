package vtl

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Java methods a template can call. A method Java has on that class but
// this package does not implement is an error; a method Java does not have
// yields null, as Velocity's introspection does (and API Gateway prints
// null as empty text).

func unsupported(class, name string) error {
	return fmt.Errorf("%s.%s is not supported by this renderer", class, name)
}

// Methods of java.lang.String that exist but are not implemented here.
var unimplementedString = set("codePointAt", "codePointBefore", "codePointCount", "offsetByCodePoints",
	"getChars", "getBytes", "regionMatches", "toCharArray", "chars", "codePoints", "isBlank", "lines",
	"strip", "stripLeading", "stripTrailing", "repeat", "indent", "stripIndent", "translateEscapes",
	"transform", "formatted", "describeConstable", "resolveConstantDesc", "getClass", "format",
	"valueOf", "copyValueOf", "join", "notify", "notifyAll", "wait")

var unimplementedList = set("iterator", "listIterator", "toArray", "sort", "forEach", "stream",
	"parallelStream", "ensureCapacity", "trimToSize", "clone", "replaceAll", "removeIf", "spliterator",
	"removeAll", "retainAll", "hashCode", "getClass", "notify", "notifyAll", "wait")

var unimplementedMap = set("compute", "computeIfAbsent", "computeIfPresent", "merge", "replace",
	"replaceAll", "forEach", "clone", "hashCode", "getClass", "notify", "notifyAll", "wait")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func (r *renderer) property(v value, p *refPart) (value, error) {
	name := p.name
	if name == "class" {
		return nil, unsupported(className(v), "getClass")
	}
	switch v := v.(type) {
	case *vMap:
		x, _ := v.get(name)
		return x, nil
	case *vList:
		if name == "empty" {
			return len(v.items) == 0, nil
		}
	case string:
		switch name {
		case "empty":
			return v == "", nil
		case "bytes", "blank", "chars":
			return nil, unsupported("String", name)
		}
	case *vEntry:
		switch name {
		case "key":
			return v.k, nil
		case "value":
			return v.v, nil
		}
	case *foreachScope:
		return v.get(name), nil
	case *inputObj:
		if name == "body" {
			return v.bodyString(), nil
		}
	}
	return nil, nil
}

func className(v value) string {
	switch v.(type) {
	case string:
		return "String"
	case *vList:
		return "List"
	case *vMap:
		return "Map"
	}
	return fmt.Sprintf("%T", v)
}

func (s *foreachScope) get(name string) value {
	switch name {
	case "index":
		return int64(s.index)
	case "count":
		return int64(s.index + 1)
	case "hasNext":
		return s.hasNext
	case "first":
		return s.index < 1
	case "last":
		return !s.hasNext
	case "parent":
		if s.parent == nil {
			return nil
		}
		return s.parent
	case "topmost":
		t := s
		for t.parent != nil {
			t = t.parent
		}
		return t
	}
	return nil
}

func (r *renderer) call(recv value, p *refPart, args []value) (value, error) {
	name := p.name
	// Object methods every value has.
	switch name {
	case "toString":
		if len(args) == 0 {
			s, err := javaString(recv, 0)
			if err != nil {
				return nil, err
			}
			return s, nil
		}
	case "equals":
		if len(args) == 1 {
			return javaEquals(recv, args[0], 0), nil
		}
	case "getClass":
		return nil, unsupported(className(recv), name)
	}
	switch v := recv.(type) {
	case string:
		return r.stringMethod(v, name, args)
	case *vList:
		return listMethod(v, name, args)
	case *vMap:
		return mapMethod(v, name, args)
	case *vEntry:
		switch {
		case name == "getKey" && len(args) == 0:
			return v.k, nil
		case name == "getValue" && len(args) == 0:
			return v.v, nil
		case name == "setValue" || name == "hashCode":
			return nil, unsupported("Map.Entry", name)
		}
	case *foreachScope:
		switch name {
		case "stop":
			return nil, breakSignal{scope: v}
		case "getIndex", "getCount", "getHasNext", "getFirst", "getLast", "getParent", "getTopmost":
			return v.get(strings.ToLower(name[3:4]) + name[4:]), nil
		case "hasNext", "isFirst", "isLast":
			if name == "hasNext" {
				return v.hasNext, nil
			}
			return v.get(strings.ToLower(name[2:3]) + name[3:]), nil
		}
	case *inputObj:
		return v.call(name, args)
	case utilObj:
		return utilCall(name, args)
	case int64, float64, *big.Int:
		return numberMethod(v, name, args)
	case bool:
		if name == "booleanValue" && len(args) == 0 {
			return v, nil
		}
	}
	return nil, nil
}

func numberMethod(v value, name string, args []value) (value, error) {
	if len(args) == 0 {
		switch name {
		case "intValue":
			if i, ok := v.(int64); ok {
				return int64(int32(i)), nil
			}
			f := toFloat(v)
			b, _ := rangeBound(f)
			return b, nil
		case "longValue":
			if i, ok := v.(int64); ok {
				return i, nil
			}
			if b, ok := v.(*big.Int); ok {
				return int64(b.Uint64()), nil
			}
			f := toFloat(v)
			if f != f {
				return int64(0), nil
			}
			return int64(f), nil
		case "doubleValue":
			return toFloat(v), nil
		}
	}
	if name == "compareTo" && len(args) == 1 {
		c, ok := compareNumbers(v, args[0])
		if ok {
			return int64(c), nil
		}
		return nil, nil
	}
	return nil, nil
}

// argInt accepts an int argument (Integer, or a Long Velocity would narrow
// only if it fits).
func argInt(v value) (int, bool) {
	i, ok := v.(int64)
	if !ok || i < -1<<31 || i > 1<<31-1 {
		return 0, false
	}
	return int(i), true
}

func (r *renderer) stringMethod(s, name string, args []value) (value, error) {
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		v, ok := args[i].(string)
		return v, ok
	}
	switch len(args) {
	case 0:
		switch name {
		case "length":
			return int64(javaLen(s)), nil
		case "isEmpty":
			return s == "", nil
		case "toLowerCase":
			return javaLower(s)
		case "toUpperCase":
			return javaUpper(s)
		case "trim":
			// String.trim removes every char <= ' ' at both ends.
			return strings.TrimFunc(s, func(c rune) bool { return c <= ' ' }), nil
		case "hashCode":
			return int64(int32(javaHash(s))), nil
		case "intern":
			return s, nil
		}
	case 1:
		switch name {
		case "charAt":
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			u := toUTF16(s)
			if i < 0 || i >= len(u) {
				return nil, fmt.Errorf("String.charAt: index %d out of bounds for length %d", i, len(u))
			}
			return fromUTF16(u[i : i+1]), nil
		case "contains":
			if a, ok := str(0); ok {
				return strings.Contains(s, a), nil
			}
		case "startsWith":
			if a, ok := str(0); ok {
				return strings.HasPrefix(s, a), nil
			}
		case "endsWith":
			if a, ok := str(0); ok {
				return strings.HasSuffix(s, a), nil
			}
		case "equalsIgnoreCase":
			if a, ok := str(0); ok {
				return strings.EqualFold(s, a), nil
			}
			return false, nil
		case "contentEquals":
			if a, ok := str(0); ok {
				return s == a, nil
			}
		case "compareTo", "compareToIgnoreCase":
			if a, ok := str(0); ok {
				if name == "compareToIgnoreCase" {
					s, a = strings.ToLower(strings.ToUpper(s)), strings.ToLower(strings.ToUpper(a))
				}
				return int64(compareUTF16(s, a)), nil
			}
		case "indexOf", "lastIndexOf":
			if a, ok := str(0); ok {
				return int64(utf16Index(s, a, name == "lastIndexOf", -1)), nil
			}
		case "substring", "subSequence":
			if i, ok := argInt(args[0]); ok && name == "substring" {
				return substring(s, i, -1)
			}
		case "concat":
			if a, ok := str(0); ok {
				return s + a, nil
			}
		case "matches":
			if a, ok := str(0); ok {
				re, err := compileJavaRegex(a)
				if err != nil {
					return nil, err
				}
				return re.matches(s)
			}
		case "split":
			if a, ok := str(0); ok {
				return javaSplit(s, a, 0)
			}
		}
	case 2:
		switch name {
		case "substring", "subSequence":
			i, ok1 := argInt(args[0])
			j, ok2 := argInt(args[1])
			if ok1 && ok2 {
				return substring(s, i, j)
			}
		case "indexOf", "lastIndexOf":
			a, ok1 := str(0)
			from, ok2 := argInt(args[1])
			if ok1 && ok2 {
				return int64(utf16Index(s, a, name == "lastIndexOf", from)), nil
			}
		case "startsWith":
			a, ok1 := str(0)
			off, ok2 := argInt(args[1])
			if ok1 && ok2 {
				u := toUTF16(s)
				if off < 0 || off > len(u) {
					return false, nil
				}
				return strings.HasPrefix(fromUTF16(u[off:]), a), nil
			}
		case "replace":
			a, ok1 := str(0)
			b, ok2 := str(1)
			if ok1 && ok2 {
				return javaReplace(s, a, b)
			}
		case "replaceAll", "replaceFirst":
			a, ok1 := str(0)
			b, ok2 := str(1)
			if ok1 && ok2 {
				re, err := compileJavaRegex(a)
				if err != nil {
					return nil, err
				}
				out, err := re.replace(s, b, name == "replaceAll")
				if err != nil {
					return nil, err
				}
				if len(out) > maxOutput {
					return nil, fmt.Errorf("String.%s: result exceeds %d bytes", name, maxOutput)
				}
				return out, nil
			}
		case "split":
			a, ok1 := str(0)
			n, ok2 := argInt(args[1])
			if ok1 && ok2 {
				return javaSplit(s, a, n)
			}
		}
	}
	if unimplementedString[name] {
		return nil, unsupported("String", name)
	}
	return nil, nil
}

// javaReplace is String.replace(CharSequence, CharSequence): every
// occurrence, and an empty target inserts the replacement between chars.
func javaReplace(s, old, repl string) (value, error) {
	var out string
	if old == "" {
		u := toUTF16(s)
		var b strings.Builder
		b.WriteString(repl)
		for i := range u {
			b.WriteString(fromUTF16(u[i : i+1]))
			b.WriteString(repl)
			if b.Len() > maxOutput {
				break
			}
		}
		out = b.String()
	} else {
		if n := strings.Count(s, old); n > 0 && len(repl) > len(old) && len(s)+n*(len(repl)-len(old)) > maxOutput {
			return nil, fmt.Errorf("String.replace: result exceeds %d bytes", maxOutput)
		}
		out = strings.ReplaceAll(s, old, repl)
	}
	if len(out) > maxOutput {
		return nil, fmt.Errorf("String.replace: result exceeds %d bytes", maxOutput)
	}
	return out, nil
}

func compareUTF16(a, b string) int {
	ua, ub := toUTF16(a), toUTF16(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

// utf16Index is String.indexOf/lastIndexOf in UTF-16 units; from < 0
// without a from argument.
func utf16Index(s, sub string, last bool, from int) int {
	u, w := toUTF16(s), toUTF16(sub)
	if !last {
		if from < 0 {
			from = 0
		}
		for i := from; i+len(w) <= len(u); i++ {
			if equalUnits(u[i:i+len(w)], w) {
				return i
			}
		}
		return -1
	}
	start := len(u) - len(w)
	if from >= 0 && from < start {
		start = from
	}
	for i := start; i >= 0; i-- {
		if equalUnits(u[i:i+len(w)], w) {
			return i
		}
	}
	return -1
}

func equalUnits(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func substring(s string, begin, end int) (value, error) {
	u := toUTF16(s)
	if end < 0 {
		end = len(u)
	}
	if begin < 0 || end > len(u) || begin > end {
		return nil, fmt.Errorf("String.substring: begin %d, end %d, length %d", begin, end, len(u))
	}
	return fromUTF16(u[begin:end]), nil
}

// javaLower and javaUpper are toLowerCase()/toUpperCase() in an English
// locale. Go's per-rune mapping agrees with Java except for the
// SpecialCasing entries: the common ones are handled, the rest are errors.
func javaLower(s string) (value, error) {
	if isASCII(s) {
		return strings.ToLower(s), nil
	}
	var b strings.Builder
	for _, c := range s {
		switch c {
		case 'İ':
			b.WriteString("i\u0307")
		case 'Σ':
			return nil, unsupported("String", "toLowerCase of Σ (context-dependent final sigma)")
		default:
			b.WriteString(strings.ToLower(string(c)))
		}
	}
	return b.String(), nil
}

func javaUpper(s string) (value, error) {
	if isASCII(s) {
		return strings.ToUpper(s), nil
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == 'ß':
			b.WriteString("SS")
		case c >= 0xFB00 && c <= 0xFB06:
			b.WriteString([]string{"FF", "FI", "FL", "FFI", "FFL", "ST", "ST"}[c-0xFB00])
		case c == 0x149 || c == 0x1F0 || c == 0x390 || c == 0x3B0 || c == 0x587 ||
			c >= 0x1E96 && c <= 0x1E9A || c >= 0x1F50 && c <= 0x1F56 && c%2 == 0 ||
			c >= 0x1F80 && c <= 0x1FFC || c >= 0xFB13 && c <= 0xFB17:
			return nil, unsupported("String", fmt.Sprintf("toUpperCase of %q (Unicode special casing)", c))
		default:
			b.WriteString(strings.ToUpper(string(c)))
		}
	}
	return b.String(), nil
}

func listMethod(l *vList, name string, args []value) (value, error) {
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(len(l.items)), nil
		case "isEmpty":
			return len(l.items) == 0, nil
		case "clear":
			l.items = l.items[:0]
			return "", nil // void: Velocity returns ""
		}
	case 1:
		switch name {
		case "get":
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			if i < 0 || i >= len(l.items) {
				return nil, fmt.Errorf("List.get: index %d out of bounds for length %d", i, len(l.items))
			}
			return l.items[i], nil
		case "contains":
			return listIndex(l, args[0], false) >= 0, nil
		case "indexOf", "lastIndexOf":
			return int64(listIndex(l, args[0], name == "lastIndexOf")), nil
		case "add":
			if err := l.mutable(); err != nil {
				return nil, err
			}
			if len(l.items) >= maxRange*10 {
				return nil, fmt.Errorf("List.add: list exceeds %d elements", maxRange*10)
			}
			l.items = append(l.items, args[0])
			return true, nil
		case "addAll":
			o, ok := args[0].(*vList)
			if !ok {
				return nil, nil
			}
			if err := l.mutable(); err != nil {
				return nil, err
			}
			if len(l.items)+len(o.items) > maxRange*10 {
				return nil, fmt.Errorf("List.addAll: list exceeds %d elements", maxRange*10)
			}
			l.items = append(l.items, o.items...)
			return len(o.items) > 0, nil
		case "containsAll":
			o, ok := args[0].(*vList)
			if !ok {
				return nil, nil
			}
			for _, x := range o.items {
				if listIndex(l, x, false) < 0 {
					return false, nil
				}
			}
			return true, nil
		case "remove":
			if err := l.mutable(); err != nil {
				return nil, err
			}
			if i, ok := argInt(args[0]); ok {
				if i < 0 || i >= len(l.items) {
					return nil, fmt.Errorf("List.remove: index %d out of bounds for length %d", i, len(l.items))
				}
				old := l.items[i]
				l.items = append(l.items[:i], l.items[i+1:]...)
				return old, nil
			}
			if i := listIndex(l, args[0], false); i >= 0 {
				l.items = append(l.items[:i], l.items[i+1:]...)
				return true, nil
			}
			return false, nil
		}
	case 2:
		switch name {
		case "set":
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			if i < 0 || i >= len(l.items) {
				return nil, fmt.Errorf("List.set: index %d out of bounds for length %d", i, len(l.items))
			}
			old := l.items[i]
			l.items[i] = args[1]
			return old, nil
		case "add":
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			if err := l.mutable(); err != nil {
				return nil, err
			}
			if i < 0 || i > len(l.items) {
				return nil, fmt.Errorf("List.add: index %d out of bounds for length %d", i, len(l.items))
			}
			l.items = append(l.items, nil)
			copy(l.items[i+1:], l.items[i:])
			l.items[i] = args[1]
			return "", nil
		case "subList":
			i, ok1 := argInt(args[0])
			j, ok2 := argInt(args[1])
			if !ok1 || !ok2 {
				return nil, nil
			}
			if i < 0 || j > len(l.items) || i > j {
				return nil, fmt.Errorf("List.subList: from %d, to %d, size %d", i, j, len(l.items))
			}
			return &vList{kind: l.kind, items: append([]value(nil), l.items[i:j]...)}, nil
		}
	}
	if unimplementedList[name] {
		return nil, unsupported("List", name)
	}
	return nil, nil
}

// mutable reports Arrays.asList-style fixed size for split() results.
func (l *vList) mutable() error {
	if l.kind == listJavaArray {
		return fmt.Errorf("cannot change the size of a Java array (the result of split)")
	}
	return nil
}

func listIndex(l *vList, x value, last bool) int {
	idx := -1
	for i, e := range l.items {
		if javaEquals(e, x, 0) {
			idx = i
			if !last {
				break
			}
		}
	}
	return idx
}

func mapMethod(m *vMap, name string, args []value) (value, error) {
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(m.len()), nil
		case "isEmpty":
			return m.len() == 0, nil
		case "keySet", "values", "entrySet":
			l := &vList{items: make([]value, 0, m.len())}
			for _, i := range m.iter() {
				switch name {
				case "keySet":
					l.items = append(l.items, m.keys[i])
				case "values":
					l.items = append(l.items, m.vals[i])
				default:
					l.items = append(l.items, &vEntry{k: m.keys[i], v: m.vals[i]})
				}
			}
			return l, nil
		case "clear":
			*m = vMap{hash: m.hash, blank: m.blank, fold: m.fold, idx: map[string]int{}, peak: m.peak}
			return "", nil
		}
	case 1:
		switch name {
		case "get":
			v, _ := m.get(args[0])
			return v, nil
		case "containsKey":
			_, ok := m.get(args[0])
			return ok, nil
		case "containsValue":
			for _, v := range m.vals {
				if javaEquals(v, args[0], 0) {
					return true, nil
				}
			}
			return false, nil
		case "remove":
			return m.remove(args[0]), nil
		case "putAll":
			o, ok := args[0].(*vMap)
			if !ok {
				return nil, nil
			}
			for _, i := range o.iter() {
				m.put(o.keys[i], o.vals[i])
			}
			return "", nil
		}
	case 2:
		switch name {
		case "put":
			if m.len() >= maxRange*10 {
				return nil, fmt.Errorf("Map.put: map exceeds %d entries", maxRange*10)
			}
			return m.put(args[0], args[1]), nil
		case "putIfAbsent":
			if v, ok := m.get(args[0]); ok && v != nil {
				return v, nil
			}
			return m.put(args[0], args[1]), nil
		case "getOrDefault":
			if v, ok := m.get(args[0]); ok {
				return v, nil
			}
			return args[1], nil
		}
	}
	if unimplementedMap[name] {
		return nil, unsupported("Map", name)
	}
	return nil, nil
}

// escapeJavaScript is Apache Commons Lang 2.6
// StringEscapeUtils.escapeJavaScript (escapeJavaStyleString with both
// escapeSingleQuote and escapeForwardSlash), which API Gateway's
// $util.escapeJavaScript is: the AWS reference warns that it turns ' into
// \', which JSON does not accept.
func escapeJavaScript(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		if r >= 0x10000 {
			// Java strings are UTF-16: each surrogate is escaped.
			r1, r2 := utf16.EncodeRune(r)
			writeUnicodeEscape(&b, r1)
			writeUnicodeEscape(&b, r2)
			continue
		}
		switch {
		case r > 0x7f:
			writeUnicodeEscape(&b, r)
		case r < 32:
			switch r {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				writeUnicodeEscape(&b, r)
			}
		case r == '\'':
			b.WriteString(`\'`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/':
			b.WriteString(`\/`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeUnicodeEscape writes \uXXXX with upper-case hex, as Commons Lang's
// hex() does.
func writeUnicodeEscape(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	for i := len(h); i < 4; i++ {
		b.WriteByte('0')
	}
	b.WriteString(h)
}
