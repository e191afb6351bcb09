// Package sigv4 signs and verifies AWS Signature Version 4 requests with the standard library
// only: internal/bench signs every request to an IAM-authorized route with it, and
// internal/localapi verifies those requests as API Gateway does, with API Gateway's messages.
//
// It implements the header form (Authorization: AWS4-HMAC-SHA256 …, Signer.Sign) and the
// presigned query form (X-Amz-Algorithm=AWS4-HMAC-SHA256&…, Signer.Presign, with
// X-Amz-Expires) for services other than S3, and verifies both: the canonical URI is
// the escaped path escaped once more, as every AWS SDK signs it for execute-api.
// Reference: AWS, "Create a signed AWS API request" and "Elements of an AWS API request
// signature" (IAM User Guide, reference_sigv-create-signed-request.html), checked 2026-12-02;
// the tests check every signature against the AWS SDK for Go v2's own signer.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Algorithm is the one signing algorithm of SigV4.
const Algorithm = "AWS4-HMAC-SHA256"

// timeFormat is X-Amz-Date's ISO 8601 basic format.
const timeFormat = "20060102T150405Z"

// Credentials are an access key pair, with the session token of temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Signer signs requests for one service in one region. Its zero value is not useful: name
// both. A Signer caches the derived signing key of the day, so reuse one per credential; it
// is safe for concurrent use.
type Signer struct {
	Region, Service string
	Credentials     Credentials

	mu     sync.Mutex
	keyDay string
	key    []byte
}

// Sign signs req, whose body is body, at t: it sets X-Amz-Date, X-Amz-Security-Token for
// temporary credentials, and Authorization over the host, the X-Amz-* headers and any
// Content-Type.
func (s *Signer) Sign(req *http.Request, body []byte, t time.Time) {
	t = t.UTC()
	amzDate := t.Format(timeFormat)
	req.Header.Set("X-Amz-Date", amzDate)
	if s.Credentials.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", s.Credentials.SessionToken)
	}
	signed := signedHeaderNames(req.Header)
	scope := amzDate[:8] + "/" + s.Region + "/" + s.Service + "/aws4_request"
	canonical := canonicalRequest(req, signed, payloadHash(req, body), false)
	sig := signature(s.signingKey(amzDate[:8]), stringToSign(amzDate, scope, canonical))
	req.Header.Set("Authorization", Algorithm+" Credential="+s.Credentials.AccessKeyID+"/"+scope+
		", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

// MaxExpires is the longest X-Amz-Expires a presigned request may carry: a week, SigV4's
// limit (AWS, "Authenticating Requests: Using Query Parameters", the S3 API reference; the
// AWS SDKs refuse to presign for longer).
const MaxExpires = 7 * 24 * time.Hour

// Presign signs req, whose body is body, at t in its query string instead of its headers,
// valid for expires (whole seconds, at most MaxExpires): it adds X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Security-Token for temporary credentials, and X-Amz-Signature. Only the host is
// signed among the headers, so that the URL works from any client; the body is, through its
// hash. It signs as the AWS SDKs' PresignHTTP does for execute-api.
func (s *Signer) Presign(req *http.Request, body []byte, t time.Time, expires time.Duration) {
	t = t.UTC()
	amzDate := t.Format(timeFormat)
	scope := amzDate[:8] + "/" + s.Region + "/" + s.Service + "/aws4_request"
	q := req.URL.Query()
	q.Set("X-Amz-Algorithm", Algorithm)
	q.Set("X-Amz-Credential", s.Credentials.AccessKeyID+"/"+scope)
	q.Set("X-Amz-Date", amzDate)
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	q.Set("X-Amz-SignedHeaders", "host")
	if s.Credentials.SessionToken != "" {
		q.Set("X-Amz-Security-Token", s.Credentials.SessionToken)
	}
	q.Del("X-Amz-Signature")
	req.URL.RawQuery = q.Encode()
	canonical := canonicalRequest(req, []string{"host"}, payloadHash(req, body), true)
	sig := signature(s.signingKey(amzDate[:8]), stringToSign(amzDate, scope, canonical))
	req.URL.RawQuery += "&X-Amz-Signature=" + sig
}

func (s *Signer) signingKey(day string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keyDay != day {
		s.key, s.keyDay = deriveKey(s.Credentials.SecretAccessKey, day, s.Region, s.Service), day
	}
	return s.key
}

// signedHeaderNames are the headers Sign signs: host, content-type and every x-amz-* one,
// lower-case and sorted.
func signedHeaderNames(h http.Header) []string {
	names := []string{"host"}
	for k := range h {
		lk := strings.ToLower(k)
		if lk == "content-type" || strings.HasPrefix(lk, "x-amz-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	return names
}

func deriveKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func signature(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func stringToSign(amzDate, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// payloadHash is X-Amz-Content-Sha256 when the request carries one, else the body's SHA-256.
func payloadHash(req *http.Request, body []byte) string {
	if h := req.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return h
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// canonicalRequest is the request in SigV4's canonical form, over the signed headers named;
// presigned leaves X-Amz-Signature out of the query.
func canonicalRequest(req *http.Request, signed []string, payload string, presigned bool) string {
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte('\n')
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(escape(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(req, presigned))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(req, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String()
}

// headerValue is a header's canonical value: its values trimmed, inner runs of spaces made
// one, joined by commas. Go keeps Host and Content-Length out of the header map.
func headerValue(req *http.Request, name string) string {
	switch name {
	case "host":
		if req.Host != "" {
			return req.Host
		}
		return req.URL.Host
	case "content-length":
		if req.Header.Get("Content-Length") == "" && req.ContentLength >= 0 {
			return strconv.FormatInt(req.ContentLength, 10)
		}
	}
	vals := req.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalQuery(req *http.Request, presigned bool) string {
	q := req.URL.Query()
	if len(q) == 0 {
		return ""
	}
	type pair struct{ k, v string }
	pairs := make([]pair, 0, len(q))
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ek := escape(k, true)
		for _, v := range vs {
			pairs = append(pairs, pair{ek, escape(v, true)})
		}
	}
	// Sorted by name, then value, both encoded.
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// escape is SigV4's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case),
// and "/" too unless it is a path.
func escape(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
