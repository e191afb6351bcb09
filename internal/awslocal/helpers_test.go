package awslocal

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// testEnv is a Server behind an httptest.Server with SDK clients pointed
// at it.
type testEnv struct {
	srv    *Server
	http   *httptest.Server
	sqs    *sqs.Client
	events *eventbridge.Client
	sfn    *sfn.Client
}

func sdkConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		// No retries: a test wants the first answer.
		RetryMaxAttempts: 1,
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

func newEnv(t testing.TB, opts Options) *testEnv {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv)
	srv.SetBaseURL(hs.URL)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	cfg := sdkConfig(hs.URL)
	return &testEnv{
		srv:    srv,
		http:   hs,
		sqs:    sqs.NewFromConfig(cfg),
		events: eventbridge.NewFromConfig(cfg),
		sfn:    sfn.NewFromConfig(cfg),
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiCode returns the error code an SDK error carries ("" for nil).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func mustCreateQueue(t testing.TB, e *testEnv, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.sqs.CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
