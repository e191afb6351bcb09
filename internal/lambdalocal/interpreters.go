package lambdalocal

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// runtimeClient is a runtime interface client lambdalocal ships: the program an interpreted
// runtime's instances run, which loads the function's handler and speaks the Runtime API.
type runtimeClient struct {
	name    string // its file name in the directory installClient writes
	content []byte
}

var (
	//go:embed clients/node/index.mjs
	nodeClientSource []byte
	//go:embed clients/python/bootstrap.py
	pythonClientSource []byte

	nodeClient   = runtimeClient{name: "index.mjs", content: nodeClientSource}
	pythonClient = runtimeClient{name: "bootstrap.py", content: pythonClientSource}
)

var installed sync.Map // the client's name → *installation

type installation struct {
	once sync.Once
	dir  string
	err  error
}

// installClient writes a client into a directory of the user's cache named by its content, once
// per process, and returns the directory. The name makes the directory immutable: several
// runners, of one version or another, can share the cache.
func installClient(c runtimeClient) (string, error) {
	v, _ := installed.LoadOrStore(c.name, &installation{})
	inst := v.(*installation)
	inst.once.Do(func() { inst.dir, inst.err = writeClient(c) })
	return inst.dir, inst.err
}

// writeClient writes c into the user's cache directory, or the temporary directory when the
// cache cannot be written.
func writeClient(c runtimeClient) (string, error) {
	var bases []string
	if dir, err := os.UserCacheDir(); err == nil {
		bases = append(bases, dir)
	}
	var errs []error
	for _, base := range append(bases, os.TempDir()) {
		dir, err := writeClientIn(base, c)
		if err == nil {
			return dir, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("install the runtime client: %w", errors.Join(errs...))
}

func writeClientIn(base string, c runtimeClient) (string, error) {
	sum := sha256.Sum256(c.content)
	dir := filepath.Join(base, "firstclass-lambdalocal", strings.TrimSuffix(c.name, filepath.Ext(c.name))+"-"+hex.EncodeToString(sum[:8]))
	path := filepath.Join(dir, c.name)
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, c.content) {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, c.name+".*")
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(c.content)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return dir, nil
}

// version is an interpreter's major.minor.patch.
type version [3]int

func (v version) String() string {
	return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2])
}

func parseVersion(s string) (version, error) {
	var v version
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".", 3)
	for i, p := range parts {
		// A pre-release suffix ("3.14.0rc1", "23.0.0-nightly") ends the number.
		end := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' })
		if end >= 0 {
			p = p[:end]
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("version %q: %w", s, err)
		}
		v[i] = n
	}
	return v, nil
}

// interpreter is a node or python3 that can run a function.
type interpreter struct {
	path    string // the executable itself, past any version manager's shim
	version version
}

// The interpreters probed so far, by the path found on PATH or configured: starting one to ask
// its version takes tens of milliseconds, and the runner checks every function.
var probes sync.Map // path → *probe

type probe struct {
	once   sync.Once
	interp interpreter
	err    error
}

// probeScripts print the interpreter's own executable (pyenv's and volta's shims are scripts
// that start it, at a cost on every cold start) and its version.
var probeScripts = map[runtimeFamily][]string{
	familyNode:   {"-e", `process.stdout.write(process.execPath + "\n" + process.versions.node)`},
	familyPython: {"-c", `import sys; sys.stdout.write(sys.executable + "\n" + "%d.%d.%d" % sys.version_info[:3])`},
}

func probeInterpreter(family runtimeFamily, path string) (interpreter, error) {
	v, _ := probes.LoadOrStore(path, &probe{})
	p := v.(*probe)
	p.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, path, probeScripts[family]...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			p.err = fmt.Errorf("%s does not run: %w %s", path, err, bytes.TrimSpace(stderr.Bytes()))
			return
		}
		exe, ver, ok := strings.Cut(string(out), "\n")
		if !ok || exe == "" {
			p.err = fmt.Errorf("%s did not say its version: %q", path, out)
			return
		}
		p.interp.path = exe
		p.interp.version, p.err = parseVersion(ver)
	})
	return p.interp, p.err
}

// findInterpreter finds the node or python3 for a runtime: the configured one, or the first
// on PATH that is recent enough (for python3.N, python3.N before python3).
func findInterpreter(spec runtimeSpec, configured string) (interpreter, error) {
	var language, command string
	var need version
	var candidates []string
	switch spec.family {
	case familyNode:
		language, command = "Node.js", "node"
		need = version{max(spec.version, minNodeMajor)}
		candidates = []string{"node"}
	default:
		language, command = "Python", "python3"
		need = version{3, max(spec.version, minPythonMinor)}
		candidates = []string{"python3." + strconv.Itoa(spec.version), "python3"}
	}
	needText := strconv.Itoa(need[0])
	if spec.family == familyPython {
		needText += "." + strconv.Itoa(need[1])
	}
	if configured != "" {
		candidates = []string{configured}
	}
	var problems []string
	for _, name := range candidates {
		path, err := exec.LookPath(name)
		if err != nil {
			if configured != "" {
				problems = append(problems, err.Error())
			}
			continue
		}
		interp, err := probeInterpreter(spec.family, path)
		switch {
		case err != nil:
			problems = append(problems, err.Error())
		case interp.version[0] < need[0] || interp.version[0] == need[0] && interp.version[1] < need[1]:
			problems = append(problems, fmt.Sprintf("%s is %s %s", path, language, interp.version))
		default:
			return interp, nil
		}
	}
	if len(problems) == 0 {
		return interpreter{}, fmt.Errorf("runtime %s needs %s %s or newer, and there is no %s on PATH: install %s %s or newer",
			spec.name, language, needText, command, language, needText)
	}
	where := "put it first on PATH"
	if configured != "" {
		where = "make it the function's interpreter"
	}
	return interpreter{}, fmt.Errorf("runtime %s needs %s %s or newer, but %s: install %s %s or newer and %s",
		spec.name, language, needText, strings.Join(problems, "; "), language, needText, where)
}
