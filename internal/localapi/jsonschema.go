package localapi

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// schema is the JSON Schema draft 4 subset API Gateway models use for request validation.
type schema struct {
	types                []string
	properties           map[string]*schema
	required             []string
	additional           *schema // nil: allowed; additionalFalse: refused
	additionalFalse      bool
	items                *schema
	enum                 []any
	minLength, maxLength *int
	pattern              *regexp.Regexp
	minimum, maximum     *float64
	exclusiveMin, excMax bool
	minItems, maxItems   *int
}

// schemaKeywords are understood or harmless; anything else makes the model unsupported, so a
// local run never accepts a body the real API would refuse without saying so.
var ignoredKeywords = map[string]bool{"$schema": true, "title": true, "description": true, "id": true, "default": true, "format": true}

func compileSchema(raw any) (*schema, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a schema must be an object, got %T", raw)
	}
	s := &schema{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		var err error
		switch k {
		case "type":
			switch t := v.(type) {
			case string:
				s.types = []string{t}
			case []any:
				for _, x := range t {
					if str, ok := x.(string); ok {
						s.types = append(s.types, str)
					}
				}
			}
		case "properties":
			props, _ := v.(map[string]any)
			s.properties = map[string]*schema{}
			for name, p := range props {
				if s.properties[name], err = compileSchema(p); err != nil {
					return nil, fmt.Errorf("properties.%s: %w", name, err)
				}
			}
		case "required":
			list, _ := v.([]any)
			for _, x := range list {
				if str, ok := x.(string); ok {
					s.required = append(s.required, str)
				}
			}
		case "additionalProperties":
			switch a := v.(type) {
			case bool:
				s.additionalFalse = !a
			default:
				if s.additional, err = compileSchema(a); err != nil {
					return nil, fmt.Errorf("additionalProperties: %w", err)
				}
			}
		case "items":
			if s.items, err = compileSchema(v); err != nil {
				return nil, fmt.Errorf("items: %w", err)
			}
		case "enum":
			s.enum, _ = v.([]any)
		case "minLength", "maxLength", "minItems", "maxItems":
			n, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("%s must be a number", k)
			}
			i := int(n)
			switch k {
			case "minLength":
				s.minLength = &i
			case "maxLength":
				s.maxLength = &i
			case "minItems":
				s.minItems = &i
			case "maxItems":
				s.maxItems = &i
			}
		case "pattern":
			str, _ := v.(string)
			if s.pattern, err = regexp.Compile(str); err != nil {
				return nil, fmt.Errorf("pattern %q: %w", str, err)
			}
		case "minimum", "maximum":
			n, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("%s must be a number", k)
			}
			if k == "minimum" {
				s.minimum = &n
			} else {
				s.maximum = &n
			}
		case "exclusiveMinimum":
			s.exclusiveMin, _ = v.(bool)
		case "exclusiveMaximum":
			s.excMax, _ = v.(bool)
		default:
			if !ignoredKeywords[k] {
				return nil, fmt.Errorf("JSON Schema keyword %q is not supported by the local runner", k)
			}
		}
	}
	return s, nil
}

// validate checks a decoded JSON value; the error says where it fails.
func (s *schema) validate(v any, at string) error {
	if len(s.types) > 0 && !typeMatches(s.types, v) {
		return fmt.Errorf("%s: %s is not of type %v", at, jsonKind(v), s.types)
	}
	if s.enum != nil {
		found := false
		for _, e := range s.enum {
			if jsonEqual(e, v) {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%s: not one of the allowed values", at)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range s.required {
			if _, ok := v[r]; !ok {
				return fmt.Errorf("%s: object has missing required properties ([%q])", at, r)
			}
		}
		for k, x := range v {
			if p, ok := s.properties[k]; ok {
				if err := p.validate(x, at+"/"+k); err != nil {
					return err
				}
				continue
			}
			if s.additionalFalse {
				return fmt.Errorf("%s: object instance has properties which are not allowed by the schema: [%q]", at, k)
			}
			if s.additional != nil {
				if err := s.additional.validate(x, at+"/"+k); err != nil {
					return err
				}
			}
		}
	case []any:
		if s.minItems != nil && len(v) < *s.minItems || s.maxItems != nil && len(v) > *s.maxItems {
			return fmt.Errorf("%s: array has %d items", at, len(v))
		}
		if s.items != nil {
			for i, x := range v {
				if err := s.items.validate(x, fmt.Sprintf("%s/%d", at, i)); err != nil {
					return err
				}
			}
		}
	case string:
		n := utf8.RuneCountInString(v)
		if s.minLength != nil && n < *s.minLength || s.maxLength != nil && n > *s.maxLength {
			return fmt.Errorf("%s: string has length %d", at, n)
		}
		if s.pattern != nil && !s.pattern.MatchString(v) {
			return fmt.Errorf("%s: ECMA 262 regex %q does not match input string", at, s.pattern)
		}
	case float64:
		if s.minimum != nil && (v < *s.minimum || s.exclusiveMin && v == *s.minimum) ||
			s.maximum != nil && (v > *s.maximum || s.excMax && v == *s.maximum) {
			return fmt.Errorf("%s: numeric instance %v is out of range", at, v)
		}
	}
	return nil
}

func typeMatches(types []string, v any) bool {
	for _, t := range types {
		switch t {
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "number":
			if _, ok := v.(float64); ok {
				return true
			}
		case "integer":
			if f, ok := v.(float64); ok && f == math.Trunc(f) {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "null":
			if v == nil {
				return true
			}
		}
	}
	return false
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// sample is a small value the schema accepts, as far as one can be made without solving
// patterns: the first enum value, an object with its required members, an array of its
// minimum length, a string of its minimum length, a number at its minimum.
func (s *schema) sample() any {
	if len(s.enum) > 0 {
		return s.enum[0]
	}
	typ := "object"
	if len(s.types) > 0 {
		typ = s.types[0]
	}
	switch typ {
	case "object":
		out := map[string]any{}
		for _, name := range s.required {
			if p := s.properties[name]; p != nil {
				out[name] = p.sample()
			} else {
				out[name] = "sample"
			}
		}
		return out
	case "array":
		var out []any
		n := 0
		if s.minItems != nil {
			n = *s.minItems
		}
		for range n {
			if s.items != nil {
				out = append(out, s.items.sample())
			} else {
				out = append(out, "sample")
			}
		}
		if out == nil {
			out = []any{}
		}
		return out
	case "string":
		v := "sample"
		if s.minLength != nil && len(v) < *s.minLength {
			v += strings.Repeat("x", *s.minLength-len(v))
		}
		if s.maxLength != nil && len(v) > *s.maxLength {
			v = v[:*s.maxLength]
		}
		return v
	case "integer", "number":
		v := 0.0
		if s.minimum != nil {
			v = *s.minimum
			if s.exclusiveMin {
				v++
			}
		}
		return v
	case "boolean":
		return false
	}
	return nil
}
