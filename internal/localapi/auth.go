package localapi

import "strings"

// authorizer is a route's or a method's authorization: it lets the request through or says
// what API Gateway answers instead.
type authorizer interface {
	authorize(x *exchange) *gatewayError
}

// newAuthorizer is the authorization of an AuthorizationType; nil for none.
func newAuthorizer(typ string) (authorizer, error) {
	switch typ {
	case "", "NONE":
		return nil, nil
	case "AWS_IAM":
		return iamAuthorizer{}, nil
	}
	return nil, cannot("the local runner handles NONE and AWS_IAM", "authorization %s is not emulated", typ)
}

// iamAuthorizer lets through what carries a SigV4 Authorization header. The signature is not
// checked: the local runner has no credentials to check it against.
type iamAuthorizer struct{}

func (iamAuthorizer) authorize(x *exchange) *gatewayError {
	if strings.HasPrefix(x.req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		return nil
	}
	return fail(missingAuthenticationToken, "")
}
