package sfn

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Choice rules: a Variable with one comparison operator (String*, Numeric*,
// Boolean*, Timestamp*, their *Path forms, StringMatches, Is*), or And, Or,
// Not. A comparison of mismatched types is false; a Variable path that
// does not exist is a States.Runtime error, except for IsPresent.

type choiceRule struct {
	Variable string
	Op       string
	Operand  any
	And, Or  []*choiceRule
	Not      *choiceRule
	Next     string
	matchRE  *regexp.Regexp
}

var choiceOps = map[string]bool{}

func init() {
	for _, op := range []string{
		"StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals",
		"NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
		"BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals",
		"TimestampGreaterThanEquals", "StringMatches", "IsNull", "IsPresent", "IsNumeric",
		"IsString", "IsBoolean", "IsTimestamp",
	} {
		choiceOps[op] = true
	}
}

func buildChoice(co map[string]any, at string, top bool) (*choiceRule, *awsproto.Error) {
	r := &choiceRule{}
	r.Next, _ = co["Next"].(string)
	if top && r.Next == "" {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'Next' is required but was missing at %s", at)
	}
	sub := func(v any, where string) (*choiceRule, *awsproto.Error) {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: a nested choice rule must be an object at %s", where)
		}
		return buildChoice(o, where, false)
	}
	if list, ok := co["And"].([]any); ok {
		for i, v := range list {
			c, err := sub(v, fmt.Sprintf("%s/And[%d]", at, i))
			if err != nil {
				return nil, err
			}
			r.And = append(r.And, c)
		}
		return r, nil
	}
	if list, ok := co["Or"].([]any); ok {
		for i, v := range list {
			c, err := sub(v, fmt.Sprintf("%s/Or[%d]", at, i))
			if err != nil {
				return nil, err
			}
			r.Or = append(r.Or, c)
		}
		return r, nil
	}
	if v, ok := co["Not"]; ok {
		c, err := sub(v, at+"/Not")
		if err != nil {
			return nil, err
		}
		r.Not = c
		return r, nil
	}
	r.Variable, _ = co["Variable"].(string)
	if r.Variable == "" {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: The field 'Variable' is required but was missing at %s", at)
	}
	if _, err := jsonvalue.ParsePath(r.Variable); err != nil {
		return nil, errInvalidDefinition("INVALID_JSON_PATH: Variable %q at %s", r.Variable, at)
	}
	for k, v := range co {
		base := strings.TrimSuffix(k, "Path")
		if !choiceOps[k] && !(choiceOps[base] && k != base && !strings.HasPrefix(k, "Is")) {
			continue
		}
		if r.Op != "" {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: a choice rule has more than one comparison operator at %s", at)
		}
		r.Op, r.Operand = k, v
	}
	if r.Op == "" {
		return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: a choice rule has no comparison operator at %s", at)
	}
	if strings.HasSuffix(r.Op, "Path") && r.Op != "IsPresent" {
		s, ok := r.Operand.(string)
		if !ok {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: %s must be a path at %s", r.Op, at)
		}
		if _, err := jsonvalue.ParsePath(s); err != nil {
			return nil, errInvalidDefinition("INVALID_JSON_PATH: %s %q at %s", r.Op, s, at)
		}
	}
	if r.Op == "StringMatches" {
		s, ok := r.Operand.(string)
		if !ok {
			return nil, errInvalidDefinition("SCHEMA_VALIDATION_FAILED: StringMatches must be a string at %s", at)
		}
		r.matchRE = stringMatchesRE(s)
	}
	return r, nil
}

// stringMatchesRE compiles a StringMatches pattern: * matches any run of
// characters; \* is a literal star and \\ a backslash.
func stringMatchesRE(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			b.WriteString(regexp.QuoteMeta(p[i+1 : i+2]))
			i++
		case p[i] == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (r *choiceRule) eval(input any, ctxObj map[string]any) (bool, *stateFailure) {
	switch {
	case r.And != nil:
		for _, c := range r.And {
			ok, f := c.eval(input, ctxObj)
			if f != nil || !ok {
				return false, f
			}
		}
		return true, nil
	case r.Or != nil:
		for _, c := range r.Or {
			ok, f := c.eval(input, ctxObj)
			if f != nil {
				return false, f
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	case r.Not != nil:
		ok, f := r.Not.eval(input, ctxObj)
		return !ok && f == nil, f
	}
	p, _ := jsonvalue.ParsePath(r.Variable)
	root := input
	if p.IsContext() {
		root = ctxObj
	}
	val, present := p.Eval(root)
	if r.Op == "IsPresent" {
		want, _ := r.Operand.(bool)
		return present == want, nil
	}
	if !present {
		return false, failf(errStatesRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)
	}
	op, operand := r.Op, r.Operand
	if strings.HasSuffix(op, "Path") {
		s, _ := operand.(string)
		pp, _ := jsonvalue.ParsePath(s)
		proot := input
		if pp.IsContext() {
			proot = ctxObj
		}
		v, ok := pp.Eval(proot)
		if !ok {
			return false, failf(errStatesRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", s)
		}
		op, operand = strings.TrimSuffix(op, "Path"), v
	}
	return r.test(op, val, operand)
}

// test applies a comparison operator (without its Path suffix) to the
// variable's value and the operand.
func (r *choiceRule) test(op string, val, operand any) (bool, *stateFailure) {
	switch op {
	case "IsNull":
		want, _ := operand.(bool)
		return (val == nil) == want, nil
	case "IsNumeric":
		want, _ := operand.(bool)
		_, isNum := jsonvalue.Number(val)
		return isNum == want, nil
	case "IsString":
		want, _ := operand.(bool)
		_, isStr := val.(string)
		return isStr == want, nil
	case "IsBoolean":
		want, _ := operand.(bool)
		_, isBool := val.(bool)
		return isBool == want, nil
	case "IsTimestamp":
		want, _ := operand.(bool)
		s, isStr := val.(string)
		_, err := time.Parse(time.RFC3339, s)
		return (isStr && err == nil) == want, nil
	case "StringMatches":
		s, ok := val.(string)
		re := r.matchRE
		if re == nil {
			ps, _ := operand.(string)
			re = stringMatchesRE(ps)
		}
		return ok && re.MatchString(s), nil
	case "BooleanEquals":
		a, ok1 := val.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b, nil
	}
	return compareOrdered(op, val, operand)
}

// compareOrdered applies a String, Numeric or Timestamp comparison; values
// of another type do not match.
func compareOrdered(op string, val, operand any) (bool, *stateFailure) {
	var cmp int
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := val.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		cmp = strings.Compare(a, b)
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := jsonvalue.Number(val)
		b, ok2 := jsonvalue.Number(operand)
		if !ok1 || !ok2 {
			return false, nil
		}
		cmp = compareFloat(a, b)
	case strings.HasPrefix(op, "Timestamp"):
		as, ok1 := val.(string)
		bs, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		a, err1 := time.Parse(time.RFC3339Nano, as)
		b, err2 := time.Parse(time.RFC3339Nano, bs)
		if err1 != nil || err2 != nil {
			return false, nil
		}
		cmp = a.Compare(b)
	default:
		return false, failf(errStatesRuntime, "unsupported choice operator %s", op)
	}
	switch {
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return cmp >= 0, nil
	case strings.HasSuffix(op, "LessThanEquals"):
		return cmp <= 0, nil
	case strings.HasSuffix(op, "GreaterThan"):
		return cmp > 0, nil
	case strings.HasSuffix(op, "LessThan"):
		return cmp < 0, nil
	default: // Equals
		return cmp == 0, nil
	}
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
