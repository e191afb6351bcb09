//go:build unix

package store

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive flock on f without waiting. The kernel drops it when the
// process exits, however it exits, so a SIGKILLed runner never leaves a stale lock.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
