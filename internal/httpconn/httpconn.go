// Package httpconn holds the connection timeouts of firstclass's HTTP servers (the local
// runner's API listeners and its AWS endpoint) and makes the wait for a connection's first
// request idle time, as every later request's already is.
//
// The defect it removes (issue 17, "under CPU saturation some connections are closed with no
// answer"): net/http starts a connection's ReadHeaderTimeout when it starts serving the
// connection, not when the first request begins (server.go, conn.serve sets the read deadline
// before its first readRequest; between later requests it waits with Peek for the first bytes
// before it starts the timeout). A client's connection pool holds connections it dialed and
// did not use yet: net/http's Transport dials for a request and hands the request the first
// connection that frees up, so under load its pool fills with fresh connections. Ten seconds
// after the dial the server closed such a connection without a word (a read timeout is one of
// net/http's "common" read errors, answered with nothing), and a client that took it from its
// pool at that moment, before its read loop saw the FIN — a window a busy machine widens —
// got EOF. The Transport retries no request on a connection it never used ("there's no reason
// the server should've hung up on us", transport.go shouldRetryRequest), so even a GET failed;
// the AWS SDK retried its calls, and a retried ReceiveMessage hides the messages the lost
// attempt received.
//
// With Listener the header timeout starts with a request's first byte on every connection,
// and a connection waiting for its first request is idle: it is closed after Timeouts.Idle,
// longer than any client's own idle timeout (Go's and the AWS SDK's are 90 s), so clients
// close their idle connections first and never race the server's close.
package httpconn

import (
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Timeouts are a server's connection timeouts.
type Timeouts struct {
	// Head is how long a request's line and headers may take once its first byte is in.
	Head time.Duration
	// Idle is how long a connection may wait for a request, its first as any later one.
	Idle time.Duration
}

// Default is API Gateway's as far as it documents them. Idle: the only idle connection timeout
// API Gateway documents is the WebSocket API's, 10 minutes ("Quotas for configuring and running
// a WebSocket API in API Gateway", Idle Connection Timeout); none is recorded for REST or HTTP
// APIs, so theirs is taken to be the same. Head: none is documented; 10 s is what the runner
// used before, and no client sends its request line and headers that slowly.
var Default = Timeouts{Head: 10 * time.Second, Idle: 10 * time.Minute}

// Server is an http.Server for h with t's timeouts; serve it on Listener's connections.
func (t Timeouts) Server(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: t.Head, IdleTimeout: t.Idle}
}

// Listener hands out l's connections with the wait for their first request made idle time.
func (t Timeouts) Listener(l net.Listener) net.Listener { return listener{Listener: l, t: t} }

type listener struct {
	net.Listener
	t Timeouts
}

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, t: l.t}, nil
}

// conn turns the read deadline net/http sets before the connection's first byte (its header
// timeout, started with the connection) into the idle timeout, and starts the header timeout
// with the first byte. From the first byte on, every deadline passes through: net/http
// itself waits for each later request's first bytes before it starts that request's header
// timeout.
//
// Until the first byte arrives only the goroutine serving the connection calls Read and
// SetReadDeadline; the atomics are for the calls after it (net/http's background read runs
// beside the handler's SetReadDeadline calls).
type conn struct {
	net.Conn
	t        Timeouts
	started  atomic.Bool // a byte has arrived
	deferred atomic.Bool // a deadline set before the first byte was replaced by the idle one
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.started.Load() {
		c.started.Store(true)
		if c.deferred.Swap(false) && c.t.Head > 0 {
			c.Conn.SetReadDeadline(time.Now().Add(c.t.Head))
		}
	}
	return n, err
}

func (c *conn) SetReadDeadline(d time.Time) error {
	// A zero deadline (none) and one already past (net/http aborting a read) pass through.
	if !c.started.Load() && d.After(time.Now()) {
		c.deferred.Store(true)
		if c.t.Idle <= 0 {
			return c.Conn.SetReadDeadline(time.Time{})
		}
		return c.Conn.SetReadDeadline(time.Now().Add(c.t.Idle))
	}
	if !c.started.Load() {
		c.deferred.Store(false)
	}
	return c.Conn.SetReadDeadline(d)
}

func (c *conn) SetDeadline(d time.Time) error {
	if err := c.SetReadDeadline(d); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(d)
}
