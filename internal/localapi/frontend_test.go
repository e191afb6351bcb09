package localapi

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"firstclass/internal/contract"
)

// rawExchange sends raw bytes to the API of kind on one new connection, half-closes it when
// halfClose is set, and returns the answer (nil with the read error when there is none).
func rawExchange(t *testing.T, s *served, kind contract.Kind, raw string, halfClose bool) (*http.Response, string, error) {
	t.Helper()
	u, err := url.Parse(s.out[contract.APIURLOutput(kind, "dev")])
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, "", err
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

func TestAClientThatHalfClosesAfterItsRequestStillGetsTheIntegrationsAnswer(t *testing.T) {
	s := shared(t)
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			u, _ := url.Parse(s.url(kind, "dev", "/greeting"))
			raw := "GET " + u.Path + "?greeter=Ada HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n"
			for i := range 3 { // a cold start and warm invocations
				resp, body, err := rawExchange(t, s, kind, raw, true)
				if err != nil {
					t.Fatalf("request %d: no answer: %v", i, err)
				}
				if resp.StatusCode != 200 || !strings.Contains(body, "Ada") {
					t.Fatalf("request %d: %d %s, want 200 with the greeting", i, resp.StatusCode, body)
				}
			}
		})
	}
}
