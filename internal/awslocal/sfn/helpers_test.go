package sfn

import (
	"errors"
	"net/http/httptest"
	"testing"

	"firstclass/internal/awslocal/awstest"

	sfnapi "github.com/aws/aws-sdk-go-v2/service/sfn"
)

// testEnv is a Service behind an httptest.Server with an SDK client
// pointed at it.
type testEnv struct {
	srv  *Service
	http *httptest.Server
	sfn  *sfnapi.Client
}

var ctxT = awstest.Context

func newEnv(t testing.TB, opts Options) *testEnv {
	t.Helper()
	svc := New(opts)
	hs := httptest.NewServer(awstest.JSONHandler("AWSStepFunctions", svc.ServeJSON))
	t.Cleanup(func() {
		hs.Close()
		svc.Close()
	})
	return &testEnv{srv: svc, http: hs, sfn: sfnapi.NewFromConfig(awstest.Config(hs.URL))}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
