package localapi

import (
	"fmt"
	"sort"
	"strings"
)

// Integrations. The runner serves both API kinds as API Gateway's own pipeline:
//
//	route selection → method request (throttling, authorization, the body, validation)
//	  → integration request → integration → integration response → method response
//
// httpapi.go and restapi.go hold the pipeline of each kind; an integration is the part from
// the integration request on, one type per kind of integration, registered here by API kind
// and integration type, then subtype (HTTP API first-class integrations) or service (REST
// AwsIntegration). A new kind of integration is one factory in a registry and its type; an
// integration the registry has no entry for is a problem reported at start, naming what is
// emulated.

// description is what an integration calls and how, for the terminal, the trace and tests.
type description struct {
	what    string   // "SQS-SendMessage → Firstclass-TargetsQueue4E5D0920"
	details []string // its parameter mapping, or a REST method's validation and responses
}

// httpIntegration is an HTTP API integration: it serves a request whose route matched, its
// body read, and answers the client, or returns the gateway error API Gateway answers with.
type httpIntegration interface {
	serve(x *exchange, c *httpCall) *gatewayError
	describe() description
}

// httpFactory builds an HTTP API integration from its resource's properties.
type httpFactory func(a *httpAPI, p *v2IntegrationProps) (httpIntegration, error)

// httpIntegrations are the HTTP API integrations, by IntegrationType; within AWS_PROXY, a
// subtype makes a first-class integration and none a Lambda proxy integration.
var httpIntegrations = map[string]httpFactory{
	"AWS_PROXY": func(a *httpAPI, p *v2IntegrationProps) (httpIntegration, error) {
		if p.IntegrationSubtype != "" {
			return newFirstClass(a, p)
		}
		return newLambdaProxy(a, p)
	},
	"HTTP_PROXY": newHTTPProxyV2,
}

// restProxies are the REST proxy integrations, by Type: they pass the request on as it came,
// with no templates.
var restProxies = map[string]func(a *restAPI, p *v1IntegrationProps) (restIntegration, error){
	"AWS_PROXY":  newRESTLambdaProxy,
	"HTTP_PROXY": newRESTHTTPProxy,
}

// restBackend is what a REST integration calls once its request template has rendered: the
// backend's status, headers and body, and the text selection patterns match (the status
// code, or a Lambda errorMessage).
type restBackend interface {
	call(x *exchange, c *restCall, req *integrationRequest) (*integrationResult, *gatewayError)
	describe() string
}

// restBackendFactory builds a REST backend from its integration's properties.
type restBackendFactory func(a *restAPI, p *v1IntegrationProps) (restBackend, error)

// restIntegrations are the REST non-proxy integrations, by Type; an AWS integration is then
// chosen by the service its URI names (restServices).
var restIntegrations = map[string]restBackendFactory{
	"AWS":  newAWSBackend,
	"HTTP": newHTTPBackend,
	"MOCK": func(*restAPI, *v1IntegrationProps) (restBackend, error) { return mockBackend{}, nil },
}

// restServices are the services a REST AwsIntegration can call locally, by the service its
// URI names; "lambda" is a Lambda custom (non-proxy) integration.
var restServices = map[string]func(a *restAPI, p *v1IntegrationProps, uri *serviceURI) (restBackend, error){
	"lambda":    newLambdaBackend,
	"sqs":       newServiceBackend,
	"events":    newServiceBackend,
	"states":    newServiceBackend,
	"kinesis":   newServiceBackend,
	"appconfig": newServiceBackend,
}

// unknown says what is emulated instead of what a registry has no entry for.
func unknown[V any](what, key string, registry map[string]V) error {
	names := make([]string, 0, len(registry))
	for k := range registry {
		names = append(names, k)
	}
	sort.Strings(names)
	return cannot(fmt.Sprintf("the local runner emulates %s %s", what, strings.Join(names, ", ")), "%s %s is not emulated", what, key)
}
