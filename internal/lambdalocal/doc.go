// Package lambdalocal runs a Go Lambda function on this machine as a real OS process that speaks
// the AWS Lambda Runtime API, without Docker. The local runner (internal/localapi, behind
// `firstclass local`) uses it for every Lambda integration of the APIs it serves.
//
// [Build] compiles the function's own Go package for this host, as a `bootstrap` binary like the
// one a provided.al2023 function ships. [NewFunction] wraps that binary; [Function.Invoke] runs one
// invocation the way the Lambda Invoke API (RequestResponse) does:
//
//   - Each instance (Lambda's execution environment) is one process with its own loopback
//     Runtime API endpoint (AWS_LAMBDA_RUNTIME_API) and the environment Lambda gives an OS-only
//     runtime. An instance handles one invocation at a time and is reused while warm; a new
//     one is started (a cold start) only when none is idle and fewer than MaxConcurrency run.
//   - Whatever the function does wrong is a [Result] with FunctionError "Unhandled" and Lambda's
//     own error document: an error it reports, a crash (Runtime.ExitError), a timeout
//     (Sandbox.Timedout), running out of memory (Runtime.OutOfMemory), a response over 6 MB
//     (Function.ResponseSizeTooLarge), a failed init. A crashed, timed-out or killed instance is
//     discarded and the next invocation starts a fresh one, so a Function stays usable.
//   - The error returned by Invoke is only for the caller's problems: its context ended, the
//     Function was closed, the payload is over Lambda's request limit, or (with
//     ThrottleWhenBusy) every instance is busy.
//   - The function's stdout and stderr go to FunctionConfig.Logs line by line, together with the
//     START, END and REPORT lines Lambda writes to CloudWatch Logs.
//
// # What is approximate
//
// Memory is enforced without cgroups or root: while an instance initializes or runs an
// invocation, its process's peak resident set size (VmHWM in /proc/PID/status, Linux only) is
// sampled every 10 ms and the process group is killed once it exceeds MemoryMB. Lambda's cgroup
// also counts child processes and page cache and stops an allocation at once; here a fast
// allocator can overshoot the limit for up to one sampling interval, and children are not
// counted. On other systems the limit is not enforced and Max Memory Used is reported as 0.
// Lambda freezes an idle environment; here an idle process keeps running, blocked in its
// /next request. Lambda's 10 s init limit is kept (FunctionConfig.InitTimeout), but an init
// that exceeds it is reported as a timeout instead of being retried within the invoke phase.
// Billed Duration follows the provided.al2023 rule (duration plus init duration, rounded up
// to the millisecond) and is only informative.
package lambdalocal
