package vtl

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Java regular expressions (String.matches, replaceAll, replaceFirst,
// split) run on Go's RE2 after translation. Constructs RE2 lacks
// (lookaround, backreferences, possessive quantifiers, atomic groups,
// class unions and intersections, \G, \Z, \R, \X, \h, Java's \v, COMMENTS
// mode) are errors rather than silently different matches. Translated:
// \uXXXX, \0oct, \e, \cX, Java's \s (which includes \x0B), POSIX \p{Alpha}
// style classes, and "." (which in Java stops at \r, \u0085, \u2028 and
// \u2029 too).

type javaRegex struct {
	re       *regexp.Regexp
	whole    *regexp.Regexp // \A(?:pattern)\z for matches()
	dollar   bool           // uses the $ anchor
	nullable bool           // can match the empty string
	empty    bool           // the pattern is ""
}

var (
	regexCache sync.Map // pattern -> *javaRegex
	regexCount atomic.Int32
)

func compileJavaRegex(pattern string) (*javaRegex, error) {
	if v, ok := regexCache.Load(pattern); ok {
		return v.(*javaRegex), nil
	}
	goPat, dollar, err := translateJavaRegex(pattern)
	if err != nil {
		return nil, fmt.Errorf("Java regex %q: %v", pattern, err)
	}
	re, err := regexp.Compile(goPat)
	if err != nil {
		return nil, fmt.Errorf("Java regex %q is not supported: %v", pattern, err)
	}
	whole, err := regexp.Compile(`\A(?:` + goPat + `)\z`)
	if err != nil {
		return nil, fmt.Errorf("Java regex %q is not supported: %v", pattern, err)
	}
	parsed, err := syntax.Parse(goPat, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("Java regex %q is not supported: %v", pattern, err)
	}
	jr := &javaRegex{re: re, whole: whole, dollar: dollar, nullable: nullable(parsed), empty: pattern == ""}
	if regexCount.Add(1) <= 512 {
		regexCache.Store(pattern, jr)
	}
	return jr, nil
}

// nullable reports whether a regexp can match the empty string.
func nullable(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpLiteral, syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return re.Op == syntax.OpLiteral && len(re.Rune) == 0
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpPlus, syntax.OpCapture:
		return nullable(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min == 0 || nullable(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !nullable(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if nullable(s) {
				return true
			}
		}
		return false
	}
	return true // empty match and the zero-width assertions
}

// checkInput refuses inputs where Java's "$" (end of input or before a
// final line terminator) and RE2's "$" would disagree.
func (j *javaRegex) checkInput(s string) error {
	if j.dollar && strings.ContainsAny(s, "\n\r\u0085\u2028\u2029") {
		return errors.New("a Java regex with $ on text with line terminators is not supported")
	}
	return nil
}

func (j *javaRegex) matches(s string) (value, error) {
	if err := j.checkInput(s); err != nil {
		return nil, err
	}
	return j.whole.MatchString(s), nil
}

// replace is Matcher.replaceAll/replaceFirst with Java's replacement
// syntax ($1, ${name}, \$).
func (j *javaRegex) replace(s, repl string, all bool) (string, error) {
	if err := j.checkInput(s); err != nil {
		return "", err
	}
	n := 1
	if all {
		n = -1
	}
	matches := j.re.FindAllStringSubmatchIndex(s, n)
	if len(matches) == 0 {
		return s, nil
	}
	if all && j.nullable && repl != "" {
		// Java also matches the empty string right after a match, RE2
		// does not: "aaa".replaceAll("a*", "-") is "--" in Java.
		return "", errors.New("replaceAll with a regex that matches the empty string is not supported")
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		if err := j.expand(&b, repl, s, m); err != nil {
			return "", err
		}
		last = m[1]
		if b.Len() > maxOutput {
			return "", fmt.Errorf("result exceeds %d bytes", maxOutput)
		}
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func (j *javaRegex) expand(b *strings.Builder, repl, s string, m []int) error {
	groups := len(m)/2 - 1
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return errors.New("character to be escaped is missing in the replacement")
			}
			b.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return errors.New("illegal group reference: group index is missing")
			}
			var g int
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return errors.New("named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				g = j.re.SubexpIndex(name)
				if g < 0 {
					return fmt.Errorf("no group with name {%s}", name)
				}
				i += end
			} else {
				if !isDigit(repl[i]) {
					return errors.New("illegal group reference")
				}
				g = int(repl[i] - '0')
				// Java takes more digits while the number stays a group.
				for i+1 < len(repl) && isDigit(repl[i+1]) {
					next := g*10 + int(repl[i+1]-'0')
					if next > groups {
						break
					}
					g = next
					i++
				}
				if g > groups {
					return fmt.Errorf("no group %d", g)
				}
			}
			if m[2*g] >= 0 {
				b.WriteString(s[m[2*g]:m[2*g+1]])
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil
}

// javaSplit is String.split(regex, limit), returning a String[].
func javaSplit(s, pattern string, limit int) (value, error) {
	j, err := compileJavaRegex(pattern)
	if err != nil {
		return nil, err
	}
	if err := j.checkInput(s); err != nil {
		return nil, err
	}
	if j.nullable && !j.empty {
		return nil, errors.New("split with a regex that matches the empty string is not supported")
	}
	matches := j.re.FindAllStringIndex(s, -1)
	out := &vList{kind: listJavaArray}
	if len(matches) == 0 {
		out.items = []value{s}
		return out, nil
	}
	idx := 0
	for _, m := range matches {
		if limit > 0 && len(out.items) == limit-1 {
			break
		}
		if m[1] == 0 {
			// A zero-width match at the start gives no leading "".
			continue
		}
		out.items = append(out.items, s[idx:m[0]])
		idx = m[1]
	}
	out.items = append(out.items, s[idx:])
	if limit == 0 {
		for len(out.items) > 0 && out.items[len(out.items)-1] == "" {
			out.items = out.items[:len(out.items)-1]
		}
	}
	return out, nil
}

var posixClasses = map[string]string{
	"Lower": `a-z`, "Upper": `A-Z`, "ASCII": `\x00-\x7F`, "Alpha": `a-zA-Z`, "Digit": `0-9`,
	"Alnum": `a-zA-Z0-9`, "Punct": `!-/:-@\[-` + "`" + `{-~`, "Graph": `!-~`, "Print": ` -~`,
	"Blank": ` \t`, "Cntrl": `\x00-\x1F\x7F`, "XDigit": `0-9a-fA-F`, "Space": ` \t\n\x0B\f\r`,
}

const javaSpace = `\t\n\x0B\f\r `

func translateJavaRegex(p string) (string, bool, error) {
	var b strings.Builder
	dollar := false
	dotAll := strings.Contains(p, "(?s") || strings.Contains(p, "(?is") || strings.Contains(p, "(?ms")
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' {
			if i+1 >= len(p) {
				return "", false, errors.New("trailing backslash")
			}
			i++
			e := p[i]
			switch {
			case e >= '1' && e <= '9' && !inClass:
				return "", false, errors.New("backreferences are not supported")
			case e == '0':
				j := i + 1
				for j < len(p) && j < i+4 && p[j] >= '0' && p[j] <= '7' {
					j++
				}
				if j == i+1 {
					return "", false, errors.New(`illegal octal escape \0`)
				}
				n, _ := strconv.ParseUint(p[i+1:j], 8, 32)
				if n > 0377 {
					j--
					n >>= 3
				}
				fmt.Fprintf(&b, `\x{%X}`, n)
				i = j - 1
			case e == 'u':
				if i+4 >= len(p) {
					return "", false, errors.New(`bad \u escape`)
				}
				n, err := strconv.ParseUint(p[i+1:i+5], 16, 32)
				if err != nil {
					return "", false, errors.New(`bad \u escape`)
				}
				fmt.Fprintf(&b, `\x{%X}`, n)
				i += 4
			case e == 'e':
				b.WriteString(`\x{1B}`)
			case e == 'c':
				if i+1 >= len(p) {
					return "", false, errors.New(`bad \c escape`)
				}
				i++
				fmt.Fprintf(&b, `\x{%X}`, p[i]^64)
			case e == 's':
				if inClass {
					b.WriteString(javaSpace)
				} else {
					b.WriteString("[" + javaSpace + "]")
				}
			case e == 'S':
				if inClass {
					return "", false, errors.New(`\S inside a character class is not supported`)
				}
				b.WriteString("[^" + javaSpace + "]")
			case e == 'Q':
				end := strings.Index(p[i+1:], `\E`)
				lit := p[i+1:]
				if end >= 0 {
					lit = p[i+1 : i+1+end]
				}
				if inClass {
					return "", false, errors.New(`\Q inside a character class is not supported`)
				}
				b.WriteString(regexp.QuoteMeta(lit))
				if end < 0 {
					i = len(p)
				} else {
					i += end + 2
				}
			case e == 'p' || e == 'P':
				name := ""
				if i+1 < len(p) && p[i+1] == '{' {
					end := strings.IndexByte(p[i+1:], '}')
					if end < 0 {
						return "", false, errors.New(`unterminated \p{`)
					}
					name = p[i+2 : i+1+end]
					i += end + 1
				} else if i+1 < len(p) {
					name = p[i+1 : i+2]
					i++
				}
				if cls, ok := posixClasses[name]; ok {
					switch {
					case inClass && e == 'P':
						return "", false, errors.New(`\P{...} inside a character class is not supported`)
					case inClass:
						b.WriteString(cls)
					case e == 'P':
						b.WriteString("[^" + cls + "]")
					default:
						b.WriteString("[" + cls + "]")
					}
					break
				}
				name = strings.TrimPrefix(name, "Is")
				if strings.HasPrefix(name, "In") || strings.HasPrefix(name, "java") || strings.Contains(name, "=") {
					return "", false, fmt.Errorf(`\p{%s} is not supported`, name)
				}
				fmt.Fprintf(&b, `\%c{%s}`, e, name)
			case strings.IndexByte("hHvVRXGZkN", e) >= 0:
				return "", false, fmt.Errorf(`\%c is not supported`, e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		}
		if inClass {
			switch {
			case c == '[':
				return "", false, errors.New("nested character classes are not supported")
			case c == '&' && i+1 < len(p) && p[i+1] == '&':
				return "", false, errors.New("character class intersection is not supported")
			case c == ']':
				inClass = false
			}
			b.WriteByte(c)
			continue
		}
		switch c {
		case '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				// Java reads "[]" + "..." as an empty class start too
				// rarely to matter; RE2 takes ']' literally here.
				b.WriteString(`\]`)
				i++
			}
		case '(':
			rest := p[i+1:]
			for _, bad := range []string{"?=", "?!", "?<=", "?<!", "?>"} {
				if strings.HasPrefix(rest, bad) {
					return "", false, errors.New("lookaround and atomic groups are not supported")
				}
			}
			if strings.HasPrefix(rest, "?") && !strings.HasPrefix(rest, "?:") && !strings.HasPrefix(rest, "?<") {
				j := 1
				for j < len(rest) && rest[j] != ')' && rest[j] != ':' {
					if strings.IndexByte("imsU-", rest[j]) < 0 {
						return "", false, fmt.Errorf("regex flag %q is not supported", rest[j])
					}
					j++
				}
			}
			b.WriteByte(c)
		case '$':
			dollar = true
			b.WriteByte(c)
		case '.':
			if dotAll {
				b.WriteByte('.')
			} else {
				b.WriteString(`[^\n\r\x{85}\x{2028}\x{2029}]`)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), dollar, nil
}

// JavaPattern is a Java regular expression run on Go's engine, as API Gateway runs the
// selection patterns of integration responses (matched against a Lambda errorMessage or a
// backend status code). The local runner compiles them once with CompileJavaPattern.
type JavaPattern struct{ j *javaRegex }

// CompileJavaPattern translates a Java regular expression; constructs Go cannot run the same
// way are an error, never a silently different match.
func CompileJavaPattern(pattern string) (*JavaPattern, error) {
	j, err := compileJavaRegex(pattern)
	if err != nil {
		return nil, err
	}
	return &JavaPattern{j}, nil
}

// Matches reports whether the whole of s matches, as Java's String.matches does.
func (p *JavaPattern) Matches(s string) (bool, error) {
	v, err := p.j.matches(s)
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}
