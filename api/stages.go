package api

import (
	"firstclass/internal/contract"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newAccessLogGroup makes a stage's access log group, with the context's retention. Its
// construct ID ("AccessLogsDev") fixes its logical ID.
func newAccessLogGroup(scope constructs.Construct, stage string, c Config) awslogs.LogGroup {
	return awslogs.NewLogGroup(scope, jsii.String("AccessLogs"+title(stage)), &awslogs.LogGroupProps{
		Retention:     retentionDays(c.LogRetentionDays),
		RemovalPolicy: removalPolicy(c),
	})
}

// httpAccessLogSettings implements awsapigatewayv2.IAccessLogSettings, a jsii interface.
type httpAccessLogSettings struct {
	destination awsapigatewayv2.IAccessLogDestination
	format      awsapigateway.AccessLogFormat
}

func (s *httpAccessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination {
	return s.destination
}
func (s *httpAccessLogSettings) Format() awsapigateway.AccessLogFormat { return s.format }

func accessLogFormat(kind contract.Kind) awsapigateway.AccessLogFormat {
	return awsapigateway.AccessLogFormat_Custom(jsii.String(contract.AccessLogFormat(kind)))
}

func stageVariables(s StageConfig) *map[string]*string {
	if len(s.Variables) == 0 {
		return nil
	}
	out := make(map[string]*string, len(s.Variables))
	for k, v := range s.Variables {
		out[k] = jsii.String(v)
	}
	return &out
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
