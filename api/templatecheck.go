package api

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"firstclass/internal/spec"
	"firstclass/internal/vtl"
)

// sampleAttrs stand in for the target attributes (CloudFormation tokens at synth) when a
// template is checked; they are shaped like the real values.
var sampleAttrs = map[spec.Attr]string{
	spec.QueueURL:        "https://sqs.us-east-1.amazonaws.com/123456789012/firstclass-sample",
	spec.EventBusName:    "firstclass-sample-bus",
	spec.StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:firstclass-sample",
	spec.StreamName:      "firstclass-sample-stream",
}

// hostileBody is sent beside each route's own sample: quotes, a backslash, a slash, an
// apostrophe and non-ASCII text are where hand-written templates break JSON.
const hostileBody = `{"note":"it's \"quoted\" \\ a/b — ünïcode ✓","n":-1.5e3,"list":[true,null]}`

// sampleResponses are integration responses of each backend, as the REST API receives them,
// for checking response templates.
var sampleResponses = map[string][]string{
	"sqs SendMessage": {`{"SendMessageResponse":{"SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"a6b4c4d1f3f3e1a2b0c8b9a7d6e5f4a3","MD5OfMessageSystemAttributes":null,"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","SequenceNumber":null},"ResponseMetadata":{"RequestId":"27daac76-34dd-47df-bd01-1f6e873584a0"}}}`},
	"events PutEvents": {
		`{"Entries":[{"EventId":"11710aed-b79e-4468-a20b-bb3c0c3b4860"}],"FailedEntryCount":0}`,
		`{"Entries":[{"ErrorCode":"InternalFailure","ErrorMessage":"it's failing"}],"FailedEntryCount":1}`,
	},
	"states StartExecution": {`{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:firstclass-sample:1","startDate":1.652716274909E9}`},
	"states StartSyncExecution": {
		`{"executionArn":"arn:aws:states:us-east-1:123456789012:express:firstclass-sample:1:2","status":"SUCCEEDED","output":"{\"ok\":true}","startDate":1.652716274909E9,"stopDate":1.652716275009E9}`,
		`{"executionArn":"arn:aws:states:us-east-1:123456789012:express:firstclass-sample:1:2","status":"FAILED","error":"Rejected","cause":"it's \"rejected\"","startDate":1.652716274909E9,"stopDate":1.652716275009E9}`,
	},
	"lambda ": {
		`{"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, O'Brien!"}`,
		`{"errorMessage":"Missing the required greeter parameter.","errorType":"errorString"}`,
	},
	"error": {`{"Error":{"Code":"InvalidParameterValue","Message":"it's \"invalid\"","Type":"Sender"},"RequestId":"27daac76-34dd-47df-bd01-1f6e873584a0"}`},
}

// CheckRESTTemplates parses, checks and renders every template of a REST route against
// sample requests and sample integration responses, so a broken template stops the synth
// instead of answering 500 after a deploy. Request templates must produce what the
// integration's Content-Type says (JSON, or a form with the route's action); response
// templates must produce JSON unless they override Content-Type.
func CheckRESTTemplates(r spec.Route) error {
	var errs []string
	failf := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	parse := func(name string) *vtl.Template {
		text, err := TemplateText(name)
		if err != nil {
			failf("%v", err)
			return nil
		}
		filled, err := FillTemplate(name, text, sampleAttrs)
		if err != nil {
			failf("%v", err)
			return nil
		}
		t, err := vtl.Parse(name, filled)
		if err != nil {
			failf("%v", err)
			return nil
		}
		if err := vtl.Check(t, vtl.CheckOptions{}); err != nil {
			failf("%v", err)
			return nil
		}
		return t
	}

	if t := parse(r.REST.RequestTemplate); t != nil {
		for _, in := range sampleRequests(r) {
			out, err := t.Render(in)
			if err != nil {
				failf("%v", err)
				continue
			}
			if err := checkRequestBody(r, out, in); err != nil {
				failf("%s: for body %s: %v", r.REST.RequestTemplate, in.Body, err)
			}
		}
	}
	responseKey := r.REST.Service + " " + r.REST.Action
	if r.REST.ResponseTemplate != "" {
		if t := parse(r.REST.ResponseTemplate); t != nil {
			samples := sampleResponses[responseKey]
			if len(samples) == 0 {
				failf("%s: no sample %q response to check it against; add one to sampleResponses", r.REST.ResponseTemplate, responseKey)
			}
			for _, body := range samples {
				checkResponse(t, body, failf)
			}
		}
	}
	for _, e := range r.REST.Errors {
		if e.Template == "" {
			continue
		}
		if t := parse(e.Template); t != nil {
			for _, body := range append(append([]string(nil), sampleResponses[responseKey]...), sampleResponses["error"]...) {
				checkResponse(t, body, failf)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n  "))
	}
	return nil
}

func checkResponse(t *vtl.Template, body string, failf func(string, ...any)) {
	out, err := t.Render(&vtl.Input{Body: []byte(body), Context: sampleContext()})
	if err != nil {
		failf("%v", err)
		return
	}
	if ct := lastValue(out.ResponseHeader, "Content-Type"); ct != "" && !isJSON(ct) {
		return
	}
	if !json.Valid([]byte(out.Body)) {
		failf("%s: for integration response %s: rendered body %q is not valid JSON (override $context.responseOverride.header.Content-Type if it is not meant to be)", t.Name(), body, out.Body)
	}
}

// checkRequestBody verifies a rendered integration request: a form must carry the route's
// action and hand the client's body to SQS unchanged; JSON must be valid JSON.
func checkRequestBody(r spec.Route, out *vtl.Output, in *vtl.Input) error {
	ct := r.REST.Headers["Content-Type"]
	if v := lastValue(out.RequestHeader, "Content-Type"); v != "" {
		ct = v
	}
	if r.REST.Service == "lambda" {
		ct = "application/json"
	}
	mediaType, _, _ := mime.ParseMediaType(ct)
	switch {
	case mediaType == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(out.Body)
		if err != nil {
			return fmt.Errorf("rendered form %q does not parse: %v", out.Body, err)
		}
		if got := form.Get("Action"); got != r.REST.Action {
			return fmt.Errorf("rendered form has Action=%q, want %q", got, r.REST.Action)
		}
		return checkFormMembers(r, form, in)
	case isJSON(mediaType):
		if !json.Valid([]byte(out.Body)) {
			return fmt.Errorf("rendered body %q is not valid JSON", out.Body)
		}
	default:
		return fmt.Errorf("integration Content-Type %q: firstclass checks JSON and form bodies only", ct)
	}
	return nil
}

// checkFormMembers checks that a form-encoded REST template hands SQS what the route's HTTP
// API mapping hands it from the same request, so that both API kinds make the same call:
// each member the mapping takes from the body, a query parameter or a header carries that
// value unchanged when the request has it, and is left out when it does not (the HTTP API
// leaves out an optional parameter whose mapping finds nothing).
func checkFormMembers(r spec.Route, form url.Values, in *vtl.Input) error {
	for _, member := range sortedKeys(r.HTTP.Parameters) {
		expr := r.HTTP.Parameters[member].Expr
		var want string
		switch {
		case expr == "$request.body":
			want = string(in.Body)
		case strings.HasPrefix(expr, "$request.querystring."):
			if v := in.Query[strings.TrimPrefix(expr, "$request.querystring.")]; len(v) > 0 {
				want = v[0]
			}
		case strings.HasPrefix(expr, "$request.header."):
			want = lastValue(in.Headers, strings.TrimPrefix(expr, "$request.header."))
		default:
			continue // the target's attributes are the integration's path; nothing else is mapped from the request
		}
		if got := form.Get(member); got != want {
			return fmt.Errorf("rendered form's %s is %q, want %q, what the HTTP API maps from %s", member, got, want, expr)
		}
	}
	return nil
}

// sampleRequests are the route's own sample and a hostile variant.
func sampleRequests(r spec.Route) []*vtl.Input {
	query := func(raw string) map[string][]string {
		q, _ := url.ParseQuery(raw)
		return q
	}
	own := &vtl.Input{Body: []byte(r.Sample.Body), PathParams: r.Sample.PathParams, Query: query(r.Sample.Query),
		Headers: map[string][]string{"Content-Type": {"application/json"}}, Context: sampleContext()}
	hostile := &vtl.Input{Body: []byte(hostileBody), PathParams: map[string]string{}, Query: map[string][]string{},
		Headers: map[string][]string{"Content-Type": {"application/json"}, "x-execution-name": {"it's-a-name"},
			// A receipt handle is base64 with "+", "/" and "=", which a form must encode.
			"x-receipt-handle": {"AQEB+zY/8k=="}}, Context: sampleContext()}
	for _, p := range r.PathParams() {
		hostile.PathParams[p] = `it's "odd"`
	}
	for k := range own.Query {
		hostile.Query[k] = []string{`O'Brien "the" \ / ✓`}
	}
	if r.Method == "GET" {
		own.Body, hostile.Body = nil, nil
	}
	return []*vtl.Input{own, hostile}
}

func sampleContext() map[string]any {
	return map[string]any{"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "httpMethod": "POST", "stage": "dev",
		"identity": map[string]any{"sourceIp": "192.0.2.1"}}
}

func lastValue(h map[string][]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[len(v)-1]
		}
	}
	return ""
}

func isJSON(mediaType string) bool {
	mediaType, _, _ = mime.ParseMediaType(mediaType)
	return mediaType == "application/json" || strings.HasPrefix(mediaType, "application/x-amz-json") || strings.HasSuffix(mediaType, "+json")
}
