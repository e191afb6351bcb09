package localapi

import (
	"bytes"
	"strconv"
	"strings"
)

// requestFraming follows the requests on one connection as the bytes arrive, head by head and
// body by body (Content-Length or chunked), to see each request head as sent: net/http drops a
// Content-Length that comes with Transfer-Encoding: chunked before any handler sees the
// request, and API Gateway's front end refuses such a request (RFC 9112 §6.1: it "ought to be
// handled as an error", the mark of request smuggling). It gives up (and lets everything
// through) on framing it cannot follow: net/http then answers, and the front end rewrites that
// answer (frontEndConn).
type requestFraming struct {
	state     framingState
	line      []byte // the head, or the chunk-size or trailer line, so far
	remaining int64  // body or chunk bytes (with the chunk's CRLF) still to come
}

type framingState int

const (
	inHead framingState = iota
	inBody
	inChunkSize
	inChunkData
	inTrailer
	lost // framing it cannot follow: stop looking
)

// maxFramedHead bounds the head kept; a longer one is net/http's to refuse.
const maxFramedHead = 64 << 10

// feed takes the next bytes read from the client and reports whether a request head in them
// has both Content-Length and Transfer-Encoding.
func (f *requestFraming) feed(p []byte) (smuggled bool) {
	for len(p) > 0 && f.state != lost {
		switch f.state {
		case inHead:
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				f.keep(p)
				return false
			}
			f.keep(p[:i+1])
			p = p[i+1:]
			if f.state == lost || !bytes.HasSuffix(f.line, []byte("\r\n\r\n")) && !bytes.Equal(f.line, []byte("\r\n")) {
				continue
			}
			if bytes.Equal(f.line, []byte("\r\n")) { // a blank line between requests
				f.line = f.line[:0]
				continue
			}
			cl, te := headFraming(f.line)
			f.line = f.line[:0]
			switch {
			case cl >= 0 && te:
				return true
			case te:
				f.state = inChunkSize
			case cl > 0:
				f.state, f.remaining = inBody, cl
			}
		case inBody, inChunkData:
			n := min(int64(len(p)), f.remaining)
			p, f.remaining = p[n:], f.remaining-n
			if f.remaining == 0 {
				f.state = map[framingState]framingState{inBody: inHead, inChunkData: inChunkSize}[f.state]
			}
		case inChunkSize, inTrailer:
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				f.keep(p)
				return false
			}
			f.keep(p[:i+1])
			p = p[i+1:]
			line := strings.TrimSpace(string(f.line))
			f.line = f.line[:0]
			if f.state == inTrailer {
				if line == "" {
					f.state = inHead
				}
				continue
			}
			size, _, _ := strings.Cut(line, ";")
			n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
			switch {
			case err != nil || n < 0:
				f.state = lost
			case n == 0:
				f.state = inTrailer
			default:
				f.state, f.remaining = inChunkData, n+2
			}
		}
	}
	return false
}

func (f *requestFraming) keep(b []byte) {
	if len(f.line)+len(b) > maxFramedHead {
		f.state = lost
		return
	}
	f.line = append(f.line, b...)
}

// headFraming reads a request head's Content-Length (-1 when it has none or it does not
// parse) and whether it has a Transfer-Encoding.
func headFraming(head []byte) (contentLength int64, transferEncoding bool) {
	contentLength = -1
	lines := strings.Split(string(head), "\r\n")
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-length":
			if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil {
				contentLength = n
			}
		case "transfer-encoding":
			transferEncoding = true
		}
	}
	return contentLength, transferEncoding
}
