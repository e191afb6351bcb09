//go:build !unix

package lambdalocal

import (
	"os"
	"os/exec"
)

// Without process groups only the function's own process is killed.
func setProcessGroup(cmd *exec.Cmd) {}

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
