package lambdalocal

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// The runtimes a FunctionConfig.Runtime can name, by family.
type runtimeFamily int

const (
	familyBinary runtimeFamily = iota // FunctionConfig.Binary, from Build: no Runtime
	familyNode                        // nodejsN.x: lambdalocal's Node.js client on the machine's node
	familyPython                      // python3.N: lambdalocal's Python client on the machine's python3
	familyOSOnly                      // provided, provided.al2, provided.al2023: the code's bootstrap
	familyGo1                         // go1.x: the executable the Handler names
)

// Package types, as CloudFormation's AWS::Lambda::Function PackageType spells them.
const (
	PackageTypeZip   = "Zip"
	PackageTypeImage = "Image"
)

// The oldest interpreters lambdalocal's runtime clients run on.
const (
	minNodeMajor   = 18
	minPythonMinor = 9
)

// runtimeSpec is a parsed FunctionConfig.Runtime.
type runtimeSpec struct {
	family  runtimeFamily
	name    string // as configured
	version int    // nodejsN.x: N; python3.N: N
}

// parseRuntime recognizes a CloudFormation Runtime value, or says why it cannot run here.
func parseRuntime(name string) (runtimeSpec, error) {
	spec := runtimeSpec{name: name}
	switch {
	case name == "provided" || name == "provided.al2" || name == "provided.al2023":
		spec.family = familyOSOnly
		return spec, nil
	case name == "go1.x":
		spec.family = familyGo1
		return spec, nil
	}
	if rest, ok := strings.CutPrefix(name, "nodejs"); ok {
		if n, ok := runtimeVersion(strings.CutSuffix(rest, ".x")); ok {
			spec.family, spec.version = familyNode, n
			return spec, nil
		}
	}
	if n, ok := runtimeVersion(strings.CutPrefix(name, "python3.")); ok {
		spec.family, spec.version = familyPython, n
		return spec, nil
	}
	language := ""
	for _, l := range []struct{ prefix, name string }{
		{"java", "Java"}, {"dotnet", ".NET"}, {"ruby", "Ruby"}, {"nodejs", "this Node.js version"}, {"python", "this Python version"},
	} {
		if strings.HasPrefix(name, l.prefix) {
			language = l.name
			break
		}
	}
	supported := "lambdalocal runs nodejsN.x (on node), python3.N (on python3) and OS-only (provided.al2, provided.al2023, go1.x) functions"
	if name == "" {
		return spec, errors.New("no runtime is set: " + supported)
	}
	if language != "" {
		return spec, fmt.Errorf("runtime %s cannot run locally: %s, not %s; deploy it to try it", name, supported, language)
	}
	return spec, fmt.Errorf("runtime %s is not one lambdalocal knows: %s", name, supported)
}

// runtimeVersion reads the N of nodejsN.x or python3.N: digits only.
func runtimeVersion(s string, found bool) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, found && err == nil && n >= 0 && strconv.Itoa(n) == s
}

// launcher is how an instance's process starts, and what its runtime adds to Lambda's
// environment.
type launcher struct {
	spec         runtimeSpec
	program      string   // the executable
	args         []string // its arguments, the runtime client's script last (see withClient)
	taskRoot     string   // the function's code: the working directory and LAMBDA_TASK_ROOT
	runtimeDir   string   // LAMBDA_RUNTIME_DIR
	handler      string   // the Handler to use when the configuration has none
	executionEnv string   // AWS_EXECUTION_ENV, "" for OS-only runtimes
	version      string   // what INIT_START names as the runtime version
	interp       interpreter
}

// CheckRuntime reports whether cfg's function can run on this machine, without starting
// anything: the runner calls it for every function at start, so that a function that cannot
// run is reported before the first request, with what to do about it. NewFunction makes the
// same checks.
//
// A function cannot run when its runtime is not one lambdalocal runs (Java, .NET, Ruby, a
// container image), when node or python3 is missing or older than its runtime, or when its
// executable (bootstrap, or go1.x's Handler) was built for another OS or architecture. A
// missing or unreadable handler is not checked: Lambda reports that at the first invocation
// (Runtime.HandlerNotFound, Runtime.ImportModuleError, Runtime.InvalidEntrypoint…), and so
// does Invoke.
func CheckRuntime(cfg FunctionConfig) error {
	_, err := planLaunch(cfg)
	if err != nil {
		return fmt.Errorf("lambda function %s: %w", cfg.Name, err)
	}
	return nil
}

// planLaunch works out how cfg's instances start, checking that they can.
func planLaunch(cfg FunctionConfig) (launcher, error) {
	switch cfg.PackageType {
	case "", PackageTypeZip:
	case PackageTypeImage:
		return launcher{}, errors.New("a container image function (PackageType Image) cannot run locally: lambdalocal starts processes, not containers")
	default:
		return launcher{}, fmt.Errorf("package type %q is neither %s nor %s", cfg.PackageType, PackageTypeZip, PackageTypeImage)
	}
	if cfg.Binary != "" {
		if cfg.CodeDir != "" || cfg.Runtime != "" {
			return launcher{}, errors.New("set either Binary (from Build) or Runtime and CodeDir, not both")
		}
		dir := filepath.Dir(cfg.Binary)
		l := launcher{spec: runtimeSpec{family: familyBinary}, program: cfg.Binary, taskRoot: dir, runtimeDir: dir,
			handler: DefaultHandler, version: "provided:al2023 (local process)"}
		return l, checkExecutable(cfg.Binary, "binary")
	}
	spec, err := parseRuntime(cfg.Runtime)
	if err != nil {
		return launcher{}, err
	}
	if cfg.CodeDir == "" {
		return launcher{}, fmt.Errorf("runtime %s: a code directory (CodeDir) is required", spec.name)
	}
	root, err := filepath.Abs(cfg.CodeDir)
	if err != nil {
		return launcher{}, fmt.Errorf("runtime %s: code directory: %w", spec.name, err)
	}
	if st, err := os.Stat(root); err != nil {
		return launcher{}, fmt.Errorf("runtime %s: code directory: %w", spec.name, err)
	} else if !st.IsDir() {
		return launcher{}, fmt.Errorf("runtime %s: code directory %s is not a directory", spec.name, root)
	}
	l := launcher{spec: spec, taskRoot: root, runtimeDir: root}
	switch spec.family {
	case familyOSOnly:
		l.program, l.handler = filepath.Join(root, BinaryName), DefaultHandler
		l.version = strings.Replace(spec.name, ".", ":", 1) + " (local process)"
		if spec.name == "provided" {
			l.version = "provided:al1 (local process)"
		}
		return l, checkExecutable(l.program, spec.name)
	case familyGo1:
		handler := cfg.Handler
		if handler == "" {
			handler = DefaultHandler
		}
		l.program, l.handler, l.executionEnv = filepath.Join(root, handler), DefaultHandler, "AWS_Lambda_go1.x"
		l.version = "go:1 (local process)"
		return l, checkExecutable(l.program, spec.name)
	case familyNode:
		l.interp, err = findInterpreter(spec, cfg.Interpreter)
		l.program, l.handler, l.executionEnv = l.interp.path, "index.handler", "AWS_Lambda_"+spec.name
		l.version = "nodejs:" + strconv.Itoa(spec.version) + " (local node v" + l.interp.version.String() + ")"
		return l, err
	default: // familyPython
		l.interp, err = findInterpreter(spec, cfg.Interpreter)
		l.program, l.handler, l.executionEnv = l.interp.path, "lambda_function.lambda_handler", "AWS_Lambda_"+spec.name
		l.version = "python:3." + strconv.Itoa(spec.version) + " (local python " + l.interp.version.String() + ")"
		return l, err
	}
}

// withClient completes an interpreted runtime's launcher once its client is installed: the
// interpreter's arguments, and LAMBDA_RUNTIME_DIR. memoryMB sizes Node's heap as Lambda does.
func (l launcher) withClient(memoryMB int) (launcher, error) {
	switch l.spec.family {
	case familyNode:
		dir, err := installClient(nodeClient)
		if err != nil {
			return l, err
		}
		// Lambda's Node.js bootstrap gives V8 a tenth of the memory as new space (split in
		// two semi-spaces) and the rest as old space, so a heap-hungry function fails as it
		// would there.
		newSpace := memoryMB / 10
		l.args = []string{
			"--expose-gc", "--max-http-header-size", "81920",
			"--max-semi-space-size=" + strconv.Itoa(newSpace/2), "--max-old-space-size=" + strconv.Itoa(memoryMB-newSpace),
			filepath.Join(dir, nodeClient.name),
		}
		l.runtimeDir = dir
	case familyPython:
		dir, err := installClient(pythonClient)
		if err != nil {
			return l, err
		}
		// -s: no user site-packages, which Lambda does not have either.
		l.args = []string{"-s", filepath.Join(dir, pythonClient.name)}
		l.runtimeDir = dir
	}
	return l, nil
}

// runtimeEnv is the part of Lambda's environment that depends on the runtime: reserved
// variables first, then defaults the function's own configuration may override.
func (l launcher) runtimeEnv() (reserved, defaults map[string]string) {
	reserved = map[string]string{"LAMBDA_TASK_ROOT": l.taskRoot, "LAMBDA_RUNTIME_DIR": l.runtimeDir}
	if l.executionEnv != "" {
		reserved["AWS_EXECUTION_ENV"] = l.executionEnv
	}
	defaults = map[string]string{}
	switch l.spec.family {
	case familyNode:
		// Lambda's list without the /opt layer directories, which do not exist here.
		defaults["NODE_PATH"] = strings.Join([]string{filepath.Join(l.runtimeDir, "node_modules"), l.runtimeDir, l.taskRoot}, string(os.PathListSeparator))
	case familyPython:
		defaults["PYTHONPATH"] = l.runtimeDir
		// Lambda's /var/task is read-only; here the code directory is the cloud assembly's
		// asset, which a later deploy zips. Compiled modules go to the cache instead.
		defaults["PYTHONPYCACHEPREFIX"] = filepath.Join(filepath.Dir(l.runtimeDir), "pycache")
	}
	return reserved, defaults
}

// hostArch names the ELF machines Go builds for, as GOARCH does.
var elfArch = map[elf.Machine]string{
	elf.EM_X86_64:    "amd64",
	elf.EM_AARCH64:   "arm64",
	elf.EM_386:       "386",
	elf.EM_ARM:       "arm",
	elf.EM_RISCV:     "riscv64",
	elf.EM_PPC64:     "ppc64",
	elf.EM_S390:      "s390x",
	elf.EM_LOONGARCH: "loong64",
	elf.EM_MIPS:      "mips",
}

// checkExecutable reports an executable that cannot run on this host: an ELF file for
// another OS or architecture. Anything else (a script, a missing file, a file that is not an
// executable at all) is left to the start of the instance, which fails as Lambda would, with
// Runtime.InvalidEntrypoint.
func checkExecutable(path, what string) error {
	file, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer file.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(file, magic); err != nil || string(magic) != elf.ELFMAG {
		return nil
	}
	ef, err := elf.NewFile(file)
	if err != nil {
		return fmt.Errorf("%s: %s is not a valid ELF executable: %w", what, path, err)
	}
	arch, ok := elfArch[ef.Machine]
	if !ok {
		arch = strings.TrimPrefix(ef.Machine.String(), "EM_")
	}
	if arch == "ppc64" && ef.ByteOrder.String() == "LittleEndian" {
		arch = "ppc64le"
	}
	goos := "linux"
	if ef.OSABI != elf.ELFOSABI_NONE && ef.OSABI != elf.ELFOSABI_LINUX {
		goos = strings.ToLower(strings.TrimPrefix(ef.OSABI.String(), "ELFOSABI_"))
	}
	if arch == runtime.GOARCH && goos == runtime.GOOS {
		return nil
	}
	return fmt.Errorf("%s: %s is a %s/%s executable, and this host is %s/%s: lambdalocal runs the code as it was built, so build a %s/%s copy to run it here (for Go: GOOS=%s GOARCH=%s)",
		what, path, goos, arch, runtime.GOOS, runtime.GOARCH, runtime.GOOS, runtime.GOARCH, runtime.GOOS, runtime.GOARCH)
}
