// Command behave is a test fixture: a Lambda function built on aws-lambda-go whose behaviour
// each event chooses, so that one binary covers echoing, errors, crashes, timeouts and memory.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Echo          json.RawMessage `json:"echo"`
	Environ       bool            `json:"environ"`       // report the whole environment
	Error         string          `json:"error"`         // return this error
	Panic         string          `json:"panic"`         // panic with this value
	Exit          *int            `json:"exit"`          // exit with this status
	SleepMS       int             `json:"sleepMs"`       // sleep before answering
	AllocMB       int             `json:"allocMb"`       // allocate and hold this much memory, then sleep a while
	ResponseBytes int             `json:"responseBytes"` // answer with a string this long
	Log           string          `json:"log"`           // print this to stdout and stderr
	Spawn         bool            `json:"spawn"`         // start a child process that never ends
}

type response struct {
	Echo        json.RawMessage   `json:"echo,omitempty"`
	Environ     map[string]string `json:"environ,omitempty"`
	Cwd         string            `json:"cwd"`
	PID         int               `json:"pid"`
	ChildPID    int               `json:"childPid,omitempty"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineMS  int64             `json:"deadlineMs"`
	Blob        string            `json:"blob,omitempty"`
}

var held [][]byte // memory the function keeps, as a leaky handler would

func handle(ctx context.Context, ev event) (response, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	cwd, _ := os.Getwd()
	res := response{Echo: ev.Echo, Cwd: cwd, PID: os.Getpid(), RequestID: lc.AwsRequestID, FunctionARN: lc.InvokedFunctionArn, DeadlineMS: deadline.UnixMilli()}
	if ev.Log != "" {
		fmt.Println(ev.Log)
		fmt.Fprintln(os.Stderr, ev.Log+" (stderr)")
	}
	if ev.Environ {
		res.Environ = map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			res.Environ[k] = v
		}
	}
	if ev.Spawn {
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "BEHAVE_CHILD=1")
		if err := child.Start(); err != nil {
			return res, err
		}
		res.ChildPID = child.Process.Pid
	}
	if ev.AllocMB > 0 {
		for range ev.AllocMB {
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1 // touch every page so that it is resident
			}
			held = append(held, b)
		}
		time.Sleep(2 * time.Second)
	}
	if ev.SleepMS > 0 {
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	}
	if ev.ResponseBytes > 0 {
		res.Blob = strings.Repeat("x", ev.ResponseBytes)
	}
	switch {
	case ev.Exit != nil:
		os.Exit(*ev.Exit)
	case ev.Panic != "":
		panic(ev.Panic)
	case ev.Error != "":
		return res, errors.New(ev.Error)
	}
	return res, nil
}

func main() {
	if os.Getenv("BEHAVE_CHILD") != "" {
		time.Sleep(time.Hour) // a grandchild Close must kill with the process group
		return
	}
	lambda.Start(handle)
}
