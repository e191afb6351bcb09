// Package sfn is awslocal's in-memory AWS Step Functions on its JSON 1.0
// protocol (ServeJSON): STANDARD executions run in the background and are
// listed, described and stopped, and keep the history GetExecutionHistory
// answers (history.go); EXPRESS machines run StartSyncExecution inline. Its Amazon States Language interpreter (asl*.go) runs Pass,
// Task, Choice, Wait, Succeed, Fail, Parallel and inline Map states with
// paths, Parameters, intrinsic functions, Retry and Catch. Task states run
// through a registry of integrations (task*.go): Lambda (through the
// lambdahook.Invoker it is given), Step Functions StartExecution (async,
// .sync, .sync:2) and whatever the root package registers (SQS, EventBridge,
// SNS), with TimeoutSeconds, HeartbeatSeconds and .waitForTaskToken
// answered by SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.
// UnsupportedTasks lists the Task states it cannot run before anything
// runs.
//
// Each action is one entry of the operation table (operations.go). The
// root package awslocal serves it and exposes its Go API; EventBridge
// targets start executions through StartByARN.
package sfn
