package mapping

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func testRequest() *Request {
	return &Request{
		Header: http.Header{
			"Header1":      {"value1", "value2"}, // AWS doc example
			"Content-Type": {"application/json"},
			"User-Agent":   {"curl/8.5.0"},
			"Queueurl":     {"https://sqs.eu-west-1.amazonaws.com/123456789012/orders"},
		},
		Query: url.Values{
			"querystring1": {"Value1", "Value2"}, // AWS doc example
			"greeter":      {"Ada"},
			"empty":        {""},
		},
		PathParams: map[string]string{"petId": "42", "source": "shop", "detailType": "OrderPlaced"},
		Path:       "/pets/42",
		Body:       []byte(`{"message":"hi there","pets":[{"name":"Rex","age":3,"vaccinated":true,"tags":["a", "b"]}],"owner":{ "name" : "Ada" },"price":1.50,"nothing":null}`),
		Context: map[string]string{
			"requestId":             "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			"identity.sourceIp":     "203.0.113.7",
			"authorizer.claims.sub": "user-1",
		},
		StageVariables: map[string]string{"environmentId": "prod"},
	}
}

func TestEvaluateFollowsAPIGatewayRules(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		// "API Gateway combines multiple header values with commas, for
		// example "header1": "value1,value2"" and header names are
		// case-insensitive.
		{"doc header values joined with commas", "$request.header.header1", "value1,value2"},
		{"header name is case-insensitive", "$request.header.HEADER1", "value1,value2"},
		{"header name lower case", "$request.header.user-agent", "curl/8.5.0"},
		{"doc queueUrl header", "$request.header.queueUrl", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"},
		// "API Gateway combines multiple values with commas, for example
		// "querystring1": "Value1,Value2"".
		{"doc query values joined with commas", "$request.querystring.querystring1", "Value1,Value2"},
		{"empty query value is a value", "$request.querystring.empty", ""},
		// "if the route is /pets/{petId}, you can map the petId parameter from
		// the request with $request.path.petId".
		{"doc path parameter", "$request.path.petId", "42"},
		{"request path", "$request.path", "/pets/42"},
		{"doc body passthrough", "$request.body", string(testRequest().Body)},
		{"doc body JSONPath string is raw", "$request.body.message", "hi there"},
		{"body number as written", "$request.body.price", "1.50"},
		{"body integer", "$request.body.pets[0].age", "3"},
		{"body boolean", "$request.body.pets[0].vaccinated", "true"},
		{"body object as compact JSON", "$request.body.owner", `{"name":"Ada"}`},
		{"body array as compact JSON", "$request.body.pets[0].tags", `["a","b"]`},
		{"body nested member", "$request.body.pets[0].name", "Rex"},
		{"context variable", "$context.requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
		{"nested context variable", "$context.identity.sourceIp", "203.0.113.7"},
		{"jwt claim", "$context.authorizer.claims.sub", "user-1"},
		{"stage variable", "$stageVariables.environmentId", "prod"},
		{"static", "arn:aws:states:eu-west-1:123456789012:stateMachine:orders", "arn:aws:states:eu-west-1:123456789012:stateMachine:orders"},
		{"doc two variables in text", "${request.path.source} ${request.path.detailType}", "shop OrderPlaced"},
		{"text mixed with expressions", "order-${request.body.pets[0].name}-${context.requestId}", "order-Rex-c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
		{"json text with header inside", `{"UserAgent":{"DataType":"String","StringValue":"${request.header.user-agent}"}}`,
			`{"UserAgent":{"DataType":"String","StringValue":"curl/8.5.0"}}`},
		{"bare expressions back to back", "$request.path.source$request.path.petId", "shop42"},
		{"dollar digit stays text", "$request.path.petId$1", "42$1"},
	}
	r := testRequest()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := MustParse(tt.expr)
			got, ok := v.Evaluate(r)
			if !ok || got != tt.want {
				t.Errorf("Evaluate(%q) = %q, %v; want %q, true", tt.expr, got, ok, tt.want)
			}
			buf, ok := v.AppendEvaluate([]byte("prefix:"), r)
			if !ok || string(buf) != "prefix:"+tt.want {
				t.Errorf("AppendEvaluate(%q) = %q, %v; want %q, true", tt.expr, buf, ok, "prefix:"+tt.want)
			}
		})
	}
}

func TestEvaluateDropsParameterWhenValueIsMissing(t *testing.T) {
	tests := []struct {
		name string
		expr string
		body string
	}{
		{"missing header", "$request.header.x-missing", ""},
		{"query name is case-sensitive", "$request.querystring.Greeter", ""},
		{"missing path parameter", "$request.path.orderId", ""},
		{"missing context variable", "$context.authorizer.claims.email", ""},
		{"missing stage variable", "$stageVariables.tableName", ""},
		{"jsonpath not found", "$request.body.petstore.pets[0].name", `{"petstore":{"pets":{"name":"x"}}}`},
		{"index out of range", "$request.body.a[3]", `{"a":[1,2,3]}`},
		{"member of an array", "$request.body.a.b", `{"a":[{"b":1}]}`},
		{"index of an object", "$request.body.a[0]", `{"a":{"0":1}}`},
		{"null selects nothing", "$request.body.nothing", `{"nothing":null}`},
		{"invalid json body", "$request.body.petstore", "{not a json]}"},
		{"valid prefix then garbage", "$request.body.a", `{"a":1} trailing`},
		{"empty body", "$request.body.a", ""},
		{"plain text body", "$request.body.a", "a=1&b=2"},
		// LocalStack test_request_space_separated_values_missing_first/_last:
		// one missing expression drops the whole value.
		{"text with one missing expression", "${request.path.petId} ${request.header.x-missing}", ""},
		{"missing first of two", "$request.querystring.missing $request.path.petId", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRequest()
			if tt.body != "" || strings.Contains(tt.expr, "body") {
				r.Body = []byte(tt.body)
			}
			v := MustParse(tt.expr)
			if got, ok := v.Evaluate(r); ok {
				t.Errorf("Evaluate(%q) = %q, true; want dropped", tt.expr, got)
			}
			buf, ok := v.AppendEvaluate([]byte("keep"), r)
			if ok || string(buf) != "keep" {
				t.Errorf("AppendEvaluate(%q) = %q, %v; want %q, false", tt.expr, buf, ok, "keep")
			}
			if why := v.WhyMissing(r); why == "" {
				t.Errorf("WhyMissing(%q) is empty", tt.expr)
			}
		})
	}
}

func TestEvaluateEmptyBodyPassesThroughAsEmptyString(t *testing.T) {
	// LocalStack test_body_mapping_empty: $request.body of an empty body is "".
	got, ok := MustParse("$request.body").Evaluate(&Request{})
	if !ok || got != "" {
		t.Errorf("Evaluate = %q, %v; want \"\", true", got, ok)
	}
}

func TestEvaluateFindsHeaderSpelledInLowerCase(t *testing.T) {
	r := &Request{Header: map[string][]string{"x-trace-id": {"abc"}}}
	if got, ok := MustParse("$request.header.X-Trace-ID").Evaluate(r); !ok || got != "abc" {
		t.Errorf("Evaluate = %q, %v; want \"abc\", true", got, ok)
	}
}

func TestCanonicalHeaderJoinsSpellingsThatDifferOnlyInCase(t *testing.T) {
	// LocalStack test_multiheaders_case_insensitive_mapping: "testMultiHeader"
	// and "testMULTIHeader" are one header, "test1,test2".
	h := CanonicalHeader(map[string][]string{"testMultiHeader": {"test1"}, "testMULTIHeader": {"test2"}})
	got, ok := MustParse("$request.header.testMultiHeader").Evaluate(&Request{Header: h})
	if !ok || got != "test2,test1" {
		t.Errorf("Evaluate = %q, %v; want \"test2,test1\" (sorted key order)", got, ok)
	}
	// Without CanonicalHeader the canonical, as-written and lower-case
	// spellings are all found and joined in that order.
	r := &Request{Header: map[string][]string{"x-id": {"b"}, "X-Id": {"a"}, "X-ID": {"c"}}}
	got, _ = MustParse("$request.header.X-ID").Evaluate(r)
	if got != "a,c,b" {
		t.Errorf("Evaluate = %q, want %q", got, "a,c,b")
	}
}

func TestEvaluateTruncatesBodyBeforeJSONPath(t *testing.T) {
	// "When you specify a JSON path, API Gateway truncates the request body at
	// 100 KB and then applies the selection expression. To send payloads
	// larger than 100 KB, specify $request.body."
	big := `{"id":"x","pad":"` + strings.Repeat("a", MaxJSONPathBody) + `"}`
	r := &Request{Body: []byte(big)}
	if got, ok := MustParse("$request.body.id").Evaluate(r); ok {
		t.Errorf("JSONPath on a body over 100 KB = %q, true; want dropped (the cut body is not JSON)", got)
	}
	if why := MustParse("$request.body.id").WhyMissing(r); !strings.Contains(why, "larger than 102400 bytes") {
		t.Errorf("WhyMissing = %q, want it to explain the 100 KB cut", why)
	}
	if got, ok := MustParse("$request.body").Evaluate(r); !ok || got != big {
		t.Errorf("$request.body of a body over 100 KB was changed (len %d, ok %v)", len(got), ok)
	}
	// A body of exactly 100 KB is used whole.
	exact := `{"id":"x","pad":"` + strings.Repeat("a", MaxJSONPathBody-len(`{"id":"x","pad":""}`)) + `"}`
	if len(exact) != MaxJSONPathBody {
		t.Fatalf("test body is %d bytes", len(exact))
	}
	if got, ok := MustParse("$request.body.id").Evaluate(&Request{Body: []byte(exact)}); !ok || got != "x" {
		t.Errorf("JSONPath on a 100 KB body = %q, %v; want \"x\", true", got, ok)
	}
	// Still valid JSON when the cut falls in trailing whitespace.
	spaced := `{"id":"y"}` + strings.Repeat(" ", MaxJSONPathBody)
	if got, ok := MustParse("$request.body.id").Evaluate(&Request{Body: []byte(spaced)}); !ok || got != "y" {
		t.Errorf("JSONPath on a body whose cut falls in whitespace = %q, %v; want \"y\", true", got, ok)
	}
}

func TestEvaluateDecodesJSONStrings(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"escapes", `{"s":"a\"b\\c\/d\b\f\n\r\t"}`, "a\"b\\c/d\b\f\n\r\t"},
		{"unicode escape", `{"s":"caf\u00e9"}`, "café"},
		{"surrogate pair", `{"s":"\ud83d\ude00"}`, "😀"},
		{"lone surrogate becomes U+FFFD", `{"s":"\ud83dx"}`, "\uFFFDx"},
		{"invalid utf-8 becomes U+FFFD", "{\"s\":\"a\xffb\"}", "a\uFFFDb"},
		{"raw utf-8 kept", `{"s":"日本"}`, "日本"},
		{"escaped key", `{"k\u0065y":"v","s":"x"}`, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MustParse("$request.body.s").Evaluate(&Request{Body: []byte(tt.body)})
			if !ok || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
	got, ok := MustParse("$request.body.key").Evaluate(&Request{Body: []byte(`{"k\u0065y":"v"}`)})
	if !ok || got != "v" {
		t.Errorf("escaped key lookup = %q, %v; want \"v\"", got, ok)
	}
}

func TestEvaluateUsesLastDuplicateKey(t *testing.T) {
	// As encoding/json (and a Java JSON map) do: a later key replaces an earlier one.
	r := &Request{Body: []byte(`{"a":{"b":1},"a":{"c":2}}`)}
	if got, ok := MustParse("$request.body.a.b").Evaluate(r); ok {
		t.Errorf("a.b = %q, true; want dropped, the second \"a\" replaced the first", got)
	}
	if got, ok := MustParse("$request.body.a.c").Evaluate(r); !ok || got != "2" {
		t.Errorf("a.c = %q, %v; want \"2\"", got, ok)
	}
}

func TestEvaluateContextFuncOverridesMap(t *testing.T) {
	r := &Request{
		Context:     map[string]string{"requestId": "from-map"},
		ContextFunc: func(name string) (string, bool) { return "fn:" + name, name == "requestId" },
	}
	if got, ok := MustParse("$context.requestId").Evaluate(r); !ok || got != "fn:requestId" {
		t.Errorf("got %q, %v", got, ok)
	}
	if _, ok := MustParse("$context.stage").Evaluate(r); ok {
		t.Error("ContextFunc said no, Evaluate said yes")
	}
}

func TestEvaluateDoesNotAllocateForCommonMappings(t *testing.T) {
	r := testRequest()
	for _, expr := range []string{"$request.header.content-type", "$request.path.petId", "$context.requestId", "$request.body.pets[0].age"} {
		v := MustParse(expr)
		buf := make([]byte, 0, 256)
		allocs := testing.AllocsPerRun(100, func() {
			buf, _ = v.AppendEvaluate(buf[:0], r)
		})
		if allocs != 0 {
			t.Errorf("AppendEvaluate(%q) allocates %.0f times per run, want 0", expr, allocs)
		}
	}
	v := MustParse("$request.header.content-type")
	if allocs := testing.AllocsPerRun(100, func() { v.Evaluate(r) }); allocs != 0 {
		t.Errorf("Evaluate of a single-valued header allocates %.0f times per run, want 0", allocs)
	}
}
