package api

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsappconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/spec"
)

// The Kinesis stream and the AppConfig hosted configuration, and the target kinds that put
// them behind routes. The CDK has no HTTP API integration for either subtype
// (Kinesis-PutRecord, AppConfig-GetConfiguration): their routes use serviceIntegration.

// SettingsContent is the JSON the stack hosts as the AppConfig configuration GET /config
// answers with.
const SettingsContent = `{"greeting":"Hello","discountPercent":10,"features":{"expressCheckout":true}}`

// newStream makes the on-demand stream POST /stream puts to, encrypted with the AWS managed
// key (alias/aws/kinesis) or, with firstclass:kmsKey=customer, with the stack's key.
func newStream(scope constructs.Construct, removal awscdk.RemovalPolicy, key awskms.IKey) awskinesis.Stream {
	props := &awskinesis.StreamProps{
		StreamMode:      awskinesis.StreamMode_ON_DEMAND,
		Encryption:      awskinesis.StreamEncryption_MANAGED,
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(24)),
		RemovalPolicy:   removal,
	}
	if key != nil {
		props.Encryption, props.EncryptionKey = awskinesis.StreamEncryption_KMS, key
	}
	return awskinesis.NewStream(scope, jsii.String("Stream"), props)
}

// Settings is the AppConfig application, its environment and the hosted configuration
// deployed there, all at once.
type Settings struct {
	Application   awsappconfig.Application
	Environment   awsappconfig.Environment
	Strategy      awsappconfig.DeploymentStrategy
	Configuration awsappconfig.HostedConfiguration
}

// newSettings creates the application, its environment, an immediate deployment strategy
// (100% at once, no bake time) and the hosted JSON configuration deployed with it.
func newSettings(scope constructs.Construct, removal awscdk.RemovalPolicy) *Settings {
	s := &Settings{}
	s.Application = awsappconfig.NewApplication(scope, jsii.String("Settings"), &awsappconfig.ApplicationProps{
		Description: jsii.String("firstclass: the configuration GET /config reads"),
	})
	s.Environment = awsappconfig.NewEnvironment(scope, jsii.String("SettingsEnvironment"), &awsappconfig.EnvironmentProps{
		Application: s.Application,
		Description: jsii.String("firstclass: the one environment both APIs read"),
	})
	s.Strategy = awsappconfig.NewDeploymentStrategy(scope, jsii.String("SettingsImmediate"), &awsappconfig.DeploymentStrategyProps{
		Description: jsii.String("firstclass: deploys to every client at once, with no bake time"),
		RolloutStrategy: awsappconfig.RolloutStrategy_Linear(&awsappconfig.RolloutStrategyProps{
			GrowthFactor:       jsii.Number(100),
			DeploymentDuration: awscdk.Duration_Minutes(jsii.Number(0)),
			FinalBakeTime:      awscdk.Duration_Minutes(jsii.Number(0)),
		}),
	})
	s.Configuration = awsappconfig.NewHostedConfiguration(scope, jsii.String("SettingsConfiguration"), &awsappconfig.HostedConfigurationProps{
		Application:        s.Application,
		Content:            awsappconfig.ConfigurationContent_FromInlineJson(jsii.String(SettingsContent), jsii.String("application/json")),
		DeployTo:           &[]awsappconfig.IEnvironment{s.Environment},
		DeploymentStrategy: s.Strategy,
		Description:        jsii.String("firstclass: hosted JSON, answered by both GET /config routes"),
	})
	for _, c := range []constructs.IConstruct{s.Application, s.Environment, s.Configuration} {
		if r, ok := c.Node().DefaultChild().(awscdk.CfnResource); ok {
			r.ApplyRemovalPolicy(removal, nil)
		}
	}
	return s
}

// keyOf is the customer-managed key a target is encrypted with, nil for none.
type keyed interface{ key() awskms.IKey }

func keyOf(t target) awskms.IKey {
	if k, ok := t.(keyed); ok {
		return k.key()
	}
	return nil
}

// policyResources are the ARNs a target's action is allowed on: one, unless the action
// names several resources (AppConfig's GetConfiguration: the application, the environment
// and the profile, as the Service Authorization Reference lists them).
func policyResources(t target, action string) []string {
	if m, ok := t.(interface{ policyResources(string) []string }); ok {
		return m.policyResources(action)
	}
	return []string{t.policyResource(action)}
}

// streamTarget is a Kinesis data stream.
type streamTarget struct {
	noFunction
	noPath
	noHTTPIntegration
	s awskinesis.Stream
	k awskms.IKey
}

func (streamTarget) kind() spec.TargetKind { return spec.Stream }
func (streamTarget) service() string       { return "kinesis" }
func (t streamTarget) attrs() map[spec.Attr]string {
	return map[spec.Attr]string{spec.StreamName: *t.s.StreamName()}
}
func (t streamTarget) policyResource(string) string { return *t.s.StreamArn() }
func (t streamTarget) key() awskms.IKey             { return t.k }

// configTarget is an AppConfig hosted configuration deployed to one environment.
type configTarget struct {
	noFunction
	noHTTPIntegration
	s *Settings
}

func (configTarget) kind() spec.TargetKind { return spec.HostedConfiguration }
func (configTarget) service() string       { return "appconfig" }
func (t configTarget) attrs() map[spec.Attr]string {
	return map[spec.Attr]string{
		spec.ApplicationID:          *t.s.Application.ApplicationId(),
		spec.EnvironmentID:          *t.s.Environment.EnvironmentId(),
		spec.ConfigurationProfileID: *t.s.Configuration.ConfigurationProfileId(),
	}
}
func (t configTarget) policyResource(string) string {
	return *t.s.Configuration.ConfigurationProfileArn()
}
func (t configTarget) policyResources(string) []string {
	return []string{*t.s.Application.ApplicationArn(), *t.s.Environment.EnvironmentArn(), *t.s.Configuration.ConfigurationProfileArn()}
}

// restPath is GetConfiguration's path, the configuration of the profile in the environment.
func (t configTarget) restPath() (*string, bool) {
	return awscdk.Fn_Join(jsii.String("/"), jsii.Strings("applications", *t.s.Application.ApplicationId(), "environments",
		*t.s.Environment.EnvironmentId(), "configurations", *t.s.Configuration.ConfigurationProfileId())), true
}
