// Package awstest is what the tests of awslocal's packages share to talk
// to a service through the AWS SDK for Go v2: a client configuration for a
// local endpoint, a test context, and the error code of an SDK error. Only
// tests import it.
package awstest

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Region is the region the clients sign for.
const Region = "us-east-1"

// Config is an SDK configuration for the endpoint, with static
// credentials and no retries.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		// No retries: a test wants the first answer, so the SDK's client must
		// not lose one (sdkhttp).
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.Client(nil),
		// StartSyncExecution's endpoint has a host prefix ("sync-"), which
		// would turn 127.0.0.1 into an unresolvable name; an endpoint
		// override must switch prefixing off.
		APIOptions: []func(*middleware.Stack) error{disableHostPrefix},
	}
}

func disableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awslocalDisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// Context is a context for one test's calls, cancelled after 30 seconds or
// when the test ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// APICode returns the error code an SDK error carries ("" for nil).
func APICode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

// MustCreateQueue creates a queue through the SDK and returns its URL.
func MustCreateQueue(t testing.TB, client *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := client.CreateQueue(Context(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// WaitDone waits for a STANDARD execution to stop with wait (a service's
// WaitExecution) and describes it through the SDK.
func WaitDone[E any](t testing.TB, client *sfn.Client, wait func(context.Context, string) (E, error), arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	if _, err := wait(Context(t), arn); err != nil {
		t.Fatalf("WaitExecution: %v", err)
	}
	d, err := client.DescribeExecution(Context(t), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeExecution: %v", err)
	}
	return d
}

// JSONHandler serves the awsJson requests of one service the way
// awslocal.Server routes them: the body read and the action taken from
// X-Amz-Target (prefix.Action).
func JSONHandler(prefix string, serve func(w http.ResponseWriter, r *http.Request, action string, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		awsproto.WithBody(w, r, func(body []byte) {
			serve(w, r, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), prefix+"."), body)
		})
	})
}

// CLI is the AWS CLI, unchanged, run against the endpoint with static
// credentials and a configuration of its own (no user files, no instance
// metadata, no pager): run(args…) is its JSON output, and a failure fails
// the test with the CLI's stderr. The test is skipped, saying how to install
// it, where the CLI is absent.
func CLI(t *testing.T, endpoint string) (run func(args ...string) []byte) {
	t.Helper()
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed; install it with `apt-get install awscli` to run this test")
	}
	dir := t.TempDir()
	return func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsPath, append([]string{"--endpoint-url", endpoint, "--region", awsproto.DefaultRegion, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		return out
	}
}
