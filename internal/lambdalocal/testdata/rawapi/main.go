// Command rawapi is a test fixture: a Lambda runtime written against the Runtime API by hand,
// with net/http only, so that the tests pin the protocol itself rather than what aws-lambda-go
// happens to do. Each response reports what the runtime saw.
package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"time"
)

var api = "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"

type probe struct {
	RequestID       string `json:"requestId"`
	DeadlineMS      string `json:"deadlineMs"`
	FunctionARN     string `json:"functionArn"`
	TraceID         string `json:"traceId"`
	ContentType     string `json:"contentType"`
	Body            string `json:"body"`
	WrongIDStatus   int    `json:"wrongIdStatus"`
	WrongIDBody     string `json:"wrongIdBody"`
	EarlyNextStatus int    `json:"earlyNextStatus"`
	InitErrorStatus int    `json:"initErrorStatus"`
	// Answers to the previous invocation's second response, which must be refused.
	SecondAnswerStatus int    `json:"secondAnswerStatus"`
	SecondAnswerBody   string `json:"secondAnswerBody"`
}

func post(path, errorType, body string) (int, string) {
	req, err := http.NewRequest(http.MethodPost, api+path, bytes.NewBufferString(body))
	if err != nil {
		panic(err)
	}
	if errorType != "" {
		req.Header.Set("Lambda-Runtime-Function-Error-Type", errorType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(path string) (*http.Response, []byte) {
	resp, err := http.Get(api + path)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func main() {
	if os.Getenv("RAWAPI_INIT_ERROR") != "" {
		post("/init/error", "Runtime.InitError", `{"errorMessage":"rawapi: RAWAPI_INIT_ERROR is set","errorType":"Runtime.InitError"}`)
		time.Sleep(time.Minute) // Lambda resets the environment after an init error
		return
	}
	var second probe
	for {
		resp, body := get("/invocation/next")
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		p := probe{
			RequestID:          id,
			DeadlineMS:         resp.Header.Get("Lambda-Runtime-Deadline-Ms"),
			FunctionARN:        resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"),
			TraceID:            resp.Header.Get("Lambda-Runtime-Trace-Id"),
			ContentType:        resp.Header.Get("Content-Type"),
			Body:               string(body),
			SecondAnswerStatus: second.SecondAnswerStatus,
			SecondAnswerBody:   second.SecondAnswerBody,
		}
		p.WrongIDStatus, p.WrongIDBody = post("/invocation/not-"+id+"/response", "", "{}")
		early, _ := get("/invocation/next")
		p.EarlyNextStatus = early.StatusCode
		p.InitErrorStatus, _ = post("/init/error", "Runtime.InitError", `{}`)
		if string(body) == `"fail"` {
			post("/invocation/"+id+"/error", "Raw.Failure", `{"errorMessage":"rawapi failed as asked","errorType":"Raw.Failure"}`)
			continue
		}
		answer, _ := json.Marshal(p)
		post("/invocation/"+id+"/response", "", string(answer))
		second.SecondAnswerStatus, second.SecondAnswerBody = post("/invocation/"+id+"/response", "", `"again"`)
	}
}
