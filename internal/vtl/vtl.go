package vtl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTemplateSize is API Gateway's limit on one mapping template ("The
// maximum size of a mapping template is 300 KB", API Gateway important notes).
const MaxTemplateSize = 300 * 1024

// Error is a parse, check or render error located in a template.
type Error struct {
	Name string // template name given to Parse
	Line int    // 1-based
	Col  int    // 1-based, in characters
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// Template is a parsed mapping template. It is immutable and safe for
// concurrent use by many Render calls.
type Template struct {
	name string
	src  string
	root []node
}

// Name returns the name the template was parsed with.
func (t *Template) Name() string { return t.name }

// Source returns the template text.
func (t *Template) Source() string { return t.src }

// Parse parses a mapping template. Errors are *Error values located as
// name:line:col.
func Parse(name, text string) (*Template, error) {
	t := &Template{name: name, src: text}
	if len(text) > MaxTemplateSize {
		return nil, t.errorAt(0, "template is %d bytes, over API Gateway's %d-byte limit", len(text), MaxTemplateSize)
	}
	p := &parser{t: t, src: text}
	nodes, term, err := p.parseNodes(blockTop)
	if err != nil {
		return nil, err
	}
	if term.kind != termEOF {
		return nil, t.errorAt(term.off, "unexpected %s", term.name())
	}
	t.root = nodes
	return t, nil
}

// MustParse is like Parse but panics on error; for templates embedded in
// the program.
func MustParse(name, text string) *Template {
	t, err := Parse(name, text)
	if err != nil {
		panic(err)
	}
	return t
}

// position converts a byte offset into a 1-based line and column.
func (t *Template) position(off int) (line, col int) {
	if off > len(t.src) {
		off = len(t.src)
	}
	if off < 0 {
		off = 0
	}
	before := t.src[:off]
	line = 1 + strings.Count(before, "\n")
	lineStart := strings.LastIndexByte(before, '\n') + 1
	col = 1 + utf8.RuneCountInString(before[lineStart:])
	return line, col
}

func (t *Template) errorAt(off int, format string, args ...any) *Error {
	line, col := t.position(off)
	return &Error{Name: t.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}
