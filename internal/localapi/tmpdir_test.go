package localapi

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"firstclass/internal/cfn"
)

// A runner killed before its Close leaves its temporary directory; the next runner removes
// it, and only it: not a live runner's, not one it cannot tell the owner of.
func TestARunnerRemovesTheTemporaryDirectoriesOfKilledRunners(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no process to outlive: %v", err)
	}
	mk := func(name, owner string) string {
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			os.WriteFile(filepath.Join(dir, ownerFile), []byte(owner+"\n"), 0o644)
		}
		return dir
	}
	stale := mk("firstclass-local-111", strconv.Itoa(dead.Process.Pid))
	live := mk("firstclass-local-222", strconv.Itoa(os.Getpid()))
	unknown := mk("firstclass-local-333", "")
	other := mk("someone-else-444", strconv.Itoa(dead.Process.Pid))

	var logs bytes.Buffer
	r, err := New(context.Background(), Options{Assembly: &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: golden(t)}}},
		ModuleDir: moduleDir(t), Logs: &logs})
	if err != nil {
		t.Fatal(err)
	}
	own := r.opts.LogDir
	b, err := os.ReadFile(filepath.Join(own, ownerFile))
	r.Close()
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("the runner's own directory records owner %q (%v), want its PID", b, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the killed runner's directory %s is still there", stale)
	}
	for _, dir := range []string{live, unknown, other} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was removed: %v", dir, err)
		}
	}
	if !strings.Contains(logs.String(), "removed "+stale) {
		t.Errorf("the removal is not reported:\n%s", logs.String())
	}
}
