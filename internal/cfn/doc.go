// Package cfn reads what `cdk synth` writes: the cloud assembly's manifest, each stack's
// CloudFormation template, and the intrinsic functions in it (Ref, Fn::GetAtt, Fn::Join,
// Fn::Sub, Fn::Select, Fn::Split, pseudo parameters), its parameters, the assets of the
// asset manifests (a function's code, a nested stack's template), and nested stacks merged
// into their parent (Assembly.Flatten).
//
// The local runner (internal/localapi) uses it to build the APIs and targets from the
// template itself, with every intrinsic resolved to a local URL, name or ARN, so that what
// runs on localhost is what deploys. It knows nothing of AWS services: callers supply the
// values of Ref and Fn::GetAtt. Standard library only.
package cfn
