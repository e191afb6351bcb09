package vtl

import (
	"math/big"
	"strconv"
	"strings"
)

// The parser follows the lexical states of Velocity 1.7's Parser.jjt:
// DEFAULT (template text), DIRECTIVE (inside #if(...), #set(...),
// #foreach(...)), REFERENCE/REFMODIFIER/REFMOD2 ($a.b(...)) and REFINDEX
// ($a[...]). Where Velocity's longest-match lexer decides a case, the
// comment says which token wins.

// maxNesting bounds blocks, expressions and string interpolation nested in
// each other, so hostile input cannot exhaust the stack.
const maxNesting = 100

type blockKind uint8

const (
	blockTop blockKind = iota
	blockIf
	blockElse
	blockForeach
)

type termKind uint8

const (
	termEOF termKind = iota
	termEnd
	termElse
	termElseIf
)

type terminator struct {
	kind termKind
	off  int // offset of '#' in Template.src
	cond expr
}

func (t terminator) name() string {
	switch t.kind {
	case termEnd:
		return "#end"
	case termElse:
		return "#else"
	case termElseIf:
		return "#elseif"
	}
	return "end of template"
}

// directives Velocity 1.7 registers (directive.properties); an escaped
// \#name of one of these, or of if/else/elseif/end/set, loses its backslash.
var velocityDirectives = map[string]bool{
	"foreach": true, "include": true, "parse": true, "macro": true, "literal": true,
	"evaluate": true, "break": true, "define": true, "stop": true,
}

type parser struct {
	t     *Template
	src   string // text being parsed: the template or a string literal's content
	pos   int
	base  int // offset of src[0] in t.src
	depth int
}

func (p *parser) errf(off int, format string, args ...any) error {
	return p.t.errorAt(p.base+off, format, args...)
}

func isAlpha(c byte) bool      { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return isAlpha(c) || c == '_' }
func isIdentChar(c byte) bool  { return isAlpha(c) || isDigit(c) || c == '_' || c == '-' }
func isDirChar(c byte) bool    { return isAlpha(c) || isDigit(c) || c == '_' || c == '@' }

func (p *parser) enter(off int) error {
	p.depth++
	if p.depth > maxNesting {
		return p.errf(off, "template nests deeper than %d levels", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseNodes parses statements until EOF or a #end/#else/#elseif, which it
// returns for the caller to judge.
func (p *parser) parseNodes(kind blockKind) ([]node, terminator, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, terminator{}, err
	}
	defer p.leave()
	var nodes []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &textNode{s: text.String()})
			text.Reset()
		}
	}
	emit := func(n node) {
		flush()
		nodes = append(nodes, n)
	}
	s := p.src
	for p.pos < len(s) {
		// #set swallows spaces and tabs before it when they start a token.
		if start, after, ok := matchSet(s, p.pos); ok {
			n, err := p.parseSet(start, after)
			if err != nil {
				return nil, terminator{}, err
			}
			emit(n)
			continue
		}
		switch c := s[p.pos]; c {
		case '$':
			r, end, err := p.parseRef(p.pos)
			if err != nil {
				return nil, terminator{}, err
			}
			if r == nil {
				text.WriteByte('$')
				p.pos++
				continue
			}
			emit(&refNode{ref: r})
			p.pos = end
		case '\\':
			n := 0
			for p.pos+n < len(s) && s[p.pos+n] == '\\' {
				n++
			}
			j := p.pos + n
			if j < len(s) && s[j] == '$' {
				r, end, err := p.parseRef(j)
				if err != nil {
					return nil, terminator{}, err
				}
				if r == nil {
					text.WriteString(s[p.pos:j])
					p.pos = j
					continue
				}
				emit(&refNode{ref: r, escaped: n%2 == 1, escPrefix: strings.Repeat(`\`, n/2)})
				p.pos = end
				continue
			}
			if j < len(s) && s[j] == '#' {
				name, _, end := scanDirectiveWord(s, j+1)
				known := name == "if" || name == "else" || name == "elseif" || name == "end" || name == "set" || velocityDirectives[name]
				if n%2 == 1 && name != "" {
					// ESCAPE_DIRECTIVE: \#if renders #if; an unknown
					// \#word keeps its backslashes.
					if known {
						text.WriteString(strings.Repeat(`\`, n/2))
						text.WriteString(s[j:end])
					} else {
						text.WriteString(s[p.pos:end])
					}
					p.pos = end
					continue
				}
				if n%2 == 0 && known && name != "set" {
					// Escape(): pairs of backslashes before a directive
					// render as one backslash each.
					text.WriteString(strings.Repeat(`\`, n/2))
					p.pos = j
					continue
				}
			}
			text.WriteString(s[p.pos:j])
			p.pos = j
		case '#':
			term, n, err := p.parseHash(kind, &text)
			if err != nil {
				return nil, terminator{}, err
			}
			if term != nil {
				flush()
				return nodes, *term, nil
			}
			if n != nil {
				emit(n)
			}
		default:
			end := p.pos + 1
			for end < len(s) && s[end] != '$' && s[end] != '#' && s[end] != '\\' {
				end++
			}
			text.WriteString(s[p.pos:end])
			p.pos = end
		}
	}
	flush()
	return nodes, terminator{kind: termEOF, off: p.base + p.pos}, nil
}

// matchSet reports whether s[i:] starts with SET_DIRECTIVE:
// (" "|"\t")* ("#set"|"#{set}") (" ")* "(".
func matchSet(s string, i int) (start, after int, ok bool) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	start = i
	switch {
	case strings.HasPrefix(s[i:], "#set"):
		i += 4
	case strings.HasPrefix(s[i:], "#{set}"):
		i += 6
	default:
		return 0, 0, false
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '(' {
		return start, i + 1, true
	}
	return 0, 0, false
}

// scanDirectiveWord reads WORD or BRACKETED_WORD at s[i:].
func scanDirectiveWord(s string, i int) (name string, bracketed bool, end int) {
	if i < len(s) && s[i] == '{' {
		j := i + 1
		if j < len(s) && (isAlpha(s[j]) || s[j] == '_') {
			j++
			for j < len(s) && isDirChar(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '}' {
				return s[i+1 : j], true, j + 1
			}
		}
		return "", false, i
	}
	if i < len(s) && (isAlpha(s[i]) || s[i] == '_' || s[i] == '@') {
		j := i + 1
		for j < len(s) && isDirChar(s[j]) {
			j++
		}
		return s[i:j], false, j
	}
	return "", false, i
}

// eatLineEnd consumes (" "|"\t")* followed by a newline, as RPAREN, #else
// and #end do; without the newline it consumes nothing.
func (p *parser) eatLineEnd() {
	s := p.src
	i := p.pos
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	switch {
	case i < len(s) && s[i] == '\n':
		p.pos = i + 1
	case i < len(s) && s[i] == '\r':
		if i+1 < len(s) && s[i+1] == '\n' {
			p.pos = i + 2
		} else {
			p.pos = i + 1
		}
	}
}

// closeDirective expects the ')' that closes a directive and swallows the
// rest of the line when only blanks follow.
func (p *parser) closeDirective(what string) error {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		return p.unexpected(what)
	}
	p.pos++
	p.eatLineEnd()
	return nil
}

func (p *parser) unexpected(what string) error {
	if p.pos >= len(p.src) {
		return p.errf(p.pos, "unexpected end of template in %s", what)
	}
	r := p.src[p.pos:]
	if len(r) > 10 {
		r = r[:10]
	}
	return p.errf(p.pos, "unexpected %q in %s", r, what)
}

// skipWS skips the WHITESPACE token of the DIRECTIVE state.
func (p *parser) skipWS() bool {
	start := p.pos
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
			continue
		}
		break
	}
	return p.pos > start
}

// leftParen reports whether '(' follows after blanks and newlines
// (Parser.isLeftParenthesis) and moves past it.
func (p *parser) leftParen() bool {
	i := p.pos
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t' || p.src[i] == '\n' || p.src[i] == '\r') {
		i++
	}
	if i < len(p.src) && p.src[i] == '(' {
		p.pos = i + 1
		return true
	}
	return false
}

// parseHash handles '#' in template text: comments, text blocks and
// directives. It returns a terminator for #end/#else/#elseif.
func (p *parser) parseHash(kind blockKind, text *strings.Builder) (*terminator, node, error) {
	s := p.src
	start := p.pos
	switch {
	case strings.HasPrefix(s[start:], "##"):
		// SINGLE_LINE_COMMENT swallows its newline.
		i := strings.IndexAny(s[start:], "\r\n")
		if i < 0 {
			p.pos = len(s)
		} else {
			p.pos = start + i + 1
			if s[start+i] == '\r' && p.pos < len(s) && s[p.pos] == '\n' {
				p.pos++
			}
		}
		return nil, nil, nil
	case strings.HasPrefix(s[start:], "#*"):
		i := strings.Index(s[start+2:], "*#")
		if i < 0 {
			return nil, nil, p.errf(start, "unterminated #* comment")
		}
		p.pos = start + 2 + i + 2
		return nil, nil, nil
	case strings.HasPrefix(s[start:], "#[["):
		i := strings.Index(s[start+3:], "]]#")
		if i < 0 {
			return nil, nil, p.errf(start, "unterminated #[[ text block")
		}
		text.WriteString(s[start+3 : start+3+i])
		p.pos = start + 3 + i + 3
		return nil, nil, nil
	}
	name, _, end := scanDirectiveWord(s, start+1)
	switch name {
	case "":
		text.WriteByte('#')
		p.pos++
		return nil, nil, nil
	case "if":
		p.pos = end
		n, err := p.parseIf(start)
		return nil, n, err
	case "elseif", "else", "end":
		p.pos = end
		t := &terminator{off: p.base + start}
		switch name {
		case "end":
			t.kind = termEnd
			p.eatLineEnd()
		case "else":
			t.kind = termElse
			p.eatLineEnd()
		case "elseif":
			t.kind = termElseIf
			p.skipWS()
			if p.pos >= len(s) || s[p.pos] != '(' {
				return nil, nil, p.errf(start, "#elseif needs a condition in parentheses")
			}
			p.pos++
			cond, err := p.parseExpr()
			if err != nil {
				return nil, nil, err
			}
			if err := p.closeDirective("#elseif"); err != nil {
				return nil, nil, err
			}
			t.cond = cond
		}
		ok := kind == blockIf || (t.kind == termEnd && (kind == blockElse || kind == blockForeach))
		if !ok {
			return nil, nil, p.errf(start, "unexpected %s", t.name())
		}
		return t, nil, nil
	case "foreach":
		p.pos = end
		n, err := p.parseForeach(start)
		return nil, n, err
	case "break", "stop":
		p.pos = end
		var arg expr
		if p.leftParen() {
			p.skipWS()
			a, err := p.parseDirectiveArg()
			if err != nil {
				return nil, nil, err
			}
			arg = a
			if err := p.closeDirective("#" + name); err != nil {
				return nil, nil, err
			}
		}
		if name == "stop" {
			return nil, &stopNode{off: p.base + start}, nil
		}
		return nil, &breakNode{off: p.base + start, scope: arg}, nil
	case "macro", "define", "include", "parse", "evaluate", "literal":
		return nil, nil, p.errf(start, "unsupported directive #%s", name)
	}
	// Not a directive: Velocity treats it as a call of an undefined
	// macro and prints its source text, arguments included.
	p.pos = end
	if p.leftParen() {
		for {
			p.skipWS()
			if p.pos < len(s) && s[p.pos] == ',' {
				p.pos++
				p.skipWS()
			}
			if p.pos < len(s) && s[p.pos] == ')' {
				break
			}
			if p.pos >= len(s) {
				return nil, nil, p.errf(start, "unterminated #%s(", name)
			}
			if _, err := p.parseDirectiveArg(); err != nil {
				return nil, nil, err
			}
		}
		p.pos++
		p.eatLineEnd()
	}
	text.WriteString(s[start:p.pos])
	return nil, nil, nil
}

func (p *parser) parseSet(start, after int) (node, error) {
	p.pos = after
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.unexpected("#set")
	}
	lhs, end, err := p.parseRef(p.pos)
	if err != nil {
		return nil, err
	}
	if lhs == nil {
		return nil, p.unexpected("#set")
	}
	p.pos = end
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' || strings.HasPrefix(p.src[p.pos:], "==") {
		return nil, p.unexpected("#set")
	}
	p.pos++
	rhs, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("#set"); err != nil {
		return nil, err
	}
	return &setNode{off: p.base + start, lhs: lhs, rhs: rhs}, nil
}

func (p *parser) parseIf(start int) (node, error) {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errf(start, "#if needs a condition in parentheses")
	}
	p.pos++
	cond, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("#if"); err != nil {
		return nil, err
	}
	n := &ifNode{}
	for {
		body, term, err := p.parseNodes(blockIf)
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch term.kind {
		case termEnd:
			return n, nil
		case termElseIf:
			cond = term.cond
		case termElse:
			body, term, err := p.parseNodes(blockElse)
			if err != nil {
				return nil, err
			}
			if term.kind != termEnd {
				return nil, p.errf(start, "#if has no #end")
			}
			if body == nil {
				body = []node{}
			}
			n.elseBody = body
			return n, nil
		default:
			return nil, p.errf(start, "#if has no #end")
		}
	}
}

func (p *parser) parseForeach(start int) (node, error) {
	if !p.leftParen() {
		return nil, p.errf(start, "#foreach needs ($item in $list)")
	}
	sep := func() {
		p.skipWS()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			p.skipWS()
		}
	}
	sep()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.unexpected("#foreach")
	}
	ref, end, err := p.parseRef(p.pos)
	if err != nil {
		return nil, err
	}
	if ref == nil || len(ref.parts) > 0 {
		return nil, p.errf(p.pos, "#foreach needs a plain $name before 'in'")
	}
	p.pos = end
	sep()
	if !strings.HasPrefix(p.src[p.pos:], "in") || p.pos+2 < len(p.src) && isDirChar(p.src[p.pos+2]) {
		return nil, p.errf(p.pos, "#foreach needs 'in' after $%s", ref.root)
	}
	p.pos += 2
	sep()
	iter, err := p.parseDirectiveArg()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("#foreach"); err != nil {
		return nil, err
	}
	body, term, err := p.parseNodes(blockForeach)
	if err != nil {
		return nil, err
	}
	if term.kind != termEnd {
		return nil, p.errf(start, "#foreach has no #end")
	}
	return &foreachNode{off: p.base + start, name: ref.root, iter: iter, body: body}, nil
}

// parseRef parses a reference at s[start] == '$'. It returns nil when the
// '$' does not start a reference, which then is plain text.
func (p *parser) parseRef(start int) (*refExpr, int, error) {
	s := p.src
	i := start + 1
	if i < len(s) && s[i] == '!' {
		i++
	}
	formal := false
	if i < len(s) && s[i] == '{' {
		formal = true
		i++
	}
	if i >= len(s) || !isIdentStart(s[i]) {
		return nil, start, nil
	}
	j := i + 1
	for j < len(s) && isIdentChar(s[j]) {
		j++
	}
	r := &refExpr{off: p.base + start, root: s[i:j]}
	i = j
	for i < len(s) {
		if len(r.parts) > 64 {
			return nil, start, p.errf(i, "reference has more than 64 parts")
		}
		c := s[i]
		if c == '[' {
			// INDEX_LBRACKET: $a[ always starts an index.
			if err := p.enter(i); err != nil {
				return nil, start, err
			}
			p.pos = i + 1
			p.skipWS()
			arg, err := p.parseIndexParam()
			p.leave()
			if err != nil {
				return nil, start, err
			}
			p.skipWS()
			if p.pos >= len(s) || s[p.pos] != ']' {
				return nil, start, p.unexpected("index")
			}
			r.parts = append(r.parts, refPart{kind: partIndex, off: p.base + i, args: []expr{arg}})
			i = p.pos + 1
			continue
		}
		// DOT is "." followed by a letter; "$a." and "$a.1" end the reference.
		if c == '.' && i+1 < len(s) && isAlpha(s[i+1]) {
			k := i + 2
			for k < len(s) && isIdentChar(s[k]) {
				k++
			}
			name := s[i+1 : k]
			if k < len(s) && s[k] == '(' {
				if err := p.enter(k); err != nil {
					return nil, start, err
				}
				args, end, err := p.parseArgs(k)
				p.leave()
				if err != nil {
					return nil, start, err
				}
				r.parts = append(r.parts, refPart{kind: partMethod, off: p.base + i + 1, name: name, args: args})
				i = end
				continue
			}
			r.parts = append(r.parts, refPart{kind: partProp, off: p.base + i + 1, name: name})
			i = k
			continue
		}
		break
	}
	if formal {
		if i >= len(s) || s[i] != '}' {
			return nil, start, p.errf(start, "reference %s has no closing }", s[start:i])
		}
		i++
	}
	r.lit = s[start:i]
	return r, i, nil
}

// parseArgs parses "(" [Parameter ("," Parameter)*] ")" at s[i] == '('.
func (p *parser) parseArgs(i int) ([]expr, int, error) {
	s := p.src
	p.pos = i + 1
	if p.pos < len(s) && s[p.pos] == ')' {
		return nil, p.pos + 1, nil
	}
	var args []expr
	for {
		a, err := p.parseParameter()
		if err != nil {
			return nil, 0, err
		}
		args = append(args, a)
		if p.pos < len(s) && s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(s) && s[p.pos] == ')' {
			return args, p.pos + 1, nil
		}
		return nil, 0, p.unexpected("method arguments")
	}
}

// parseParameter parses Parameter(): [WS] literal-or-reference [WS]. It is
// what method arguments, list elements and map entries may be.
func (p *parser) parseParameter() (expr, error) {
	return p.parseOperand("argument", false)
}

// parseOperand parses what Parameter() and PrimaryExpression() share: [WS] a string, a
// reference, a list or range, a map, a number or a boolean [WS]; a parenthesized expression
// too where parens is set (PrimaryExpression). what names it in an error at the end.
func (p *parser) parseOperand(what string, parens bool) (expr, error) {
	p.skipWS()
	if p.pos >= len(p.src) {
		return nil, p.unexpected(what)
	}
	var e expr
	var err error
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'':
		e, err = p.parseString()
	case c == '$':
		e, err = p.parseRefExpr()
	case c == '[':
		e, err = p.parseBracket()
	case c == '{':
		e, err = p.parseMap()
	case isDigit(c) || c == '-' || c == '.':
		e, err = p.parseNumber()
	case parens && c == '(':
		p.pos++
		e, err = p.parseExpr()
		if err == nil {
			err = p.closeDirective("parenthesized expression")
		}
	default:
		e, err = p.parseBool()
	}
	if err != nil {
		return nil, err
	}
	p.skipWS()
	return e, nil
}

// parseIndexParam parses IndexParameter(): a string, integer, boolean or
// reference.
func (p *parser) parseIndexParam() (expr, error) {
	if p.pos >= len(p.src) {
		return nil, p.unexpected("index")
	}
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'':
		return p.parseString()
	case c == '$':
		return p.parseRefExpr()
	case isDigit(c) || c == '-':
		e, err := p.parseNumber()
		if err != nil {
			return nil, err
		}
		if l, ok := e.(*litExpr); ok {
			if _, isFloat := l.v.(float64); isFloat {
				return nil, p.errf(p.pos, "index must be an integer")
			}
		}
		return e, nil
	}
	return p.parseBool()
}

// parseDirectiveArg parses DirectiveArg(): the arguments of #foreach,
// #break, #stop and macro calls. A bare word is returned as a string.
func (p *parser) parseDirectiveArg() (expr, error) {
	if p.pos >= len(p.src) {
		return nil, p.unexpected("directive arguments")
	}
	c := p.src[p.pos]
	if isAlpha(c) || c == '_' || c == '@' {
		j := p.pos + 1
		for j < len(p.src) && isDirChar(p.src[j]) {
			j++
		}
		w := p.src[p.pos:j]
		p.pos = j
		switch w {
		case "true":
			return &litExpr{v: true}, nil
		case "false":
			return &litExpr{v: false}, nil
		}
		return &litExpr{v: w}, nil
	}
	e, err := p.parseParameter()
	return e, err
}

func (p *parser) parseBool() (expr, error) {
	s := p.src[p.pos:]
	for _, w := range []string{"true", "false"} {
		if strings.HasPrefix(s, w) && (len(s) == len(w) || !isDirChar(s[len(w)])) {
			p.pos += len(w)
			return &litExpr{v: w == "true"}, nil
		}
	}
	return nil, p.unexpected("expression")
}

func (p *parser) parseRefExpr() (expr, error) {
	r, end, err := p.parseRef(p.pos)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, p.unexpected("expression")
	}
	p.pos = end
	return r, nil
}

// parseNumber scans INTEGER_LITERAL or FLOATING_POINT_LITERAL. A leading
// '-' belongs to the number, as in Velocity 1.7.
func (p *parser) parseNumber() (expr, error) {
	s := p.src
	start := p.pos
	i := start
	if i < len(s) && s[i] == '-' {
		i++
	}
	d := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	isFloat := false
	if i > d {
		switch {
		case strings.HasPrefix(s[i:], ".."):
			// "1..3": the integer gives the dots back for the range.
		case i < len(s) && s[i] == '.':
			isFloat = true
			i++
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			i = scanExponent(s, i)
		default:
			if e := scanExponent(s, i); e > i {
				isFloat = true
				i = e
			}
		}
	} else if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		isFloat = true
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		i = scanExponent(s, i)
	} else {
		return nil, p.unexpected("expression")
	}
	lit := s[start:i]
	p.pos = i
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !isRangeErr(err) {
			return nil, p.errf(start, "bad number %q", lit)
		}
		return &litExpr{v: f}, nil
	}
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return &litExpr{v: n}, nil
	}
	b, ok := new(big.Int).SetString(lit, 10)
	if !ok {
		return nil, p.errf(start, "bad number %q", lit)
	}
	return &litExpr{v: b}, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func scanExponent(s string, i int) int {
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j {
			return k
		}
	}
	return i
}

// parseString scans STRING_LITERAL. Double-quoted strings unescape \uXXXX
// and "" and are rendered as templates when they contain $ or #;
// single-quoted strings only turn a doubled quote into one.
func (p *parser) parseString() (expr, error) {
	s := p.src
	start := p.pos
	q := s[start]
	i := start + 1
	for {
		if i >= len(s) {
			return nil, p.errf(start, "unterminated string literal")
		}
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			break
		}
		i++
	}
	raw := s[start+1 : i]
	p.pos = i + 1
	if q == '\'' {
		return &litExpr{v: strings.ReplaceAll(raw, "''", "'")}, nil
	}
	img, err := unescapeUnicode(raw)
	if err != nil {
		return nil, p.errf(start, "%v", err)
	}
	img = strings.ReplaceAll(img, `""`, `"`)
	if !strings.ContainsAny(raw, "$#") {
		return &litExpr{v: img}, nil
	}
	// ASTStringLiteral appends a space so that a trailing directive
	// parses, and strips it after rendering, unless the literal
	// contains "##".
	comment := strings.Contains(img, "##")
	if !comment {
		img += " "
	}
	sub := &parser{t: p.t, src: img, base: p.base + start + 1, depth: p.depth}
	if err := sub.enter(start); err != nil {
		return nil, err
	}
	nodes, term, err := sub.parseNodes(blockTop)
	if err != nil {
		return nil, err
	}
	if term.kind != termEOF {
		return nil, p.errf(start, "unexpected %s in string literal", term.name())
	}
	return &strExpr{off: p.base + start, nodes: nodes, stripLast: !comment}, nil
}

// unescapeUnicode is ASTStringLiteral.unescape: only \uXXXX is an escape.
func unescapeUnicode(s string) (string, error) {
	u := strings.Index(s, `\u`)
	if u < 0 {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for u >= 0 {
		b.WriteString(s[last:u])
		if u+6 > len(s) {
			return "", errBadUnicode
		}
		n, err := strconv.ParseUint(s[u+2:u+6], 16, 16)
		if err != nil {
			return "", errBadUnicode
		}
		writeUTF16Unit(&b, uint16(n))
		last = u + 6
		next := strings.Index(s[last:], `\u`)
		if next < 0 {
			break
		}
		u = last + next
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// parseBracket parses an IntegerRange "[a..b]" or an ObjectArray "[x, y]".
func (p *parser) parseBracket() (expr, error) {
	s := p.src
	start := p.pos
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	// IntegerRange: "[" [WS] (Reference|IntegerLiteral) [WS] ".." ...
	p.pos++
	p.skipWS()
	if p.pos < len(s) && (s[p.pos] == '$' || isDigit(s[p.pos]) || s[p.pos] == '-') {
		save := p.pos
		var from expr
		var err error
		if s[p.pos] == '$' {
			from, err = p.parseRefExpr()
		} else {
			from, err = p.parseNumber()
			if l, ok := from.(*litExpr); ok {
				if _, isInt := l.v.(int64); !isInt {
					from = nil
				}
			}
		}
		if err == nil && from != nil {
			p.skipWS()
			if strings.HasPrefix(s[p.pos:], "..") {
				p.pos += 2
				p.skipWS()
				var to expr
				if p.pos < len(s) && s[p.pos] == '$' {
					to, err = p.parseRefExpr()
				} else {
					to, err = p.parseNumber()
				}
				if err != nil {
					return nil, err
				}
				p.skipWS()
				if p.pos >= len(s) || s[p.pos] != ']' {
					return nil, p.unexpected("range")
				}
				p.pos++
				return &rangeExpr{off: p.base + start, from: from, to: to}, nil
			}
		}
		p.pos = save
	}
	// ObjectArray: "[" [Parameter ("," Parameter)*] "]". "[ ]" is a
	// parse error in Velocity 1.7: the blank starts a Parameter.
	p.pos = start + 1
	l := &listExpr{off: p.base + start}
	if p.pos < len(s) && s[p.pos] == ']' {
		p.pos++
		return l, nil
	}
	for {
		e, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		l.elems = append(l.elems, e)
		if p.pos < len(s) && s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(s) && s[p.pos] == ']' {
			p.pos++
			return l, nil
		}
		return nil, p.unexpected("list")
	}
}

// parseMap parses "{" [Parameter ":" Parameter ("," ...)*] [WS] "}".
func (p *parser) parseMap() (expr, error) {
	s := p.src
	start := p.pos
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos++
	m := &mapExpr{off: p.base + start}
	p.skipWS()
	if p.pos < len(s) && s[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(s) || s[p.pos] != ':' {
			return nil, p.unexpected("map")
		}
		p.pos++
		v, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		if p.pos < len(s) && s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(s) && s[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		return nil, p.unexpected("map")
	}
}

// Expressions: ConditionalOrExpression down to PrimaryExpression.

func (p *parser) parseExpr() (expr, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.parseBinary(0)
}

// precedence levels, loosest first.
var levels = [][]opKind{
	{opOr},
	{opAnd},
	{opEq, opNe},
	{opLt, opLe, opGt, opGe},
	{opAdd, opSub},
	{opMul, opDiv, opMod},
}

func (p *parser) parseBinary(level int) (expr, error) {
	if level == len(levels) {
		return p.parseUnary()
	}
	l, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		off := p.pos
		op, n, ok := p.peekOp()
		if !ok || !inLevel(op, levels[level]) {
			return l, nil
		}
		p.pos += n
		r, err := p.parseBinary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binExpr{off: p.base + off, op: op, l: l, r: r}
	}
}

func inLevel(op opKind, ops []opKind) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

var wordOps = map[string]opKind{"or": opOr, "and": opAnd, "eq": opEq, "ne": opNe, "lt": opLt, "le": opLe, "gt": opGt, "ge": opGe}

// peekOp reads a binary operator token. "-" followed by a digit is a
// negative number, not an operator, as in Velocity 1.7.
func (p *parser) peekOp() (opKind, int, bool) {
	s := p.src[p.pos:]
	if s == "" {
		return 0, 0, false
	}
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	switch two {
	case "||":
		return opOr, 2, true
	case "&&":
		return opAnd, 2, true
	case "==":
		return opEq, 2, true
	case "!=":
		return opNe, 2, true
	case "<=":
		return opLe, 2, true
	case ">=":
		return opGe, 2, true
	}
	switch s[0] {
	case '<':
		return opLt, 1, true
	case '>':
		return opGt, 1, true
	case '+':
		return opAdd, 1, true
	case '-':
		if len(s) > 1 && (isDigit(s[1]) || s[1] == '.' && len(s) > 2 && isDigit(s[2])) {
			return 0, 0, false
		}
		return opSub, 1, true
	case '*':
		return opMul, 1, true
	case '/':
		return opDiv, 1, true
	case '%':
		return opMod, 1, true
	}
	if isAlpha(s[0]) {
		j := 1
		for j < len(s) && isDirChar(s[j]) {
			j++
		}
		if op, ok := wordOps[s[:j]]; ok {
			return op, j, true
		}
	}
	return 0, 0, false
}

func (p *parser) parseUnary() (expr, error) {
	p.skipWS()
	s := p.src[p.pos:]
	not := 0
	switch {
	case strings.HasPrefix(s, "!") && !strings.HasPrefix(s, "!="):
		not = 1
	case strings.HasPrefix(s, "not") && (len(s) == 3 || !isDirChar(s[3])):
		not = 3
	}
	if not > 0 {
		if err := p.enter(p.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		p.pos += not
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (expr, error) {
	return p.parseOperand("expression", true)
}
