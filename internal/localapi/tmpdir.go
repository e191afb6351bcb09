package localapi

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The runner's own log directory (Options.LogDir unset) is a temporary directory that Close
// removes. A runner that is killed (SIGKILL, a crash) cannot: so the directory records its
// owner's PID, and the next runner removes the directories whose owner is gone. A directory
// without the record (or whose PID belongs to a live process, possibly a reused one) is left
// alone.

const (
	tmpDirPattern = "firstclass-local-"
	ownerFile     = "owner.pid"
)

// newOwnLogDir removes the stale log directories of killed runners, reporting each on logs,
// and creates this runner's own, recording its PID.
func newOwnLogDir(logs io.Writer) (string, error) {
	removeStaleLogDirs(os.TempDir(), logs)
	dir, err := os.MkdirTemp("", tmpDirPattern)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// removeStaleLogDirs removes the runners' log directories in tmp whose recorded owner is no
// longer running.
func removeStaleLogDirs(tmp string, logs io.Writer) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tmpDirPattern) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		if err := os.RemoveAll(dir); err == nil {
			fmt.Fprintf(logs, "local runner: removed %s, left by runner %d, which is no longer running\n", dir, pid)
		}
	}
}
