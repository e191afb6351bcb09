package sfn

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Intrinsic functions ("Intrinsic functions in Amazon States Language"):
// States.Format, StringToJson, JsonToString, Array, ArrayPartition,
// ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique,
// Base64Encode, Base64Decode, Hash, JsonMerge, MathRandom, MathAdd,
// StringSplit and UUID. Arguments are 'string literals' (with \' \{ \} \\
// escapes), numbers, true/false/null, paths ($.x, $$.x) and nested calls.

type intrinsicArg struct {
	literal any // string, json.Number, bool or nil
	isLit   bool
	path    *jsonvalue.Path
	call    *intrinsicCall
}

type intrinsicCall struct {
	name string
	args []intrinsicArg
}

func parseIntrinsic(s string) (*intrinsicCall, error) {
	p := &intrinsicParser{s: strings.TrimSpace(s)}
	c, err := p.call()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the call in %q", p.s[p.i:], s)
	}
	return c, nil
}

type intrinsicParser struct {
	s string
	i int
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *intrinsicParser) call() (*intrinsicCall, error) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '(' {
		p.i++
	}
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("%q is not a function call", p.s[start:])
	}
	c := &intrinsicCall{name: strings.TrimSpace(p.s[start:p.i])}
	if _, ok := intrinsicFuncs[c.name]; !ok {
		return nil, fmt.Errorf("unknown intrinsic function %s", c.name)
	}
	p.i++ // (
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return c, nil
	}
	for {
		p.space()
		a, err := p.arg()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, a)
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("missing ) in %s call", c.name)
		}
		if p.s[p.i] == ')' {
			p.i++
			return c, nil
		}
		if p.s[p.i] != ',' {
			return nil, fmt.Errorf("expected , or ) in %s call, found %q", c.name, p.s[p.i:p.i+1])
		}
		p.i++
	}
}

func (p *intrinsicParser) arg() (intrinsicArg, error) {
	if p.i >= len(p.s) {
		return intrinsicArg{}, fmt.Errorf("missing argument")
	}
	c := p.s[p.i]
	switch {
	case c == '\'':
		p.i++
		var b strings.Builder
		for p.i < len(p.s) {
			ch := p.s[p.i]
			if ch == '\\' && p.i+1 < len(p.s) {
				b.WriteByte('\\')
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			if ch == '\'' {
				p.i++
				return intrinsicArg{literal: b.String(), isLit: true}, nil
			}
			b.WriteByte(ch)
			p.i++
		}
		return intrinsicArg{}, fmt.Errorf("unterminated string literal")
	case c == '$':
		start := p.i
		depth := 0
		var quote byte
		for p.i < len(p.s) {
			ch := p.s[p.i]
			if quote != 0 {
				if ch == quote {
					quote = 0
				}
			} else if ch == '\'' || ch == '"' {
				quote = ch
			} else if ch == '[' {
				depth++
			} else if ch == ']' {
				depth--
			} else if depth == 0 && (ch == ',' || ch == ')' || ch == ' ') {
				break
			}
			p.i++
		}
		path, err := jsonvalue.ParsePath(p.s[start:p.i])
		if err != nil {
			return intrinsicArg{}, err
		}
		return intrinsicArg{path: path}, nil
	case strings.HasPrefix(p.s[p.i:], "States."):
		call, err := p.call()
		if err != nil {
			return intrinsicArg{}, err
		}
		return intrinsicArg{call: call}, nil
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ')' {
		p.i++
	}
	tok := strings.TrimSpace(p.s[start:p.i])
	switch tok {
	case "true":
		return intrinsicArg{literal: true, isLit: true}, nil
	case "false":
		return intrinsicArg{literal: false, isLit: true}, nil
	case "null":
		return intrinsicArg{literal: nil, isLit: true}, nil
	}
	if _, err := strconv.ParseFloat(tok, 64); err == nil {
		return intrinsicArg{literal: json.Number(tok), isLit: true}, nil
	}
	return intrinsicArg{}, fmt.Errorf("bad argument %q", tok)
}

// unescapeLiteral resolves \' \{ \} \\ in a string literal. For Format the
// escaped braces must stay distinguishable from placeholders, so Format
// works on the raw literal instead.
func unescapeLiteral(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (a intrinsicArg) eval(input any, ctxObj map[string]any) (any, *stateFailure) {
	switch {
	case a.isLit:
		if s, ok := a.literal.(string); ok {
			return unescapeLiteral(s), nil
		}
		return a.literal, nil
	case a.path != nil:
		root := input
		if a.path.IsContext() {
			root = ctxObj
		}
		v, ok := a.path.Eval(root)
		if !ok {
			return nil, failf(errStatesRuntime, "The JSONPath '%s' could not be found in the input '%s'", a.path.String(), jsonvalue.Text(input))
		}
		return v, nil
	}
	return a.call.eval(input, ctxObj)
}

type intrinsicFunc func(c *intrinsicCall, args []any) (any, error)

var intrinsicFuncs map[string]intrinsicFunc

func init() {
	intrinsicFuncs = map[string]intrinsicFunc{
		"States.Format":         fnFormat,
		"States.StringToJson":   fnStringToJSON,
		"States.JsonToString":   fnJSONToString,
		"States.Array":          func(c *intrinsicCall, args []any) (any, error) { return append([]any{}, args...), nil },
		"States.ArrayPartition": fnArrayPartition,
		"States.ArrayContains":  fnArrayContains,
		"States.ArrayRange":     fnArrayRange,
		"States.ArrayGetItem":   fnArrayGetItem,
		"States.ArrayLength":    fnArrayLength,
		"States.ArrayUnique":    fnArrayUnique,
		"States.Base64Encode":   fnBase64Encode,
		"States.Base64Decode":   fnBase64Decode,
		"States.Hash":           fnHash,
		"States.JsonMerge":      fnJSONMerge,
		"States.MathRandom":     fnMathRandom,
		"States.MathAdd":        fnMathAdd,
		"States.StringSplit":    fnStringSplit,
		"States.UUID":           fnUUID,
	}
}

func (c *intrinsicCall) eval(input any, ctxObj map[string]any) (any, *stateFailure) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		v, f := a.eval(input, ctxObj)
		if f != nil {
			return nil, f
		}
		args[i] = v
	}
	out, err := intrinsicFuncs[c.name](c, args)
	if err != nil {
		return nil, failf(errStatesIntrinsicFailure, "Invalid arguments in %s: %v", c.name, err)
	}
	return out, nil
}

func wantArgs(args []any, n int) error {
	if len(args) != n {
		return fmt.Errorf("expected %d arguments, got %d", n, len(args))
	}
	return nil
}

func argString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("expected a string, got %s", jsonvalue.Text(v))
	}
	return s, nil
}

func argInt(v any) (int64, error) {
	f, ok := jsonvalue.Number(v)
	if !ok || f != math.Trunc(f) {
		return 0, fmt.Errorf("expected an integer, got %s", jsonvalue.Text(v))
	}
	return int64(f), nil
}

func argArray(v any) ([]any, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected an array, got %s", jsonvalue.Text(v))
	}
	return a, nil
}

func fnFormat(c *intrinsicCall, args []any) (any, error) {
	if len(args) == 0 || !c.args[0].isLit {
		return nil, fmt.Errorf("the first argument must be a string literal")
	}
	raw, ok := c.args[0].literal.(string)
	if !ok {
		return nil, fmt.Errorf("the first argument must be a string literal")
	}
	var b strings.Builder
	n := 1
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\\' && i+1 < len(raw):
			b.WriteByte(raw[i+1])
			i++
		case raw[i] == '{' && i+1 < len(raw) && raw[i+1] == '}':
			if n >= len(args) {
				return nil, fmt.Errorf("more {} placeholders than arguments")
			}
			switch v := args[n].(type) {
			case map[string]any, []any:
				return nil, fmt.Errorf("argument %d is not a string, number, boolean or null", n)
			case string:
				b.WriteString(v)
			default:
				b.WriteString(jsonvalue.Text(v))
			}
			n++
			i++
		default:
			b.WriteByte(raw[i])
		}
	}
	if n != len(args) {
		return nil, fmt.Errorf("more arguments than {} placeholders")
	}
	return b.String(), nil
}

func fnStringToJSON(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args[0])
	if err != nil {
		return nil, err
	}
	return jsonvalue.Decode([]byte(s))
}

func fnJSONToString(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	return jsonvalue.Text(args[0]), nil
}

func fnArrayPartition(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args[0])
	if err != nil {
		return nil, err
	}
	size, err := argInt(args[1])
	if err != nil || size <= 0 {
		return nil, fmt.Errorf("the chunk size must be a positive integer")
	}
	out := []any{}
	for i := 0; i < len(a); i += int(size) {
		out = append(out, append([]any{}, a[i:min(len(a), i+int(size))]...))
	}
	return out, nil
}

func fnArrayContains(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args[0])
	if err != nil {
		return nil, err
	}
	want := jsonvalue.Text(args[1])
	for _, x := range a {
		if jsonvalue.Equal(x, args[1]) || jsonvalue.Text(x) == want {
			return true, nil
		}
	}
	return false, nil
}

func fnArrayRange(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 3); err != nil {
		return nil, err
	}
	start, err1 := argInt(args[0])
	end, err2 := argInt(args[1])
	step, err3 := argInt(args[2])
	if err1 != nil || err2 != nil || err3 != nil || step == 0 {
		return nil, fmt.Errorf("start, end and a non-zero step must be integers")
	}
	out := []any{}
	for i := start; (step > 0 && i <= end) || (step < 0 && i >= end); i += step {
		out = append(out, json.Number(strconv.FormatInt(i, 10)))
		if len(out) > 1000 {
			return nil, fmt.Errorf("the range has more than 1000 items")
		}
	}
	return out, nil
}

func fnArrayGetItem(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args[0])
	if err != nil {
		return nil, err
	}
	i, err := argInt(args[1])
	if err != nil || i < 0 || int(i) >= len(a) {
		return nil, fmt.Errorf("index out of range")
	}
	return a[i], nil
}

func fnArrayLength(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	a, err := argArray(args[0])
	if err != nil {
		return nil, err
	}
	return json.Number(strconv.Itoa(len(a))), nil
}

func fnArrayUnique(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	a, err := argArray(args[0])
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []any{}
	for _, x := range a {
		k := jsonvalue.Text(x)
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out, nil
}

func fnBase64Encode(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args[0])
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args[0])
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not valid base64")
	}
	return string(b), nil
}

func fnHash(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	data := jsonvalue.PlainText(args[0])
	alg, err := argString(args[1])
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported algorithm %q (MD5, SHA-1, SHA-256, SHA-384, SHA-512)", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 3); err != nil {
		return nil, err
	}
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("both inputs must be JSON objects")
	}
	if deep, _ := args[2].(bool); deep {
		return nil, fmt.Errorf("only shallow merges (false) are supported")
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

func fnMathRandom(c *intrinsicCall, args []any) (any, error) {
	if len(args) != 2 && len(args) != 3 {
		return nil, fmt.Errorf("expected 2 or 3 arguments")
	}
	lo, err1 := argInt(args[0])
	hi, err2 := argInt(args[1])
	if err1 != nil || err2 != nil || hi <= lo {
		return nil, fmt.Errorf("start and end must be integers with start < end")
	}
	var r *rand.Rand
	if len(args) == 3 {
		seed, err := argInt(args[2])
		if err != nil {
			return nil, err
		}
		r = rand.New(rand.NewPCG(uint64(seed), 0))
	}
	var n int64
	if r != nil {
		n = lo + r.Int64N(hi-lo)
	} else {
		n = lo + rand.Int64N(hi-lo)
	}
	return json.Number(strconv.FormatInt(n, 10)), nil
}

func fnMathAdd(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err1 := argInt(args[0])
	b, err2 := argInt(args[1])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("both arguments must be integers")
	}
	return json.Number(strconv.FormatInt(a+b, 10)), nil
}

func fnStringSplit(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	s, err := argString(args[0])
	if err != nil {
		return nil, err
	}
	d, err := argString(args[1])
	if err != nil {
		return nil, err
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(d, r) })
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnUUID(c *intrinsicCall, args []any) (any, error) {
	if err := wantArgs(args, 0); err != nil {
		return nil, err
	}
	return awsproto.NewUUID(), nil
}
