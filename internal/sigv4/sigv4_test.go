package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var (
	testCreds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	testTime  = time.Date(2026, 12, 2, 5, 30, 0, 0, time.UTC)
)

func newRequest(t testing.TB, method, url, body string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return req
}

func verifier() *Verifier {
	return &Verifier{Region: "us-east-1", Service: "execute-api", Secret: func(id string) (string, bool) {
		if id == testCreds.AccessKeyID {
			return testCreds.SecretAccessKey, true
		}
		return "", false
	}}
}

// requests are what the signers must agree on: paths that need escaping, repeated and
// unsorted query parameters, headers with inner spaces, empty and non-empty bodies.
var requests = []struct {
	name, method, url, body string
	header                  []string
}{
	{"a POST with a JSON body", "POST", "http://127.0.0.1:4010/dev/queue", `{"orderId":"o-1"}`, []string{"Content-Type", "application/json", "X-Delay-Seconds", "0"}},
	{"a GET with a query", "GET", "http://127.0.0.1:4011/dev/greeting?greeter=Ada%20Lovelace&b=2&a=1&a=0", "", nil},
	{"a path with escaped characters", "POST", "http://127.0.0.1:4010/dev/events/my%20source/Order%2FPlaced", "{}", []string{"Content-Type", "application/json"}},
	{"x-amz headers with runs of spaces", "POST", "http://localhost:4010/prod/workflow", "{}", []string{"X-Amz-Meta-Note", "  two   spaces  "}},
	{"a query name that prefixes another", "GET", "http://h/dev/greeting?a-b=1&a=2", "", nil},
}

func TestSignMatchesTheAWSSDKSigner(t *testing.T) {
	sdk := v4.NewSigner()
	for _, c := range requests {
		t.Run(c.name, func(t *testing.T) {
			ours := newRequest(t, c.method, c.url, c.body, c.header...)
			s := &Signer{Region: "us-east-1", Service: "execute-api", Credentials: testCreds}
			s.Sign(ours, []byte(c.body), testTime)

			theirs := newRequest(t, c.method, c.url, c.body, c.header...)
			sum := sha256.Sum256([]byte(c.body))
			err := sdk.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey},
				theirs, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", testTime)
			if err != nil {
				t.Fatal(err)
			}
			// The SDK may sign a different set of headers; what matters is that each
			// verifies, and that over the same headers the signatures are equal.
			if _, f := verifier().Verify(theirs, []byte(c.body), testTime); f != nil {
				t.Fatalf("the SDK's signature does not verify: %v", f)
			}
			if _, f := verifier().Verify(ours, []byte(c.body), testTime); f != nil {
				t.Fatalf("our signature does not verify: %v", f)
			}
			if sh := signedHeadersOf(theirs); sh == signedHeadersOf(ours) && theirs.Header.Get("Authorization") != ours.Header.Get("Authorization") {
				t.Errorf("over the same headers the signatures differ:\n ours   %s\n theirs %s", ours.Header.Get("Authorization"), theirs.Header.Get("Authorization"))
			}
		})
	}
}

func signedHeadersOf(req *http.Request) string {
	_, rest, _ := strings.Cut(req.Header.Get("Authorization"), "SignedHeaders=")
	sh, _, _ := strings.Cut(rest, ",")
	return sh
}

func TestVerifyRefusesWithAWSsMessages(t *testing.T) {
	signed := func(mutate func(*http.Request, *Signer), at time.Time) *http.Request {
		req := newRequest(t, "POST", "http://127.0.0.1:4010/dev/queue", `{"a":1}`, "Content-Type", "application/json")
		s := &Signer{Region: "us-east-1", Service: "execute-api", Credentials: testCreds}
		if mutate != nil {
			mutate(req, s)
		}
		s.Sign(req, []byte(`{"a":1}`), at)
		return req
	}
	cases := []struct {
		name    string
		req     *http.Request
		body    string
		kind    FailureKind
		message string // the start of it
	}{
		{"no Authorization header", newRequest(t, "POST", "http://h/dev/queue", ""), "", Missing, "Missing Authentication Token"},
		{"a bearer token", newRequest(t, "POST", "http://h/dev/queue", "", "Authorization", "Bearer abc"), "", Incomplete,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc"},
		{"a part with no equal sign", newRequest(t, "POST", "http://h/dev/queue", "", "Authorization", "AWS4-HMAC-SHA256 Credential"), "", Incomplete,
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential'."},
		{"an unknown access key", signed(func(_ *http.Request, s *Signer) { s.Credentials.AccessKeyID = "AKIDOTHER" }, testTime), `{"a":1}`, UnknownKey,
			"The security token included in the request is invalid."},
		{"a wrong secret", signed(func(_ *http.Request, s *Signer) { s.Credentials.SecretAccessKey = "wrong" }, testTime), `{"a":1}`, Mismatch,
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n/dev/queue\n"},
		{"a tampered body", signed(nil, testTime), `{"a":2}`, Mismatch, "The request signature we calculated does not match"},
		{"another region", signed(func(_ *http.Request, s *Signer) { s.Region = "eu-west-1" }, testTime), `{"a":1}`, Skewed,
			"Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{"another service", signed(func(_ *http.Request, s *Signer) { s.Service = "sqs" }, testTime), `{"a":1}`, Skewed,
			"Credential should be scoped to correct service: 'execute-api'. "},
		{"replayed six minutes later", signed(nil, testTime.Add(-6*time.Minute)), `{"a":1}`, Skewed,
			"Signature expired: 20261202T052400Z is now earlier than 20261202T052500Z (20261202T053000Z - 5 min.)"},
		{"signed six minutes ahead", signed(nil, testTime.Add(6*time.Minute)), `{"a":1}`, Skewed,
			"Signature not yet current: 20261202T053600Z is still later than 20261202T053500Z (20261202T053000Z + 5 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, f := verifier().Verify(c.req, []byte(c.body), testTime)
			if f == nil {
				t.Fatalf("verified as %+v", id)
			}
			if f.Kind != c.kind || !strings.HasPrefix(f.Message, c.message) {
				t.Errorf("got kind %d %q\nwant kind %d %q…", f.Kind, f.Message, c.kind, c.message)
			}
		})
	}
}

func TestVerifyAcceptsWithinTheSkew(t *testing.T) {
	for _, d := range []time.Duration{-MaxSkew, -time.Minute, 0, time.Minute, MaxSkew} {
		req := newRequest(t, "GET", "http://h/dev/greeting?greeter=Ada", "")
		s := &Signer{Region: "us-east-1", Service: "execute-api", Credentials: testCreds}
		s.Sign(req, nil, testTime.Add(d))
		if id, f := verifier().Verify(req, nil, testTime); f != nil || id.AccessKeyID != testCreds.AccessKeyID {
			t.Errorf("signed %v from the clock: %v", d, f)
		}
	}
}

// presigned is a GET presigned by s at at for expires, with mutate applied to its query
// afterwards when set.
func presigned(t *testing.T, s *Signer, at time.Time, expires time.Duration, mutate func(q url.Values)) *http.Request {
	t.Helper()
	req := newRequest(t, "GET", "http://127.0.0.1:4011/dev/greeting?greeter=Ada", "")
	s.Presign(req, nil, at, expires)
	if mutate != nil {
		q := req.URL.Query()
		mutate(q)
		req.URL.RawQuery = q.Encode()
	}
	return req
}

// The AWS SDK's presigned requests verify, and over the same signed headers (a request with
// none of its own) its signature is ours.
func TestPresignMatchesTheAWSSDKPresigner(t *testing.T) {
	sdk := v4.NewSigner()
	compared := 0
	for _, c := range requests {
		t.Run(c.name, func(t *testing.T) {
			ours := newRequest(t, c.method, c.url, c.body, c.header...)
			s := &Signer{Region: "us-east-1", Service: "execute-api", Credentials: testCreds}
			s.Presign(ours, []byte(c.body), testTime, 15*time.Minute)

			theirs := newRequest(t, c.method, c.url, c.body, c.header...)
			q := theirs.URL.Query()
			q.Set("X-Amz-Expires", "900")
			theirs.URL.RawQuery = q.Encode()
			sum := sha256.Sum256([]byte(c.body))
			u, hdr, err := sdk.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey},
				theirs, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", testTime)
			if err != nil {
				t.Fatal(err)
			}
			// The request as a client sends the SDK's presigned URL: the URL and the headers
			// the SDK signed.
			sent := newRequest(t, c.method, u, c.body)
			for k, vs := range hdr {
				if k != "Host" {
					sent.Header[k] = vs
				}
			}
			later := testTime.Add(10 * time.Minute) // past the 5-minute skew, within the 15 minutes
			if _, f := verifier().Verify(sent, []byte(c.body), later); f != nil {
				t.Fatalf("the SDK's presigned request does not verify: %v\n%s", f, u)
			}
			if _, f := verifier().Verify(ours, []byte(c.body), later); f != nil {
				t.Fatalf("our presigned request does not verify: %v\n%s", f, ours.URL)
			}
			if sent.URL.Query().Get("X-Amz-SignedHeaders") == "host" {
				compared++
				if sent.URL.Query().Get("X-Amz-Signature") != ours.URL.Query().Get("X-Amz-Signature") {
					t.Errorf("over the host alone the signatures differ:\n ours   %s\n theirs %s", ours.URL, u)
				}
			}
		})
	}
	if compared < 2 {
		t.Errorf("compared %d signatures with the SDK's; the GET requests sign the host alone", compared)
	}
}

func TestVerifyPresignedRequests(t *testing.T) {
	s := &Signer{Region: "us-east-1", Service: "execute-api", Credentials: testCreds}
	both := presigned(t, s, testTime, time.Hour, nil)
	both.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	cases := []struct {
		name    string
		req     *http.Request
		kind    FailureKind
		message string // the start of it; "" verifies
	}{
		{"used within its expiry, past the skew", presigned(t, s, testTime.Add(-50*time.Minute), time.Hour, nil), 0, ""},
		{"used at the last second of its expiry", presigned(t, s, testTime.Add(-15*time.Minute), 15*time.Minute, nil), 0, ""},
		{"its expiry removed after signing", presigned(t, s, testTime.Add(-4*time.Minute), time.Hour, func(q url.Values) { q.Del("X-Amz-Expires") }), Mismatch,
			"The request signature we calculated does not match"},
		{"expired", presigned(t, s, testTime.Add(-16*time.Minute), 15*time.Minute, nil), Skewed,
			"Signature expired: 20261202T051400Z is now earlier than 20261202T051500Z (20261202T053000Z - 15 min.)"},
		{"expired after 90 s", presigned(t, s, testTime.Add(-91*time.Second), 90*time.Second, nil), Skewed,
			"Signature expired: 20261202T052829Z is now earlier than 20261202T052830Z (20261202T053000Z - 90 sec.)"},
		{"dated beyond the skew ahead", presigned(t, s, testTime.Add(6*time.Minute), time.Hour, nil), Skewed,
			"Signature not yet current: 20261202T053600Z is still later than 20261202T053500Z (20261202T053000Z + 5 min.)"},
		{"a tampered query parameter", presigned(t, s, testTime, time.Hour, func(q url.Values) { q.Set("greeter", "Eve") }), Mismatch,
			"The request signature we calculated does not match the signature you provided."},
		{"an expiry extended after signing", presigned(t, s, testTime.Add(-2*time.Hour), time.Hour, func(q url.Values) { q.Set("X-Amz-Expires", "86400") }), Mismatch,
			"The request signature we calculated does not match"},
		{"a tampered signature", presigned(t, s, testTime, time.Hour, func(q url.Values) { q.Set("X-Amz-Signature", strings.Repeat("0", 64)) }), Mismatch,
			"The request signature we calculated does not match"},
		{"an unknown access key", presigned(t, &Signer{Region: "us-east-1", Service: "execute-api", Credentials: Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "x"}}, testTime, time.Hour, nil),
			UnknownKey, "The security token included in the request is invalid."},
		{"another region", presigned(t, &Signer{Region: "eu-west-1", Service: "execute-api", Credentials: testCreds}, testTime, time.Hour, nil), Skewed,
			"Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{"missing parameters", presigned(t, s, testTime, time.Hour, func(q url.Values) { q.Del("X-Amz-Credential"); q.Del("X-Amz-Date") }), Incomplete,
			"AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"another algorithm", presigned(t, s, testTime, time.Hour, func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA1") }), Incomplete,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). "},
		{"an expiry over a week", presigned(t, s, testTime, 8*24*time.Hour, nil), Incomplete, "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"a negative expiry", presigned(t, s, testTime, time.Hour, func(q url.Values) { q.Set("X-Amz-Expires", "-1") }), Incomplete, "X-Amz-Expires must be non-negative"},
		{"an Authorization header too", both, Ambiguous, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, f := verifier().Verify(c.req, nil, testTime)
			if c.message == "" {
				if f != nil || id.AccessKeyID != testCreds.AccessKeyID {
					t.Fatalf("refused: %v", f)
				}
				return
			}
			if f == nil {
				t.Fatalf("verified as %+v", id)
			}
			if f.Kind != c.kind || !strings.HasPrefix(f.Message, c.message) {
				t.Errorf("got kind %d %q\nwant kind %d %q…", f.Kind, f.Message, c.kind, c.message)
			}
		})
	}
}

// A presigned request without X-Amz-Expires (which the SDK leaves to the caller) is bound by
// the clock skew, as a signed header is.
func TestPresignedWithoutExpiryIsBoundByTheSkew(t *testing.T) {
	req := newRequest(t, "GET", "http://127.0.0.1:4011/dev/greeting?greeter=Ada", "")
	sum := sha256.Sum256(nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", testTime)
	if err != nil {
		t.Fatal(err)
	}
	if _, f := verifier().Verify(newRequest(t, "GET", u, ""), nil, testTime.Add(4*time.Minute)); f != nil {
		t.Errorf("4 minutes later: %v", f)
	}
	_, f := verifier().Verify(newRequest(t, "GET", u, ""), nil, testTime.Add(6*time.Minute))
	if f == nil || f.Kind != Skewed || !strings.HasPrefix(f.Message, "Signature expired: 20261202T053000Z is now earlier than 20261202T053100Z (20261202T053600Z - 5 min.)") {
		t.Errorf("6 minutes later: %v", f)
	}
}

func FuzzVerifyNeverPanics(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20261202T053000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=, Signature=", "x", "")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261202%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20261202T053000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Date=2&X-Amz-Expires=x&X-Amz-SignedHeaders=&X-Amz-Signature=0")
	f.Fuzz(func(t *testing.T, header, date, query string) {
		req := newRequest(t, "GET", "http://h/dev/x", "")
		req.URL.RawQuery = query
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		req.Header.Set("X-Amz-Date", date)
		verifier().Verify(req, nil, testTime)
	})
}

// BenchmarkSign compares this package's signer with the AWS SDK's on the bench's request.
func BenchmarkSign(b *testing.B) {
	body := []byte(`{"orderId":"o-1","items":[1,2,3]}`)
	b.Run("sigv4", func(b *testing.B) {
		s := &Signer{Region: "us-east-1", Service: "execute-api", Credentials: testCreds}
		b.ReportAllocs()
		for b.Loop() {
			req := newRequest(b, "POST", "http://127.0.0.1:4010/prod/queue", "", "Content-Type", "application/json")
			s.Sign(req, body, testTime)
		}
	})
	b.Run("aws-sdk-go-v2", func(b *testing.B) {
		sdk := v4.NewSigner()
		creds := aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey}
		b.ReportAllocs()
		for b.Loop() {
			req := newRequest(b, "POST", "http://127.0.0.1:4010/prod/queue", "", "Content-Type", "application/json")
			sum := sha256.Sum256(body)
			sdk.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", testTime)
		}
	})
}
