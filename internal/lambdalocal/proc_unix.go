//go:build unix && !linux

package lambdalocal

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the function in a process group of its own, so that killing the group
// also kills whatever it started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group led by pid.
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGKILL)
}
