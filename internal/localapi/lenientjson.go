package localapi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// API Gateway reads a MOCK integration's rendered request template with a lenient JSON
// parser: the CDK's own CORS preflight method sends `{ statusCode: 200 }`, whose key is not
// quoted, and AWS answers it (LocalStack's mock.py works around the same template with a
// hand-written parser for that reason). parseLenientJSON accepts JSON plus what such a parser
// (Jackson's ALLOW_UNQUOTED_FIELD_NAMES and ALLOW_SINGLE_QUOTES) accepts: unquoted keys made of
// letters, digits and _, and 'single-quoted' strings. Nothing else is relaxed.
func parseLenientJSON(s string) (any, error) {
	p := &lenientParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.errorf("unexpected %q after the value", p.s[p.i])
	}
	return v, nil
}

type lenientParser struct {
	s string
	i int
}

func (p *lenientParser) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *lenientParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *lenientParser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"' || c == '\'':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for word, v := range map[string]any{"true": true, "false": false, "null": nil} {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return v, nil
		}
	}
	return nil, p.errorf("unexpected %q", p.s[p.i])
}

func (p *lenientParser) object() (any, error) {
	p.i++ // {
	out := map[string]any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return out, nil
	}
	for {
		p.space()
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("want ':' after key %q", key)
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out[key] = v
		p.space()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return out, nil
		default:
			return nil, p.errorf("want ',' or '}' in an object, got %q", p.s[p.i])
		}
	}
}

func (p *lenientParser) key() (string, error) {
	if p.i < len(p.s) && (p.s[p.i] == '"' || p.s[p.i] == '\'') {
		return p.str()
	}
	start := p.i
	for p.i < len(p.s) && isIdent(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return "", p.errorf("want a key")
	}
	return p.s[start:p.i], nil
}

func (p *lenientParser) array() (any, error) {
	p.i++ // [
	out := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return out, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return out, nil
		default:
			return nil, p.errorf("want ',' or ']' in an array, got %q", p.s[p.i])
		}
	}
}

// str reads a "double" or 'single' quoted string with JSON's escapes.
func (p *lenientParser) str() (string, error) {
	quote := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == quote:
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errorf("unterminated escape")
			}
			esc := p.s[p.i+1]
			switch esc {
			case 'u':
				if p.i+6 > len(p.s) {
					return "", p.errorf("short \\u escape")
				}
				r, err := strconv.ParseUint(p.s[p.i+2:p.i+6], 16, 16)
				if err != nil {
					return "", p.errorf("bad \\u escape")
				}
				p.i += 6
				// A surrogate pair is one character; a lone surrogate is U+FFFD.
				if utf16.IsSurrogate(rune(r)) && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					if r2, err := strconv.ParseUint(p.s[p.i+2:p.i+6], 16, 16); err == nil {
						if c := utf16.DecodeRune(rune(r), rune(r2)); c != utf8.RuneError {
							b.WriteRune(c)
							p.i += 6
							continue
						}
					}
				}
				b.WriteRune(rune(r))
				continue
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case '"', '\'', '\\', '/':
				b.WriteByte(esc)
			default:
				return "", p.errorf("bad escape \\%c", esc)
			}
			p.i += 2
		default:
			// Invalid UTF-8 reads as U+FFFD, as encoding/json reads it.
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += size
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *lenientParser) number() (any, error) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
		p.i++
	}
	f, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil {
		return nil, p.errorf("bad number %q", p.s[start:p.i])
	}
	return f, nil
}
