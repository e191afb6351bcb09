package lambdalocal

import (
	"bytes"
	"os"
	"strconv"
	"sync"
)

// memoryWatch: /proc gives every process's memory without privileges.
const memoryWatch = true

// memReader samples a process's peak resident set size from /proc/PID/status. The file stays
// open and is re-read from offset 0, which makes the kernel regenerate it: one pread per
// sample (a few µs) instead of open/read/close.
type memReader struct {
	mu  sync.Mutex
	f   *os.File
	buf []byte
}

func openMemReader(pid int) *memReader {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil
	}
	return &memReader{f: f, buf: make([]byte, 4096)}
}

var vmHWM = []byte("\nVmHWM:")

// peak returns VmHWM in bytes: the highest resident set size the process reached so far. A
// limit checked against the peak also catches a spike shorter than the sampling interval.
func (m *memReader) peak() (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.f == nil {
		return 0, false
	}
	n, _ := m.f.ReadAt(m.buf, 0)
	b := m.buf[:n]
	i := bytes.Index(b, vmHWM)
	if i < 0 {
		return 0, false // a zombie has no memory lines
	}
	b = bytes.TrimLeft(b[i+len(vmHWM):], " \t")
	end := bytes.IndexByte(b, ' ')
	if end < 0 {
		return 0, false
	}
	kb, err := strconv.ParseInt(string(b[:end]), 10, 64)
	if err != nil {
		return 0, false
	}
	return kb << 10, true
}

func (m *memReader) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.f != nil {
		m.f.Close()
		m.f = nil
	}
}
