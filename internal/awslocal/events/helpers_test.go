package events

import (
	"errors"
	"net/http/httptest"
	"testing"

	"firstclass/internal/awslocal/awstest"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// testEnv is a Service behind an httptest.Server with an SDK client
// pointed at it.
type testEnv struct {
	srv    *Service
	http   *httptest.Server
	events *eventbridge.Client
}

var (
	ctxT    = awstest.Context
	apiCode = awstest.APICode
)

func newEnv(t testing.TB, opts Options) *testEnv {
	t.Helper()
	svc := New(opts)
	hs := httptest.NewServer(awstest.JSONHandler("AWSEvents", svc.ServeJSON))
	t.Cleanup(hs.Close)
	return &testEnv{srv: svc, http: hs, events: eventbridge.NewFromConfig(awstest.Config(hs.URL))}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
