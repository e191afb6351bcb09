package mapping

import (
	"net/textproto"
	"strconv"
	"strings"
)

// Source says where an expression takes its value from.
type Source uint8

// The sources AWS documents for HTTP API request parameter mapping
// ("Transform API requests and responses for HTTP APIs", request parameter
// mapping values, and "Create AWS service integrations for HTTP APIs").
const (
	// SourceHeader is $request.header.NAME: case-insensitive name, multiple
	// values joined with ",".
	SourceHeader Source = iota + 1
	// SourceQuery is $request.querystring.NAME: case-sensitive name, multiple
	// values joined with ",".
	SourceQuery
	// SourcePathParam is $request.path.NAME, a path parameter of the route.
	SourcePathParam
	// SourcePath is $request.path: the request path without the stage name.
	SourcePath
	// SourceBody is $request.body: the whole body, passed through untouched.
	SourceBody
	// SourceBodyPath is $request.body.JSONPATH: a value selected from the body
	// after truncating it at 100 KB.
	SourceBodyPath
	// SourceContext is $context.NAME, an HTTP API context variable.
	SourceContext
	// SourceStageVariable is $stageVariables.NAME.
	SourceStageVariable
)

var sourceNames = [...]string{
	SourceHeader:        "header",
	SourceQuery:         "querystring",
	SourcePathParam:     "path parameter",
	SourcePath:          "request path",
	SourceBody:          "body",
	SourceBodyPath:      "body JSONPath",
	SourceContext:       "context variable",
	SourceStageVariable: "stage variable",
}

func (s Source) String() string {
	if int(s) < len(sourceNames) && sourceNames[s] != "" {
		return sourceNames[s]
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// Step is one step of a body JSONPath: a member name or an array index.
type Step struct {
	Key     string // member name, when !IsIndex
	Index   int    // array index (0-based), when IsIndex
	IsIndex bool
}

// Expr is one expression inside a mapping value, such as $request.header.x or
// ${context.requestId}.
type Expr struct {
	Source Source
	// Name is the header, query string, path parameter, context variable
	// (without "context.", e.g. "identity.sourceIp") or stage variable name.
	// It is empty for SourcePath, SourceBody and SourceBodyPath.
	Name string
	// Path is the JSONPath of a SourceBodyPath expression.
	Path []Step
	// Braced reports the ${...} form. AWS documents both forms; inside text
	// only the braced form has an unambiguous end, so String keeps the form.
	Braced bool
	// Offset is the byte offset of the expression's "$" in the value.
	Offset int
	// End is the byte offset just past the expression in the value.
	End int

	headerKeys []string // spellings of Name to look up, canonical first
}

// String renders the expression in the form it was written.
func (e *Expr) String() string {
	var b strings.Builder
	b.WriteByte('$')
	if e.Braced {
		b.WriteByte('{')
	}
	e.writeBody(&b)
	if e.Braced {
		b.WriteByte('}')
	}
	return b.String()
}

func (e *Expr) writeBody(b *strings.Builder) {
	switch e.Source {
	case SourceHeader:
		b.WriteString("request.header.")
		b.WriteString(e.Name)
	case SourceQuery:
		b.WriteString("request.querystring.")
		b.WriteString(e.Name)
	case SourcePathParam:
		b.WriteString("request.path.")
		b.WriteString(e.Name)
	case SourcePath:
		b.WriteString("request.path")
	case SourceBody:
		b.WriteString("request.body")
	case SourceBodyPath:
		b.WriteString("request.body")
		writePath(b, e.Path)
	case SourceContext:
		b.WriteString("context.")
		b.WriteString(e.Name)
	case SourceStageVariable:
		b.WriteString("stageVariables.")
		b.WriteString(e.Name)
	}
}

// PathString renders a JSONPath the way Parse reads it back: dot members where
// the name allows, ['quoted'] members otherwise, [n] indexes.
func PathString(path []Step) string {
	var b strings.Builder
	writePath(&b, path)
	return b.String()
}

func writePath(b *strings.Builder, path []Step) {
	for _, s := range path {
		switch {
		case s.IsIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.Index))
			b.WriteByte(']')
		case isDotMember(s.Key):
			b.WriteByte('.')
			b.WriteString(s.Key)
		default:
			b.WriteString("['")
			for i := 0; i < len(s.Key); i++ {
				c := s.Key[i]
				if c == '\\' || c == '\'' {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
			b.WriteString("']")
		}
	}
}

func isDotMember(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !memberChar[s[i]] {
			return false
		}
	}
	return true
}

// segment is static text (expr == nil) or one expression.
type segment struct {
	text string
	expr *Expr
}

// Value is a parsed mapping value: static text, one expression, or text mixed
// with expressions. A Value is immutable and safe for concurrent use; parse it
// once and evaluate it for every request.
type Value struct {
	raw  string
	segs []segment
}

// Raw returns the text the value was parsed from.
func (v *Value) Raw() string { return v.raw }

// String renders the value; Parse(v.String()) yields an equal Value. It differs
// from Raw only where Parse normalises a JSONPath (e.g. ['a'] becomes .a).
func (v *Value) String() string {
	var b strings.Builder
	for _, s := range v.segs {
		if s.expr == nil {
			b.WriteString(s.text)
			continue
		}
		b.WriteString(s.expr.String())
	}
	return b.String()
}

// IsStatic reports whether the value contains no expression.
func (v *Value) IsStatic() bool {
	for _, s := range v.segs {
		if s.expr != nil {
			return false
		}
	}
	return true
}

// Exprs returns the value's expressions in order. The caller must not modify
// them.
func (v *Value) Exprs() []*Expr {
	var out []*Expr
	for _, s := range v.segs {
		if s.expr != nil {
			out = append(out, s.expr)
		}
	}
	return out
}

func canonicalHeader(name string) string {
	return textproto.CanonicalMIMEHeaderKey(name)
}
