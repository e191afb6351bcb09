package vtl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func render(t *testing.T, tpl string, in *Input) string {
	t.Helper()
	tp, err := Parse("t", tpl)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	out, err := tp.Render(in)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out.Body
}

func readTemplate(t testing.TB, name string) *Template {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tp, err := Parse(name, string(b))
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// Project templates (copies in testdata/), rendered to exact bodies.
func TestProjectTemplates(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		in       Input
		want     string
		wantJSON bool
		override Overrides
	}{
		{
			name: "sqs form body encodes the payload as a form value",
			file: "sqs_send_message.vtl",
			in:   Input{Body: []byte(`{"order": "42", "note": "a&b=c d"}`)},
			want: `Action=SendMessage&MessageBody=%7B%22order%22%3A+%2242%22%2C+%22note%22%3A+%22a%26b%3Dc+d%22%7D`,
		},
		{
			name: "sqs form body of an empty request is the encoded {}",
			file: "sqs_send_message.vtl",
			want: `Action=SendMessage&MessageBody=%7B%7D`,
		},
		{
			name: "eventbridge put events takes source and detail type from the path",
			file: "eventbridge_put_events.vtl",
			in: Input{
				Body:       []byte(`{"orderId": "o-1", "items": [1, 2]}`),
				PathParams: map[string]string{"source": "shop", "detailType": "OrderPlaced"},
			},
			want: "{\n  \"Entries\": [\n    {\n      \"Source\": \"shop\",\n      \"DetailType\": \"OrderPlaced\",\n" +
				"      \"Detail\": \"{\\\"orderId\\\":\\\"o-1\\\",\\\"items\\\":[1,2]}\",\n" +
				"      \"EventBusName\": \"firstclass-bus\"\n    }\n  ]\n}\n",
			wantJSON: true,
			override: Overrides{RequestHeader: map[string][]string{
				"X-Amz-Target": {"AWSEvents.PutEvents"},
				"Content-Type": {"application/x-amz-json-1.1"},
			}},
		},
		{
			name:     "step functions start execution embeds the body as an escaped string",
			file:     "stepfunctions_start_execution.vtl",
			in:       Input{Body: []byte(`{"a": [1, 2.5, "x/y"], "b": {"c": null}}`)},
			want:     `{"input": "{\"a\":[1,2.5,\"x\/y\"],\"b\":{\"c\":null}}", "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Workflow"}`,
			wantJSON: true,
		},
		{
			name:     "step functions start execution of an empty body starts with {}",
			file:     "stepfunctions_start_execution.vtl",
			want:     `{"input": "{}", "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Workflow"}`,
			wantJSON: true,
		},
		{
			name:     "greeting passes the greeter query parameter",
			file:     "greeting.vtl",
			in:       Input{Query: map[string][]string{"greeter": {"Ana"}}},
			want:     `{"greeter":"Ana"}`,
			wantJSON: true,
		},
		{
			name:     "greeting without a greeter passes an empty string",
			file:     "greeting.vtl",
			want:     `{"greeter":""}`,
			wantJSON: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := readTemplate(t, tt.file)
			out, err := tp.Render(&tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if out.Body != tt.want {
				t.Errorf("body\ngot  %q\nwant %q", out.Body, tt.want)
			}
			if tt.wantJSON {
				if _, err := RenderJSON(tp, &tt.in); err != nil {
					t.Error(err)
				}
			}
			if !reflect.DeepEqual(out.Overrides, tt.override) {
				t.Errorf("overrides\ngot  %+v\nwant %+v", out.Overrides, tt.override)
			}
			if err := Check(tp, CheckOptions{}); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestStartExecutionInputDecodesToTheBody(t *testing.T) {
	tp := readTemplate(t, "stepfunctions_start_execution.vtl")
	bodies := []string{
		`{}`, `{"a":1}`, `[1,2,3]`, `"just a string"`, `{"unicode":"é €  😀","ctl":"a\nb\tc\u0001","slash":"a/b","quote":"say \"hi\""}`,
		`{"nested":{"deep":[{"x":1.5e300},{"y":-0.25}]}}`,
	}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			out, err := RenderJSON(tp, &Input{Body: []byte(body)})
			if err != nil {
				t.Fatal(err)
			}
			var req struct {
				Input string `json:"input"`
			}
			if err := json.Unmarshal([]byte(out.Body), &req); err != nil {
				t.Fatal(err)
			}
			jsonEqual(t, req.Input, body)
		})
	}
}

// A body containing ' makes escapeJavaScript produce \', which JSON does
// not allow: the trap the AWS reference warns about. RenderJSON catches it;
// the documented replaceAll("\\'","'") fixes it.
func TestEscapeJavaScriptSingleQuoteBreaksJSON(t *testing.T) {
	in := &Input{Body: []byte(`{"name":"O'Brien"}`)}
	if _, err := RenderJSON(readTemplate(t, "stepfunctions_start_execution.vtl"), in); err == nil ||
		!strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("RenderJSON error = %v, want invalid JSON", err)
	}
	fixed := MustParse("fixed", `{"input": "$util.escapeJavaScript($input.json('$')).replaceAll("\\'","'")"}`)
	out, err := RenderJSON(fixed, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"input": "{\"name\":\"O'Brien\"}"}`; out.Body != want {
		t.Errorf("got %s, want %s", out.Body, want)
	}
}

// Examples from the AWS "API Gateway mapping template and access logging
// variable reference" and "Working with models and mapping templates".
func TestAWSDocumentationExamples(t *testing.T) {
	t.Run("choices example renders the documented output", func(t *testing.T) {
		body := `{"department":"produce","categories":["fruit","vegetables"],"bins":[
			{"category":"fruit","type":"apples","price":1.99,"unit":"pound","quantity":232},
			{"category":"fruit","type":"bananas","price":0.19,"unit":"each","quantity":112},
			{"category":"vegetables","type":"carrots","price":1.29,"unit":"bag","quantity":57}]}`
		out, err := readTemplate(t, "aws_choices.vtl").Render(&Input{Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, out.Body, `{"choices":[
			{"kind":"apples","suggestedPrice":"1.99 per pound","available":232},
			{"kind":"bananas","suggestedPrice":"0.19 per each","available":112},
			{"kind":"carrots","suggestedPrice":"1.29 per bag","available":57}]}`)
		// Velocity 1.7 whitespace: the #set, #foreach and #end lines leave
		// nothing; "#end" of the #if swallows its newline, so the blank
		// line of spaces after it joins the "}," line.
		want := "{\n  \"choices\": [\n    {\n      \"kind\": \"apples\",\n      \"suggestedPrice\": \"1.99 per pound\",\n      \"available\": 232\n    },            \n" +
			"    {\n      \"kind\": \"bananas\",\n      \"suggestedPrice\": \"0.19 per each\",\n      \"available\": 112\n    },            \n" +
			"    {\n      \"kind\": \"carrots\",\n      \"suggestedPrice\": \"1.29 per bag\",\n      \"available\": 57\n    }            \n  ]\n}\n"
		if out.Body != want {
			t.Errorf("got  %q\nwant %q", out.Body, want)
		}
	})
	t.Run("photos input template reproduces the original data", func(t *testing.T) {
		body := `{"photos":{"page":1,"pages":"1234","perpage":100,"total":"123398","photo":[
			{"id":"12345678901","owner":"23456789@A12","secret":"abc123d456","server":"1234","farm":1,"title":"Sample photo 1","ispublic":1,"isfriend":0,"isfamily":0},
			{"id":"23456789012","owner":"34567890@B23","secret":"bcd234e567","server":"2345","farm":2,"title":"Sample photo 2","ispublic":1,"isfriend":0,"isfamily":0}]}}`
		out, err := RenderJSON(readTemplate(t, "aws_photos_input.vtl"), &Input{Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, out.Body, body)
	})
	t.Run("params foreach passes path, header and querystring", func(t *testing.T) {
		in := &Input{
			PathParams: map[string]string{"petId": "7"},
			Headers:    map[string][]string{"Accept": {"application/json"}},
			Query:      map[string][]string{"q": {"it's"}},
		}
		out, err := readTemplate(t, "aws_all_params.vtl").Render(in)
		if err != nil {
			t.Fatal(err)
		}
		// Indentation before #foreach, #if and #end stays in the output
		// (only #set swallows it); "#end" swallows its newline.
		want := "{\n  \"params\" : {\n" +
			"        \"path\" : {\n            \"petId\" : \"7\"\n                }\n    ," +
			"        \"header\" : {\n            \"Accept\" : \"application\\/json\"\n                }\n    ," +
			"        \"querystring\" : {\n            \"q\" : \"it\\'s\"\n                }\n          }\n}\n"
		if out.Body != want {
			t.Errorf("got  %q\nwant %q", out.Body, want)
		}
	})
	t.Run("input example reads a parameter and counts a map", func(t *testing.T) {
		tpl := "{\n    \"id\" : \"$input.params('id')\",\n    \"count\" : \"$input.path('$.things').size()\",\n    \"things\" : $util.escapeJavaScript($input.json('$.things'))\n}"
		got := render(t, tpl, &Input{PathParams: map[string]string{"id": "abc"}, Body: []byte(`{"things":{"1":{},"2":{},"3":{}}}`)})
		want := "{\n    \"id\" : \"abc\",\n    \"count\" : \"3\",\n    \"things\" : {\\\"1\\\":{},\\\"2\\\":{},\\\"3\\\":{}}\n}"
		if got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
	t.Run("parseJson example reads a nested array", func(t *testing.T) {
		tpl := "#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n{\n   \"errorMessageObjKey2ArrVal\" : $errorMessageObj.key2.arr[0]\n}\n"
		got := render(t, tpl, &Input{Body: []byte(`{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`)})
		if want := "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("escapeJavaScript then replaceAll restores single quotes", func(t *testing.T) {
		got := render(t, `$util.escapeJavaScript($input.path('$.s')).replaceAll("\\'","'")`, &Input{Body: []byte(`{"s":"it's \"x\""}`)})
		if want := `it's \"x\"`; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("context example maps context variables", func(t *testing.T) {
		tpl := `{"stage" : "$context.stage", "request_id" : "$context.requestId", "http_method" : "$context.httpMethod", "source_ip" : "$context.identity.sourceIp", "api_key" : "$context.identity.apiKey"}`
		in := &Input{Context: map[string]any{"stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg", "httpMethod": "GET",
			"identity": map[string]any{"sourceIp": "192.0.2.1"}}}
		got := render(t, tpl, in)
		jsonEqual(t, got, `{"stage":"prod","request_id":"abcdefg-000-000-0000-abcdefg","http_method":"GET","source_ip":"192.0.2.1","api_key":""}`)
	})
	t.Run("response override sets the status from the body", func(t *testing.T) {
		tp := MustParse("t", "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end\n")
		out, err := tp.Render(&Input{Body: []byte(`{"errors":[{"key":"GetPetRequest.petId","message":"The value is out of range."}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if out.ResponseStatus != 400 {
			t.Errorf("status = %d, want 400", out.ResponseStatus)
		}
		if want := "{\"errors\":[{\"key\":\"GetPetRequest.petId\",\"message\":\"The value is out of range.\"}]}\n"; out.Body != want {
			t.Errorf("body = %q, want %q", out.Body, want)
		}
	})
	t.Run("request override combines headers and sets a multi-value header", func(t *testing.T) {
		tp := MustParse("t", "#set($header1Override = \"foo\")\n#set($header3Value = \"$input.params('header1')$input.params('header2')\")\n$input.json(\"$\")\n"+
			"#set($context.requestOverride.header.header3 = $header3Value)\n#set($context.requestOverride.header.header1 = $header1Override)\n"+
			"#set($context.requestOverride.header.multivalueheader=[$header1Override, $header3Value])\n")
		out, err := tp.Render(&Input{Headers: map[string][]string{"header1": {"header1Val"}, "header2": {"header2Val"}}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{"header3": {"header1Valheader2Val"}, "header1": {"foo"}, "multivalueheader": {"foo", "header1Valheader2Val"}}
		if !reflect.DeepEqual(out.RequestHeader, want) {
			t.Errorf("headers = %v, want %v", out.RequestHeader, want)
		}
	})
}

// Renderings LocalStack recorded against AWS (tests/aws/services/
// apigateway/test_apigateway_common.py, snapshot
// test_input_path_template_formatting and test_input_body_formatting).
func TestRecordedAgainstAWS(t *testing.T) {
	path := `#set($result = $input.path("$.json"))$result`
	nested := `#set($result = $input.path("$.json"))$result.nested`
	list := `#set($result = $input.path("$.json"))$result[0]`
	toString := `#set($result = $input.path("$.json"))$result.toString()`
	invalid := `#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}`
	nestedList := `#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}`
	tests := []struct {
		name, tpl, body, want string
	}{
		{"dict-response", path, `{"json":{"foo":"bar"}}`, `{foo=bar}`},
		{"json-list", path, `{"json":[{"foo":"bar"}]}`, `[{"foo":"bar"}]`},
		{"nested-dict", nested, `{"json":{"nested":{"foo":"bar"}}}`, `{foo=bar}`},
		{"nested-list", nested, `{"json":{"nested":[{"foo":"bar"}]}}`, `[{"foo":"bar"}]`},
		{"dict-in-list", list, `{"json":[{"foo":"bar"}]}`, `{foo=bar}`},
		{"list-with-nested-list", list, `{"json":[[{"foo":"bar"}]]}`, `[{"foo":"bar"}]`},
		{"dict-with-nested-list", path, `{"json":{"foo":[{"nested":"bar"}]}}`, `{foo=[{"nested":"bar"}]}`},
		{"bigger-dict", path, `{"json":{"bigger":"dict","to":"test","with":"separators"}}`, `{bigger=dict, to=test, with=separators}`},
		{"to-string", toString, `{"json":{"foo":"bar"}}`, `{foo=bar}`},
		{"list-to-string", toString, `{"json":{"list":[{"foo":"bar"}]}}`, `{list=[{"foo":"bar"}]}`},
		{"empty-body", invalid, ``, `{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}`},
		{"nested-empty-list", nestedList, `{"json":{"listValue":[]}}`, `{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}`},
		{"nested-null-list", nestedList, `{"json":{"listValue":null}}`, `{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}`},
		{"raw-body empty", `#set($result = $input.body)$result`, ``, `{}`},
		{"raw-body string", `#set($result = $input.body)$result`, `some raw data`, `some raw data`},
		{"str-body-input json", `Action=SendMessage&MessageBody=$input.body`, `{"some": "value"}`, `Action=SendMessage&MessageBody={"some": "value"}`},
		{"body-attr-access", `#set($result = $input.body.testAccess)$result`, `{"some": "value"}`, ``},
		{"url-encode empty", `EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)`, ``, `EncodedBody=%7B%7D&EncodedBodyAccess=`},
		{"url-encode json", `EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)`, `{"some": "value"}`, `EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=`},
		{"url-encode raw", `EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)`, `some raw data`, `EncodedBody=some+raw+data&EncodedBodyAccess=`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.tpl, &Input{Body: []byte(tt.body)}); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	t.Run("context keys iterate in HashMap order and nested objects print empty", func(t *testing.T) {
		ctx := map[string]any{}
		for _, k := range []string{"resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path",
			"accountId", "protocol", "stage", "domainPrefix", "requestTimeEpoch", "requestId", "domainName", "deploymentId", "apiId"} {
			ctx[k] = "x"
		}
		ctx["identity"] = map[string]any{"sourceIp": "1.2.3.4"}
		got := render(t, `#foreach($key in $context.keySet())$key=$context.get($key) #end|#foreach($key in $context.requestOverride.keySet())$key #end|#foreach($key in $context.responseOverride.keySet())$key #end`, &Input{Context: ctx})
		want := "resourceId=x resourcePath=x httpMethod=x extendedRequestId=x requestTime=x path=x accountId=x protocol=x requestOverride= stage=x " +
			"domainPrefix=x requestTimeEpoch=x requestId=x identity= domainName=x deploymentId=x responseOverride= apiId=x |path header querystring |header "
		if got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
	t.Run("map assignation by index, put and nested index", func(t *testing.T) {
		tpl := "#set($paramName = \"foo\")\n#set($context.requestOverride.querystring[$paramName] = \"bar\")\n#set($paramPutName = \"putfoo\")\n" +
			"$context.requestOverride.querystring.put($paramPutName, \"putBar\")\n#set($context[\"requestOverride\"].querystring[\"nestedfoo\"] = \"nestedFoo\")\n"
		tp := MustParse("t", tpl)
		out, err := tp.Render(nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{"foo": {"bar"}, "putfoo": {"putBar"}, "nestedfoo": {"nestedFoo"}}
		if !reflect.DeepEqual(out.RequestQuerystring, want) {
			t.Errorf("querystring = %v, want %v", out.RequestQuerystring, want)
		}
		if out.Body != "\n" {
			t.Errorf("body = %q, want the newline after put()", out.Body)
		}
	})
}
