// Package lambdalocal runs a Lambda function on this machine as a real OS process that speaks
// the AWS Lambda Runtime API, without Docker. The local runner (internal/localapi, behind
// `firstclass local`) uses it for every Lambda integration of the APIs it serves.
//
// A function is either firstclass's own Go code, or a function of any CDK app as its cloud
// assembly holds it:
//
//   - [Build] compiles a Go package for this host, as a `bootstrap` binary like the one a
//     provided.al2023 function ships; FunctionConfig.Binary is that binary.
//   - FunctionConfig.Runtime and CodeDir (the unzipped asset directory, aws:asset:path) run
//     the code as Lambda's managed runtime would. nodejsN.x functions run on lambdalocal's own
//     Node.js runtime interface client (clients/node/index.mjs, no dependencies) with the
//     machine's node; python3.N functions on its Python client (clients/python/bootstrap.py,
//     standard library only) with the machine's python3. Both follow AWS's runtime interface
//     clients: handler resolution (CommonJS, ES modules, package.json "type": "module";
//     module.function and pkg/mod.function), the context object, async and callback handlers,
//     error documents, init errors (Runtime.ImportModuleError, Runtime.HandlerNotFound…), log
//     lines. provided.al2, provided.al2023 and go1.x run the asset's own executable (bootstrap,
//     or the Handler for go1.x), which must be built for this host's OS and architecture.
//
// [CheckRuntime] says, before anything starts, whether a function can run here: Java, .NET,
// Ruby and container images cannot, nor a function whose node or python3 is missing or older
// than its runtime, nor an executable built for another architecture. [NewFunction] makes the
// same checks. [Function.Invoke] runs one invocation the way the Lambda Invoke API
// (RequestResponse) does, the same way for every runtime:
//
//   - Each instance (Lambda's execution environment) is one process with its own loopback
//     Runtime API endpoint (AWS_LAMBDA_RUNTIME_API) and the environment Lambda gives the
//     function's runtime. An instance handles one invocation at a time and is reused while
//     warm; a new one is started (a cold start) only when none is idle and fewer than
//     MaxConcurrency run.
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
// /next request, so a timer a Node.js function leaves behind fires between invocations rather
// than at the next one. Lambda's 10 s init limit is kept (FunctionConfig.InitTimeout), but an
// init that exceeds it is reported as a timeout instead of being retried within the invoke
// phase. Billed Duration follows the provided.al2023 rule (duration plus init duration,
// rounded up to the millisecond) and is only informative.
//
// Node.js and Python functions run on whatever node and python3 this machine has (a newer one
// than the runtime is accepted), with the function's own dependencies only: there is no AWS SDK
// in the runtime directory, and no layers (/opt). The Python client encodes a fractional
// Decimal through float, where Lambda's simplejson writes its exact digits, and writes Lambda's
// text log format only (AWS_LAMBDA_LOG_FORMAT=JSON is honoured by the Node.js client alone).
// Response streaming is not supported: a handler wrapped in awslambda.streamifyResponse fails
// its init with Runtime.StreamingNotSupported.
package lambdalocal
