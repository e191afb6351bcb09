package localapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// The proxy answer rules of lambdaproxy.go, one case each; REST's are also checked end to end
// through a real function in TestRESTProxyAnswersEachResponseShapeAsAWSDoes.
func TestParseProxyV1AcceptsWhatEachAPIKindAccepts(t *testing.T) {
	tests := []struct {
		name          string
		payload       string
		restOK, v1OK  bool // REST's strict reading, the HTTP API's payload 1.0 reading
		status        int
		header        []headerField
		body, base64s string
	}{
		{"status only", `{"statusCode":200}`, true, true, 200, nil, "", ""},
		{"status as text", `{"statusCode":"201"}`, true, true, 201, nil, "", ""},
		{"status not a number", `{"statusCode":"test"}`, false, false, 0, nil, "", ""},
		{"status a fraction", `{"statusCode":200.5}`, false, false, 0, nil, "", ""},
		{"no status: REST sends 200, an HTTP API fails", `{"headers":{"a":"b"}}`, true, false, 200, []headerField{{"a", "b"}}, "", ""},
		{"unknown key: REST fails, an HTTP API ignores it", `{"statusCode":200,"wrongValue":1}`, false, true, 200, nil, "", ""},
		{"a boolean header is text", `{"statusCode":200,"headers":{"h":true}}`, true, true, 200, []headerField{{"h", "true"}}, "", ""},
		{"a number header fails", `{"statusCode":200,"headers":{"h":1}}`, false, false, 0, nil, "", ""},
		{"null headers are none", `{"statusCode":200,"headers":null}`, true, true, 200, nil, "", ""},
		{"multi-value headers first, the single one after, the multi spelling", `{"statusCode":200,"multiValueHeaders":{"tesT-Multi":["m"]},"headers":{"test-multi":"s"}}`,
			true, true, 200, []headerField{{"tesT-Multi", "m"}, {"tesT-Multi", "s"}}, "", ""},
		{"multi-value header not a list", `{"statusCode":200,"multiValueHeaders":{"h":"v"}}`, false, false, 0, nil, "", ""},
		{"body not a string", `{"statusCode":200,"body":{"a":1}}`, false, false, 0, nil, "", ""},
		{"body", `{"statusCode":200,"body":"hi"}`, true, true, 200, nil, "hi", ""},
		{"isBase64Encoded kept for the caller", `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, true, true, 200, nil, "aGk=", "true"},
		{"a string", `"justAString"`, false, false, 0, nil, "", ""},
		{"null", `null`, false, false, 0, nil, "", ""},
		{"an array", `[1]`, false, false, 0, nil, "", ""},
		{"not JSON", `{`, false, false, 0, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, strict := range []bool{true, false} {
				want := tt.v1OK
				if strict {
					want = tt.restOK
				}
				ans, err := parseProxyV1([]byte(tt.payload), strict)
				if (err == nil) != want {
					t.Fatalf("strict=%v: err = %v, want ok=%v", strict, err, want)
				}
				if err != nil {
					continue
				}
				if ans.status != tt.status || string(ans.body) != tt.body || !reflect.DeepEqual(ans.header, tt.header) || (tt.base64s == "true") != ans.base64 {
					t.Errorf("strict=%v: %+v, want status %d header %v body %q", strict, ans, tt.status, tt.header, tt.body)
				}
			}
		})
	}
}

func TestProxyResponseV2InfersAndValidatesAsHTTPAPIsDo(t *testing.T) {
	tests := []struct {
		payload string
		ok      bool
		status  int
		body    string
		header  map[string]string
	}{
		{`{"statusCode":200}`, true, 200, "", nil},
		{`{"statusCode":"201"}`, true, 201, "", nil},
		{`{"statusCode":"test"}`, false, 0, "", nil},
		{`{"statusCode":200,"headers":{"h":true}}`, true, 200, "", map[string]string{"H": "true"}},
		{`{"statusCode":200,"wrongValue":"x"}`, true, 200, "", nil},
		{`{"statusCode":200,"cookies":["a=1","b=2"]}`, true, 200, "", map[string]string{"Set-Cookie": "a=1"}},
		{`{"statusCode":200,"cookies":{"a":"1"}}`, false, 0, "", nil},
		{`{"statusCode":200,"body":"dGVzdA==","isBase64Encoded":true}`, true, 200, "test", nil},
		{`{"statusCode":200,"body":"dGVzdA=="}`, true, 200, "dGVzdA==", nil},
		{`{"random":{"json-body":"value"}}`, true, 200, `{"random":{"json-body":"value"}}`, map[string]string{"Content-Type": "application/json"}},
		{`{"headers":{"a":"b"}}`, true, 200, `{"headers":{"a":"b"}}`, nil},
		{`{"errorMessage":"test fake error message"}`, false, 0, "", nil},
		{`"errorMessage"`, true, 200, `"errorMessage"`, nil},
		{`null`, true, 200, `null`, nil},
		{`""`, true, 200, `""`, nil},
		{`{`, false, 0, "", nil},
	}
	for _, tt := range tests {
		status, header, body, err := proxyResponse([]byte(tt.payload))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.payload, err, tt.ok)
			continue
		}
		if err != nil {
			continue
		}
		if status != tt.status || string(body) != tt.body {
			t.Errorf("%s = %d %q, want %d %q", tt.payload, status, body, tt.status, tt.body)
		}
		for k, v := range tt.header {
			if header.Get(k) != v {
				t.Errorf("%s: header %s = %q, want %q", tt.payload, k, header.Get(k), v)
			}
		}
	}
}

func TestLenientJSONReadsWhatAPIGatewaysMockParserReads(t *testing.T) {
	tests := []struct {
		in   string
		want string // the value as JSON; "" for an error
	}{
		{`{ statusCode: 200 }`, `{"statusCode":200}`},
		{`{"statusCode": 200}`, `{"statusCode":200}`},
		{`{'statusCode': 404, 'message': 'it\'s gone'}`, `{"message":"it's gone","statusCode":404}`},
		{"{\n  statusCode: 200,\n  nested: {a: [1, 'x', true, null]}\n}", `{"nested":{"a":[1,"x",true,null]},"statusCode":200}`},
		{`{}`, `{}`},
		{`{"s": "\u00e9\n"}`, `{"s":"é\n"}`},
		{`{"s": "\ud83d\ude00 \ud83d"}`, `{"s":"😀 �"}`},
		{`{ statusCode: 200 `, ""},
		{`{ status code: 200 }`, ""},
		{`{ statusCode: 200 } trailing`, ""},
		{`{ statusCode: 200, }`, ""},
		{``, ""},
		{`{a: tru}`, ""},
	}
	for _, tt := range tests {
		v, err := parseLenientJSON(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%q = %v, want an error", tt.in, v)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != tt.want {
			t.Errorf("%q = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzLenientJSON: strict JSON reads the same through the lenient parser, and nothing makes
// it panic or loop.
func FuzzLenientJSON(f *testing.F) {
	for _, seed := range []string{`{ statusCode: 200 }`, `{"a":[1,2,{"b":null}]}`, `'x'`, `{a:'\u12'}`, `[`, `-1e5`, `{"statusCode": 200}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseLenientJSON(s)
		var std any
		if json.Unmarshal([]byte(s), &std) == nil && strings.TrimSpace(s) != "" {
			if err != nil {
				t.Fatalf("valid JSON %q refused: %v", s, err)
			}
			a, _ := json.Marshal(v)
			b, _ := json.Marshal(std)
			if string(a) != string(b) {
				t.Fatalf("%q reads as %s, encoding/json as %s", s, a, b)
			}
		}
	})
}

func TestDeployTimeResourcesFollowServiceTokensToProviderFunctions(t *testing.T) {
	tmpl := golden(t)
	if got := deployTimeResources(tmpl); len(got) != 0 {
		t.Fatalf("firstclass's own template has deploy-time resources %v", got)
	}
	asm := loadApp(t, "rest-lambda")
	got := deployTimeResources(asm.Stacks[0].Template)
	want := []string{"AWS679f53fac002430cb0da5b7982bd22872D164C4C", "DescribeStageD27261DB", "ItemsFunctionLogRetentionD8C763A8", "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8aFD4BFC8A"}
	if strings.Join(sortedKeys(got), " ") != strings.Join(want, " ") {
		t.Errorf("deploy-time resources = %v, want %v", sortedKeys(got), want)
	}
}

func TestProxyV1RequestContextCarriesTheAuthorizerAndTheVerifiedCaller(t *testing.T) {
	x := &exchange{req: httptestRequest(t), sourceIP: "10.0.0.1", identity: callerIdentity{accessKey: "AKIDEXAMPLE", accountID: "123456789012"}, apiKey: "k-1"}
	x.authz.vtl = map[string]any{"principalId": "user-1", "who": "ada"}
	x.authorizerV2 = map[string]any{"lambda": map[string]any{"who": "ada"}}
	rest := withAuthorizer(map[string]any{}, x, true)
	if a, _ := rest["authorizer"].(map[string]any); a["principalId"] != "user-1" || a["who"] != "ada" {
		t.Errorf("REST authorizer = %v, want the Lambda authorizer's principalId and context", rest["authorizer"])
	}
	if h := withAuthorizer(map[string]any{}, x, false); !reflect.DeepEqual(h["authorizer"], x.authorizerV2) {
		t.Errorf("HTTP API authorizer = %v", h["authorizer"])
	}
	if none := withAuthorizer(map[string]any{}, &exchange{}, true); none["authorizer"] != nil {
		t.Errorf("no authorizer gave %v", none["authorizer"])
	}
	id := v1Identity(x)
	if id["accessKey"] != "AKIDEXAMPLE" || id["accountId"] != "123456789012" || id["apiKey"] != "k-1" || id["sourceIp"] != "10.0.0.1" || id["userArn"] != nil {
		t.Errorf("identity = %v", id)
	}
}

func httptestRequest(t *testing.T) *http.Request {
	req, err := http.NewRequest("GET", "http://127.0.0.1/prod/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
