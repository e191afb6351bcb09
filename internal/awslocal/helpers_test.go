package awslocal

import (
	"net/http/httptest"
	"testing"

	"firstclass/internal/awslocal/awstest"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
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

var (
	sdkConfig       = awstest.Config
	ctxT            = awstest.Context
	mustCreateQueue = func(t testing.TB, e *testEnv, name string, attrs map[string]string) string {
		t.Helper()
		return awstest.MustCreateQueue(t, e.sqs, name, attrs)
	}
)

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

// waitDone waits for a STANDARD execution to stop and describes it.
func waitDone(t *testing.T, e *testEnv, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	return awstest.WaitDone(t, e.sfn, e.srv.WaitExecution, arn)
}
