package lambdalocal

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
)

// The Runtime API is served by a small HTTP/1.1 loop of its own rather than http.Server: the
// runtime keeps one connection and sends one request at a time, and http.Server's per-request
// machinery (a goroutine and a read syscall to watch for the client going away, contexts, a
// fresh ResponseWriter) costs more on this path than the handler does. Requests are still
// parsed by http.ReadRequest, chunked bodies and trailers included; the responses, which always
// carry a Content-Length, are written here. A pending /next learns that its client went away
// from the instance's end (dead), the only way a runtime's connection goes in practice.

// serve accepts the runtime's connections.
func (in *instance) serve() {
	defer in.serving.Done()
	for {
		c, err := in.ln.Accept()
		if err != nil {
			return // the listener was closed
		}
		in.mu.Lock()
		if in.connsClosed {
			in.mu.Unlock()
			c.Close()
			return
		}
		in.conns[c] = struct{}{}
		in.serving.Add(1)
		in.mu.Unlock()
		go in.serveConn(c)
	}
}

// serveConn answers the requests of one connection, in turn.
func (in *instance) serveConn(c net.Conn) {
	defer in.serving.Done()
	defer func() {
		c.Close()
		in.mu.Lock()
		delete(in.conns, c)
		in.mu.Unlock()
	}()
	br := bufio.NewReaderSize(c, 16<<10)
	w := &connWriter{bw: bufio.NewWriterSize(c, 16<<10), header: http.Header{}}
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		clear(w.header)
		w.wroteHeader = false
		in.ServeHTTP(w, req)
		if !w.wroteHeader {
			return // nothing to answer: the instance is going away
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return
		}
		req.Body.Close()
		if w.bw.Flush() != nil || req.Close {
			return
		}
	}
}

// stopServing closes the listener and every connection, and waits for their goroutines.
func (in *instance) stopServing() {
	in.ln.Close()
	in.mu.Lock()
	in.connsClosed = true
	conns := in.conns
	in.conns = nil
	in.mu.Unlock()
	for c := range conns {
		c.Close()
	}
	in.serving.Wait()
}

// connWriter is the http.ResponseWriter of serveConn. Every response sets Content-Length.
type connWriter struct {
	bw          *bufio.Writer
	header      http.Header
	wroteHeader bool
}

func (w *connWriter) Header() http.Header { return w.header }

func (w *connWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.bw.WriteString("HTTP/1.1 ")
	w.bw.WriteString(strconv.Itoa(status))
	w.bw.WriteByte(' ')
	w.bw.WriteString(http.StatusText(status))
	w.bw.WriteString("\r\n")
	for k, vs := range w.header {
		for _, v := range vs {
			w.bw.WriteString(k)
			w.bw.WriteString(": ")
			w.bw.WriteString(v)
			w.bw.WriteString("\r\n")
		}
	}
	w.bw.WriteString("\r\n")
}

func (w *connWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.bw.Write(b)
}

func (w *connWriter) Flush() { w.bw.Flush() }
