package vtl

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// value is a template value: nil (Java null), string, bool, int64 (Integer
// or Long), *big.Int (BigInteger), float64 (Double), *vList, *vMap,
// *vEntry, *foreachScope, or one of the API Gateway objects ($input,
// $util).
type value = any

var errBadUnicode = errors.New(`bad \u escape in string literal`)

// maxValueDepth bounds nesting when printing values, which templates can
// make cyclic with $map.put("self", $map).
const maxValueDepth = 100

type listKind uint8

const (
	listArray     listKind = iota // java.util.ArrayList and sets: prints [a, b]
	listJSON                      // a JSON array from the body: prints as compact JSON
	listJavaArray                 // String[] from split(): has no printable form
)

type vList struct {
	kind  listKind
	items []value
}

// vMap is a Java map. Keys keep insertion order (LinkedHashMap, used for
// JSON objects and {} literals) unless hash is set, when iteration follows
// java.util.HashMap (the maps API Gateway builds: $context,
// $input.params(), $stageVariables).
type vMap struct {
	hash  bool // iterate in java.util.HashMap order
	blank bool // prints as empty text, like the nested $context objects
	fold  bool // keys compare case-insensitively (header names)
	keys  []value
	vals  []value
	idx   map[string]int
	peak  int   // most entries ever held, sizes the HashMap table
	order []int // cached HashMap iteration order; nil when stale
}

type vEntry struct{ k, v value }

func newMap(hash bool) *vMap { return &vMap{hash: hash, idx: map[string]int{}} }

func (m *vMap) keyOf(k value) string {
	switch k := k.(type) {
	case string:
		if m.fold {
			return "s" + strings.ToLower(k)
		}
		return "s" + k
	case int64:
		return "i" + strconv.FormatInt(k, 10)
	case nil:
		return "n"
	}
	s, _ := javaString(k, 0)
	return fmt.Sprintf("%T%s", k, s)
}

func (m *vMap) get(k value) (value, bool) {
	i, ok := m.idx[m.keyOf(k)]
	if !ok {
		return nil, false
	}
	return m.vals[i], true
}

// put stores v under k and returns the previous value.
func (m *vMap) put(k, v value) value {
	key := m.keyOf(k)
	if i, ok := m.idx[key]; ok {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	m.idx[key] = len(m.keys)
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	if len(m.keys) > m.peak {
		m.peak = len(m.keys)
	}
	m.order = nil
	return nil
}

func (m *vMap) remove(k value) value {
	key := m.keyOf(k)
	i, ok := m.idx[key]
	if !ok {
		return nil
	}
	old := m.vals[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	m.idx = make(map[string]int, len(m.keys))
	for j, k := range m.keys {
		m.idx[m.keyOf(k)] = j
	}
	m.order = nil
	return old
}

func (m *vMap) len() int { return len(m.keys) }

// iter returns entry indexes in iteration order.
func (m *vMap) iter() []int {
	if m.order != nil && len(m.order) == len(m.keys) {
		return m.order
	}
	order := make([]int, len(m.keys))
	for i := range order {
		order[i] = i
	}
	if m.hash {
		// java.util.HashMap iterates bucket by bucket; a bucket is
		// hash ^ (hash >>> 16) masked by the table size, and entries in one
		// bucket keep insertion order (resizing splits lists in order).
		n := 16
		for m.peak > n*3/4 {
			n *= 2
		}
		buckets := make([]uint32, len(m.keys))
		for i, k := range m.keys {
			h := javaHash(k)
			buckets[i] = (h ^ h>>16) & uint32(n-1)
		}
		sort.SliceStable(order, func(a, b int) bool { return buckets[order[a]] < buckets[order[b]] })
	}
	m.order = order
	return order
}

// javaHash is Object.hashCode for the key types maps hold.
func javaHash(k value) uint32 {
	switch k := k.(type) {
	case string:
		var h uint32
		for _, u := range toUTF16(k) {
			h = 31*h + uint32(u)
		}
		return h
	case int64:
		if k >= math.MinInt32 && k <= math.MaxInt32 {
			return uint32(int32(k))
		}
		return uint32(k ^ int64(uint64(k)>>32))
	case bool:
		if k {
			return 1231
		}
		return 1237
	case float64:
		b := math.Float64bits(k)
		return uint32(b ^ b>>32)
	}
	return 0
}

func toUTF16(s string) []uint16 {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf16.Encode([]rune(s))
		}
	}
	u := make([]uint16, len(s))
	for i := 0; i < len(s); i++ {
		u[i] = uint16(s[i])
	}
	return u
}

func fromUTF16(u []uint16) string {
	ascii := true
	for _, c := range u {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b := make([]byte, len(u))
		for i, c := range u {
			b[i] = byte(c)
		}
		return string(b)
	}
	return string(utf16.Decode(u))
}

func writeUTF16Unit(b *strings.Builder, u uint16) {
	if utf16.IsSurrogate(rune(u)) {
		b.WriteRune(utf8.RuneError)
		return
	}
	b.WriteRune(rune(u))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// javaLen is String.length(): UTF-16 code units.
func javaLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// javaDouble formats like Double.toString: plain notation with at least one
// fractional digit for 1e-3 <= |d| < 1e7, computerized scientific notation
// otherwise, with the shortest digits that round-trip.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// errNotPrintable marks values with no stable printed form in Java (their
// toString is ClassName@hash).
type errNotPrintable struct{ what string }

func (e errNotPrintable) Error() string { return "cannot print " + e.what }

// javaString is String.valueOf(v): what Java prints for v, "null" for null.
func javaString(v value, depth int) (string, error) {
	if depth > maxValueDepth {
		return "", errors.New("value nests deeper than 100 levels")
	}
	switch v := v.(type) {
	case nil:
		return "null", nil
	case string:
		return v, nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case *big.Int:
		return v.String(), nil
	case float64:
		return javaDouble(v), nil
	case *vList:
		switch v.kind {
		case listJSON:
			var b strings.Builder
			err := writeJSON(&b, v, depth)
			return b.String(), err
		case listJavaArray:
			return "", errNotPrintable{"a Java array (the result of split); index it or iterate it"}
		}
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if e == v {
				b.WriteString("(this Collection)")
				continue
			}
			s, err := javaString(e, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		}
		b.WriteByte(']')
		return b.String(), nil
	case *vMap:
		if v.blank {
			return "", nil
		}
		var b strings.Builder
		b.WriteByte('{')
		for n, i := range v.iter() {
			if n > 0 {
				b.WriteString(", ")
			}
			for j, x := range []value{v.keys[i], v.vals[i]} {
				if j == 1 {
					b.WriteByte('=')
				}
				if x == v {
					b.WriteString("(this Map)")
					continue
				}
				s, err := javaString(x, depth+1)
				if err != nil {
					return "", err
				}
				b.WriteString(s)
			}
		}
		b.WriteByte('}')
		return b.String(), nil
	case *vEntry:
		k, err := javaString(v.k, depth+1)
		if err != nil {
			return "", err
		}
		val, err := javaString(v.v, depth+1)
		return k + "=" + val, err
	case *foreachScope:
		return "", errNotPrintable{"$foreach"}
	case *inputObj:
		return "", errNotPrintable{"$input"}
	case utilObj:
		return "", errNotPrintable{"$util"}
	}
	return "", errNotPrintable{fmt.Sprintf("a %T", v)}
}

// writeJSON serializes like Jackson's default ObjectMapper: compact, "/"
// and non-ASCII left as they are, control characters escaped.
func writeJSON(b *strings.Builder, v value, depth int) error {
	if depth > maxValueDepth {
		return errors.New("value nests deeper than 100 levels")
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool, int64, *big.Int:
		s, _ := javaString(v, depth)
		b.WriteString(s)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			writeJSONString(b, javaDouble(v))
		} else {
			b.WriteString(javaDouble(v))
		}
	case string:
		writeJSONString(b, v)
	case *vList:
		b.WriteByte('[')
		for i, e := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case *vMap:
		b.WriteByte('{')
		for n, i := range v.iter() {
			if n > 0 {
				b.WriteByte(',')
			}
			k, err := javaString(v.keys[i], depth+1)
			if err != nil {
				return err
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, v.vals[i], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		s, err := javaString(v, depth)
		if err != nil {
			return err
		}
		writeJSONString(b, s)
	}
	return nil
}

const hexUpper = "0123456789ABCDEF"

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&0xF])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

func isNumber(v value) bool {
	switch v.(type) {
	case int64, *big.Int, float64:
		return true
	}
	return false
}

// velocityEquals is ASTEQNode.evaluate plus API Gateway's treatment of null
// as equal to "": numbers compare by value, objects of one class with
// equals(), anything else by toString().
func velocityEquals(l, r value) (bool, error) {
	if l == nil && r == nil {
		return true, nil
	}
	if l == nil || r == nil {
		other := l
		if other == nil {
			other = r
		}
		s, err := javaString(other, 0)
		return s == "", err
	}
	if isNumber(l) && isNumber(r) {
		c, _ := compareNumbers(l, r)
		return c == 0, nil
	}
	if sameClass(l, r) {
		return javaEquals(l, r, 0), nil
	}
	ls, err := javaString(l, 0)
	if err != nil {
		return false, err
	}
	rs, err := javaString(r, 0)
	if err != nil {
		return false, err
	}
	return ls == rs, nil
}

func sameClass(l, r value) bool {
	switch l.(type) {
	case string:
		_, ok := r.(string)
		return ok
	case bool:
		_, ok := r.(bool)
		return ok
	case *vList:
		_, ok := r.(*vList)
		return ok
	case *vMap:
		_, ok := r.(*vMap)
		return ok
	}
	return l == r
}

// javaEquals is Object.equals for template values.
func javaEquals(l, r value, depth int) bool {
	if depth > maxValueDepth {
		return false
	}
	switch l := l.(type) {
	case nil:
		return r == nil
	case string, bool, int64:
		return l == r
	case float64:
		f, ok := r.(float64)
		return ok && (f == l || math.IsNaN(f) && math.IsNaN(l))
	case *big.Int:
		b, ok := r.(*big.Int)
		return ok && b.Cmp(l) == 0
	case *vList:
		o, ok := r.(*vList)
		if !ok || len(o.items) != len(l.items) {
			return false
		}
		for i := range l.items {
			if !javaEquals(l.items[i], o.items[i], depth+1) {
				return false
			}
		}
		return true
	case *vMap:
		o, ok := r.(*vMap)
		if !ok || o.len() != l.len() {
			return false
		}
		for i, k := range l.keys {
			v, ok := o.get(k)
			if !ok || !javaEquals(l.vals[i], v, depth+1) {
				return false
			}
		}
		return true
	case *vEntry:
		o, ok := r.(*vEntry)
		return ok && javaEquals(l.k, o.k, depth+1) && javaEquals(l.v, o.v, depth+1)
	}
	return l == r
}
