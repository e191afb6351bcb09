package vtl

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Input is one request (or integration response) as a mapping template
// sees it. The zero value is an empty POST with no parameters.
type Input struct {
	// Body is the payload. Empty means "{}" to $input.body, $input.json and
	// $input.path, as in API Gateway.
	Body []byte
	// PathParams are the method request path parameters ($input.params().path).
	PathParams map[string]string
	// Query holds the query string parameters; a template sees the last
	// value of a repeated one.
	Query map[string][]string
	// Headers holds the request headers; a template sees the last value of
	// a repeated one. $input.params('name') and .header.get('name') match
	// names case-insensitively.
	Headers map[string][]string
	// Context is $context: "requestId", "httpMethod", "resourcePath",
	// "stage", "apiId", "identity" (a map with "sourceIp", "userAgent",
	// ...), "authorizer" and so on. Values are strings, bools, numbers or
	// nested map[string]any / map[string]string.
	Context map[string]any
	// StageVariables is $stageVariables.
	StageVariables map[string]string
	// Overrides carries $context.requestOverride/responseOverride values set
	// by an earlier template of the same request (the integration request
	// template, when rendering the integration response template).
	Overrides *Overrides
}

// Overrides are the $context.requestOverride.* and
// $context.responseOverride.* values a template set. A value set to a list
// is a multi-valued header or query parameter.
type Overrides struct {
	RequestHeader      map[string][]string
	RequestQuerystring map[string][]string
	RequestPath        map[string]string
	ResponseHeader     map[string][]string
	ResponseStatus     int // 0 when the template did not set it
}

// Output is the result of rendering a template.
type Output struct {
	Body string
	Overrides
}

// Render limits. API Gateway stops #foreach after 1000 iterations; the
// others keep hostile templates from running away and are far above what a
// mapping template does.
var (
	maxForeach = 1000
	maxSteps   = 5_000_000
	maxOutput  = 10 << 20 // API Gateway's 10 MB payload limit
	maxRange   = 100_000
)

// stopSignal and breakSignal unwind rendering for #stop and #break.
type stopSignal struct{}

func (stopSignal) Error() string { return "#stop" }

type breakSignal struct{ scope *foreachScope }

func (breakSignal) Error() string { return "#break" }

type foreachScope struct {
	parent  *foreachScope
	index   int
	hasNext bool
}

type renderer struct {
	t     *Template
	in    *Input
	vars  map[string]value
	steps int

	input    *inputObj
	ctx      *vMap
	body     value
	bodyErr  error
	bodyDone bool
}

// Render renders the template for one request. Errors are *Error values.
func (t *Template) Render(in *Input) (*Output, error) {
	if in == nil {
		in = &Input{}
	}
	r := &renderer{t: t, in: in, vars: make(map[string]value, 8)}
	var b strings.Builder
	if err := r.renderNodes(t.root, &b); err != nil {
		switch err.(type) {
		case stopSignal, breakSignal:
		default:
			return nil, err
		}
	}
	out := &Output{Body: b.String()}
	if err := r.collectOverrides(&out.Overrides); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *renderer) errAt(off int, format string, args ...any) error {
	return r.t.errorAt(off, format, args...)
}

// wrap locates an error from a helper at off unless it is already located
// or is control flow.
func (r *renderer) wrap(off int, err error) error {
	switch err.(type) {
	case nil, *Error, stopSignal, breakSignal:
		return err
	}
	return r.errAt(off, "%v", err)
}

func (r *renderer) step(off int) error {
	r.steps++
	if r.steps > maxSteps {
		return r.errAt(off, "template evaluation exceeds %d steps", maxSteps)
	}
	return nil
}

// charge counts building a string against the step budget, so loops
// that copy large strings stop instead of allocating without bound.
func (r *renderer) charge(off int, s string) error {
	r.steps += len(s) / 16
	return r.step(off)
}

func (r *renderer) write(b *strings.Builder, s string, off int) error {
	if b.Len()+len(s) > maxOutput {
		return r.errAt(off, "output exceeds %d bytes", maxOutput)
	}
	b.WriteString(s)
	return nil
}

func (r *renderer) renderNodes(ns []node, b *strings.Builder) error {
	for _, n := range ns {
		switch n := n.(type) {
		case *textNode:
			if err := r.write(b, n.s, 0); err != nil {
				return err
			}
		case *refNode:
			if err := r.renderRef(n, b); err != nil {
				return err
			}
		case *setNode:
			if err := r.step(n.off); err != nil {
				return err
			}
			if err := r.execSet(n); err != nil {
				return err
			}
		case *ifNode:
			body := n.elseBody
			for i, c := range n.conds {
				ok, err := r.truth(c)
				if err != nil {
					return err
				}
				if ok {
					body = n.bodies[i]
					break
				}
			}
			if err := r.renderNodes(body, b); err != nil {
				return err
			}
		case *foreachNode:
			if err := r.execForeach(n, b); err != nil {
				return err
			}
		case *breakNode:
			var scope *foreachScope
			if n.scope != nil {
				v, err := r.eval(n.scope)
				if err != nil {
					return err
				}
				s, ok := v.(*foreachScope)
				if !ok {
					return r.errAt(n.off, "#break argument is not a $foreach scope")
				}
				scope = s
			}
			return breakSignal{scope: scope}
		case *stopNode:
			return stopSignal{}
		}
	}
	return nil
}

func (r *renderer) renderRef(n *refNode, b *strings.Builder) error {
	if err := r.step(n.ref.off); err != nil {
		return err
	}
	v, err := r.evalRef(n.ref)
	if err != nil {
		return err
	}
	if n.escaped {
		// \$foo prints $foo when foo is set and \$foo when it is not.
		s := n.escPrefix + n.ref.lit
		if v == nil {
			s = n.escPrefix + `\` + n.ref.lit
		}
		return r.write(b, s, n.ref.off)
	}
	if v == nil {
		// API Gateway prints a null reference as empty text, $ or $!.
		return r.write(b, n.escPrefix, n.ref.off)
	}
	s, err := javaString(v, 0)
	if err != nil {
		return r.errAt(n.ref.off, "%s: %v", n.ref.lit, err)
	}
	return r.write(b, n.escPrefix+s, n.ref.off)
}

// lookup resolves a root variable, creating API Gateway's objects on first use.
func (r *renderer) lookup(name string) value {
	if v, ok := r.vars[name]; ok {
		return v
	}
	var v value
	switch name {
	case "input":
		if r.input == nil {
			r.input = &inputObj{r: r}
		}
		v = r.input
	case "util":
		v = utilObj{}
	case "context":
		v = r.context()
	case "stageVariables":
		v = stringMap(r.in.StageVariables, false)
	default:
		return nil
	}
	r.vars[name] = v
	return v
}

func (r *renderer) evalRef(ref *refExpr) (value, error) {
	v := r.lookup(ref.root)
	for i := range ref.parts {
		if v == nil {
			return nil, nil
		}
		p := &ref.parts[i]
		var err error
		switch p.kind {
		case partProp:
			v, err = r.property(v, p)
		case partIndex:
			var idx value
			idx, err = r.eval(p.args[0])
			if err == nil {
				v, err = r.index(v, idx, p.off)
			}
		case partMethod:
			args := make([]value, len(p.args))
			for j, a := range p.args {
				if args[j], err = r.eval(a); err != nil {
					return nil, err
				}
			}
			v, err = r.call(v, p, args)
			if str, ok := v.(string); ok && err == nil {
				err = r.charge(p.off, str)
			}
		}
		if err != nil {
			return nil, r.wrap(p.off, err)
		}
	}
	return v, nil
}

func (r *renderer) index(v, idx value, off int) (value, error) {
	switch v := v.(type) {
	case *vList:
		i, ok := idx.(int64)
		if !ok {
			return nil, nil
		}
		if i < 0 {
			i += int64(len(v.items))
		}
		if i < 0 || i >= int64(len(v.items)) {
			return nil, r.errAt(off, "index %v out of bounds for length %d", idx, len(v.items))
		}
		return v.items[i], nil
	case *vMap:
		x, _ := v.get(idx)
		return x, nil
	}
	return nil, nil
}

func (r *renderer) execSet(n *setNode) error {
	v, err := r.eval(n.rhs)
	if err != nil {
		return err
	}
	if v == nil {
		// directive.set.null.allowed=false: the variable keeps its value.
		return nil
	}
	lhs := n.lhs
	if len(lhs.parts) == 0 {
		r.vars[lhs.root] = v
		return nil
	}
	target, err := r.evalRef(&refExpr{off: lhs.off, root: lhs.root, parts: lhs.parts[:len(lhs.parts)-1], lit: lhs.lit})
	if err != nil || target == nil {
		return err
	}
	last := &lhs.parts[len(lhs.parts)-1]
	switch last.kind {
	case partIndex:
		idx, err := r.eval(last.args[0])
		if err != nil {
			return err
		}
		switch t := target.(type) {
		case *vList:
			i, ok := idx.(int64)
			if !ok {
				return nil
			}
			if i < 0 {
				i += int64(len(t.items))
			}
			if i < 0 || i >= int64(len(t.items)) {
				return r.errAt(last.off, "index %v out of bounds for length %d", idx, len(t.items))
			}
			t.items[i] = v
		case *vMap:
			t.put(idx, v)
		}
	case partProp:
		if t, ok := target.(*vMap); ok {
			t.put(last.name, v)
		}
	}
	return nil
}

func (r *renderer) execForeach(n *foreachNode, b *strings.Builder) error {
	coll, err := r.eval(n.iter)
	if err != nil {
		return err
	}
	var items []value
	var list *vList
	switch c := coll.(type) {
	case *vList:
		list = c
		items = c.items
	case *vMap:
		for _, i := range c.iter() {
			items = append(items, c.vals[i])
		}
	default:
		// Velocity skips a #foreach over null or a non-collection.
		return nil
	}
	saved := map[string]value{}
	for _, k := range []string{n.name, "velocityCount", "velocityHasNext", "foreach"} {
		if v, ok := r.vars[k]; ok {
			saved[k] = v
		}
	}
	defer func() {
		for _, k := range []string{n.name, "velocityCount", "velocityHasNext", "foreach"} {
			if v, ok := saved[k]; ok {
				r.vars[k] = v
			} else {
				delete(r.vars, k)
			}
		}
	}()
	scope := &foreachScope{index: -1}
	if p, ok := saved["foreach"].(*foreachScope); ok {
		scope.parent = p
	}
	r.vars["foreach"] = scope
	size := len(items)
	for i := 0; i < size && i < maxForeach; i++ {
		if err := r.step(n.off); err != nil {
			return err
		}
		if list != nil && len(list.items) != size {
			return r.errAt(n.off, "#foreach list changed while iterating (Java ConcurrentModificationException)")
		}
		r.vars["velocityCount"] = int64(i + 1)
		r.vars["velocityHasNext"] = i+1 < size
		r.vars[n.name] = items[i]
		scope.index = i
		scope.hasNext = i+1 < size
		if err := r.renderNodes(n.body, b); err != nil {
			if br, ok := err.(breakSignal); ok && (br.scope == nil || br.scope == scope) {
				return nil
			}
			return err
		}
	}
	return nil
}

// truth is Node.evaluate: references are true unless null or false, true
// and false are themselves, logic and comparisons compute, and every other
// node (strings, numbers, lists, arithmetic) is false.
func (r *renderer) truth(e expr) (bool, error) {
	switch e := e.(type) {
	case *refExpr:
		v, err := r.evalRef(e)
		if err != nil || v == nil {
			return false, err
		}
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return true, nil
	case *litExpr:
		b, _ := e.v.(bool)
		return b, nil
	case *notExpr:
		ok, err := r.truth(e.x)
		return !ok, err
	case *binExpr:
		switch e.op {
		case opOr, opAnd:
			l, err := r.truth(e.l)
			if err != nil {
				return false, err
			}
			if e.op == opOr && l || e.op == opAnd && !l {
				return l, nil
			}
			return r.truth(e.r)
		case opEq, opNe, opLt, opLe, opGt, opGe:
			v, err := r.eval(e)
			b, _ := v.(bool)
			return b, err
		}
	}
	return false, nil
}

func (r *renderer) eval(e expr) (value, error) {
	switch e := e.(type) {
	case *litExpr:
		return e.v, nil
	case *refExpr:
		return r.evalRef(e)
	case *strExpr:
		if err := r.step(e.off); err != nil {
			return nil, err
		}
		var b strings.Builder
		if err := r.renderNodes(e.nodes, &b); err != nil {
			return nil, err
		}
		s := b.String()
		if e.stripLast && s != "" {
			_, n := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-n]
		}
		return s, r.charge(e.off, s)
	case *listExpr:
		l := &vList{items: make([]value, 0, len(e.elems))}
		for _, x := range e.elems {
			v, err := r.eval(x)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, v)
		}
		return l, nil
	case *mapExpr:
		m := newMap(false)
		for i := range e.keys {
			k, err := r.eval(e.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := r.eval(e.vals[i])
			if err != nil {
				return nil, err
			}
			m.put(k, v)
		}
		return m, nil
	case *rangeExpr:
		return r.evalRange(e)
	case *notExpr:
		ok, err := r.truth(e.x)
		return !ok, err
	case *binExpr:
		return r.evalBinary(e)
	}
	return nil, fmt.Errorf("internal error: unknown expression %T", e)
}

func (r *renderer) evalRange(e *rangeExpr) (value, error) {
	from, err := r.eval(e.from)
	if err != nil {
		return nil, err
	}
	to, err := r.eval(e.to)
	if err != nil {
		return nil, err
	}
	a, aok := rangeBound(from)
	z, zok := rangeBound(to)
	if !aok || !zok {
		// ASTIntegerRange logs and yields null for null or non-numbers.
		return nil, nil
	}
	n := z - a
	if n < 0 {
		n = -n
	}
	if n >= int64(maxRange) {
		return nil, r.errAt(e.off, "range [%d..%d] has more than %d elements", a, z, maxRange)
	}
	if err := r.step(e.off); err != nil {
		return nil, err
	}
	r.steps += int(n)
	l := &vList{items: make([]value, 0, n+1)}
	step := int64(1)
	if z < a {
		step = -1
	}
	for i := a; ; i += step {
		l.items = append(l.items, i)
		if i == z {
			break
		}
	}
	return l, nil
}

// rangeBound is Number.intValue().
func rangeBound(v value) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return int64(int32(v)), true
	case float64:
		if v != v {
			return 0, true
		}
		if v >= 2147483647 {
			return 2147483647, true
		}
		if v <= -2147483648 {
			return -2147483648, true
		}
		return int64(int32(v)), true
	}
	if b := toBig(v); b != nil {
		return int64(int32(b.Int64())), true
	}
	return 0, false
}

func (r *renderer) evalBinary(e *binExpr) (value, error) {
	if err := r.step(e.off); err != nil {
		return nil, err
	}
	switch e.op {
	case opOr, opAnd:
		return r.truth(e)
	}
	l, err := r.eval(e.l)
	if err != nil {
		return nil, err
	}
	rv, err := r.eval(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case opEq, opNe:
		eq, err := velocityEquals(l, rv)
		if err != nil {
			return nil, r.errAt(e.off, "%v", err)
		}
		return eq == (e.op == opEq), nil
	case opLt, opLe, opGt, opGe:
		c, ok := compareNumbers(l, rv)
		if !ok {
			// Velocity logs an error and the comparison is false.
			return false, nil
		}
		switch e.op {
		case opLt:
			return c < 0, nil
		case opLe:
			return c <= 0, nil
		case opGt:
			return c > 0, nil
		}
		return c >= 0, nil
	case opAdd:
		_, ls := l.(string)
		_, rs := rv.(string)
		if ls || rs {
			// ASTAddNode concatenates, printing a null side as its
			// source text.
			parts := [2]string{}
			for i, x := range [2]value{l, rv} {
				side := e.l
				if i == 1 {
					side = e.r
				}
				if x == nil {
					ref, ok := side.(*refExpr)
					if !ok {
						return nil, r.errAt(e.off, "cannot concatenate a null value")
					}
					parts[i] = ref.lit
					continue
				}
				s, err := javaString(x, 0)
				if err != nil {
					return nil, r.errAt(e.off, "%v", err)
				}
				parts[i] = s
			}
			if len(parts[0])+len(parts[1]) > maxOutput {
				return nil, r.errAt(e.off, "string exceeds %d bytes", maxOutput)
			}
			s := parts[0] + parts[1]
			return s, r.charge(e.off, s)
		}
	}
	if !isNumber(l) || !isNumber(rv) {
		// Velocity logs "not a Number" and the result is null.
		return nil, nil
	}
	return arith(e.op, l, rv), nil
}

// contextOrder and identityOrder are the orders $context and
// $context.identity iterate in on AWS (recorded by LocalStack's
// test_sqs_amz_json_protocol snapshot). They are java.util.HashMap orders,
// which depend on insertion order only between keys that share a bucket,
// so inserting in this order reproduces them.
var contextOrder = []string{"resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime",
	"path", "accountId", "protocol", "requestOverride", "stage", "domainPrefix", "requestTimeEpoch",
	"requestId", "identity", "domainName", "deploymentId", "responseOverride", "apiId"}

var identityOrder = []string{"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp",
	"principalOrgId", "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn",
	"userAgent", "user"}

// context builds $context from Input.Context. Nested objects print as
// empty text, as they do in API Gateway.
func (r *renderer) context() *vMap {
	if r.ctx != nil {
		return r.ctx
	}
	reqO := &vMap{hash: true, blank: true, idx: map[string]int{}}
	resO := &vMap{hash: true, blank: true, idx: map[string]int{}}
	var o Overrides
	if r.in.Overrides != nil {
		o = *r.in.Overrides
	}
	reqO.put("path", overrideMap(o.RequestPath, nil))
	reqO.put("header", overrideMap(nil, o.RequestHeader))
	reqO.put("querystring", overrideMap(nil, o.RequestQuerystring))
	resO.put("header", overrideMap(nil, o.ResponseHeader))
	if o.ResponseStatus != 0 {
		resO.put("status", int64(o.ResponseStatus))
	}
	m := &vMap{hash: true, idx: map[string]int{}}
	in := r.in.Context
	for _, k := range contextOrder {
		switch k {
		case "requestOverride":
			m.put(k, reqO)
		case "responseOverride":
			m.put(k, resO)
		case "identity":
			id, _ := in[k].(map[string]any)
			if ss, ok := in[k].(map[string]string); ok {
				id = map[string]any{}
				for ik, iv := range ss {
					id[ik] = iv
				}
			}
			im := &vMap{hash: true, blank: true, idx: map[string]int{}}
			for _, ik := range identityOrder {
				if v, ok := id[ik]; ok {
					im.put(ik, anyValue(v, 1))
				}
			}
			for _, ik := range sortedKeys(id) {
				if _, ok := im.get(ik); !ok {
					im.put(ik, anyValue(id[ik], 1))
				}
			}
			m.put(k, im)
		default:
			if v, ok := in[k]; ok {
				m.put(k, anyValue(v, 0))
			}
		}
	}
	for _, k := range sortedKeys(in) {
		if _, ok := m.get(k); !ok {
			m.put(k, anyValue(in[k], 0))
		}
	}
	r.ctx = m
	return m
}

func overrideMap(single map[string]string, multi map[string][]string) *vMap {
	m := &vMap{hash: true, blank: true, idx: map[string]int{}}
	for _, k := range sortedKeys(single) {
		m.put(k, single[k])
	}
	for _, k := range sortedKeys(multi) {
		switch vs := multi[k]; len(vs) {
		case 0:
		case 1:
			m.put(k, vs[0])
		default:
			l := &vList{}
			for _, v := range vs {
				l.items = append(l.items, v)
			}
			m.put(k, l)
		}
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// anyMap converts a $context tree. Keys are inserted in sorted order so
// HashMap iteration is deterministic.
func anyMap(in map[string]any, depth int) *vMap {
	m := &vMap{hash: true, blank: depth > 0, idx: map[string]int{}}
	for _, k := range sortedKeys(in) {
		m.put(k, anyValue(in[k], depth))
	}
	return m
}

func anyValue(v any, depth int) value {
	if depth > 32 {
		return nil
	}
	switch v := v.(type) {
	case nil, string, bool, int64, float64:
		return v
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case float32:
		return float64(v)
	case map[string]any:
		return anyMap(v, depth+1)
	case map[string]string:
		m := stringMap(v, false)
		m.blank = true
		return m
	case []string:
		l := &vList{}
		for _, s := range v {
			l.items = append(l.items, s)
		}
		return l
	case []any:
		l := &vList{}
		for _, x := range v {
			l.items = append(l.items, anyValue(x, depth+1))
		}
		return l
	}
	return fmt.Sprint(v)
}

func stringMap(in map[string]string, fold bool) *vMap {
	m := &vMap{hash: true, fold: fold, idx: make(map[string]int, len(in))}
	for _, k := range sortedKeys(in) {
		m.put(k, in[k])
	}
	return m
}

func lastValues(in map[string][]string, fold bool) *vMap {
	m := &vMap{hash: true, fold: fold, idx: make(map[string]int, len(in))}
	for _, k := range sortedKeys(in) {
		if vs := in[k]; len(vs) > 0 {
			m.put(k, vs[len(vs)-1])
		}
	}
	return m
}

// collectOverrides reads back what the template set under
// $context.requestOverride and $context.responseOverride.
func (r *renderer) collectOverrides(o *Overrides) error {
	if r.ctx == nil {
		if r.in.Overrides != nil {
			*o = *r.in.Overrides
		}
		return nil
	}
	sub := func(parent value, key string) *vMap {
		m, _ := parent.(*vMap)
		if m == nil {
			return nil
		}
		v, _ := m.get(key)
		c, _ := v.(*vMap)
		return c
	}
	req, _ := r.ctx.get("requestOverride")
	res, _ := r.ctx.get("responseOverride")
	var err error
	if o.RequestHeader, err = multiValues(sub(req, "header")); err != nil {
		return err
	}
	if o.RequestQuerystring, err = multiValues(sub(req, "querystring")); err != nil {
		return err
	}
	if o.ResponseHeader, err = multiValues(sub(res, "header")); err != nil {
		return err
	}
	path, err := multiValues(sub(req, "path"))
	if err != nil {
		return err
	}
	if len(path) > 0 {
		o.RequestPath = map[string]string{}
		for k, vs := range path {
			o.RequestPath[k] = strings.Join(vs, ",")
		}
	}
	if m, ok := res.(*vMap); ok {
		if s, _ := m.get("status"); s != nil {
			str, err := javaString(s, 0)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(str)
			if err != nil || n < 100 || n > 599 {
				return &Error{Name: r.t.name, Line: 1, Col: 1, Msg: fmt.Sprintf("$context.responseOverride.status is %q, not an HTTP status code", str)}
			}
			o.ResponseStatus = n
		}
	}
	return nil
}

func multiValues(m *vMap) (map[string][]string, error) {
	if m == nil || m.len() == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	for _, i := range m.iter() {
		k, err := javaString(m.keys[i], 0)
		if err != nil {
			return nil, err
		}
		switch v := m.vals[i].(type) {
		case nil:
		case *vList:
			for _, x := range v.items {
				s, err := javaString(x, 0)
				if err != nil {
					return nil, err
				}
				out[k] = append(out[k], s)
			}
		default:
			s, err := javaString(v, 0)
			if err != nil {
				return nil, err
			}
			out[k] = append(out[k], s)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

var errUnsupported = errors.New("unsupported")
