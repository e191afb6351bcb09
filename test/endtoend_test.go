package test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"firstclass/internal/bench"
	"firstclass/internal/contract"
	"firstclass/internal/localapi"
)

// endToEnd is what a test of `firstclass local` end to end starts from: the runner's
// outputs, the AWS SDK's configuration for its AWS endpoint (the bench's own, so that the
// tests read the targets as the bench does) and a context the test's cleanup cancels.
type endToEnd struct {
	ctx context.Context
	out contract.Outputs
	cfg aws.Config
}

// localEndToEnd starts (once per test binary) the local runner for t.
func localEndToEnd(t *testing.T) *endToEnd {
	t.Helper()
	_, out := localRunner(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cfg, err := bench.AWSConfig(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	return &endToEnd{ctx: ctx, out: out, cfg: cfg}
}

// call sends one request to kind's API on the dev stage: path under it, the query string
// unless empty, the body unless empty, header as name, value pairs. It returns the status
// and the body of the answer.
func (e *endToEnd) call(t *testing.T, kind contract.Kind, method, path, query, body string, header ...string) (int, string) {
	t.Helper()
	u := localapi.JoinURL(e.out[contract.APIURLOutput(kind, "dev")], path)
	if query != "" {
		u += "?" + query
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
