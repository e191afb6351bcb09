package sigv4

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far a request's X-Amz-Date may be from the verifier's clock, either way.
const MaxSkew = 5 * time.Minute

// Failure is why a request does not verify, with the message AWS answers. Sources, checked
// 2026-12-02: AWS Knowledge Center, "How do I troubleshoot signature mismatch errors when making
// SigV4 signed requests with IAM authentication to API Gateway?" (repost.aws/knowledge-center/
// api-gateway-iam-sigv4-mismatch: "Missing Authentication Token", "The security token included
// in the request is invalid.", "The request signature we calculated does not match…"); the
// mismatch message with the canonical string and string-to-sign as an execute-api endpoint
// sends it (quoted in client code calling /Prod/greeting on execute-api); the skew messages
// as API Gateway sends them ("Signature expired: 20170212T175938Z is now earlier than
// 20170215T145534Z (20170215T150034Z - 5 min.)", aws-amplify/aws-sdk-android#253; "Signature
// not yet current: … is still later than … (… + 5 min.)", NickWaterton/Roomba980-Python#118);
// the incomplete-header messages as API Gateway sends them for a header it cannot parse
// ("Authorization header requires 'Credential' parameter. …", amazon-archives/
// aws-cognito-angular-quickstart#50). The credential-scope messages are those AWS services
// send for a bad scope; none is recorded from API Gateway.
type Failure struct {
	Kind    FailureKind
	Message string
}

func (f *Failure) Error() string { return f.Message }

// FailureKind says which of AWS's answers a failure gets.
type FailureKind int

const (
	// Missing: no Authorization header (403 Missing Authentication Token).
	Missing FailureKind = iota
	// Incomplete: a header that is not a whole SigV4 one (IncompleteSignatureException).
	Incomplete
	// UnknownKey: an access key the verifier does not know (UnrecognizedClientException).
	UnknownKey
	// Skewed: X-Amz-Date more than MaxSkew from the clock, or a bad credential scope
	// (InvalidSignatureException).
	Skewed
	// Mismatch: the signature is not the one the secret makes (InvalidSignatureException).
	Mismatch
	// Ambiguous: a query-string signature and an Authorization header both
	// (InvalidSignatureException).
	Ambiguous
)

// Identity is who signed a verified request.
type Identity struct {
	AccessKeyID string
}

// Verifier verifies requests signed for one service in one region with the secrets it knows.
type Verifier struct {
	Region, Service string
	// Secret is the secret access key of an access key ID; false for a key it does not know.
	Secret func(accessKeyID string) (string, bool)
}

// Verify checks req's signature, in its Authorization header or its query string
// (presigned), against its method, path, query, signed headers and body at now.
func (v *Verifier) Verify(req *http.Request, body []byte, now time.Time) (*Identity, *Failure) {
	header := req.Header.Get("Authorization")
	query := req.URL.Query()
	_, presigned := query["X-Amz-Algorithm"]
	var (
		a *authorization
		f *Failure
	)
	switch {
	case presigned && header != "":
		// AWS's own message for the two at once, as its JSON services answer it (recorded by
		// mhart/dynalite from DynamoDB); none recorded from API Gateway.
		return nil, &Failure{Ambiguous, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."}
	case presigned:
		a, f = parseQuery(query)
	case header == "":
		return nil, &Failure{Missing, "Missing Authentication Token"}
	default:
		a, f = parseAuthorization(header, req)
	}
	if f != nil {
		return nil, f
	}
	if f := v.checkScope(a); f != nil {
		return nil, f
	}
	// A presigned request with X-Amz-Expires is good for that long after its date; any other
	// for MaxSkew. AWS documents no message of API Gateway's for an expired presigned request
	// (no recording): it is the skew's "Signature expired" with the request's own window in
	// place of the 5 minutes.
	past := MaxSkew
	if a.expires >= 0 {
		past = a.expires
	}
	if f := checkDate(a.amzDate, past, now); f != nil {
		return nil, f
	}
	secret, ok := v.Secret(a.accessKeyID)
	if !ok {
		return nil, &Failure{UnknownKey, "The security token included in the request is invalid."}
	}
	canonical := canonicalRequest(req, a.signedHeaders, payloadHash(req, body), presigned)
	sts := stringToSign(a.amzDate, a.scope, canonical)
	want := signature(deriveKey(secret, a.day, a.region, a.service), sts)
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return nil, &Failure{Mismatch, "The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n" +
			"The Canonical String for this request should have been\n'" + canonical + "'\n\n" +
			"The String-to-Sign should have been\n'" + sts + "'\n"}
	}
	return &Identity{AccessKeyID: a.accessKeyID}, nil
}

// authorization is a parsed Authorization header or presigned query string.
type authorization struct {
	accessKeyID, day, region, service, terminator, scope string
	signedHeaders                                        []string
	signature                                            string
	amzDate                                              string // X-Amz-Date, or Date in the same format
	// expires is a presigned request's X-Amz-Expires; -1 for a header or a presigned query
	// without one, which the clock skew bounds instead.
	expires time.Duration
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"
// and finds the request's date, with AWS's messages for what is missing.
func parseAuthorization(header string, req *http.Request) (*authorization, *Failure) {
	params := map[string]string{}
	if rest, ok := strings.CutPrefix(header, Algorithm+" "); ok {
		for _, part := range strings.Split(rest, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, val, ok := strings.Cut(part, "=")
			if !ok {
				return nil, &Failure{Incomplete, fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, header)}
			}
			params[k] = val
		}
	}
	amzDate := req.Header.Get("X-Amz-Date")
	if amzDate == "" {
		if d, err := http.ParseTime(req.Header.Get("Date")); err == nil {
			amzDate = d.UTC().Format(timeFormat)
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if amzDate == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, &Failure{Incomplete, strings.Join(missing, " ") + " Authorization=" + header}
	}
	return newAuthorization(params["Credential"], params["SignedHeaders"], params["Signature"], amzDate)
}

// newAuthorization is a signature's parts, from either form.
func newAuthorization(credential, signedHeaders, sig, amzDate string) (*authorization, *Failure) {
	cred := strings.Split(credential, "/")
	if len(cred) != 5 {
		return nil, &Failure{Incomplete, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", strings.Join(cred[min(2, len(cred)-1):], "/"))}
	}
	return &authorization{accessKeyID: cred[0], day: cred[1], region: cred[2], service: cred[3], terminator: cred[4],
		scope: strings.Join(cred[1:], "/"), signedHeaders: strings.Split(signedHeaders, ";"),
		signature: sig, amzDate: amzDate, expires: -1}, nil
}

// queryParams are the query-string form's parameters, in the order AWS names the missing ones.
var queryParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}

// parseQuery parses a presigned request's X-Amz-* query parameters. The messages for missing
// parameters and another algorithm are AWS's for its query-string form, as its JSON services
// answer them (recorded by mhart/dynalite and mhart/kinesalite from DynamoDB and Kinesis):
// "AWS query-string parameters must include 'X-Amz-Credential'. … Re-examine the query-string
// parameters." and "Unsupported AWS 'algorithm': '…' (only AWS4-HMAC-SHA256 for now). ".
// X-Amz-Expires is optional, as it is for those services. Its refusals (not a number of
// seconds from 0 to a week) are S3's messages ("X-Amz-Expires must be non-negative", "X-Amz-
// Expires must be less than a week (in seconds) that is 604800"): none is recorded from API
// Gateway.
func parseQuery(q url.Values) (*authorization, *Failure) {
	var missing strings.Builder
	for _, k := range queryParams {
		if q.Get(k) == "" {
			missing.WriteString("AWS query-string parameters must include '" + k + "'. ")
		}
	}
	if missing.Len() > 0 {
		return nil, &Failure{Incomplete, missing.String() + "Re-examine the query-string parameters."}
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return nil, &Failure{Incomplete, fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only %s for now). ", alg, Algorithm)}
	}
	a, f := newAuthorization(q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"), q.Get("X-Amz-Date"))
	if f != nil {
		return nil, f
	}
	if e, ok := q["X-Amz-Expires"]; ok {
		n, err := strconv.ParseInt(e[0], 10, 64)
		switch {
		case err != nil || n < 0:
			return nil, &Failure{Incomplete, "X-Amz-Expires must be non-negative"}
		case time.Duration(n)*time.Second > MaxExpires:
			return nil, &Failure{Incomplete, fmt.Sprintf("X-Amz-Expires must be less than a week (in seconds) that is %d", int64(MaxExpires/time.Second))}
		}
		a.expires = time.Duration(n) * time.Second
	}
	return a, nil
}

func (v *Verifier) checkScope(a *authorization) *Failure {
	switch {
	case a.day != a.amzDate[:min(8, len(a.amzDate))]:
		return &Failure{Skewed, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.day, a.amzDate[:min(8, len(a.amzDate))], a.amzDate)}
	case a.region != v.Region:
		return &Failure{Skewed, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", a.region)}
	case a.service != v.Service:
		return &Failure{Skewed, fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", v.Service)}
	case a.terminator != "aws4_request":
		return &Failure{Skewed, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", a.terminator)}
	}
	return nil
}

// checkDate refuses a request dated more than past before now, or more than MaxSkew after,
// with AWS's messages.
func checkDate(amzDate string, past time.Duration, now time.Time) *Failure {
	t, err := time.Parse(timeFormat, amzDate)
	if err != nil {
		return &Failure{Incomplete, fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", amzDate)}
	}
	now = now.UTC().Truncate(time.Second)
	switch {
	case t.Before(now.Add(-past)):
		return &Failure{Skewed, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			amzDate, now.Add(-past).Format(timeFormat), now.Format(timeFormat), window(past))}
	case t.After(now.Add(MaxSkew)):
		return &Failure{Skewed, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			amzDate, now.Add(MaxSkew).Format(timeFormat), now.Format(timeFormat))}
	}
	return nil
}

// window is a time window as AWS's skew messages write it: "5 min.", or "90 sec." when it is
// no whole number of minutes.
func window(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", d/time.Minute)
	}
	return fmt.Sprintf("%d sec.", d/time.Second)
}
