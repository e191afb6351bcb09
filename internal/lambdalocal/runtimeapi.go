package lambdalocal

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Runtime API, version 2018-06-01, as "Using the Lambda runtime API for custom runtimes"
// documents it and the Runtime Interface Emulator answers it.
const (
	runtimeAPIPrefix = "/2018-06-01/runtime/"

	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody  = "Lambda-Runtime-Function-Error-Body"
)

// ServeHTTP is the instance's Runtime API endpoint. Paths are matched by hand rather than by
// a ServeMux: there are four of them, and this is on every invocation's path.
func (in *instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, runtimeAPIPrefix)
	switch {
	case !ok:
	case rest == "invocation/next":
		if r.Method == http.MethodGet {
			in.serveNext(w, r)
			return
		}
	case rest == "init/error":
		if r.Method == http.MethodPost {
			in.serveInitError(w, r)
			return
		}
	case strings.HasPrefix(rest, "invocation/"):
		id, action, _ := strings.Cut(rest[len("invocation/"):], "/")
		if r.Method == http.MethodPost && (action == "response" || action == "error") {
			in.serveAnswer(w, r, id, action == "error")
			return
		}
	}
	writeJSON(w, http.StatusNotFound, unknownEndpointResponse)
}

// serveNext blocks until the instance is handed an invocation, then sends it to the runtime.
// The first call ends the init phase.
func (in *instance) serveNext(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	cur := in.current
	pending := cur != nil && cur.delivered && !cur.completed
	in.mu.Unlock()
	if pending {
		// The runtime asks for the next event without answering this one.
		writeJSON(w, http.StatusForbidden, fmt.Appendf(nil, notAllowedFormat, "Invoking", "Ready"))
		return
	}
	if in.readySignaled.CompareAndSwap(false, true) {
		in.initDuration = time.Since(in.started)
		close(in.ready)
	}
	select {
	case inv := <-in.invokeCh:
		in.mu.Lock()
		inv.delivered = true
		in.mu.Unlock()
		// The header map is filled directly: the keys are already canonical, and Set
		// would canonicalize each one again.
		h := w.Header()
		h[headerRequestID] = []string{inv.id}
		h[headerDeadline] = []string{strconv.FormatInt(time.Now().Add(in.f.cfg.Timeout).UnixMilli(), 10)}
		h[headerFunctionARN] = []string{in.f.cfg.ARN}
		h[headerTraceID] = []string{inv.traceID}
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(inv.payload))}
		w.WriteHeader(http.StatusOK)
		w.Write(inv.payload)
	case <-in.dead:
	case <-r.Context().Done(): // with http.Server; serveConn's requests never end this way
	}
}

// serveAnswer takes the runtime's response (or error document) for invocation id.
func (in *instance) serveAnswer(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	in.mu.Lock()
	inv := in.current
	ok := inv != nil && inv.delivered && !inv.completed && inv.id == id
	in.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, invalidRequestIDBody)
		return
	}
	buf := in.f.bufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // don't keep a huge response's buffer around
			buf.Reset()
			in.f.bufs.Put(buf)
		}
	}()
	buf.Reset()
	n, err := buf.ReadFrom(io.LimitReader(r.Body, MaxResponseSize+1))
	if err != nil {
		// The request broke off: the runtime is likely dying, and its exit will be reported.
		writeJSON(w, http.StatusBadRequest, truncatedRequestBody)
		return
	}
	if n > MaxResponseSize {
		rest, _ := io.Copy(io.Discard, r.Body)
		in.complete(inv, responseTooLarge(n+rest), true, ErrorTypeResponseSizeTooBig)
		writeJSON(w, http.StatusRequestEntityTooLarge, requestEntityTooLarge)
		return
	}
	result := bytes.Clone(buf.Bytes())
	if result == nil {
		result = []byte{}
	}
	var errorType string
	if isError {
		errorType = r.Header.Get(headerErrorType)
	} else if t := r.Trailer.Get(headerErrorType); t != "" {
		// A response that failed while it was being sent: aws-lambda-go reports an error
		// from the response's Read this way, with the error document in a second trailer.
		isError, errorType = true, t
		if doc, err := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody)); err == nil && len(doc) > 0 {
			result = doc
		}
	}
	if !in.complete(inv, result, isError, errorType) {
		writeJSON(w, http.StatusBadRequest, invalidRequestIDBody) // it timed out meanwhile
		return
	}
	writeJSON(w, http.StatusAccepted, acceptedBody)
}

// serveInitError takes the document a runtime posts when its init fails. Lambda then resets
// the environment, so the process is killed.
func (in *instance) serveInitError(w http.ResponseWriter, r *http.Request) {
	if in.readySignaled.Load() {
		writeJSON(w, http.StatusForbidden, fmt.Appendf(nil, notAllowedFormat, "Ready", "InitError"))
		return
	}
	doc, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseSize))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, truncatedRequestBody)
		return
	}
	in.mu.Lock()
	in.initErr, in.initErrType, in.initFailed = doc, r.Header.Get(headerErrorType), true
	in.mu.Unlock()
	writeJSON(w, http.StatusAccepted, acceptedBody)
	if f, ok := w.(http.Flusher); ok {
		f.Flush() // let the runtime see its answer before it goes
	}
	in.kill(killInitError)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}
