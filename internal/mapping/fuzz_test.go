package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var exprSeeds = []string{
	"$request.header.queueUrl",
	"$request.body.message",
	"$request.path.source",
	"$request.body",
	"$request.path",
	"$context.requestId",
	"$context.authorizer.claims.sub",
	"$stageVariables.environmentId",
	"${request.path.name} ${request.path.id}",
	`{"UserAgent":{"DataType":"String","StringValue":"${request.header.user-agent}"}}`,
	"$request.body.pets[0]['first name'].x",
	`$request.body["a\"b"][12]`,
	"$request.body..name",
	"$request.body.items[?(@.x)]",
	"$request.body$request.path",
	"$request.querystring.qs_value$1",
	"${request.querystring.qs_value{}",
	"${request.body}}",
	"costs $5 ${",
	"$requst.body",
	"",
	"$",
	"${",
	"$request.body[",
	"$request.body['",
	"$request.body['\\",
}

// FuzzMappingExpr checks that Parse never panics, that errors carry an offset
// inside the value, and that parse → String → parse round-trips.
func FuzzMappingExpr(f *testing.F) {
	for _, s := range exprSeeds {
		f.Add(s)
	}
	r := testRequest()
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T, want *ParseError", s, err)
			}
			if pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("Parse(%q) offset %d outside the value", s, pe.Offset)
			}
			return
		}
		if v.Raw() != s {
			t.Fatalf("Raw() = %q, want %q", v.Raw(), s)
		}
		out := v.String()
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok but Parse(String() = %q): %v", s, out, err)
		}
		if again.String() != out {
			t.Fatalf("String not stable: %q -> %q -> %q", s, out, again.String())
		}
		if !reflect.DeepEqual(segsOf(again), segsOf(v)) {
			t.Fatalf("round trip changed %q: %+v vs %+v", s, segsOf(v), segsOf(again))
		}
		hasBodyPath := false
		for _, e := range v.Exprs() {
			if s[e.Offset] != '$' || e.End <= e.Offset || e.End > len(s) {
				t.Fatalf("%q: expression %s has bad span [%d,%d)", s, e, e.Offset, e.End)
			}
			hasBodyPath = hasBodyPath || e.Source == SourceBodyPath
		}
		// Only a JSONPath is normalised; everything else renders as written.
		if !hasBodyPath && out != s {
			t.Fatalf("String() = %q, want %q", out, s)
		}
		got, ok := v.Evaluate(r)
		buf, ok2 := v.AppendEvaluate(nil, r)
		if ok != ok2 || ok && got != string(buf) {
			t.Fatalf("Evaluate = %q, %v but AppendEvaluate = %q, %v", got, ok, buf, ok2)
		}
		if !ok && v.WhyMissing(r) == "" {
			t.Fatalf("%q found nothing but WhyMissing is empty", s)
		}
	})
}

// FuzzJSONPath checks that evaluating a body JSONPath never panics, that the
// scanner and encoding/json agree on which bodies are valid JSON, and that the
// selected value agrees with what encoding/json decodes at the same path.
func FuzzJSONPath(f *testing.F) {
	bodies := []string{
		`{"message":"hi","pets":[{"name":"Rex","age":3}],"n":1.5e3,"ok":true,"nil":null}`,
		`{"a":{"b":1},"a":{"c":2}}`,
		`{"s":"\ud83d\ude00 \u00e9 \ud800 x"}`,
		"{\"s\":\"\xff\"}",
		`[1,[2,[3,{"x":"y"}]]]`,
		`{"a" : [ 1 , 2 ] , "b" : { } }`,
		`{"a":1}x`,
		`{"a":01}`,
		`{"a":"\u12"}`,
		`"just a string"`,
		`-0.0e-0`,
		``,
		`{`,
	}
	paths := []string{".message", ".pets[0].name", ".pets[0]", ".a.b", ".a.c", ".s", "[1][1][1].x", "[0]", ".a", ".n", ".ok", ".nil", "['a']"}
	for i, b := range bodies {
		f.Add([]byte(b), paths[i%len(paths)])
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		if validJSON(body) != json.Valid(body) {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", body, validJSON(body), json.Valid(body))
		}
		v, err := Parse("${request.body" + path + "}")
		if err != nil {
			return
		}
		exprs := v.Exprs()
		if len(v.segs) != 1 || len(exprs) != 1 || exprs[0].Source != SourceBodyPath {
			return
		}
		steps := exprs[0].Path
		r := &Request{Body: body}
		got, ok := v.Evaluate(r)
		buf, ok2 := v.AppendEvaluate(nil, r)
		if ok != ok2 || ok && got != string(buf) {
			t.Fatalf("Evaluate = %q, %v but AppendEvaluate = %q, %v", got, ok, buf, ok2)
		}

		want, wantOK := referenceSelect(jsonPathBody(body), steps)
		if ok != wantOK {
			t.Fatalf("path %s in %q: found = %v, encoding/json says %v (%#v)", PathString(steps), body, ok, wantOK, want)
		}
		if !ok {
			return
		}
		switch w := want.(type) {
		case string:
			if got != w {
				t.Fatalf("path %s in %q = %q, encoding/json says %q", PathString(steps), body, got, w)
			}
		case json.Number:
			if got != string(w) {
				t.Fatalf("path %s in %q = %q, encoding/json says %q", PathString(steps), body, got, w)
			}
		case bool:
			if got != map[bool]string{true: "true", false: "false"}[w] {
				t.Fatalf("path %s in %q = %q, encoding/json says %v", PathString(steps), body, got, w)
			}
		default: // object or array: compact JSON meaning the same
			var back any
			if err := decodeNumber([]byte(got), &back); err != nil {
				t.Fatalf("path %s in %q = %q, which does not decode: %v", PathString(steps), body, got, err)
			}
			if !reflect.DeepEqual(back, w) {
				t.Fatalf("path %s in %q = %q, encoding/json says %#v", PathString(steps), body, got, w)
			}
			if compactLen(got) != len(got) {
				t.Fatalf("path %s in %q = %q, not compact", PathString(steps), body, got)
			}
		}
	})
}

// referenceSelect walks the encoding/json decoding of doc.
func referenceSelect(doc []byte, steps []Step) (any, bool) {
	if !json.Valid(doc) {
		return nil, false
	}
	var x any
	if err := decodeNumber(doc, &x); err != nil {
		return nil, false
	}
	for _, s := range steps {
		switch c := x.(type) {
		case map[string]any:
			if s.IsIndex {
				return nil, false
			}
			v, ok := c[s.Key]
			if !ok {
				return nil, false
			}
			x = v
		case []any:
			if !s.IsIndex || s.Index >= len(c) {
				return nil, false
			}
			x = c[s.Index]
		default:
			return nil, false
		}
	}
	if x == nil {
		return nil, false
	}
	return x, true
}

func decodeNumber(b []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// compactLen is the length of s once compacted by encoding/json.
func compactLen(s string) int {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return -1
	}
	return b.Len()
}

func TestScannerAgreesWithEncodingJSONOnValidity(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `true`, `null`, ` {"a" : [1, {"b": null}]} `,
		`{"a":1,}`, `[1,]`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `"\x"`, "\"\t\"", `"\u00zz"`,
		`{"a" 1}`, `{1:2}`, `[1 2]`, `nul`, `truex`, `{"a":1}{"b":2}`, `"unterminated`,
		"\xef\xbb\xbf{}", `{"a":"\ud800"}`, "\"\xff\xfe\"", strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	}
	for _, d := range docs {
		if got, want := validJSON([]byte(d)), json.Valid([]byte(d)); got != want {
			name := d
			if len(name) > 40 {
				name = name[:40] + "..."
			}
			t.Errorf("validJSON(%q) = %v, json.Valid = %v", name, got, want)
		}
	}
}
