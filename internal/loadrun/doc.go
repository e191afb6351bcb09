// Package loadrun runs `firstclass bench --from lambda`: the bench's load fanned out on Lambda
// workers by the FirstclassLoad stack's Step Functions Map state, from one start instant.
//
// It checks the workers' stack from its outputs, estimates what the run itself costs, starts
// one execution whose Map state invokes N workers (each lambda/loadworker running
// internal/bench for its shard of one schedule), shows each worker's progress from the
// execution's history, reads the workers' results from the stack's bucket, merges them
// (bench.Merge) and runs the delivery check and the access logs from here (bench.Check), as
// `firstclass bench` does after its own load. The same code runs against AWS and against
// `firstclass local` serving both stacks: Engine is Step Functions and S3 through the SDK
// (NewEngine), or anything else that answers the same calls (tests).
package loadrun
