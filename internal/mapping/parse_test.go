package mapping

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// seg describes an expected segment compactly: text, or an expression.
type seg struct {
	text   string
	src    Source
	name   string
	path   string // PathString of a body JSONPath
	braced bool
}

func segsOf(v *Value) []seg {
	var out []seg
	for _, s := range v.segs {
		if s.expr == nil {
			out = append(out, seg{text: s.text})
			continue
		}
		e := s.expr
		out = append(out, seg{src: e.Source, name: e.Name, path: PathString(e.Path), braced: e.Braced})
	}
	return out
}

func TestParseAcceptsDocumentedForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []seg
	}{
		// "Create AWS service integrations for HTTP APIs", CLI example:
		// --request-parameters '{"QueueUrl": "$request.header.queueUrl", "MessageBody": "$request.body.message"}'
		{"doc header queueUrl", "$request.header.queueUrl", []seg{{src: SourceHeader, name: "queueUrl"}}},
		{"doc body message", "$request.body.message", []seg{{src: SourceBodyPath, path: ".message"}}},
		// Same page, CloudFormation example: Source: $request.path.source,
		// DetailType: $request.path.detailType, Detail: $request.body.
		{"doc path source", "$request.path.source", []seg{{src: SourcePathParam, name: "source"}}},
		{"doc path detailType", "$request.path.detailType", []seg{{src: SourcePathParam, name: "detailType"}}},
		{"doc body passthrough", "$request.body", []seg{{src: SourceBody}}},
		// "Transform API requests and responses": "$context.requestId",
		// "$stageVariables.environmentId", and "${request.path.name} ${request.path.id}".
		{"doc context requestId", "$context.requestId", []seg{{src: SourceContext, name: "requestId"}}},
		{"doc stage variable", "$stageVariables.environmentId", []seg{{src: SourceStageVariable, name: "environmentId"}}},
		{"doc two braced variables", "${request.path.name} ${request.path.id}", []seg{
			{src: SourcePathParam, name: "name", braced: true}, {text: " "}, {src: SourcePathParam, name: "id", braced: true}}},
		{"doc querystring", "$request.querystring.querystring1", []seg{{src: SourceQuery, name: "querystring1"}}},
		{"doc request path", "$request.path", []seg{{src: SourcePath}}},
		{"braced request path", "${request.path}", []seg{{src: SourcePath, braced: true}}},
		{"static value", "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
			[]seg{{text: "arn:aws:events:eu-west-1:123456789012:event-bus/orders"}}},
		{"empty static value", "", nil},
		{"nested context variable", "$context.identity.sourceIp", []seg{{src: SourceContext, name: "identity.sourceIp"}}},
		{"jwt claim", "${context.authorizer.claims.sub}", []seg{{src: SourceContext, name: "authorizer.claims.sub", braced: true}}},
		// A MessageAttributes value shown working in a 2021 blog post: JSON text with an expression inside.
		{"json text with braced header", `{"UserAgent":{"DataType":"String","StringValue":"${request.header.user-agent}"}}`, []seg{
			{text: `{"UserAgent":{"DataType":"String","StringValue":"`},
			{src: SourceHeader, name: "user-agent", braced: true},
			{text: `"}}`}}},
		{"body path with brackets", "$request.body.pets[0]['first name'].x", []seg{{src: SourceBodyPath, path: ".pets[0]['first name'].x"}}},
		{"body path starting with bracket", "$request.body[2].id", []seg{{src: SourceBodyPath, path: "[2].id"}}},
		{"quoted simple member is normalised", "$request.body['a']", []seg{{src: SourceBodyPath, path: ".a"}}},
		{"double-quoted member", `$request.body["a.b"]`, []seg{{src: SourceBodyPath, path: "['a.b']"}}},
		{"escaped quote in member", `$request.body['it\'s']`, []seg{{src: SourceBodyPath, path: `['it\'s']`}}},
		{"member with dash and colon", "$request.body.detail-type.ns:key", []seg{{src: SourceBodyPath, path: ".detail-type.ns:key"}}},
		// LocalStack test_parse_multiple_params / test_chain_with_dynamic_sources:
		// a bare expression ends at a space or at the next "$".
		{"bare expressions split by space", "$request.body $request.path", []seg{{src: SourceBody}, {text: " "}, {src: SourcePath}}},
		{"bare expressions back to back", "$request.body$request.path", []seg{{src: SourceBody}, {src: SourcePath}}},
		{"bare then text", "$request.querystring.qs_value and some other stuff$request.header.h", []seg{
			{src: SourceQuery, name: "qs_value"}, {text: " and some other stuff"}, {src: SourceHeader, name: "h"}}},
		{"braced then text", "${request.body}static${request.path}", []seg{{src: SourceBody, braced: true}, {text: "static"}, {src: SourcePath, braced: true}}},
		{"extra closing brace is text", "${request.body}}", []seg{{src: SourceBody, braced: true}, {text: "}"}}},
		// LocalStack test_length_less_than_2_is_static: "$1" is text.
		{"dollar digit is text", "$request.querystring.qs_value$1", []seg{{src: SourceQuery, name: "qs_value"}, {text: "$1"}}},
		{"price is text", "costs $5", []seg{{text: "costs $5"}}},
		{"lone dollar is text", "$", []seg{{text: "$"}}},
		{"dollar word without dot is text", "$HOME is home", []seg{{text: "$HOME is home"}}},
		{"whitespace kept around expression", "  $request.body.pets[0].name  ", []seg{{text: "  "}, {src: SourceBodyPath, path: ".pets[0].name"}, {text: "  "}}},
		{"header with tchar", "$request.header.X-Amz-Trace_Id.v2", []seg{{src: SourceHeader, name: "X-Amz-Trace_Id.v2"}}},
		{"query with brackets", "$request.querystring.filter[status]", []seg{{src: SourceQuery, name: "filter[status]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := segsOf(v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) segments\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
			if v.Raw() != tt.in {
				t.Errorf("Raw() = %q, want %q", v.Raw(), tt.in)
			}
			again, err := Parse(v.String())
			if err != nil {
				t.Fatalf("Parse(String() = %q): %v", v.String(), err)
			}
			if !reflect.DeepEqual(segsOf(again), segsOf(v)) {
				t.Errorf("round trip of %q through %q changed the value", tt.in, v.String())
			}
		})
	}
}

func TestParseRejectsWithOffsetAndReason(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		msg    string
	}{
		// "Recursive descent ($request.body..name) and filter expressions
		// (?(expression)) aren't supported." (AWS)
		{"doc recursive descent", "$request.body..name", 13, "recursive descent"},
		{"doc filter expression", "$request.body.items[?(@.price > 10)]", 20, "filter expressions"},
		{"wildcard member", "$request.body.items.*", 20, "wildcards"},
		{"wildcard index", "$request.body.items[*]", 20, "wildcards"},
		{"slice", "$request.body.items[0:2]", 21, "slices"},
		{"union of indexes", "$request.body.items[0,1]", 21, "unions"},
		{"union of names", "$request.body['a','b']", 17, "unions"},
		{"negative index", "$request.body.items[-1]", 20, "negative array indexes"},
		{"script expression", "$request.body.items[(@.length-1)]", 20, "script expressions"},
		{"empty member", "$request.body.", 14, "expected a member name"},
		{"member then bracket", "$request.body.[0]", 14, "use ['...']"},
		{"unclosed bracket", "$request.body.a[", 15, "unclosed '['"},
		{"unclosed index", "$request.body.a[1", 17, "expected ']'"},
		{"unterminated quoted member", "$request.body['abc", 14, "unterminated"},
		{"bad escape in member", `$request.body['a\nb']`, 16, "unsupported escape"},
		{"huge index", "$request.body[99999999999]", 14, "too large"},
		{"misspelt root", "$requst.body", 1, `unknown source $requst; did you mean "request"?`},
		{"root in wrong case", "$Request.body", 1, `did you mean "request"?`},
		{"stage variables in wrong case", "$stagevariables.env", 1, `did you mean "stageVariables"?`},
		{"misspelt request source", "$request.hedaer.x", 9, `unknown request source "hedaer"; did you mean "header"?`},
		{"multivalue header is not a source", "$request.multivalueheader.x", 9, "expected header, querystring, path or body"},
		{"incomplete request", "$request", 0, "incomplete expression"},
		{"incomplete context", "take $context now", 5, "incomplete expression"},
		{"missing header name", "$request.header.", 16, "expected a header name"},
		{"missing header dot", "$request.header", 15, "expected '.'"},
		{"bare expression running into a quote", `{"a":"$request.header.x"}`, 23, "write ${request.header.x}"},
		{"bare body path running into a brace", `{"n":$request.body.n}`, 20, "write ${request.body.n}"},
		{"bare context running into a dash", "$context.requestId-suffix", 18, "write ${context.requestId}"},
		{"tab after bare expression", "$request.querystring.qs_value\t", 29, "invalid character"},
		{"newline after bare expression", "$request.body.pets[0].name\n", 26, "invalid character"},
		{"unclosed brace", "${request.body", 0, "missing '}'"},
		{"extra brace inside", "${request.querystring.qs_value{}", 30, "expected '}'"},
		{"unknown root in braces", "${foo}", 2, "unknown source in ${...}"},
		{"empty braces", "${}", 2, "unknown source in ${...}"},
		{"cdk token", "arn:${Token[AWS.Partition.8]}:sqs", 4, "unresolved CDK token"},
		{"context with dash", "$context.request-id", 16, "invalid character '-'"},
		{"context empty segment", "$context.identity..sourceIp", 17, "empty segment"},
		{"context trailing dot", "${context.identity.}", 18, "ends with '.'"},
		{"stage variable with dash", "${stageVariables.my-var}", 19, "expected '}'"},
		{"second error not reported first", "$request.body..a $requst.x", 13, "recursive descent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want error", tt.in, v.String())
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T, want *ParseError", tt.in, err)
			}
			if pe.Offset != tt.offset {
				t.Errorf("Parse(%q) offset = %d, want %d (%v)", tt.in, pe.Offset, tt.offset, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Parse(%q) error %q, want it to contain %q", tt.in, err, tt.msg)
			}
			if pe.Value != tt.in {
				t.Errorf("ParseError.Value = %q, want %q", pe.Value, tt.in)
			}
		})
	}
}

func TestExprOffsetsPointAtDollar(t *testing.T) {
	v := MustParse("id=${request.path.id}&u=$request.header.user")
	exprs := v.Exprs()
	if len(exprs) != 2 {
		t.Fatalf("got %d expressions, want 2", len(exprs))
	}
	for _, e := range exprs {
		if v.Raw()[e.Offset] != '$' {
			t.Errorf("%s: offset %d does not point at '$'", e, e.Offset)
		}
		if got := v.Raw()[e.Offset:e.End]; got != e.String() {
			t.Errorf("raw[%d:%d] = %q, want %q", e.Offset, e.End, got, e.String())
		}
	}
}

func TestIsStatic(t *testing.T) {
	if !MustParse("plain text $5").IsStatic() {
		t.Error("plain text is not static")
	}
	if MustParse("a $request.body").IsStatic() {
		t.Error("a value with an expression is static")
	}
}

func TestMustParsePanicsOnError(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic")
		}
	}()
	MustParse("$request.body..x")
}
