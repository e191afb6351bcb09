package sqs

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"firstclass/internal/awslocal/awstest"

	sqsapi "github.com/aws/aws-sdk-go-v2/service/sqs"
)

// testServer is a Service as an http.Handler: the JSON protocol by
// X-Amz-Target, the query protocol otherwise, as awslocal.Server routes
// SQS requests.
type testServer struct{ *Service }

func newServer(opts Options) (*testServer, error) { return &testServer{New(opts)}, nil }

func (s *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "" {
		s.ServeQuery(w, r)
		return
	}
	awstest.JSONHandler("AmazonSQS", s.ServeJSON).ServeHTTP(w, r)
}

// Close ends the service's long polls.
func (s *testServer) Close() error {
	s.Service.Close()
	return nil
}

// testEnv is a Service behind an httptest.Server with an SDK client
// pointed at it.
type testEnv struct {
	srv  *testServer
	http *httptest.Server
	sqs  *sqsapi.Client
}

var (
	ctxT    = awstest.Context
	apiCode = awstest.APICode
)

func newEnv(t testing.TB, opts Options) *testEnv {
	t.Helper()
	srv, _ := newServer(opts)
	hs := httptest.NewServer(srv)
	srv.SetBaseURL(hs.URL)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testEnv{srv: srv, http: hs, sqs: sqsapi.NewFromConfig(awstest.Config(hs.URL))}
}

func mustCreateQueue(t testing.TB, e *testEnv, name string, attrs map[string]string) string {
	t.Helper()
	return awstest.MustCreateQueue(t, e.sqs, name, attrs)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
