package lambdalocal

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the function in a process group of its own, so that killing the group
// also kills whatever it started, and asks the kernel to kill it if this process dies: a
// crashed runner must not leave functions behind. (Pdeathsig follows the thread that started
// the child; Go only ends threads that a goroutine locked, which this package does not do.)
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group led by pid.
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGKILL)
}
