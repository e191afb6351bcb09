package lambdalocal

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Dummy credentials: Lambda hands the function its execution role's keys. These are obviously
// fake, so that an SDK configured from the environment signs requests (which the local AWS
// services accept) without ever reaching for the developer's own credentials.
const (
	fakeAccessKeyID     = "AKIALOCALLAMBDAFAKE0"
	fakeSecretAccessKey = "local-lambda-fake-secret-access-key"
	fakeSessionToken    = "local-lambda-fake-session-token"
)

// reservedEnv are the keys Lambda reserves ("Defined runtime environment variables" in the
// Lambda developer guide): a function's configuration cannot set them, so cfg.Env cannot either.
// Lambda refuses such a configuration at deploy time; here the key is ignored with a warning.
var reservedEnv = map[string]bool{
	"_HANDLER":                        true,
	"_X_AMZN_TRACE_ID":                true,
	"AWS_DEFAULT_REGION":              true,
	"AWS_REGION":                      true,
	"AWS_EXECUTION_ENV":               true,
	"AWS_LAMBDA_FUNCTION_NAME":        true,
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION":     true,
	"AWS_LAMBDA_INITIALIZATION_TYPE":  true,
	"AWS_LAMBDA_LOG_GROUP_NAME":       true,
	"AWS_LAMBDA_LOG_STREAM_NAME":      true,
	"AWS_ACCESS_KEY":                  true,
	"AWS_ACCESS_KEY_ID":               true,
	"AWS_SECRET_ACCESS_KEY":           true,
	"AWS_SESSION_TOKEN":               true,
	"AWS_LAMBDA_RUNTIME_API":          true,
	"LAMBDA_TASK_ROOT":                true,
	"LAMBDA_RUNTIME_DIR":              true,
}

// baseEnv is the environment every instance of the function starts with, apart from the two
// variables that differ per instance (AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_LOG_STREAM_NAME). It
// returns the reserved keys of cfg.Env it ignored.
//
// It follows what Lambda gives the function's runtime. For an OS-only runtime (provided.al2023,
// and a Binary) AWS_EXECUTION_ENV is deliberately absent: the developer guide says it "is not
// defined for OS-only runtimes (the provided runtime family)". The parent's environment is not
// passed on, so that the function sees what it would see in Lambda; only PATH is kept (Lambda
// sets a PATH too, and a function may run host tools). HOME is not passed: an SDK would read
// the developer's ~/.aws from it.
func baseEnv(cfg FunctionConfig, launch launcher) (env []string, ignored []string) {
	runtimeVars, runtimeDefaults := launch.runtimeEnv()
	vars := map[string]string{
		// Unreserved defaults, which cfg.Env may override as in Lambda.
		"PATH": os.Getenv("PATH"),
		"LANG": "en_US.UTF-8",
		"TZ":   ":UTC",
	}
	for k, v := range runtimeDefaults {
		vars[k] = v
	}
	for k, v := range cfg.Env {
		if reservedEnv[k] {
			ignored = append(ignored, k)
			continue
		}
		vars[k] = v
	}
	for k, v := range map[string]string{
		"_HANDLER":                        cfg.Handler,
		"AWS_REGION":                      cfg.Region,
		"AWS_DEFAULT_REGION":              cfg.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(cfg.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + cfg.Name,
		"AWS_ACCESS_KEY_ID":               fakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           fakeSecretAccessKey,
		"AWS_SESSION_TOKEN":               fakeSessionToken,
	} {
		vars[k] = v
	}
	for k, v := range runtimeVars {
		vars[k] = v
	}
	env = make([]string, 0, len(vars)+2)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env) // a stable order makes the environment easy to read in a test failure
	sort.Strings(ignored)
	return env, ignored
}

// instanceEnv adds the per-instance variables to the function's environment.
func instanceEnv(base []string, runtimeAPI string, started time.Time) []string {
	env := make([]string, len(base), len(base)+2)
	copy(env, base)
	return append(env,
		"AWS_LAMBDA_RUNTIME_API="+runtimeAPI,
		"AWS_LAMBDA_LOG_STREAM_NAME="+logStreamName(started),
	)
}

// logStreamName is Lambda's stream name for an execution environment: the date it started,
// the version, and a random instance identifier.
func logStreamName(started time.Time) string {
	return started.UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16)
}

// validEnvKey reports whether k can be an environment variable name ([a-zA-Z][a-zA-Z0-9_]+ is
// what Lambda accepts; this only rejects what a process environment cannot hold).
func validEnvKey(k string) error {
	if k == "" || strings.ContainsAny(k, "=\x00") {
		return fmt.Errorf("environment variable name %q is not valid", k)
	}
	return nil
}
