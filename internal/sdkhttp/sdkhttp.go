// Package sdkhttp is the HTTP client firstclass gives the AWS SDK for Go v2: the SDK's own,
// with each request's body handed to net/http as an in-memory copy, so that the SDK closing
// its body early can no longer make net/http close the connection under the response.
//
// The race it removes (found with the local AWS endpoint; aws/aws-sdk-go-v2#2737 and #1825
// report it against DynamoDB): smithy-go wraps a request body in a safeReadCloser whose WriteTo
// answers io.EOF once closed (smithy-go transport/http/internal/io/safe.go), and closes it as
// soon as the client's Do returns, that is once the response headers are in
// (transport/http/client.go). net/http's writeLoop sends a body that is not a known in-memory
// reader straight to the socket after flushing the headers, then reads it once more to check
// it holds no byte past Content-Length (transfer.go, writeBody's doBodyCopy(io.Discard, body)).
// When the server answers between those two steps (a fast server, a busy client), the second
// read is the WriteTo of a closed body: io.EOF, a write error, and the writeLoop closes the
// connection (transport.go, writeLoop's pc.close) while the caller reads the response body:
// "read tcp …: use of closed network connection" on an answer the server sent whole. The SDK
// retries it; a retried ReceiveMessage has hidden the messages the lost answer carried.
//
// With an in-memory body net/http writes the headers and the body together and its last read
// of the body is of a bytes.Reader the SDK cannot close, so nothing the SDK does after Do can
// fail the write.
package sdkhttp

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// maxBuffered bounds the body copied: API Gateway's 10 MB payload limit, above anything the
// bench or the tests send. A larger body, or one of unknown length (a stream), goes through as
// the SDK built it.
const maxBuffered = 10 << 20

// Client wraps inner (nil: the SDK's default client) so that every request body of known
// length up to maxBuffered reaches net/http as an in-memory copy.
func Client(inner aws.HTTPClient) aws.HTTPClient {
	if inner == nil {
		inner = awshttp.NewBuildableClient()
	}
	return inMemoryBodies{inner: inner}
}

type inMemoryBodies struct{ inner aws.HTTPClient }

func (c inMemoryBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength <= 0 || req.ContentLength > maxBuffered {
		return c.inner.Do(req)
	}
	// req.Body stays the SDK's: it closes it itself after Do, and rewinds its stream for a retry.
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	return c.inner.Do(out)
}
