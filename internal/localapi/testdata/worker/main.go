// Command worker is a test fixture: the Lambda function of testdata/sfnapp's state machine and
// rules, doing what its event's "op" says.
//
//	double    {"n": N}            → {"n": 2N}
//	reject    {}                  → fails with errorType OrderRejected
//	flaky     {"key": K}          → fails with errorType Transient the first time it sees K
//	callback  {"token", "endpoint"} → answers the task token with SendTaskSuccess on the local
//	                                  endpoint (its JSON protocol, unsigned), then returns
//	record    {"id": ID}          → prints "recorded ID" (an EventBridge target's event)
//	sleep     {"n": MS}           → waits MS milliseconds, as a function waiting on I/O, → {"n": MS}
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Op       string          `json:"op"`
	N        int             `json:"n"`
	Key      string          `json:"key"`
	Token    string          `json:"token"`
	Endpoint string          `json:"endpoint"`
	ID       json.RawMessage `json:"id"`
}

// OrderRejected and Transient are the error types the state machine catches and retries:
// the Go runtime reports an error's type name as its errorType.
type OrderRejected struct{ Reason string }

func (e OrderRejected) Error() string { return e.Reason }

type Transient struct{}

func (Transient) Error() string { return "try again" }

var (
	mu   sync.Mutex
	seen = map[string]bool{}
)

func handle(ctx context.Context, e event) (any, error) {
	switch e.Op {
	case "double":
		return map[string]int{"n": 2 * e.N}, nil
	case "reject":
		return nil, OrderRejected{Reason: "the order is over the limit"}
	case "flaky":
		mu.Lock()
		first := !seen[e.Key]
		seen[e.Key] = true
		mu.Unlock()
		if first {
			return nil, Transient{}
		}
		return map[string]string{"key": e.Key, "attempt": "second"}, nil
	case "callback":
		body, _ := json.Marshal(map[string]string{"taskToken": e.Token, "output": `{"approvedBy":"worker"}`})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.Endpoint, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "AWSStepFunctions.SendTaskSuccess")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("SendTaskSuccess: %s", res.Status)
		}
		return map[string]string{}, nil
	case "sleep":
		time.Sleep(time.Duration(e.N) * time.Millisecond)
		return map[string]int{"n": e.N}, nil
	case "record":
		fmt.Printf("recorded %s\n", e.ID)
		return nil, nil
	}
	return nil, fmt.Errorf("unknown op %q", e.Op)
}

func main() { lambda.Start(handle) }
