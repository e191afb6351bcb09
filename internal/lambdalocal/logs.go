package lambdalocal

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"sync"
	"time"
)

// logSink serializes everything written to FunctionConfig.Logs, so that the lines of several
// instances and Lambda's own START/END/REPORT lines never interleave within a line.
type logSink struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte // reused for Lambda's own lines, under mu
}

func (s *logSink) write(b []byte) {
	s.mu.Lock()
	s.w.Write(b) // a failing log writer must not fail the invocation
	s.mu.Unlock()
}

// lines formats one or more of Lambda's own lines into the sink's buffer and writes them.
func (s *logSink) lines(format func([]byte) []byte) {
	s.mu.Lock()
	s.buf = format(s.buf[:0])
	s.w.Write(s.buf)
	s.mu.Unlock()
}

// copyLines copies a process's output to the sink a line at a time, until r ends. A line
// longer than the buffer is cut into several, rather than interleaving with other writers.
func (s *logSink) copyLines(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				// line points into the reader's buffer: copy it to add the newline.
				line = append(append(make([]byte, 0, len(line)+1), line...), '\n')
			}
			s.write(line)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// report holds what a REPORT line says about one invocation.
type report struct {
	requestID     string
	duration      time.Duration
	initDuration  time.Duration // zero unless the invocation was a cold start
	memoryMB      int
	maxMemoryMB   int
	status        string // "" on success or a function error; "timeout" or "error" otherwise
	errorType     string // with status "error"
	coldStart     bool
	timeoutReason string // the "Task timed out…" text, with status "timeout"
}

// billedDuration follows the provided.al2023 rule: the invocation's duration plus, on a cold
// start, the init duration, rounded up to the millisecond.
func billedDuration(duration, initDuration time.Duration) time.Duration {
	ms := math.Ceil(float64(duration+initDuration) / float64(time.Millisecond))
	return time.Duration(max(ms, 1)) * time.Millisecond
}

func appendStart(b []byte, requestID string) []byte {
	b = append(b, "START RequestId: "...)
	b = append(b, requestID...)
	return append(b, " Version: $LATEST\n"...)
}

func appendInitStart(b []byte, runtimeVersion string) []byte {
	b = append(b, "INIT_START Runtime Version: "...)
	b = append(b, runtimeVersion...)
	return append(b, '\n')
}

// appendInitReport is the line Lambda writes when init fails.
func appendInitReport(b []byte, initDuration time.Duration, status, errorType string) []byte {
	b = append(b, "INIT_REPORT Init Duration: "...)
	b = formatMillis(b, initDuration)
	b = append(b, " ms\tPhase: init\tStatus: "...)
	b = append(b, status...)
	if errorType != "" {
		b = append(b, "\tError Type: "...)
		b = append(b, errorType...)
	}
	return append(b, '\n')
}

// appendEnd writes END and REPORT, preceded on a timeout by the "<time> <id> Task timed out
// after N seconds" line Lambda logs.
func appendEnd(b []byte, r report, now time.Time) []byte {
	if r.status == "timeout" && r.timeoutReason != "" {
		b = now.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
		b = append(b, ' ')
		b = append(b, r.requestID...)
		b = append(b, ' ')
		b = append(b, r.timeoutReason...)
		b = append(b, '\n')
	}
	b = append(b, "END RequestId: "...)
	b = append(b, r.requestID...)
	b = append(b, "\nREPORT RequestId: "...)
	b = append(b, r.requestID...)
	b = append(b, "\tDuration: "...)
	b = formatMillis(b, r.duration)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, billedDuration(r.duration, r.initDuration).Milliseconds(), 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(r.memoryMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(r.maxMemoryMB), 10)
	b = append(b, " MB"...)
	if r.coldStart {
		b = append(b, "\tInit Duration: "...)
		b = formatMillis(b, r.initDuration)
		b = append(b, " ms"...)
	}
	if r.status != "" {
		b = append(b, "\tStatus: "...)
		b = append(b, r.status...)
		if r.errorType != "" {
			b = append(b, "\tError Type: "...)
			b = append(b, r.errorType...)
		}
	}
	return append(b, '\n')
}
