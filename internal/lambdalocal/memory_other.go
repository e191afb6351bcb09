//go:build !linux

package lambdalocal

// Without /proc there is no cheap way to watch a process's memory: the limit is not enforced
// and Max Memory Used is reported as 0.
const memoryWatch = false

type memReader struct{}

func openMemReader(pid int) *memReader { return nil }

func (m *memReader) peak() (int64, bool) { return 0, false }

func (m *memReader) close() {}
