package vtl_test

import (
	"fmt"

	"firstclass/internal/vtl"
)

func ExampleTemplate_Render() {
	t := vtl.MustParse("events.vtl", `#set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")
{"Entries": [{"Source": "$input.params('source')", "Detail": "$util.escapeJavaScript($input.json('$'))"}]}`)
	out, err := t.Render(&vtl.Input{
		Body:       []byte(`{"orderId": "o-1"}`),
		PathParams: map[string]string{"source": "shop"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Body)
	fmt.Println(out.RequestHeader["X-Amz-Target"])
	// Output:
	// {"Entries": [{"Source": "shop", "Detail": "{\"orderId\":\"o-1\"}"}]}
	// [AWSEvents.PutEvents]
}

func ExampleCheck() {
	t := vtl.MustParse("bad.vtl", `{"id": "$context.requestid", "body": $util.toJson($input.body)}`)
	fmt.Println(vtl.Check(t, vtl.CheckOptions{}))
	// Output:
	// bad.vtl:1:18: $context has no variable requestid
	// bad.vtl:1:44: $util has no member toJson(1 arguments) (API Gateway defines escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode and base64Decode, each taking one argument)
}
