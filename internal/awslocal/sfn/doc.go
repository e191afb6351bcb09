// Package sfn is awslocal's in-memory AWS Step Functions on its JSON 1.0
// protocol (ServeJSON): STANDARD executions run in the background and are
// listed, described and stopped; EXPRESS machines run StartSyncExecution
// inline. Its Amazon States Language interpreter (asl*.go) runs Pass,
// Choice, Wait, Succeed, Fail, Parallel and inline Map states with paths,
// Parameters, intrinsic functions, Retry and Catch; a Task state fails the
// execution with a cause naming the state.
//
// Each action is one entry of the operation table (operations.go). The
// root package awslocal serves it and exposes its Go API; EventBridge
// targets start executions through StartByARN.
package sfn
