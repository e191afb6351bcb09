// Package events is awslocal's in-memory Amazon EventBridge on its JSON 1.1
// protocol (ServeJSON): event buses, rules with event patterns
// (pattern.go), targets with input transformation (transform.go), and
// archives that count what they keep.
//
// Delivery is synchronous: PutEvents matches each event against the bus's
// rules and hands it to each target through the Target registered for its
// ARN's service (targets.go), so the package does not depend on the
// services it delivers to. The root package awslocal registers SQS queues
// (QueueTarget) and Step Functions state machines (StateMachineTarget);
// other buses are built in. Each action is one entry of the operation
// table (operations.go).
package events
