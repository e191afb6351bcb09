package localapi

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// logFormat is a stage's access log format, split once into literal text and $context
// variables.
type logFormat struct {
	parts []logPart
}

type logPart struct {
	text     string
	variable string // after "$context.", "" for text
}

func parseLogFormat(format string) *logFormat {
	f := &logFormat{}
	for {
		i := strings.Index(format, "$context.")
		if i < 0 {
			break
		}
		if i > 0 {
			f.parts = append(f.parts, logPart{text: format[:i]})
		}
		rest := format[i+len("$context."):]
		n := 0
		for n < len(rest) && (isIdent(rest[n]) || (rest[n] == '.' && n+1 < len(rest) && isIdent(rest[n+1]))) {
			n++
		}
		f.parts = append(f.parts, logPart{variable: rest[:n]})
		format = rest[n:]
	}
	if format != "" {
		f.parts = append(f.parts, logPart{text: format})
	}
	return f
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// render writes one log line, with "-" for a variable without a value, as API Gateway does.
func (f *logFormat) render(dst []byte, vars func(string) string) []byte {
	for _, p := range f.parts {
		if p.variable == "" {
			dst = append(dst, p.text...)
			continue
		}
		v := vars(p.variable)
		if v == "" {
			v = "-"
		}
		dst = appendLogValue(dst, v)
	}
	return append(dst, '\n')
}

// appendLogValue escapes quotes, backslashes and control characters, so that a JSON format
// stays JSON whatever a client sends in a header or path.
func appendLogValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// logSink is where one stage's access log lines go: a file, buffered and flushed every
// 200 ms and at Close, so logging costs no write per request.
type logSink struct {
	mu    sync.Mutex
	w     *bufio.Writer
	c     io.Closer
	path  string
	group string // the log group it stands for

	tee       io.Writer // also gets every line, after teePrefix
	teePrefix []byte
	stop      chan struct{}
	done      chan struct{}
}

func newFileSink(path string) (*logSink, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return newSink(f, f, path), nil
}

func newSink(w io.Writer, c io.Closer, path string) *logSink {
	s := &logSink{w: bufio.NewWriterSize(w, 64<<10), c: c, path: path, stop: make(chan struct{}), done: make(chan struct{})}
	go s.flushLoop()
	return s
}

func (s *logSink) flushLoop() {
	defer close(s.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.flush()
		case <-s.stop:
			s.flush()
			return
		}
	}
}

func (s *logSink) write(line []byte) {
	s.mu.Lock()
	s.w.Write(line)
	if s.tee != nil {
		s.tee.Write(append(append(make([]byte, 0, len(s.teePrefix)+len(line)), s.teePrefix...), line...))
	}
	s.mu.Unlock()
}

func (s *logSink) flush() {
	s.mu.Lock()
	s.w.Flush()
	s.mu.Unlock()
}

func (s *logSink) close() error {
	close(s.stop)
	<-s.done
	if s.c != nil {
		return s.c.Close()
	}
	return nil
}
