package s3

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
)

// Options configure a Service.
type Options struct {
	Identity awsproto.Identity
	Clock    clock.Clock
}

// Service is the in-memory S3. It is safe for concurrent use.
type Service struct {
	id    awsproto.Identity
	clock clock.Clock

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	created time.Time
	objects map[string]object
}

type object struct {
	body        []byte
	contentType string
	etag        string
	modified    time.Time
}

// New returns an empty S3.
func New(opts Options) *Service {
	return &Service{id: opts.Identity.OrDefault(), clock: clock.OrReal(opts.Clock), buckets: map[string]*bucket{}}
}

// MaxObjectBytes is the largest object a single PutObject uploads (5 GiB), from "Uploading
// objects" in the S3 user guide.
const MaxObjectBytes = 5 << 30

// Errors with the codes, statuses and messages S3 answers (the S3 API reference, "Error
// responses", List of error codes).
var (
	errNoSuchBucket = &awsproto.Error{Code: "NoSuchBucket", Status: http.StatusNotFound, Message: "The specified bucket does not exist"}
	errNoSuchKey    = &awsproto.Error{Code: "NoSuchKey", Status: http.StatusNotFound, Message: "The specified key does not exist."}
	errBucketExists = &awsproto.Error{Code: "BucketAlreadyOwnedByYou", Status: http.StatusConflict, Message: "Your previous request to create the named bucket succeeded and you already own it."}
	errNotEmpty     = &awsproto.Error{Code: "BucketNotEmpty", Status: http.StatusConflict, Message: "The bucket you tried to delete is not empty"}
	errTooLarge     = &awsproto.Error{Code: "EntityTooLarge", Status: http.StatusBadRequest, Message: "Your proposed upload exceeds the maximum allowed size"}
	errBadName      = &awsproto.Error{Code: "InvalidBucketName", Status: http.StatusBadRequest, Message: "The specified bucket is not valid."}
)

// CreateBucket creates an empty bucket.
func (s *Service) CreateBucket(name string) error {
	if !validBucketName(name) {
		return errBadName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; ok {
		return errBucketExists
	}
	s.buckets[name] = &bucket{created: s.clock.Now(), objects: map[string]object{}}
	return nil
}

// validBucketName follows the general purpose bucket naming rules: 3 to 63 lower-case
// letters, digits, dots and hyphens, beginning and ending with a letter or digit.
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i, c := range n {
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && ((c != '.' && c != '-') || i == 0 || i == len(n)-1) {
			return false
		}
	}
	return true
}

// PutObject stores an object, replacing one of the same key, and returns its ETag.
func (s *Service) PutObject(bucketName, key string, body []byte, contentType string) (string, error) {
	if len(body) > MaxObjectBytes {
		return "", errTooLarge
	}
	sum := md5.Sum(body)
	o := object{body: append([]byte(nil), body...), contentType: contentType, etag: `"` + hex.EncodeToString(sum[:]) + `"`, modified: s.clock.Now()}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return "", errNoSuchBucket
	}
	b.objects[key] = o
	return o.etag, nil
}

// GetObject returns an object.
func (s *Service) GetObject(bucketName, key string) (body []byte, contentType, etag string, err error) {
	o, err := s.object(bucketName, key)
	return o.body, o.contentType, o.etag, err
}

func (s *Service) object(bucketName, key string) (object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return object{}, errNoSuchBucket
	}
	o, ok := b.objects[key]
	if !ok {
		return object{}, errNoSuchKey
	}
	return o, nil
}

// DeleteObject removes an object; deleting a key that is not there succeeds, as in S3.
func (s *Service) DeleteObject(bucketName, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return errNoSuchBucket
	}
	delete(b.objects, key)
	return nil
}

// DeleteBucket removes an empty bucket.
func (s *Service) DeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	switch {
	case !ok:
		return errNoSuchBucket
	case len(b.objects) > 0:
		return errNotEmpty
	}
	delete(s.buckets, name)
	return nil
}

// ServeHTTP serves the REST protocol, path-style.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucketName, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	reqID := awsproto.NewRequestID()
	w.Header().Set("x-amz-request-id", reqID)
	fail := func(err error) { writeError(w, r, reqID, bucketName, key, err) }
	if bucketName == "" {
		fail(&awsproto.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: "ListBuckets is not emulated by firstclass local"})
		return
	}
	if len(r.URL.Query()) > 0 && !onlyPlainQuery(r) {
		fail(&awsproto.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: "A header or query you provided implies functionality that is not implemented (firstclass local serves whole objects only)"})
		return
	}
	switch {
	case key == "" && r.Method == http.MethodPut:
		if err := s.CreateBucket(bucketName); err != nil {
			fail(err)
			return
		}
		w.Header().Set("Location", "/"+bucketName)
		w.WriteHeader(http.StatusOK)
	case key == "" && r.Method == http.MethodHead:
		s.mu.Lock()
		_, ok := s.buckets[bucketName]
		s.mu.Unlock()
		if !ok {
			fail(errNoSuchBucket)
			return
		}
		w.WriteHeader(http.StatusOK)
	case key == "" && r.Method == http.MethodDelete:
		if err := s.DeleteBucket(bucketName); err != nil {
			fail(err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case key == "":
		fail(&awsproto.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: r.Method + " on a bucket is not emulated by firstclass local"})
	case r.Method == http.MethodPut:
		s.servePut(w, r, bucketName, key, fail)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		o, err := s.object(bucketName, key)
		if err != nil {
			fail(err)
			return
		}
		h := w.Header()
		h.Set("ETag", o.etag)
		h.Set("Last-Modified", o.modified.UTC().Format(http.TimeFormat))
		h.Set("Content-Length", strconv.Itoa(len(o.body)))
		if o.contentType != "" {
			h.Set("Content-Type", o.contentType)
		}
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			w.Write(o.body)
		}
	case r.Method == http.MethodDelete:
		if err := s.DeleteObject(bucketName, key); err != nil {
			fail(err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(&awsproto.Error{Code: "MethodNotAllowed", Status: http.StatusMethodNotAllowed, Message: "The specified method is not allowed against this resource."})
	}
}

// onlyPlainQuery: the SDK adds x-id=PutObject and the like to plain object operations.
func onlyPlainQuery(r *http.Request) bool {
	for k := range r.URL.Query() {
		if k != "x-id" {
			return false
		}
	}
	return true
}

func (s *Service) servePut(w http.ResponseWriter, r *http.Request, bucketName, key string, fail func(error)) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxObjectBytes+1))
	if err != nil {
		fail(&awsproto.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."})
		return
	}
	if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") || strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		if body, err = decodeChunked(body); err != nil {
			fail(&awsproto.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body is not valid aws-chunked encoding: " + err.Error()})
			return
		}
	}
	etag, err := s.PutObject(bucketName, key, body, r.Header.Get("Content-Type"))
	if err != nil {
		fail(err)
		return
	}
	w.Header().Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
}

// decodeChunked decodes the aws-chunked body SDKs send with a trailing checksum: chunks of
// "SIZE-IN-HEX[;chunk-signature=…]\r\nDATA\r\n", ending with a zero-size chunk and trailers.
func decodeChunked(b []byte) ([]byte, error) {
	var out bytes.Buffer
	rd := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("chunk header: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("chunk size %q", sizeHex)
		}
		if n == 0 {
			return out.Bytes(), nil
		}
		if _, err := io.CopyN(&out, rd, n); err != nil {
			return nil, fmt.Errorf("chunk of %d bytes: %w", n, err)
		}
		if crlf, err := rd.ReadString('\n'); err != nil || strings.TrimSpace(crlf) != "" {
			return nil, fmt.Errorf("chunk of %d bytes not followed by CRLF", n)
		}
	}
}

type errorXML struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource,omitempty"`
	BucketN   string   `xml:"BucketName,omitempty"`
	Key       string   `xml:"Key,omitempty"`
	RequestID string   `xml:"RequestId"`
}

// writeError writes S3's XML error document (a HEAD answers the status only, as S3 does).
func writeError(w http.ResponseWriter, r *http.Request, reqID, bucketName, key string, err error) {
	e := awsproto.AsError(err)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.HTTPStatus())
		return
	}
	doc := errorXML{Code: e.Code, Message: e.Message, RequestID: reqID}
	switch e.Code {
	case "NoSuchBucket", "InvalidBucketName", "BucketNotEmpty", "BucketAlreadyOwnedByYou":
		doc.BucketN = bucketName
	case "NoSuchKey":
		doc.Key = key
	}
	b, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.HTTPStatus())
	io.WriteString(w, xml.Header)
	w.Write(b)
}
