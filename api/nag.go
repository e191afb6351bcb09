package api

import (
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	subtypeCatalogue "firstclass/internal/mapping"
	"firstclass/internal/spec"
)

// suppressNagFindings records, on the resources they concern, the cdk-nag AwsSolutions
// findings firstclass accepts, each with its reason. Everything else is fixed in the
// constructs: encrypted queues with dead-letter queues and enforceSSL, one-action roles,
// access logs with retention, request validation, throttling on every stage.
// cog4Reasons say what authorizes a REST method that has no Cognito authorizer.
var cog4Reasons = map[string]string{
	AuthNone:        "nothing (an open route of the load-test target)",
	AuthIAM:         "SigV4 (AWS_IAM)",
	AuthLambda:      "the Lambda REQUEST authorizer, which validates the same Cognito access tokens",
	AuthLambdaToken: "the Lambda TOKEN authorizer, which validates the same Cognito access tokens",
}

// nagSuppress records one accepted finding on scope and its children. appliesTo are regular
// expressions over cdk-nag's finding evidence, so that a suppression covers the one wildcard
// it justifies and nothing else.
func nagSuppress(scope constructs.IConstruct, id, reason string, appliesTo ...string) {
	sup := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		var a []any
		for _, x := range appliesTo {
			a = append(a, &cdknag.RegexAppliesTo{Regex: jsii.String(x)})
		}
		sup.AppliesTo = &a
	}
	cdknag.NagSuppressions_AddResourceSuppressions(scope, &[]*cdknag.NagPackSuppression{sup}, jsii.Bool(true))
}

func suppressNagFindings(s *Stack, c Config, table spec.Table) {
	suppress := nagSuppress
	const open = "firstclass is a public comparison and load-test target: this route is open (firstclass:authMode none) so the bench and curl " +
		"reach it unsigned, and every stage is throttled to cap abuse. Deploy with -c firstclass:authMode=iam, jwt or lambda to protect it."
	for name, route := range s.HTTP.Routes {
		if c.RouteAuthMode(name) == AuthNone {
			suppress(route, "AwsSolutions-APIG4", open)
		}
	}
	for name, method := range s.REST.Methods {
		mode := c.RouteAuthMode(name)
		if mode == AuthNone {
			suppress(method, "AwsSolutions-APIG4", open)
		}
		if mode != AuthJWT {
			suppress(method, "AwsSolutions-COG4", "This method is authorized by "+cog4Reasons[mode]+", by choice of firstclass:authMode: "+
				"the modes exist to compare each kind of authorization on both APIs; -c firstclass:authMode=jwt puts a Cognito user-pool authorizer here.")
		}
	}
	for _, stage := range s.REST.Stages {
		suppress(stage, "AwsSolutions-APIG6", "Execution logging needs the account-wide API Gateway CloudWatch role "+
			"(AWS::ApiGateway::Account), a regional singleton this stack must not take over. Every stage writes JSON access logs "+
			"with integration status, error and latency instead (APIG1).")
		suppress(stage, "AwsSolutions-APIG3", "WAF is billed per request and adds latency to the REST API only (an HTTP API "+
			"cannot attach a web ACL), which would skew the comparison this stack exists for. Put a web ACL in front of a production copy.")
	}
	suppress(s.Targets.Workflow, "AwsSolutions-SF1", "Standard executions keep their full history in Step Functions for 90 days "+
		"(DescribeExecution, GetExecutionHistory); logging ALL events would add CloudWatch ingestion to every run the bench prices.")
	suppress(s.Targets.ExpressWorkflow, "AwsSolutions-SF1", "The express machine only runs synchronously: StartSyncExecution returns "+
		"status, output, error and cause to the caller; logging ALL events would add per-event ingestion to every request the bench prices.")
	suppress(s.Targets.Scratch, "AwsSolutions-SQS3", "The scratch queue exists to be purged by DELETE /scratch: nothing receives "+
		"from it, so no message can fail to be processed and be redriven.")
	if s.Targets.Key != nil {
		suppress(s.Targets.Stream, "AwsSolutions-KDS3", "firstclass:kmsKey=customer asks for the stack's customer-managed key instead of "+
			"aws/kinesis: its key policy is the account's to audit and revoke, it rotates yearly, and each integration role on the stream "+
			"may use it (kms:GenerateDataKey, kms:Decrypt) and no other key.")
	}
	// A role whose one resource is an ARN pattern (a stop's executions) has the IAM5
	// suppression its target kind justifies, for that pattern alone.
	for _, r := range table {
		tg, err := s.Targets.lookup(r.Target)
		w, ok := tg.(interface {
			wildcard(action string) (pattern, reason string)
		})
		if err != nil || !ok {
			continue
		}
		if st, found := subtypeCatalogue.LookupSubtype(r.HTTP.Subtype); found {
			_, action, _ := strings.Cut(st.IAMAction, ":")
			if pattern, reason := w.wildcard(action); pattern != "" {
				suppress(s.HTTP.Routes[r.Name], "AwsSolutions-IAM5", reason, pattern)
			}
		}
		if pattern, reason := w.wildcard(r.REST.Action); pattern != "" && s.REST.Roles[r.Name] != nil {
			suppress(s.REST.Roles[r.Name], "AwsSolutions-IAM5", reason, pattern)
		}
	}
	for _, m := range []constructs.IConstruct{s.Targets.Workflow, s.Targets.ExpressWorkflow} {
		suppress(m, "AwsSolutions-SF2", "X-Ray is billed per trace and adds work to the targets of the latency comparison; "+
			"enable tracing on a production copy.")
	}
}

// logicalIDPattern matches the logical ID the CDK gives c's resource: its path below the
// stack, without non-alphanumerics, then an 8-digit hash ("TargetsWorkflow2F799B67").
func logicalIDPattern(c constructs.IConstruct) string {
	parts := strings.Split(*c.Node().Path(), "/")
	return regexp.MustCompile(`[^A-Za-z0-9]`).ReplaceAllString(strings.Join(parts[1:], ""), "") + "[0-9A-F]{8}"
}
