package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
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

func FuzzVerifyNeverPanics(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20261202T053000Z")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=, Signature=", "x")
	f.Fuzz(func(t *testing.T, header, date string) {
		req := newRequest(t, "GET", "http://h/dev/x", "")
		req.Header.Set("Authorization", header)
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
