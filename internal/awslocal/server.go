package awslocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Default identity of the emulated account, the values LocalStack and most
// local tooling use, so ARNs built elsewhere for "the local account" match.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)

// maxRequestBody bounds what the handler reads from one request: SQS batches
// are at most 1 MiB of payload, URL/JSON encoding can grow that severalfold.
const maxRequestBody = 8 << 20

// Options configures a Server. The zero value is an in-memory server for
// us-east-1 and account 000000000000 on the real clock.
type Options struct {
	// Region and Account appear in every ARN and queue URL.
	Region  string
	Account string
	// BaseURL is the endpoint clients reach this server at, e.g.
	// "http://127.0.0.1:4566"; queue URLs are BaseURL/ACCOUNT/NAME. It can be
	// set later with SetBaseURL (an httptest.Server knows its URL only once
	// started). Default "http://localhost".
	BaseURL string
	// Clock drives message visibility, Wait states and timestamps. Default:
	// the real clock. Tests use a ManualClock.
	Clock Clock
	// StateDir, when set, makes the server durable: a snapshot plus an
	// append-only log in that directory, fsynced before a mutating call
	// answers. Empty means in memory only.
	StateDir string
	// AcceptUnknownEventBus makes PutEvents accept entries for an event bus
	// that does not exist and drop them, as AWS does (aws/aws-cli#9186). By
	// default such an entry fails with ResourceNotFoundException so a
	// misconfigured route shows up locally instead of losing events.
	AcceptUnknownEventBus bool
}

// Server is an in-memory SQS, EventBridge and Step Functions speaking the AWS
// wire protocols. It is an http.Handler; its methods are the same operations
// for direct Go callers. All methods are safe for concurrent use.
type Server struct {
	region  string
	account string
	clock   Clock

	baseMu  sync.RWMutex
	baseURL string

	sqs    *sqsService
	events *eventsService
	sfn    *sfnService

	store *store // nil when in memory

	closeOnce sync.Once
	closing   chan struct{}
	bg        sync.WaitGroup
	// ctx is cancelled (with errServerClosing) when the server closes.
	ctx       context.Context
	cancelCtx context.CancelCauseFunc
}

// New returns a server. With Options.StateDir it first restores the state a
// previous server left there.
func New(opts Options) (*Server, error) {
	s := &Server{
		region:  opts.Region,
		account: opts.Account,
		clock:   opts.Clock,
		baseURL: strings.TrimRight(opts.BaseURL, "/"),
		closing: make(chan struct{}),
	}
	s.ctx, s.cancelCtx = context.WithCancelCause(context.Background())
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.account == "" {
		s.account = DefaultAccount
	}
	if s.clock == nil {
		s.clock = RealClock{}
	}
	if s.baseURL == "" {
		s.baseURL = "http://localhost"
	}
	s.sqs = newSQSService(s)
	s.events = newEventsService(s, opts.AcceptUnknownEventBus)
	s.sfn = newSFNService(s)
	if opts.StateDir != "" {
		st, err := openStore(opts.StateDir, s)
		if err != nil {
			return nil, err
		}
		s.store = st
		s.sfn.resumeRunning()
	}
	return s, nil
}

// SetBaseURL sets the endpoint used to build queue URLs.
func (s *Server) SetBaseURL(u string) {
	s.baseMu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.baseMu.Unlock()
}

// BaseURL returns the endpoint used to build queue URLs.
func (s *Server) BaseURL() string {
	s.baseMu.RLock()
	defer s.baseMu.RUnlock()
	return s.baseURL
}

// Region returns the emulated region.
func (s *Server) Region() string { return s.region }

// Account returns the emulated account ID.
func (s *Server) Account() string { return s.account }

// ListenAndServe serves the handler on addr (e.g. "127.0.0.1:4566"; port 0
// picks one), sets the base URL from the bound address and returns the
// running http.Server. Stop it with its Shutdown or Close, then Close s.
func (s *Server) ListenAndServe(addr string) (*http.Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("awslocal: listen %s: %w", addr, err)
	}
	s.SetBaseURL("http://" + l.Addr().String())
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	return hs, nil
}

// Close stops running executions and, when durable, writes a snapshot and
// truncates the log. The server must not be used afterwards.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		s.sfn.stopAll()
		s.bg.Wait()
		s.sqs.wakeAll()
		if s.store != nil {
			err = s.store.close(true)
		}
	})
	return err
}

// crash closes the durable store without a snapshot, as a killed process
// would leave it. Tests use it to check that the log alone restores state.
func (s *Server) crash() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		s.sfn.stopAll()
		s.bg.Wait()
		s.sqs.wakeAll()
		if s.store != nil {
			err = s.store.close(false)
		}
	})
	return err
}

func (s *Server) now() time.Time { return s.clock.Now() }

// ServeHTTP dispatches on the protocol: an X-Amz-Target header selects the
// JSON protocol of SQS, EventBridge or Step Functions; otherwise a form (body
// or query string) with an Action is the SQS query protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if target != "" {
		service, action, _ := strings.Cut(target, ".")
		buf := getBuf()
		defer putBuf(buf)
		body, err := readBody(r, buf)
		if err != nil {
			writeJSONError(w, "1.0", newRequestID(), errRequestTooLarge)
			return
		}
		// Handlers decode body into fresh values and do not keep it, so
		// the buffer goes back to the pool after the call.
		switch service {
		case "AmazonSQS":
			s.sqs.serveJSON(w, r, action, body)
		case "AWSEvents":
			s.events.serveJSON(w, r, action, body)
		case "AWSStepFunctions":
			s.sfn.serveJSON(w, r, action, body)
		default:
			writeJSONError(w, "1.0", newRequestID(), &Error{Code: "UnknownOperationException", Status: 400,
				Message: fmt.Sprintf("unknown service in X-Amz-Target %q", target)})
		}
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/health" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
		return
	}
	s.sqs.serveQuery(w, r)
}

func readBody(r *http.Request, buf *bytes.Buffer) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	if r.ContentLength > maxRequestBody {
		return nil, errRequestTooLarge
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, err
	}
	if n > maxRequestBody {
		return nil, errRequestTooLarge
	}
	return buf.Bytes(), nil
}

// Error is an AWS service error. Code is the error shape name the JSON
// protocols report in __type (and the SDK's typed error); QueryCode, when
// set, is the legacy code the SQS query protocol uses and the JSON protocol
// repeats in the x-amzn-query-error header.
type Error struct {
	Code      string
	Message   string
	Status    int
	QueryCode string
	// Type is the full __type when it differs from Code (SQS namespaces its
	// shapes, e.g. "com.amazonaws.sqs#QueueDoesNotExist").
	Type string
	// Receiver marks a server-side fault (query protocol <Type>Receiver</Type>).
	Receiver bool
}

func (e *Error) Error() string {
	code := e.Code
	if e.QueryCode != "" {
		code = e.QueryCode
	}
	return code + ": " + e.Message
}

func (e *Error) queryCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

func (e *Error) jsonType() string {
	if e.Type != "" {
		return e.Type
	}
	return e.Code
}

func (e *Error) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

var errRequestTooLarge = &Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
	Message: "request body too large"}

func asAWSError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: "RequestCanceled", Status: 499, Message: err.Error()}
	}
	return &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Message: err.Error(), Receiver: true}
}

// writeJSONError writes an error in the awsJson shape:
// {"__type": "...", "message": "..."} and, for SQS, x-amzn-query-error.
func writeJSONError(w http.ResponseWriter, version, requestID string, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+version)
	h.Set("X-Amzn-Requestid", requestID)
	if e.QueryCode != "" {
		fault := "Sender"
		if e.Receiver {
			fault = "Receiver"
		}
		h.Set("X-Amzn-Query-Error", e.QueryCode+";"+fault)
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.jsonType(), e.Message})
	w.WriteHeader(e.status())
	w.Write(body)
}

var (
	contentTypeJSON10 = []string{"application/x-amz-json-1.0"}
	contentTypeJSON11 = []string{"application/x-amz-json-1.1"}
)

// jsonContentType returns a shared header value; net/http never modifies
// header slices it is given.
func jsonContentType(version string) []string {
	if version == "1.1" {
		return contentTypeJSON11
	}
	return contentTypeJSON10
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bufPool.Put(b)
	}
}

// writeJSON writes v as an awsJson response body.
func writeJSON(w http.ResponseWriter, version, requestID string, v any) {
	buf := getBuf()
	defer putBuf(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeJSONError(w, version, requestID, asAWSError(err))
		return
	}
	b := buf.Bytes()
	b = b[:len(b)-1] // Encode's newline
	h := w.Header()
	h["Content-Type"] = jsonContentType(version)
	h["X-Amzn-Requestid"] = []string{requestID}
	h["Content-Length"] = []string{itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// decodeJSON decodes an awsJson request body; a malformed body is the
// SerializationException AWS answers with.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Code: "SerializationException", Type: "com.amazon.coral.service#SerializationException",
			Message: "failed to decode request body: " + err.Error()}
	}
	return nil
}
