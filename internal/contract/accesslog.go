package contract

import "encoding/json"

// AccessLogField is one field of a stage's JSON access log line.
type AccessLogField struct {
	Key      string // JSON key in the log line
	Variable string // the $context variable API Gateway writes there
}

// accessLogFields are written by both API kinds. The integration fields are what the bench
// needs to split a request's latency into API Gateway's own overhead and the integration's.
var accessLogFields = []AccessLogField{
	{"requestId", "$context.requestId"},
	{"ip", "$context.identity.sourceIp"},
	{"requestTime", "$context.requestTime"},
	{"requestTimeEpoch", "$context.requestTimeEpoch"},
	{"httpMethod", "$context.httpMethod"},
	{"path", "$context.path"},
	{"protocol", "$context.protocol"},
	{"status", "$context.status"},
	{"responseLength", "$context.responseLength"},
	{"responseLatency", "$context.responseLatency"},
	{"integrationLatency", "$context.integrationLatency"},
	{"integrationStatus", "$context.integration.status"},
	{"integrationError", "$context.integration.error"},
	{"errorMessage", "$context.error.message"},
	// The authorizer's own time (a Lambda authorizer's, its invocation included) and its
	// invocation's, for the bench's authorizer latency; "-" when no authorizer ran or a
	// cached answer served.
	{"authorizerLatency", "$context.authorizer.latency"},
	{"authorizerIntegrationLatency", "$context.authorizer.integrationLatency"},
	{"authorizerError", "$context.authorizer.error"},
}

// AccessLogFields lists the access log fields of an API kind: the common ones plus how each
// kind names the matched route.
func AccessLogFields(kind Kind) []AccessLogField {
	out := append([]AccessLogField(nil), accessLogFields...)
	if kind == HTTP {
		return append(out, AccessLogField{"routeKey", "$context.routeKey"})
	}
	return append(out, AccessLogField{"resourcePath", "$context.resourcePath"})
}

// AccessLogFormat is the stage's access log format string: one JSON object per line, every
// value quoted so a "-" for a missing value stays valid JSON.
func AccessLogFormat(kind Kind) string {
	fields := AccessLogFields(kind)
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Key] = f.Variable
	}
	// encoding/json sorts map keys, which keeps the synthesized template deterministic.
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // strings only
	}
	return string(b)
}
