package localapi

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
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

// rawRequest is a GET of the greeting with extra header lines and a path suffix.
func rawRequest(s *served, kind contract.Kind, query string, headers string) string {
	u, _ := url.Parse(s.url(kind, "dev", "/greeting"))
	return "GET " + u.Path + "?greeter=Ada" + query + " HTTP/1.1\r\nHost: " + u.Host + "\r\n" + headers + "\r\n"
}

func TestTheFrontEndAnswersWhatNetHTTPWouldAnswerItself(t *testing.T) {
	s := shared(t)
	big := func(n int) string { return "X-Big: " + strings.Repeat("a", n) + "\r\n" }
	for _, tc := range []struct {
		name          string
		query, header string
		status        map[contract.Kind]int
		body          map[contract.Kind]string
	}{
		{name: "a header of 9 KB is served", header: big(9000),
			status: map[contract.Kind]int{contract.HTTP: 200, contract.REST: 200}},
		{name: "a header of 20 KB is over the 10,240-byte limit", header: big(20 << 10),
			status: map[contract.Kind]int{contract.HTTP: 431, contract.REST: 431},
			body:   map[contract.Kind]string{contract.HTTP: `{"message":"Request Header Fields Too Large"}`, contract.REST: "HTTP header is larger than 10240 bytes."}},
		{name: "a header of 2 MiB, beyond net/http's own limit, gets the same answer", header: big(2 << 20),
			status: map[contract.Kind]int{contract.HTTP: 431, contract.REST: 431},
			body:   map[contract.Kind]string{contract.HTTP: `{"message":"Request Header Fields Too Large"}`, contract.REST: "HTTP header is larger than 10240 bytes."}},
		{name: "a URL of 20 KB is over the limit", query: "&pad=" + strings.Repeat("b", 20<<10),
			status: map[contract.Kind]int{contract.HTTP: 431, contract.REST: 431}},
		{name: "a header line net/http cannot parse", header: "Not A Header\r\n",
			status: map[contract.Kind]int{contract.HTTP: 400, contract.REST: 400},
			body:   map[contract.Kind]string{contract.HTTP: `{"message":"Bad Request"}`, contract.REST: `{"message":"Bad Request"}`}},
	} {
		for _, kind := range contract.Kinds {
			t.Run(tc.name+"/"+string(kind), func(t *testing.T) {
				resp, body, err := rawExchange(t, s, kind, rawRequest(s, kind, tc.query, tc.header), false)
				if err != nil {
					t.Fatalf("no answer: %v", err)
				}
				if resp.StatusCode != tc.status[kind] {
					t.Errorf("status %d %q, want %d", resp.StatusCode, body, tc.status[kind])
				}
				if want, ok := tc.body[kind]; ok && body != want {
					t.Errorf("body %q, want %q", body, want)
				}
				if strings.Contains(body, "Request Header Fields Too Large") && resp.Header.Get("Content-Type") == "text/plain; charset=utf-8" {
					t.Errorf("net/http's own answer reached the client: %q", body)
				}
			})
		}
	}
}

func TestATrickledBodyTimesOutWithTheFrontEndsAnswer(t *testing.T) {
	s := serve(t, golden(t), Options{NoThrottle: true})
	old := bodyReadTimeout
	bodyReadTimeout = 500 * time.Millisecond
	t.Cleanup(func() { bodyReadTimeout = old })
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			u, _ := url.Parse(s.url(kind, "dev", "/queue"))
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			io.WriteString(c, "POST "+u.Path+" HTTP/1.1\r\nHost: "+u.Host+"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
			began := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer to a trickled body: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 408 || string(b) != `{"message":"Request Timeout"}` {
				t.Errorf("%d %s, want 408 {\"message\":\"Request Timeout\"}", resp.StatusCode, b)
			}
			if el := time.Since(began); el > 5*time.Second {
				t.Errorf("answered after %s, want about the front end's read timeout", el)
			}
		})
	}
}

// A body API Gateway lets through (under 10 MB) reaches the service, which answers it as AWS
// does; net/http's "request body too large" never comes back.
func TestABodyUnderTheGatewaysLimitGetsTheServicesAnswer(t *testing.T) {
	s := shared(t)
	big := `{"pad":"` + strings.Repeat("x", 9<<20) + `"}`
	for _, kind := range contract.Kinds {
		got := do(t, "POST", s.url(kind, "dev", "/queue"), big)
		if strings.Contains(got.body, "request body too large") || got.status < 400 || got.status >= 500 {
			t.Errorf("%s: %d %.300s, want SQS's 4xx for a message over its limit", kind, got.status, got.body)
		}
		if !strings.Contains(got.body, "Message must be shorter than") {
			t.Errorf("%s: %.300s, want SQS's InvalidParameterValue", kind, got.body)
		}
	}
}

func TestContentLengthWithTransferEncodingIsRefused(t *testing.T) {
	s := shared(t)
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			u, _ := url.Parse(s.url(kind, "dev", "/queue"))
			head := "POST " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\n"
			// A chunked request with its framing followed to the next request on the
			// connection is served; one that also says Content-Length is refused.
			ok := head + "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n"
			resp, body, err := rawExchange(t, s, kind, ok, false)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("a chunked request: %v %v %s", err, resp, body)
			}
			both := head + "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n"
			resp, body, err = rawExchange(t, s, kind, both, false)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if resp.StatusCode != 400 || body != `{"message":"Bad Request"}` {
				t.Errorf("%d %s, want 400 {\"message\":\"Bad Request\"}", resp.StatusCode, body)
			}
		})
	}
}

func TestRequestFramingFollowsPipelinedRequests(t *testing.T) {
	stream := "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello" +
		"POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n" +
		"GET /c HTTP/1.1\r\nHost: h\r\n\r\n" +
		"POST /d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\ncontent-length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	for _, step := range []int{1, 7, len(stream)} { // byte by byte, in pieces, at once
		var f requestFraming
		at := -1
		for i := 0; i < len(stream); i += step {
			if f.feed([]byte(stream[i:min(i+step, len(stream))])) {
				at = i
				break
			}
		}
		if at < strings.Index(stream, "POST /d")-step || at < 0 {
			t.Errorf("step %d: smuggling found at byte %d, want in the head of /d (from byte %d)", step, at, strings.Index(stream, "POST /d"))
		}
	}
}

// A connection dialed and left waiting (a client pool's spare connection) is idle, not a
// request late for the head timeout: a request sent on it long after the dial is answered,
// on both API kinds and on the AWS endpoint (issue 17: such connections were closed at the
// head timeout with no answer, and a client that sent on one just then got EOF).
func TestARequestOnAConnectionLongIdleSinceItsDialIsAnswered(t *testing.T) {
	old := connTimeouts
	connTimeouts.Head = 200 * time.Millisecond
	t.Cleanup(func() { connTimeouts = old })
	s := serve(t, golden(t), Options{NoThrottle: true})
	aws, _ := url.Parse(s.r.AWSEndpoint())
	httpAPI, _ := url.Parse(s.url(contract.HTTP, "dev", "/queue"))
	restAPI, _ := url.Parse(s.url(contract.REST, "dev", "/queue"))
	body := `{"orderId":"o-1"}`
	post := func(u *url.URL, headers string) string {
		return "POST " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\n" + headers + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	cases := []struct {
		name, addr, raw string
	}{
		{"HTTP API", httpAPI.Host, post(httpAPI, "Content-Type: application/json\r\n")},
		{"REST API", restAPI.Host, post(restAPI, "Content-Type: application/json\r\n")},
		{"AWS endpoint", aws.Host, post(&url.URL{Host: aws.Host, Path: "/"}, "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			time.Sleep(3 * connTimeouts.Head)
			io.WriteString(c, tc.raw)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Errorf("%d %s, want 200", resp.StatusCode, b)
			}
		})
	}
}
