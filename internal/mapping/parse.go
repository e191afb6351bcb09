package mapping

import (
	"fmt"
	"strconv"
	"strings"
)

// Syntax of a mapping value, as implemented here.
//
// AWS documents two forms of every expression: $request.header.name and
// ${request.header.name} ("Transform API requests and responses for HTTP APIs",
// request parameter mapping values table), and says: "To use multiple
// variables in a selection expression, enclose the variable in brackets. For
// example, ${request.path.name} ${request.path.id}". Static text may surround
// expressions: a 2021 blog post ("API Gateway HTTP APIs and SQS
// MessageAttributes") shows a working MessageAttributes value of JSON text
// with "${request.header.user-agent}" inside it.
//
// AWS does not document where a bare $request... expression ends inside text.
// LocalStack Pro's HTTP API parameter-mapping unit tests (class
// TestParseParameterMappingChain, test_parse_multiple_params,
// test_chain_with_dynamic_sources, test_length_less_than_2_is_static) split bare
// expressions at a space or at the next "$" ("$request.body$request.path" is
// two expressions, "$request.querystring.qs_value and some other stuff" is an
// expression and text). We follow that, and reject a bare expression that runs
// into any other character not allowed in its name (for example the quote in
// "$request.header.x","), asking for the ${...} form, which has no ambiguity.
//
// "$" followed by anything other than request., context., stageVariables. or
// "{" is static text ("$5", "$1"): LocalStack treats "$1" as static. A "$word."
// that is not one of the three roots is reported as an error, because it is
// almost always a misspelt root ("$requst.body").

// ParseError is a syntax error in a mapping value.
type ParseError struct {
	Value  string // the value being parsed
	Offset int    // byte offset of the problem in Value
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
}

const (
	rootRequest = "request"
	rootContext = "context"
	rootStage   = "stageVariables"
)

var roots = []string{rootRequest, rootContext, rootStage}
var requestSources = []string{"header", "querystring", "path", "body"}

// Parse parses a mapping value. It never panics; a malformed value yields a
// *ParseError carrying the byte offset of the first problem.
func Parse(s string) (*Value, error) {
	p := parser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return v, nil
}

// MustParse is Parse for values known to be valid; it panics on error.
func MustParse(s string) *Value {
	v, err := Parse(s)
	if err != nil {
		panic("mapping: MustParse(" + strconv.Quote(s) + "): " + err.Error())
	}
	return v
}

type parser struct {
	s string
}

func (p *parser) errf(off int, format string, args ...any) error {
	return &ParseError{Value: p.s, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) value() (*Value, error) {
	v := &Value{raw: p.s}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			v.segs = append(v.segs, segment{text: text.String()})
			text.Reset()
		}
	}
	i := 0
	for i < len(p.s) {
		j := strings.IndexByte(p.s[i:], '$')
		if j < 0 {
			text.WriteString(p.s[i:])
			break
		}
		text.WriteString(p.s[i : i+j])
		i += j
		e, next, err := p.dollar(i)
		if err != nil {
			return nil, err
		}
		if e == nil { // a "$" that starts no expression is text
			text.WriteByte('$')
			i++
			continue
		}
		flush()
		v.segs = append(v.segs, segment{expr: e})
		i = next
	}
	flush()
	return v, nil
}

// dollar parses the expression starting at the "$" at off. It returns a nil
// Expr when the "$" is plain text.
func (p *parser) dollar(off int) (*Expr, int, error) {
	s := p.s
	i := off + 1
	braced := i < len(s) && s[i] == '{'
	if braced {
		i++
	}
	w := i
	for w < len(s) && isLetter(s[w]) {
		w++
	}
	word := s[i:w]
	isRoot := word == rootRequest || word == rootContext || word == rootStage
	switch {
	case isRoot && (w == len(s) || s[w] != '.'):
		return nil, 0, p.errf(off, "incomplete expression %q: expected %s.NAME", s[off:w], s[off:w])
	case !isRoot && word != "" && w < len(s) && s[w] == '.':
		return nil, 0, p.errf(i, "unknown source $%s%s", word, didYouMean(word, roots))
	case !isRoot && braced && strings.HasPrefix(s[i:], "Token["):
		// The CDK renders unresolved deployment values as ${Token[...]}.
		return nil, 0, p.errf(off, "unresolved CDK token in the value; mark the parameter as supplied by a deployment token")
	case !isRoot && braced:
		return nil, 0, p.errf(i, "unknown source in ${...}: expected request., context. or stageVariables.")
	case !isRoot:
		return nil, 0, nil
	}
	e := &Expr{Braced: braced, Offset: off}
	i = w + 1 // past "root."
	var err error
	switch word {
	case rootRequest:
		i, err = p.request(e, i)
	case rootContext:
		e.Source = SourceContext
		i, err = p.name(e, i, contextChar, "context variable")
		if err == nil {
			err = p.checkContextName(e)
		}
	case rootStage:
		e.Source = SourceStageVariable
		i, err = p.name(e, i, stageChar, "stage variable")
	}
	if err != nil {
		return nil, 0, err
	}
	if braced {
		if i >= len(s) {
			return nil, 0, p.errf(off, "missing '}' to close %q", s[off:])
		}
		if s[i] != '}' {
			return nil, 0, p.errf(i, "invalid character %q in %s; expected '}'", s[i], e.what())
		}
		i++
	} else if i < len(s) && s[i] != ' ' && s[i] != '$' {
		return nil, 0, p.errf(i, "invalid character %q in %s; to mix an expression with text, write ${%s}",
			s[i], e.what(), strings.TrimPrefix(e.String(), "$"))
	}
	e.End = i
	if e.Source == SourceHeader {
		e.headerKeys = headerKeys(e.Name)
	}
	return e, i, nil
}

func (e *Expr) what() string {
	switch e.Source {
	case SourceBody, SourceBodyPath:
		return "body JSONPath"
	case SourcePath:
		return "request path"
	}
	return e.Source.String() + " name"
}

func (p *parser) request(e *Expr, i int) (int, error) {
	s := p.s
	w := i
	for w < len(s) && isLetter(s[w]) {
		w++
	}
	switch src := s[i:w]; src {
	case "header":
		e.Source = SourceHeader
		return p.dotName(e, w, headerChar, "header")
	case "querystring":
		e.Source = SourceQuery
		return p.dotName(e, w, queryChar, "query string parameter")
	case "path":
		if w < len(s) && s[w] == '.' {
			e.Source = SourcePathParam
			return p.dotName(e, w, pathParamChar, "path parameter")
		}
		e.Source = SourcePath
		return w, nil
	case "body":
		e.Source = SourceBody
		if w < len(s) && (s[w] == '.' || s[w] == '[') {
			e.Source = SourceBodyPath
			return p.jsonPath(e, w)
		}
		return w, nil
	default:
		if src == "" {
			return 0, p.errf(i, "expected header, querystring, path or body after $request.")
		}
		if hint := didYouMean(src, requestSources); hint != "" {
			return 0, p.errf(i, "unknown request source %q%s", src, hint)
		}
		return 0, p.errf(i, "unknown request source %q; expected header, querystring, path or body", src)
	}
}

// dotName reads ".NAME" at i.
func (p *parser) dotName(e *Expr, i int, class *[256]bool, what string) (int, error) {
	if i >= len(p.s) || p.s[i] != '.' {
		return 0, p.errf(i, "expected '.' and a %s name", what)
	}
	return p.name(e, i+1, class, what)
}

func (p *parser) name(e *Expr, i int, class *[256]bool, what string) (int, error) {
	s := p.s
	j := i
	for j < len(s) && class[s[j]] {
		j++
	}
	if j == i {
		if i < len(s) {
			return 0, p.errf(i, "expected a %s name, found %q", what, s[i])
		}
		return 0, p.errf(i, "expected a %s name", what)
	}
	e.Name = s[i:j]
	return j, nil
}

// checkContextName rejects empty segments in a context variable name: AWS
// allows only letters, digits, "." and "_" ("Transform API requests ...":
// "Only the special characters . and _ are supported").
func (p *parser) checkContextName(e *Expr) error {
	name := e.Name
	base := e.Offset + len("$context.")
	if e.Braced {
		base++
	}
	if name[0] == '.' {
		return p.errf(base, "context variable name starts with '.'")
	}
	if k := strings.Index(name, ".."); k >= 0 {
		return p.errf(base+k, "empty segment in context variable name %q", name)
	}
	if name[len(name)-1] == '.' {
		return p.errf(base+len(name)-1, "context variable name ends with '.'")
	}
	return nil
}

// jsonPath reads the JSONPath after $request.body. AWS says "Recursive descent
// ($request.body..name) and filter expressions (?(expression)) aren't
// supported". A parameter holds one string, so we also reject what selects
// several values: wildcards, slices and unions. AWS documents nothing about
// these; rejecting them at synth time is the safe side. Negative indexes are
// rejected for the same reason.
func (p *parser) jsonPath(e *Expr, i int) (int, error) {
	s := p.s
	for i < len(s) {
		switch s[i] {
		case '.':
			if i+1 < len(s) && s[i+1] == '.' {
				return 0, p.errf(i, "recursive descent (..) isn't supported in a body JSONPath")
			}
			if i+1 < len(s) && s[i+1] == '*' {
				return 0, p.errf(i+1, "wildcards (*) aren't supported in a body JSONPath: a parameter holds one value")
			}
			j := i + 1
			for j < len(s) && memberChar[s[j]] {
				j++
			}
			if j == i+1 {
				if j < len(s) {
					return 0, p.errf(j, "expected a member name after '.', found %q; use ['...'] for names with special characters", s[j])
				}
				return 0, p.errf(j, "expected a member name after '.'")
			}
			e.Path = append(e.Path, Step{Key: s[i+1 : j]})
			i = j
		case '[':
			step, next, err := p.bracket(i)
			if err != nil {
				return 0, err
			}
			e.Path = append(e.Path, step)
			i = next
		default:
			return i, nil
		}
	}
	return i, nil
}

const maxIndex = 1 << 30

func (p *parser) bracket(open int) (Step, int, error) {
	s := p.s
	i := open + 1
	if i >= len(s) {
		return Step{}, 0, p.errf(open, "unclosed '['")
	}
	switch c := s[i]; {
	case c == '\'' || c == '"':
		var key strings.Builder
		j := i + 1
		for {
			if j >= len(s) {
				return Step{}, 0, p.errf(i, "unterminated quoted member name")
			}
			d := s[j]
			if d == c {
				break
			}
			if d == '\\' {
				if j+1 >= len(s) {
					return Step{}, 0, p.errf(j, "unterminated quoted member name")
				}
				n := s[j+1]
				if n != '\\' && n != '\'' && n != '"' {
					return Step{}, 0, p.errf(j, "unsupported escape \\%c in quoted member name; only \\\\, \\' and \\\" are allowed", n)
				}
				key.WriteByte(n)
				j += 2
				continue
			}
			key.WriteByte(d)
			j++
		}
		j++ // closing quote
		if j < len(s) && s[j] == ',' {
			return Step{}, 0, p.errf(j, "unions ([a,b]) aren't supported in a body JSONPath: a parameter holds one value")
		}
		if j >= len(s) || s[j] != ']' {
			return Step{}, 0, p.errf(j, "expected ']' after quoted member name")
		}
		return Step{Key: key.String()}, j + 1, nil
	case c >= '0' && c <= '9':
		j := i
		n := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			if n > maxIndex {
				return Step{}, 0, p.errf(i, "array index too large")
			}
			j++
		}
		if j < len(s) {
			switch s[j] {
			case ':':
				return Step{}, 0, p.errf(j, "slices ([a:b]) aren't supported in a body JSONPath: a parameter holds one value")
			case ',':
				return Step{}, 0, p.errf(j, "unions ([a,b]) aren't supported in a body JSONPath: a parameter holds one value")
			}
		}
		if j >= len(s) || s[j] != ']' {
			return Step{}, 0, p.errf(j, "expected ']' after array index")
		}
		return Step{Index: n, IsIndex: true}, j + 1, nil
	case c == '-':
		return Step{}, 0, p.errf(i, "negative array indexes aren't supported in a body JSONPath")
	case c == '*':
		return Step{}, 0, p.errf(i, "wildcards ([*]) aren't supported in a body JSONPath: a parameter holds one value")
	case c == '?':
		return Step{}, 0, p.errf(i, "filter expressions ([?(...)]) aren't supported in a body JSONPath")
	case c == '(':
		return Step{}, 0, p.errf(i, "script expressions ([(...)]) aren't supported in a body JSONPath")
	case c == ':':
		return Step{}, 0, p.errf(i, "slices ([a:b]) aren't supported in a body JSONPath: a parameter holds one value")
	default:
		return Step{}, 0, p.errf(i, "expected an array index or a quoted member name after '[', found %q", c)
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Character classes of names. No regexp: these run at parse time only, but
// Parse is also fuzzed and should stay cheap.
var (
	headerChar    = classOf(alnum + "!#%&'*+-.^_`|~") // RFC 9110 tchar without "$"
	queryChar     = classOf(alnum+"-._~!*()[]:@;+/?|^%", highBytes)
	pathParamChar = classOf(alnum + "-_.")
	contextChar   = classOf(alnum + "._")
	stageChar     = classOf(alnum + "_") // "alphanumeric and underscore characters"
	memberChar    = classOf(alnum+"_-:@#%+/~!^|&=;<>", highBytes)
)

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const highBytes = true

func classOf(chars string, high ...bool) *[256]bool {
	var t [256]bool
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	if len(high) > 0 && high[0] {
		for c := 0x80; c < 0x100; c++ {
			t[c] = true
		}
	}
	return &t
}
