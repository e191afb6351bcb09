package localapi

import (
	"strconv"
	"strings"
	"testing"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/lambdalocal"
)

// greetingAs is faultyTemplate (the golden template with the faulty fixture behind POST
// /greeting) with the greeting integrations turned into the integration kind named: "REST
// custom" and "HTTP 2.0" as deployed, "REST proxy" an AWS_PROXY integration, "HTTP 1.0" payload
// format 1.0.
func greetingAs(t *testing.T, integration string) *cfn.Template {
	tmpl := faultyTemplate(t, 10, 29000)
	switch integration {
	case "REST proxy":
		for _, m := range tmpl.OfType("AWS::ApiGateway::Method") {
			if m.Properties["OperationName"] != "Greeting" {
				continue
			}
			in := m.Properties["Integration"].(map[string]any)
			in["Type"] = "AWS_PROXY"
			delete(in, "RequestTemplates")
			delete(in, "IntegrationResponses")
			delete(in, "PassthroughBehavior")
		}
	case "HTTP 1.0":
		for _, in := range tmpl.OfType("AWS::ApiGatewayV2::Integration") {
			if in.Properties["IntegrationSubtype"] == nil {
				in.Properties["PayloadFormatVersion"] = "1.0"
			}
		}
	}
	return tmpl
}

// Lambda's 6 MB limits on a synchronous invocation as each kind of Lambda integration answers
// them (invocationError has the sources): an event over the request limit never reaches the
// function and is a 413; an answer over the response limit is Lambda's function error
// Function.ResponseSizeTooLarge, answered as any function error.
func TestLambdaPayloadLimitsGetTheAnswerEachIntegrationKindGives(t *testing.T) {
	overRequest := `{"pad":"` + strings.Repeat("x", lambdalocal.MaxRequestSize) + `"}`
	overResponse := `{"respondBytes":` + strconv.Itoa(lambdalocal.MaxResponseSize+1) + `}`
	cases := []struct {
		integration string
		kind        contract.Kind
		body        string
		status      int
		want        string
		errorType   string // the REST API's X-Amzn-Errortype
	}{
		{"REST proxy", contract.REST, overRequest, 413, `{"message": "Request Too Long"}`, "BadRequestException"},
		{"REST proxy", contract.REST, overResponse, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"REST custom", contract.REST, overRequest, 413, `{"message": "Request Too Long"}`, "BadRequestException"},
		// A custom integration tells a function error by its errorMessage: no selection
		// pattern of the greeting route matches Lambda's, so the default 200 answers, with
		// the $.body the error document does not have.
		{"REST custom", contract.REST, overResponse, 200, ``, ""},
		{"HTTP 2.0", contract.HTTP, overRequest, 413, `{"message":"Request Entity Too Large"}`, ""},
		{"HTTP 2.0", contract.HTTP, overResponse, 500, `{"message":"Internal Server Error"}`, ""},
		{"HTTP 1.0", contract.HTTP, overRequest, 413, `{"message":"Request Entity Too Large"}`, ""},
		{"HTTP 1.0", contract.HTTP, overResponse, 500, `{"message":"Internal Server Error"}`, ""},
	}
	servers := map[string]*served{}
	top := t
	for _, c := range cases {
		what := "an event over the request limit"
		if c.body == overResponse {
			what = "an answer over the response limit"
		}
		t.Run(c.integration+", "+what, func(t *testing.T) {
			s := servers[c.integration]
			if s == nil {
				s = serve(top, greetingAs(top, c.integration), Options{})
				servers[c.integration] = s
			}
			got := do(t, "POST", s.url(c.kind, "dev", "/greeting"), c.body)
			if got.status != c.status || strings.TrimSpace(got.body) != c.want {
				t.Errorf("%d = %d %.200q, want %d %q", len(c.body), got.status, got.body, c.status, c.want)
			}
			if c.kind == contract.REST && got.header.Get("X-Amzn-Errortype") != c.errorType {
				t.Errorf("X-Amzn-Errortype = %q, want %q", got.header.Get("X-Amzn-Errortype"), c.errorType)
			}
			if got.status >= 400 && got.header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got.header.Get("Content-Type"))
			}
		})
	}
}
