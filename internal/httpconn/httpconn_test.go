package httpconn

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// serveTest serves a handler answering "ok" with t's timeouts, on wrap(listener).
func serveTest(tb testing.TB, t Timeouts, wrap func(net.Listener) net.Listener) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := t.Server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	go srv.Serve(wrap(l))
	tb.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

// readAnswer reads one answer, or the error that ended the connection instead.
func readAnswer(r *bufio.Reader) (string, error) {
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	return resp.Status + " " + string(b), err
}

func TestTheWaitForAConnectionsFirstRequestIsIdleTime(t *testing.T) {
	to := Timeouts{Head: 200 * time.Millisecond, Idle: 5 * time.Second}
	addr := serveTest(t, to, to.Listener)
	cases := []struct {
		name string
		// run talks on the connection and returns what ended it: an answer or an error.
		run        func(c net.Conn, r *bufio.Reader) (string, error)
		wantAnswer string        // "" for a connection the server closes
		notBefore  time.Duration // the server answers or closes no earlier
		endsUnder  time.Duration // and before (0: no bound)
	}{
		{"a first request sent long after the dial is answered", func(c net.Conn, r *bufio.Reader) (string, error) {
			time.Sleep(3 * to.Head)
			io.WriteString(c, get)
			return readAnswer(r)
		}, "200 OK ok", 0, 0},
		{"a later request sent long after the one before is answered", func(c net.Conn, r *bufio.Reader) (string, error) {
			io.WriteString(c, get)
			if a, err := readAnswer(r); err != nil {
				return a, err
			}
			time.Sleep(3 * to.Head)
			io.WriteString(c, get)
			return readAnswer(r)
		}, "200 OK ok", 0, 0},
		// net/http answers a head cut by its timeout with its 400 (the runner's front end
		// rewrites it): the head timeout runs from the head's first byte, not the dial.
		{"a first head begun and not finished is cut at the head timeout", func(c net.Conn, r *bufio.Reader) (string, error) {
			time.Sleep(3 * to.Head)
			io.WriteString(c, "GET / HTTP/1.1\r\nHo")
			return readAnswer(r)
		}, "400 Bad Request 400 Bad Request", 3*to.Head + to.Head, to.Idle},
		{"a connection that never sends a request is closed at the idle timeout", func(c net.Conn, r *bufio.Reader) (string, error) {
			return readAnswer(r)
		}, "", to.Idle, 0},
		{"a connection idle after a request is closed at the idle timeout", func(c net.Conn, r *bufio.Reader) (string, error) {
			io.WriteString(c, get)
			if a, err := readAnswer(r); err != nil {
				return a, err
			}
			return readAnswer(r)
		}, "", to.Idle, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(3 * to.Idle))
			began := time.Now()
			answer, err := tc.run(c, bufio.NewReader(c))
			took := time.Since(began)
			switch {
			case tc.wantAnswer != "" && (err != nil || answer != tc.wantAnswer):
				t.Fatalf("got %q, %v, want the answer %q", answer, err, tc.wantAnswer)
			case tc.wantAnswer == "" && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
				t.Fatalf("got %q, %v, want the server to close the connection", answer, err)
			}
			if took < tc.notBefore {
				t.Errorf("ended after %s, want no earlier than %s", took, tc.notBefore)
			}
			if tc.endsUnder > 0 && took >= tc.endsUnder {
				t.Errorf("ended after %s, want before %s", took, tc.endsUnder)
			}
		})
	}
}
