package api

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"firstclass/internal/vtl"
	"firstclass/routes"
)

func TestEveryRouteTemplatePassesTheSynthCheck(t *testing.T) {
	for _, r := range routes.Routes {
		t.Run(r.Name, func(t *testing.T) {
			if err := CheckRESTTemplates(r); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestEveryTemplateIsUsed(t *testing.T) {
	used := map[string]bool{}
	for _, r := range routes.Routes {
		used[r.REST.RequestTemplate], used[r.REST.ResponseTemplate] = true, true
		for _, e := range r.REST.Errors {
			used[e.Template] = true
		}
	}
	for _, name := range TemplateNames() {
		if !used[name] {
			t.Errorf("api/templates/%s is not used by any route", name)
		}
	}
}

func TestBrokenTemplateIsLocated(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unclosed directive", "#if($input.body == \"\")\n{}\n", "broken.vtl:1:1"},
		{"unknown $util member", "{\"a\":\"$util.escapeJson($input.body)\"}", "broken.vtl:1:13: $util has no member escapeJson"},
		{"invalid JSON output", "{\"a\": $input.path('$.orderId')}", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			templateFS = overlayFS{base: templateFS, name: "broken.vtl", text: tt.text}
			defer func() { templateFS = templateFS.(overlayFS).base }()
			r := routes.StartWorkflowRoute
			r.REST.RequestTemplate = "broken.vtl"
			err := CheckRESTTemplates(r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// render renders a project template, filled with the sample attributes, for one request.
func render(t *testing.T, name string, in *vtl.Input) *vtl.Output {
	t.Helper()
	text, err := TemplateText(name)
	if err != nil {
		t.Fatal(err)
	}
	filled, err := FillTemplate(name, text, sampleAttrs)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := vtl.Parse(name, filled)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSQSTemplateRendersTheFormSQSDecodes(t *testing.T) {
	body := `{"orderId":"o-1","note":"a b&c=d+é"}`
	out := render(t, "sqs-send-message.vtl", &vtl.Input{Body: []byte(body)})
	want := "Action=SendMessage&MessageBody=%7B%22orderId%22%3A%22o-1%22%2C%22note%22%3A%22a+b%26c%3Dd%2B%C3%A9%22%7D"
	if out.Body != want {
		t.Errorf("body =\n%q\nwant\n%q", out.Body, want)
	}
	form, err := url.ParseQuery(out.Body)
	if err != nil || form.Get("MessageBody") != body {
		t.Errorf("SQS would read MessageBody %q (err %v), want %q", form.Get("MessageBody"), err, body)
	}
}

func TestSQSTemplateTakesTheDelayFromAHeader(t *testing.T) {
	out := render(t, "sqs-send-message.vtl", &vtl.Input{Body: []byte(`{}`), Headers: map[string][]string{"x-delay-seconds": {"5"}}})
	if want := "Action=SendMessage&MessageBody=%7B%7D&DelaySeconds=5"; out.Body != want {
		t.Errorf("body = %q, want %q", out.Body, want)
	}
}

func TestPutEventsTemplateRendersOneEntry(t *testing.T) {
	out := render(t, "events-put-events.vtl", &vtl.Input{
		Body:       []byte(`{"orderId":"o-1","note":"it's"}`),
		PathParams: map[string]string{"source": "firstclass.orders", "detailType": "OrderPlaced"},
	})
	want := `{"Entries":[{"EventBusName":"firstclass-sample-bus","Source":"firstclass.orders","DetailType":"OrderPlaced","Detail":"{\"orderId\":\"o-1\",\"note\":\"it's\"}"}]}`
	if out.Body != want {
		t.Errorf("body =\n%s\nwant\n%s", out.Body, want)
	}
}

func TestStartExecutionTemplateEscapesTheInput(t *testing.T) {
	body := `{"orderId":"o-1","note":"it's \"quoted\" ✓"}`
	for _, tt := range []struct {
		name    string
		headers map[string][]string
		want    string
	}{
		{"without a name", nil, `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:firstclass-sample","input":"{\"orderId\":\"o-1\",\"note\":\"it's \\\"quoted\\\" \u2713\"}"}`},
		{"named by header, any case", map[string][]string{"x-execution-name": {"order-o-1"}}, `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:firstclass-sample","name":"order-o-1","input":"{\"orderId\":\"o-1\",\"note\":\"it's \\\"quoted\\\" \u2713\"}"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "states-start-execution.vtl", &vtl.Input{Body: []byte(body), Headers: tt.headers})
			if out.Body != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", out.Body, tt.want)
			}
			var req struct{ Input string }
			if err := json.Unmarshal([]byte(out.Body), &req); err != nil || req.Input != body {
				t.Errorf("Step Functions would read input %q (err %v), want the body %q", req.Input, err, body)
			}
		})
	}
}

func TestStopExecutionTemplateTakesTheARNFromTheHeaderAndTheReasonFromTheBody(t *testing.T) {
	const arn = "arn:aws:states:us-east-1:123456789012:execution:firstclass-sample:e-1"
	for _, tt := range []struct {
		name    string
		body    string
		headers map[string][]string
		want    string
	}{
		{"no body: neither error nor cause", "", map[string][]string{"X-Execution-Arn": {arn}}, `{"executionArn":"` + arn + `"}`},
		{"a body without them", `{"note":1}`, map[string][]string{"X-Execution-Arn": {arn}}, `{"executionArn":"` + arn + `"}`},
		{"error and cause, escaped; the header in any case", `{"error":"Manual","cause":"it's \"done\" ✓"}`, map[string][]string{"x-execution-arn": {arn}},
			`{"executionArn":"` + arn + `","error":"Manual","cause":"it's \"done\" \u2713"}`},
		{"without the header (the method refuses it first)", `{}`, nil, `{"executionArn":""}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "states-stop-execution.vtl", &vtl.Input{Body: []byte(tt.body), Headers: tt.headers})
			if out.Body != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", out.Body, tt.want)
			}
			if !json.Valid([]byte(out.Body)) {
				t.Errorf("body %s is not JSON", out.Body)
			}
		})
	}
}

func TestGreetingTemplateKeepsEmptyAndMissingApart(t *testing.T) {
	for _, tt := range []struct {
		query map[string][]string
		want  string
	}{
		{map[string][]string{"greeter": {"O'Brien"}}, `{"greeter":"O'Brien"}` + "\n"},
		{map[string][]string{"greeter": {""}}, `{"greeter":""}` + "\n"},
		{nil, "{}\n"},
	} {
		out := render(t, "greeting-request.vtl", &vtl.Input{Query: tt.query})
		if out.Body != tt.want {
			t.Errorf("query %v: body = %q, want %q", tt.query, out.Body, tt.want)
		}
	}
}

func TestResponseTemplatesTurnBackendFailuresInto500(t *testing.T) {
	for _, tt := range []struct {
		template, body string
		wantStatus     int
	}{
		{"events-put-events-response.vtl", `{"Entries":[{"EventId":"e-1"}],"FailedEntryCount":0}`, 0},
		{"events-put-events-response.vtl", `{"Entries":[{"ErrorCode":"InternalFailure"}],"FailedEntryCount":1}`, 500},
		{"states-start-sync-execution-response.vtl", `{"status":"SUCCEEDED","output":"{}"}`, 0},
		{"states-start-sync-execution-response.vtl", `{"status":"FAILED","error":"Rejected"}`, 500},
		{"states-start-sync-execution-response.vtl", `{"status":"TIMED_OUT"}`, 500},
	} {
		out := render(t, tt.template, &vtl.Input{Body: []byte(tt.body)})
		if out.ResponseStatus != tt.wantStatus {
			t.Errorf("%s for %s: status override %d, want %d", tt.template, tt.body, out.ResponseStatus, tt.wantStatus)
		}
		if strings.TrimSpace(out.Body) != tt.body {
			t.Errorf("%s: body %q, want the backend's %q", tt.template, out.Body, tt.body)
		}
	}
}

func TestGreetingResponsesMatchTheHTTPAPI(t *testing.T) {
	ok := render(t, "greeting-response.vtl", &vtl.Input{Body: []byte(`{"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, Ada!"}`)})
	if strings.TrimSpace(ok.Body) != "Hello, Ada!" || lastValue(ok.ResponseHeader, "Content-Type") != "text/plain" {
		t.Errorf("200: body %q, Content-Type %q", ok.Body, lastValue(ok.ResponseHeader, "Content-Type"))
	}
	bad := render(t, "greeting-error.vtl", &vtl.Input{Body: []byte(`{"errorMessage":"Missing the required greeter parameter.","errorType":"errorString"}`)})
	if want := `{"message":"Missing the required greeter parameter."}`; strings.TrimSpace(bad.Body) != want {
		t.Errorf("400: body %q, want %q", bad.Body, want)
	}
}

func TestReceiveMessageTemplateSendsOnlyTheGivenParameters(t *testing.T) {
	for _, tt := range []struct {
		name  string
		query map[string][]string
		want  string
	}{
		{"none: SQS's defaults", nil, "Action=ReceiveMessage"},
		{"all three", map[string][]string{"max": {"10"}, "visibility": {"600"}, "wait": {"20"}},
			"Action=ReceiveMessage&MaxNumberOfMessages=10&VisibilityTimeout=600&WaitTimeSeconds=20"},
		{"an empty one is not given", map[string][]string{"max": {""}, "wait": {"1"}}, "Action=ReceiveMessage&WaitTimeSeconds=1"},
		{"a bad value goes to SQS, encoded, for it to refuse", map[string][]string{"max": {"0 or 11"}}, "Action=ReceiveMessage&MaxNumberOfMessages=0+or+11"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if out := render(t, "sqs-receive-message.vtl", &vtl.Input{Query: tt.query}); strings.TrimSpace(out.Body) != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", out.Body, tt.want)
			}
		})
	}
}

func TestDeleteMessageTemplateFormEncodesTheHandleFromTheHeader(t *testing.T) {
	const handle = "AQEBzY+8k/Ab=="
	for _, h := range []string{"X-Receipt-Handle", "x-receipt-handle"} {
		out := render(t, "sqs-delete-message.vtl", &vtl.Input{Headers: map[string][]string{h: {handle}}})
		if want := "Action=DeleteMessage&ReceiptHandle=AQEBzY%2B8k%2FAb%3D%3D"; strings.TrimSpace(out.Body) != want {
			t.Errorf("header %s: body =\n%s\nwant\n%s", h, out.Body, want)
		}
	}
}
