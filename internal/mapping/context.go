package mapping

import (
	"slices"
	"strings"
)

// ContextVariable describes an HTTP API $context variable.
type ContextVariable struct {
	// Name is the variable without "$context.", e.g. "identity.sourceIp". For
	// a family it ends in "." and any non-empty suffix is valid.
	Name string
	// Family marks open-ended names such as authorizer.claims.CLAIM.
	Family bool
	// AtRequest reports whether the value is known when API Gateway maps the
	// request to the integration. Variables about the integration's response
	// (status, latency, integration errors) are not: they only make sense in
	// access logs and response mappings.
	AtRequest bool
	Doc       string
}

// The HTTP API context variables, from AWS "Customize HTTP API access logs"
// (http-api-logging-variables), which the parameter-mapping page links as the
// list of supported context variables.
var contextVariables = []ContextVariable{
	{Name: "accountId", AtRequest: true, Doc: "the API owner's AWS account ID"},
	{Name: "apiId", AtRequest: true, Doc: "the identifier API Gateway assigns to the API"},
	{Name: "authorizer.claims.", Family: true, AtRequest: true, Doc: "a claim of the JWT, after a JWT authorizer accepted it; authorizer.claims alone returns null"},
	{Name: "authorizer.error", AtRequest: true, Doc: "the error message returned from an authorizer"},
	{Name: "authorizer.principalId", AtRequest: true, Doc: "the principal a Lambda authorizer returns"},
	{Name: "authorizer.", Family: true, AtRequest: true, Doc: "a key of the context map a Lambda authorizer returns"},
	{Name: "awsEndpointRequestId", Doc: "the AWS endpoint's request ID (x-amz-request-id or x-amzn-requestId)"},
	{Name: "awsEndpointRequestId2", Doc: "the AWS endpoint's request ID from x-amz-id-2"},
	{Name: "customDomain.basePathMatched", AtRequest: true, Doc: "the API mapping path a custom-domain request matched"},
	{Name: "dataProcessed", Doc: "the amount of data processed in bytes"},
	{Name: "domainName", AtRequest: true, Doc: "the full domain name used to invoke the API"},
	{Name: "domainPrefix", AtRequest: true, Doc: "the first label of domainName"},
	{Name: "error.message", Doc: "an API Gateway error message"},
	{Name: "error.messageString", Doc: "the quoted value of error.message"},
	{Name: "error.responseType", Doc: "a type of GatewayResponse"},
	{Name: "extendedRequestId", AtRequest: true, Doc: "the extended ID API Gateway assigns to the request"},
	{Name: "httpMethod", AtRequest: true, Doc: "the HTTP method used"},
	{Name: "identity.accountId", AtRequest: true, Doc: "the AWS account ID of the caller (IAM authorization)"},
	{Name: "identity.caller", AtRequest: true, Doc: "the principal identifier of the caller (IAM authorization)"},
	{Name: "identity.cognitoAuthenticationProvider", AtRequest: true, Doc: "the Cognito authentication providers of the caller"},
	{Name: "identity.cognitoAuthenticationType", AtRequest: true, Doc: "the Cognito authentication type of the caller"},
	{Name: "identity.cognitoIdentityId", AtRequest: true, Doc: "the Cognito identity ID of the caller"},
	{Name: "identity.cognitoIdentityPoolId", AtRequest: true, Doc: "the Cognito identity pool ID of the caller"},
	{Name: "identity.principalOrgId", AtRequest: true, Doc: "the AWS organization ID (IAM authorization)"},
	{Name: "identity.clientCert.clientCertPem", AtRequest: true, Doc: "the PEM client certificate (mutual TLS)"},
	{Name: "identity.clientCert.subjectDN", AtRequest: true, Doc: "the client certificate's subject DN (mutual TLS)"},
	{Name: "identity.clientCert.issuerDN", AtRequest: true, Doc: "the client certificate's issuer DN (mutual TLS)"},
	{Name: "identity.clientCert.serialNumber", AtRequest: true, Doc: "the client certificate's serial number (mutual TLS)"},
	{Name: "identity.clientCert.validity.notBefore", AtRequest: true, Doc: "the date before which the client certificate is invalid"},
	{Name: "identity.clientCert.validity.notAfter", AtRequest: true, Doc: "the date after which the client certificate is invalid"},
	{Name: "identity.sourceIp", AtRequest: true, Doc: "the source IP address of the TCP connection"},
	{Name: "identity.user", AtRequest: true, Doc: "the principal identifier of the user (IAM authorization)"},
	{Name: "identity.userAgent", AtRequest: true, Doc: "the User-Agent header of the caller"},
	{Name: "identity.userArn", AtRequest: true, Doc: "the ARN of the effective user (IAM authorization)"},
	{Name: "integration.error", Doc: "the error message returned from an integration"},
	{Name: "integration.integrationStatus", Doc: "for Lambda proxy integrations, the status code returned from AWS Lambda"},
	{Name: "integration.latency", Doc: "the integration latency in ms"},
	{Name: "integration.requestId", Doc: "the AWS endpoint's request ID"},
	{Name: "integration.status", Doc: "the status code returned from an integration"},
	{Name: "integrationErrorMessage", Doc: "an integration error message"},
	{Name: "integrationLatency", Doc: "the integration latency in ms"},
	{Name: "integrationStatus", Doc: "for Lambda proxy integrations, the status code returned from AWS Lambda"},
	{Name: "path", AtRequest: true, Doc: "the request path, e.g. /{stage}/root/child"},
	{Name: "protocol", AtRequest: true, Doc: "the request protocol, e.g. HTTP/1.1"},
	{Name: "requestId", AtRequest: true, Doc: "the ID API Gateway assigns to the request"},
	{Name: "requestTime", AtRequest: true, Doc: "the CLF-formatted request time (dd/MMM/yyyy:HH:mm:ss +-hhmm)"},
	{Name: "requestTimeEpoch", AtRequest: true, Doc: "the epoch-formatted request time, in milliseconds"},
	{Name: "responseLatency", Doc: "the response latency in ms"},
	{Name: "responseLength", Doc: "the response payload length"},
	{Name: "routeKey", AtRequest: true, Doc: "the route key of the request, e.g. /pets"},
	{Name: "stage", AtRequest: true, Doc: "the deployment stage of the request"},
	{Name: "status", Doc: "the method response status"},
}

// ContextVariables returns the catalogue of HTTP API context variables, sorted
// by name.
func ContextVariables() []ContextVariable {
	out := slices.Clone(contextVariables)
	slices.SortFunc(out, func(a, b ContextVariable) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// LookupContextVariable finds a context variable by name (without
// "$context."). Names inside a family (authorizer.claims.sub) match the
// family's entry; exact entries win over families, and longer families over
// shorter ones, so authorizer.claims.sub is a JWT claim, not a Lambda
// authorizer key.
func LookupContextVariable(name string) (ContextVariable, bool) {
	var fam ContextVariable
	found := false
	for _, v := range contextVariables {
		if !v.Family {
			if v.Name == name {
				return v, true
			}
			continue
		}
		if len(name) > len(v.Name) && strings.HasPrefix(name, v.Name) && len(v.Name) > len(fam.Name) {
			fam, found = v, true
		}
	}
	return fam, found
}

// contextNames lists names for "did you mean" suggestions.
func contextNames() []string {
	out := make([]string, 0, len(contextVariables))
	for _, v := range contextVariables {
		if !v.Family {
			out = append(out, v.Name)
		}
	}
	return out
}
