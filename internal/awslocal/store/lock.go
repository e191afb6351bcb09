package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockName is the file in the state directory whose OS lock marks the directory as in use.
// It holds the PID of the process holding the lock, for the message a second process gets.
const LockName = "lock"

// ErrLocked is what Open returns (wrapped, with the holder's PID) when another process
// holds the state directory.
var ErrLocked = errors.New("state directory in use")

// dirLock is an exclusive OS file lock on a state directory, held until release. Two
// servers on one directory would each restore it, and the last to close would overwrite the
// other's snapshot: the second one refuses to start instead.
type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("awslocal: state dir lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		holder := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf("process %d", pid)
			}
		}
		return nil, fmt.Errorf("awslocal: %w: %s is held by %s (stop it, or use another state directory): %v", ErrLocked, dir, holder, err)
	}
	// The lock is taken: the PID is ours to write.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// release drops the lock. The file stays: removing it would let a third process lock a new
// file while a second still waits on the old one.
func (l *dirLock) release() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
