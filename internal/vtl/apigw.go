package vtl

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// inputObj is $input.
type inputObj struct {
	r      *renderer
	params *vMap
}

func (in *inputObj) bodyString() string {
	if len(in.r.in.Body) == 0 {
		// API Gateway substitutes {} for an empty payload.
		return "{}"
	}
	return string(in.r.in.Body)
}

// parsedBody parses the body once per render.
func (in *inputObj) parsedBody() (value, error) {
	r := in.r
	if !r.bodyDone {
		r.bodyDone = true
		r.body, r.bodyErr = parseJSON(in.bodyString())
		if r.bodyErr != nil {
			r.bodyErr = fmt.Errorf("the body is not valid JSON: %v", r.bodyErr)
		}
	}
	return r.body, r.bodyErr
}

func (in *inputObj) call(name string, args []value) (value, error) {
	switch {
	case name == "getBody" && len(args) == 0:
		return in.bodyString(), nil
	case name == "params" && len(args) == 0:
		return in.allParams(), nil
	case name == "params" && len(args) == 1:
		x, ok := args[0].(string)
		if !ok {
			return nil, nil
		}
		return in.param(x), nil
	case (name == "json" || name == "path") && len(args) == 1:
		p, ok := args[0].(string)
		if !ok {
			return nil, nil
		}
		root, err := in.parsedBody()
		if err != nil {
			return nil, fmt.Errorf("$input.%s(%q): %v", name, p, err)
		}
		v, found, err := evalJSONPath(root, p)
		if err != nil {
			return nil, fmt.Errorf("$input.%s(%q): %v", name, p, err)
		}
		if name == "path" {
			return v, nil
		}
		if !found {
			// A path that matches nothing gives the JSON text "".
			return `""`, nil
		}
		var b strings.Builder
		if err := writeJSON(&b, v, 0); err != nil {
			return nil, err
		}
		return b.String(), nil
	}
	return nil, nil
}

// allParams is $input.params(): path, header and querystring maps.
func (in *inputObj) allParams() *vMap {
	if in.params == nil {
		m := newMap(true)
		m.put("path", stringMap(in.r.in.PathParams, false))
		m.put("header", lastValues(in.r.in.Headers, true))
		m.put("querystring", lastValues(in.r.in.Query, false))
		in.params = m
	}
	return in.params
}

// param is $input.params(x): path, then query string, then header; "" when
// none has it.
func (in *inputObj) param(x string) string {
	if v, ok := in.r.in.PathParams[x]; ok {
		return v
	}
	if vs := in.r.in.Query[x]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	if vs, ok := in.r.in.Headers[x]; ok && len(vs) > 0 {
		return vs[len(vs)-1]
	}
	for k, vs := range in.r.in.Headers {
		if strings.EqualFold(k, x) && len(vs) > 0 {
			return vs[len(vs)-1]
		}
	}
	return ""
}

// utilObj is $util.
type utilObj struct{}

func utilCall(name string, args []value) (value, error) {
	if len(args) != 1 {
		return nil, nil
	}
	switch name {
	case "escapeJavaScript", "urlEncode", "urlDecode", "base64Encode", "base64Decode", "parseJson":
	default:
		return nil, nil
	}
	if args[0] == nil {
		return nil, nil
	}
	s, err := javaString(args[0], 0)
	if err != nil {
		return nil, err
	}
	switch name {
	case "escapeJavaScript":
		return escapeJavaScript(s), nil
	case "urlEncode":
		return urlEncode(s), nil
	case "urlDecode":
		return urlDecode(s)
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "base64Decode":
		return base64Decode(s)
	default: // parseJson
		v, err := parseJSON(s)
		if err != nil {
			return nil, fmt.Errorf("$util.parseJson: %v", err)
		}
		return v, nil
	}
}

// urlEncode is java.net.URLEncoder.encode(s, "UTF-8"): form encoding, where
// a-z A-Z 0-9 . - * _ stay, space becomes + and the rest is %XX.
func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c) || isDigit(c) || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&0xF])
		}
	}
	return b.String()
}

// urlDecode is java.net.URLDecoder.decode(s, "UTF-8").
func urlDecode(s string) (value, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return nil, errors.New("$util.urlDecode: incomplete or invalid % escape")
			}
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// base64Decode accepts padded or unpadded standard Base64, like
// java.util.Base64.getDecoder().
func base64Decode(s string) (value, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return nil, fmt.Errorf("$util.base64Decode: %v", err)
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}
