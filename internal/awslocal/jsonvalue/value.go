package jsonvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Decode decodes one JSON value keeping numbers as json.Number, so values
// pass through transformations unchanged.
func Decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// Text encodes v compactly without HTML escaping.
func Text(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// Number returns v as a float64 when it is a JSON number.
func Number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

// Equal reports whether two scalar JSON values are equal; numbers compare
// by value (1 equals 1.0). Objects and arrays are never equal.
func Equal(a, b any) bool {
	if fa, ok := Number(a); ok {
		fb, ok := Number(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// SortedKeys returns an object's keys in order.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PlainText is a value's text: a string as it is, anything else as JSON.
func PlainText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Text(v)
}
