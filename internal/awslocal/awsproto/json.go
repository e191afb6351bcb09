package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// MaxRequestBody bounds what a handler reads from one request. It is above
// what API Gateway passes on (a 10 MB payload, which form or JSON encoding of
// a parameter can grow up to threefold), so a request that API Gateway lets
// through gets the service's own answer (SQS's "Message must be shorter
// than ..." for an oversized message), not a cut-off read.
const MaxRequestBody = 32 << 20

// JSONOperation is one action of an awsJson service S: it decodes the
// request body, runs the action on svc and returns the response value,
// which ServeJSON encodes.
type JSONOperation[S any] func(svc S, ctx context.Context, body []byte) (any, error)

// JSONOp is the JSONOperation that decodes the body into a fresh In (a
// malformed body is a SerializationException) and runs run on it.
func JSONOp[S, In any](run func(svc S, ctx context.Context, in In) (any, error)) JSONOperation[S] {
	return func(svc S, ctx context.Context, body []byte) (any, error) {
		var in In
		if err := DecodeJSON(body, &in); err != nil {
			return nil, err
		}
		return run(svc, ctx, in)
	}
}

// ServeJSON answers one awsJson request (version "1.0" or "1.1") with the
// operation ops[action], or with the error unknown returns when there is
// none.
func ServeJSON[S any](w http.ResponseWriter, ctx context.Context, version string, svc S, ops map[string]JSONOperation[S],
	action string, body []byte, unknown func(action string) *Error) {
	rid := NewRequestID()
	op, ok := ops[action]
	if !ok {
		WriteJSONError(w, version, rid, unknown(action))
		return
	}
	out, err := op(svc, ctx, body)
	if err != nil {
		WriteJSONError(w, version, rid, AsError(err))
		return
	}
	WriteJSON(w, version, rid, out)
}

// WriteJSONError writes an error in the awsJson shape:
// {"__type": "...", "message": "..."} and, for SQS, x-amzn-query-error.
func WriteJSONError(w http.ResponseWriter, version, requestID string, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+version)
	h.Set("X-Amzn-Requestid", requestID)
	if e.QueryCode != "" {
		h.Set("X-Amzn-Query-Error", e.QueryCode+";"+e.fault())
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.JSONType(), e.Message})
	w.WriteHeader(e.HTTPStatus())
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

// getBuffer returns an empty buffer from a pool; putBuffer gives it back.
func getBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putBuffer returns a buffer to the pool unless it grew large.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bufPool.Put(b)
	}
}

// WriteJSON writes v as an awsJson response body.
func WriteJSON(w http.ResponseWriter, version, requestID string, v any) {
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		WriteJSONError(w, version, requestID, AsError(err))
		return
	}
	b := buf.Bytes()
	b = b[:len(b)-1] // Encode's newline
	h := w.Header()
	h["Content-Type"] = jsonContentType(version)
	h["X-Amzn-Requestid"] = []string{requestID}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// DecodeJSON decodes an awsJson request body; a malformed body is the
// SerializationException AWS answers with.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Code: "SerializationException", Type: "com.amazon.coral.service#SerializationException",
			Message: "failed to decode request body: " + err.Error()}
	}
	return nil
}

// readBody reads r's body into buf, up to MaxRequestBody.
func readBody(r *http.Request, buf *bytes.Buffer) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	if r.ContentLength > MaxRequestBody {
		return nil, ErrRequestTooLarge
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return nil, err
	}
	if n > MaxRequestBody {
		return nil, ErrRequestTooLarge
	}
	return buf.Bytes(), nil
}

// WithBody reads r's body into a pooled buffer and calls serve with it;
// serve must not keep body, which is reused once it returns. A body over
// MaxRequestBody (or one that cannot be read) is answered, in the awsJson
// shape, with ErrRequestTooLarge.
func WithBody(w http.ResponseWriter, r *http.Request, serve func(body []byte)) {
	buf := getBuffer()
	defer putBuffer(buf)
	body, err := readBody(r, buf)
	if err != nil {
		WriteJSONError(w, "1.0", NewRequestID(), ErrRequestTooLarge)
		return
	}
	serve(body)
}
