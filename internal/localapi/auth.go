package localapi

import (
	"fmt"

	"firstclass/internal/contract"
	"firstclass/internal/sigv4"
)

// Authorization. A route's or a method's AuthorizationType picks one authorizer from the
// registry below; one the registry lacks is a problem reported at start.
//
// IAM (AWS_IAM) verifies the request's SigV4 signature, as API Gateway does, against the
// credentials the runner is configured with (Options.Credentials; DefaultCredentials when
// none), for the service execute-api in the runner's region: in the Authorization header
// within 5 minutes of its clock, or presigned in the query string (X-Amz-Algorithm, …,
// X-Amz-Signature) until its X-Amz-Expires has passed (5 minutes without one).
// It authenticates; it does not evaluate execute-api:Invoke policies.
//
// What each failure answers, by API kind (sources in internal/sigv4's Failure; the response
// type a failure is filed under, which a REST gateway response may override, has no
// recording except MISSING_AUTHENTICATION_TOKEN and INVALID_SIGNATURE for a mismatch, and
// follows the response types' descriptions in "Gateway response types for API Gateway"):
//
//	failure                    REST 403 message / x-amzn-ErrorType                          type                          HTTP API
//	no Authorization header    Missing Authentication Token / MissingAuthenticationToken…  MISSING_AUTHENTICATION_TOKEN  403 Forbidden
//	not a whole SigV4 header   Authorization header requires … / IncompleteSignatureExc…   INVALID_SIGNATURE             403 Forbidden
//	unknown access key         The security token included in the request is invalid. /
//	                           UnrecognizedClientException                                 ACCESS_DENIED                 403 Forbidden
//	outside the 5-minute skew  Signature expired: … / InvalidSignatureException            INVALID_SIGNATURE             403 Forbidden
//	bad scope                  Credential should be scoped … / InvalidSignatureException   INVALID_SIGNATURE             403 Forbidden
//	wrong signature            The request signature we calculated … / InvalidSignatureE…  INVALID_SIGNATURE             403 Forbidden
//	presigned, incomplete      AWS query-string parameters must include … / Incomplete…    INVALID_SIGNATURE             403 Forbidden
//	presigned, expired         Signature expired: … (… - 15 min.) / InvalidSignatureExc…   INVALID_SIGNATURE             403 Forbidden
//	presigned and a header     Found both 'X-Amz-Algorithm' … / InvalidSignatureExcept…    INVALID_SIGNATURE             403 Forbidden
//
// HTTP APIs answer every IAM failure {"message":"Forbidden"} (no recording of more detail).

// authorizer is a route's or a method's authorization: it lets the request through, filling
// the identity the integration sees, or says what API Gateway answers instead. The body has
// been read.
type authorizer interface {
	authorize(x *exchange) *gatewayError
}

// authDef is what a route or method says about its authorization: its AuthorizationType, the
// AWS::ApiGatewayV2::Authorizer or AWS::ApiGateway::Authorizer it names (resolved
// properties, nil for none) and its AuthorizationScopes.
type authDef struct {
	kind         contract.Kind
	typ          string
	authorizerID string
	props        map[string]any
	scopes       []string
}

// authorizers build an authorizer by AuthorizationType; "NONE" (and none) has no authorizer.
var authorizers = map[string]func(r *Runner, d authDef) (authorizer, error){
	"NONE":               func(*Runner, authDef) (authorizer, error) { return nil, nil },
	"AWS_IAM":            func(r *Runner, _ authDef) (authorizer, error) { return r.iam, nil },
	"JWT":                newJWTAuthorizer,
	"COGNITO_USER_POOLS": newJWTAuthorizer,
	"CUSTOM":             newLambdaAuthorizer,
}

// newAuthorizer is the authorization of a route or method; nil for none. defs are its API's
// authorizer resources by local ID.
func (r *Runner) newAuthorizer(kind contract.Kind, typ, authorizerID string, scopes []string, defs map[string]map[string]any) (authorizer, error) {
	if typ == "" {
		typ = "NONE"
	}
	build, ok := authorizers[typ]
	if !ok {
		return nil, unknown("authorization type", typ, authorizers)
	}
	d := authDef{kind: kind, typ: typ, authorizerID: authorizerID, scopes: scopes}
	if authorizerID != "" {
		if d.props, ok = defs[authorizerID]; !ok {
			return nil, fmt.Errorf("authorizer %s is not an authorizer of this API", authorizerID)
		}
	}
	return build(r, d)
}

// UsesIAM reports whether a served route or method is IAM-authorized.
func (r *Runner) UsesIAM() bool {
	for _, a := range r.httpAPIs {
		for _, rt := range a.routes {
			if rt.auth == authorizer(r.iam) {
				return true
			}
		}
	}
	found := false
	for _, a := range r.restAPIs {
		a.root.walk(func(m *restMethod) { found = found || m.auth == authorizer(r.iam) })
	}
	return found
}

// DefaultCredentials are the access key the runner accepts on IAM-authorized routes when it is
// configured with none: AWS's own documentation example pair.
var DefaultCredentials = sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

// iamAuthorizer verifies SigV4 signatures.
type iamAuthorizer struct {
	verifier *sigv4.Verifier
	account  string
	creds    []sigv4.Credentials // what it accepts, the first one for --try
}

func newIAMAuthorizer(region, account string, creds []sigv4.Credentials) *iamAuthorizer {
	if len(creds) == 0 {
		creds = []sigv4.Credentials{DefaultCredentials}
	}
	secrets := make(map[string]string, len(creds))
	for _, c := range creds {
		secrets[c.AccessKeyID] = c.SecretAccessKey
	}
	return &iamAuthorizer{account: account, creds: creds, verifier: &sigv4.Verifier{Region: region, Service: "execute-api",
		Secret: func(id string) (string, bool) { s, ok := secrets[id]; return s, ok }}}
}

// iamFailures are the response type and REST error type of each verification failure.
var iamFailures = map[sigv4.FailureKind]struct {
	typ       responseType
	errorType string
}{
	sigv4.Missing:    {missingAuthenticationToken, ""},
	sigv4.Incomplete: {invalidSignature, "IncompleteSignatureException"},
	sigv4.UnknownKey: {accessDenied, "UnrecognizedClientException"},
	sigv4.Skewed:     {invalidSignature, "InvalidSignatureException"},
	sigv4.Mismatch:   {invalidSignature, "InvalidSignatureException"},
	sigv4.Ambiguous:  {invalidSignature, "InvalidSignatureException"},
}

func (a *iamAuthorizer) authorize(x *exchange) *gatewayError {
	id, f := a.verifier.Verify(x.req, x.body, x.start)
	if f != nil {
		m := iamFailures[f.Kind]
		e := fail(m.typ, f.Message)
		e.errorType = m.errorType
		return e
	}
	x.identity = callerIdentity{accessKey: id.AccessKeyID, accountID: a.account, caller: id.AccessKeyID,
		user: id.AccessKeyID, userArn: "arn:aws:iam::" + a.account + ":user/" + id.AccessKeyID}
	// Payload 2.0's requestContext.authorizer.iam ("Working with AWS Lambda proxy
	// integrations for HTTP APIs").
	x.authorizerV2 = map[string]any{"iam": map[string]any{"accessKey": id.AccessKeyID, "accountId": a.account,
		"callerId": id.AccessKeyID, "cognitoIdentity": nil, "principalOrgId": nil,
		"userArn": x.identity.userArn, "userId": id.AccessKeyID}}
	return nil
}

// callerIdentity is $context.identity of a request its authorizer identified.
type callerIdentity struct {
	accessKey, accountID, caller, user, userArn string
}
