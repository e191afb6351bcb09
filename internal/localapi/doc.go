// Package localapi is `firstclass local`: it serves the HTTP APIs (API Gateway v2) and REST
// APIs (v1) of a synthesized CDK app on localhost, firstclass's own or any other, with the
// targets they integrate with running in memory (internal/awslocal) and Lambda functions
// (Node.js, Python, provided, go1.x from their assets; firstclass's Go functions built from
// source) running as real processes (internal/lambdalocal).
//
// It is driven by the CloudFormation template, not by a second copy of the route table:
// routes, integrations, parameter mappings, VTL templates, stages, throttling and access log
// formats are read from the resources the app synthesized, with intrinsics resolved to local
// URLs and ARNs (internal/cfn). Parameter mappings are evaluated by internal/mapping and
// templates rendered by internal/vtl, the same code that checks them at synth, so both agree.
// Template parameters take their defaults or Options.Parameters, nested stacks are served as
// part of their parent, and the CDK's deploy-time custom resources are skipped with one
// warning. Everything it cannot emulate, in the whole assembly, is one report at start
// (*StartError), naming each resource.
//
// For the edit loop, it can trace each request in the words of API Gateway's test-invoke log
// (Options.Trace, trace.go), swap a new assembly in behind listeners that stay (Reload,
// reload.go), send one request to one route (Invoke) and serve an inspector page of recent
// requests, queues, events and executions (Options.Inspector, inspector.go).
//
// The cmd/firstclass local and invoke subcommands wrap it; tests and benchmarks embed it.
package localapi
