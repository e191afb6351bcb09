package localapi

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/httpconn"
)

// API Gateway's front end: what it answers before any API is chosen, the same on every API
// of a kind. The limits are API Gateway's quotas ("Amazon API Gateway quotas", HTTP API and
// REST API tables): 10,240 bytes for the request line and headers together, 10 MB of payload
// (request.go). The runner's listeners answer these themselves, and stand in for net/http
// wherever net/http would answer on its own (a header section over its limit, a request it
// cannot parse): Go's plain-text "431 Request Header Fields Too Large" or "400 Bad Request"
// never reach a client.

// maxRequestHead is API Gateway's limit on the request line and headers together.
const maxRequestHead = 10240

// connTimeouts are the runner's servers' connection timeouts (httpconn.Default); tests lower
// them.
var connTimeouts = httpconn.Default

// bodyReadTimeout is how long the front end waits for a request's body once its headers are
// in. API Gateway documents no such timeout, but its front end does not wait forever for a
// trickled body; 30 s is the integration timeout's ceiling (no recording of the value).
var bodyReadTimeout = 30 * time.Second

// frontEndError is one of the front end's own answers.
type frontEndError int

const (
	headTooLarge     frontEndError = iota // request line and headers over maxRequestHead
	malformedRequest                      // what net/http cannot parse
	bodyTimedOut                          // the body did not arrive within bodyReadTimeout
)

// frontEndAnswer is the status, content type and body the front end answers with.
type frontEndAnswer struct {
	status      int
	contentType string
	body        string
}

// frontEndAnswers, by API kind. Sources: the REST API's text for a header section over the
// limit is what API Gateway's users report it answering ("HTTP header is larger than 10240
// bytes.", ntsblog.homedev.com.au, 2021-03-09: the same Netty front end whose text for an
// oversized body request.go sends); its status is not recorded anywhere found, nor is any of
// the HTTP API's answers, nor the answers to a malformed request or a timed-out body: those
// are marked "no recording" and follow each kind's own error shapes (gateway.go).
var frontEndAnswers = map[contract.Kind]map[frontEndError]frontEndAnswer{
	contract.HTTP: {
		headTooLarge:     {431, "application/json", `{"message":"Request Header Fields Too Large"}`}, // no recording
		malformedRequest: {400, "application/json", `{"message":"Bad Request"}`},                     // no recording
		bodyTimedOut:     {408, "application/json", `{"message":"Request Timeout"}`},                 // no recording
	},
	contract.REST: {
		headTooLarge:     {431, "text; charset=utf-8", "HTTP header is larger than " + strconv.Itoa(maxRequestHead) + " bytes."}, // the text is recorded, the status is not
		malformedRequest: {400, "application/json", `{"message":"Bad Request"}`},                                                 // no recording
		bodyTimedOut:     {408, "application/json", `{"message":"Request Timeout"}`},                                             // no recording
	},
}

// writeFrontEnd answers a front-end error on w and closes the connection after it.
func writeFrontEnd(w http.ResponseWriter, kind contract.Kind, e frontEndError) {
	a := frontEndAnswers[kind][e]
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	h.Set("Connection", "close")
	w.WriteHeader(a.status)
	w.Write([]byte(a.body))
}

// rawFrontEnd is a front-end answer as bytes on the wire, for a connection net/http answers
// on its own.
func rawFrontEnd(kind contract.Kind, e frontEndError) []byte {
	a := frontEndAnswers[kind][e]
	return []byte("HTTP/1.1 " + strconv.Itoa(a.status) + " " + http.StatusText(a.status) + "\r\nContent-Type: " + a.contentType +
		"\r\nContent-Length: " + strconv.Itoa(len(a.body)) + "\r\nConnection: close\r\n\r\n" + a.body)
}

// requestHeadSize is the size of req's request line and headers as they came on the wire
// (each header "Name: value\r\n"), which is what the front end's limit counts.
func requestHeadSize(req *http.Request) int {
	n := len(req.Method) + 1 + len(req.RequestURI) + 1 + len(req.Proto) + 2
	if req.Host != "" {
		n += len("Host: ") + len(req.Host) + 2
	}
	for name, values := range req.Header {
		for _, v := range values {
			n += len(name) + 2 + len(v) + 2
		}
	}
	return n
}

// frontEndHandler checks a request against the front end's limits before h serves it.
func frontEndHandler(kind contract.Kind, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if requestHeadSize(req) > maxRequestHead {
			writeFrontEnd(w, kind, headTooLarge)
			return
		}
		h.ServeHTTP(w, req)
	})
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// frontEndListener hands out connections on which net/http's own error answers are replaced
// by the front end's.
type frontEndListener struct {
	net.Listener
	kind contract.Kind
}

func (l frontEndListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &frontEndConn{Conn: c, kind: l.kind}, nil
}

// frontEndConn rewrites the error answers net/http writes straight to the connection, when
// it cannot read a request: a status line followed by exactly its errorHeaders (the
// Content-Type and Connection lines below, in that order, which no handler's answer has:
// net/http writes a handler's headers sorted, Connection before Content-Type).
//
// It also follows the requests' framing (framing.go) to refuse a request with both
// Content-Length and Transfer-Encoding, which net/http would take: the front end answers it
// and ends the connection.
type frontEndConn struct {
	net.Conn
	kind     contract.Kind
	framing  requestFraming
	answered bool // the front end answered and ended the connection; net/http's writes are dropped
}

func (c *frontEndConn) Read(p []byte) (int, error) {
	if c.answered {
		return 0, io.EOF
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.framing.feed(p[:n]) {
		c.answered = true
		c.Conn.Write(rawFrontEnd(c.kind, malformedRequest))
		return 0, io.EOF
	}
	return n, err
}

// goErrorHeaders is what net/http's server writes after the status line of its own answers.
var goErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

func (c *frontEndConn) Write(p []byte) (int, error) {
	if c.answered {
		return len(p), nil
	}
	if bytes.HasPrefix(p, []byte("HTTP/1.")) {
		if eol := bytes.IndexByte(p, '\r'); eol > 0 && bytes.HasPrefix(p[eol:], goErrorHeaders) {
			e := malformedRequest
			if bytes.Contains(p[:eol], []byte(" 431 ")) {
				e = headTooLarge
			}
			if _, err := c.Conn.Write(rawFrontEnd(c.kind, e)); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}
