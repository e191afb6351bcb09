//go:build !unix

package store

import (
	"errors"
	"os"
)

// tryLock: without flock, a lock file created exclusively would outlive a killed process
// and block every later start; on such systems durable state is not offered.
func tryLock(f *os.File) error {
	return errors.New("state directories need flock (a Unix system)")
}
