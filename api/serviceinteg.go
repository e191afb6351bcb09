package api

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
)

// serviceIntegration is an HTTP API first-class integration (AWS_PROXY with a subtype)
// built on the CDK's HttpRouteIntegration, as its own HttpSqsIntegration is: at bind it makes
// the route's role ("InvokeRole", the ID the CDK's integrations use), allowed the subtype's
// one action on the target's ARNs and, for a target encrypted with a customer-managed key,
// kms:GenerateDataKey and kms:Decrypt on that key only, which the CDK's own integrations
// leave out. It serves the subtypes the CDK has no integration for (Kinesis-PutRecord,
// AppConfig-GetConfiguration) and every subtype on a target with a key.
type serviceIntegration struct {
	awsapigatewayv2.HttpRouteIntegration
	subtype   awsapigatewayv2.HttpIntegrationSubtype
	mapping   awsapigatewayv2.ParameterMapping
	action    string // "kinesis:PutRecord"
	resources []string
	key       awskms.IKey
}

func newServiceIntegration(id *string, s *serviceIntegration) *serviceIntegration {
	awsapigatewayv2.NewHttpRouteIntegration_Override(s, id)
	return s
}

// Bind is called by the route: it makes the role and says how to integrate.
func (s *serviceIntegration) Bind(o *awsapigatewayv2.HttpRouteIntegrationBindOptions) *awsapigatewayv2.HttpRouteIntegrationConfig {
	role := awsiam.NewRole(o.Scope, jsii.String("InvokeRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
	})
	allowTargetUse(role, s.action, s.resources, s.key)
	return &awsapigatewayv2.HttpRouteIntegrationConfig{
		Type:                 awsapigatewayv2.HttpIntegrationType_AWS_PROXY,
		Subtype:              s.subtype,
		Credentials:          awsapigatewayv2.IntegrationCredentials_FromRole(role),
		ParameterMapping:     s.mapping,
		PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_1_0(),
	}
}

// allowTargetUse gives role the one action on the target's ARNs and, when the target is
// encrypted with a customer-managed key, the key actions that action needs (keyActions) on
// that key only.
func allowTargetUse(role awsiam.Role, action string, resources []string, key awskms.IKey) {
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Allow" + strings.ReplaceAll(action, ":", "")),
		Actions:   jsii.Strings(action),
		Resources: jsii.Strings(resources...),
	}))
	need, listed := keyActions[action]
	if !listed {
		need = producerKeyActions
	}
	if key != nil && len(need) > 0 {
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AllowTargetKey"),
			Actions:   jsii.Strings(need...),
			Resources: jsii.Strings(*key.KeyArn()),
		}))
	}
}

// producerKeyActions are what a producer of encrypted data needs: SQS and Kinesis call
// GenerateDataKey on a send and Decrypt to reuse a cached data key ("Key management", Amazon
// SQS Developer Guide: a producer needs kms:GenerateDataKey and kms:Decrypt). Every action
// not in keyActions gets them.
var producerKeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}

// keyActions are the key actions of the actions that need fewer than a producer: a consumer
// only decrypts (the same guide: a consumer needs kms:Decrypt), and a delete or a purge reads
// no message body, so it needs none.
var keyActions = map[string][]string{
	"sqs:ReceiveMessage": {"kms:Decrypt"},
	"sqs:DeleteMessage":  nil,
	"sqs:PurgeQueue":     nil,
}
