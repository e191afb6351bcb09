// Package benchtest is a fake firstclass stack for testing the bench without the local runner
// or AWS: both API kinds as httptest servers that do, route for route, what each route's
// integration does (SQS SendMessage, EventBridge PutEvents, Step Functions StartExecution and
// StartSyncExecution, Kinesis PutRecord, AppConfig GetConfiguration, the greeting), against an
// in-process awslocal.Server holding the stack's queue, bus with its audit rule and queue, both
// state machines, the stream and the hosted configuration. Each stage
// writes JSON access log lines in contract.AccessLogFormat's shape to a file, and Outputs gives
// the stack's outputs with the keys `firstclass local --outputs-file` writes.
//
// It is a stand-in with the same contract as the local runner, not a model of API Gateway:
// the response bodies are the AWS services' own, the REST routes only turn the failures
// their response templates turn into 500s.
package benchtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// Stage is the one stage the fake serves.
const Stage = "dev"

// Options change what the fake does with a request.
type Options struct {
	// Drop, when it returns true for a request, answers it as the target would have
	// without reaching the target: a message accepted and lost.
	Drop func(route string, kind contract.Kind, body []byte) bool
	// Duplicate, when it returns true, delivers the request twice.
	Duplicate func(route string, kind contract.Kind, body []byte) bool
	// Delay, when set, holds a request this long before handling it.
	Delay func(route string, kind contract.Kind) time.Duration
	// GatewayOverhead is added to each access log line's responseLatency over its
	// integrationLatency, as API Gateway's own time.
	GatewayOverhead time.Duration
	// NoAccessLog leaves the access log outputs out.
	NoAccessLog bool
}

// Stack is the running fake.
type Stack struct {
	AWS    *awslocal.Server
	AWSURL string
	APIs   map[contract.Kind]*httptest.Server
	Logs   map[contract.Kind]string // access log file per kind

	opts    Options
	outputs contract.Outputs
	logMu   sync.Mutex
	logFile map[contract.Kind]*os.File
	closers []func()
}

// New starts the fake; t's cleanup stops it.
func New(t testing.TB, opts Options) *Stack {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts the fake; Close stops it.
func Start(opts Options) (*Stack, error) {
	// The shards' write capacity is not what the bench's tests are about.
	srv, err := awslocal.New(awslocal.Options{UnthrottledShards: true})
	if err != nil {
		return nil, err
	}
	awsHTTP := httptest.NewServer(srv)
	srv.SetBaseURL(awsHTTP.URL)
	s := &Stack{AWS: srv, AWSURL: awsHTTP.URL, APIs: map[contract.Kind]*httptest.Server{}, Logs: map[contract.Kind]string{},
		opts: opts, logFile: map[contract.Kind]*os.File{}}
	s.closers = append(s.closers, func() { awsHTTP.Close(); srv.Close() })
	out, err := s.createResources()
	if err != nil {
		s.Close()
		return nil, err
	}
	dir, err := os.MkdirTemp("", "benchtest-")
	if err != nil {
		s.Close()
		return nil, err
	}
	s.closers = append(s.closers, func() { os.RemoveAll(dir) })
	for _, k := range contract.Kinds {
		api := httptest.NewServer(s.handler(k))
		s.APIs[k] = api
		s.closers = append(s.closers, api.Close)
		out[contract.APIURLOutput(k, Stage)] = api.URL + "/" + Stage + "/"
		if !opts.NoAccessLog {
			path := filepath.Join(dir, string(k)+"-access.log")
			f, err := os.Create(path)
			if err != nil {
				s.Close()
				return nil, err
			}
			s.logFile[k] = f
			s.Logs[k] = path
			s.closers = append(s.closers, func() { f.Close() })
			out[contract.AccessLogGroupOutput(k, Stage)] = "file://" + path
		}
	}
	out[contract.AWSEndpointOutput] = awsHTTP.URL
	s.outputs = out
	return s, nil
}

// Close stops the servers and removes the access logs.
func (s *Stack) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// Outputs are the stack's outputs, keyed as firstclass local writes them.
func (s *Stack) Outputs() contract.Outputs {
	out := contract.Outputs{}
	for k, v := range s.outputs {
		out[k] = v
	}
	return out
}

// WriteOutputsFile writes the outputs as `firstclass local --outputs-file` does.
func (s *Stack) WriteOutputsFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := contract.WriteOutputs(f, routes.DefaultStackName, s.outputs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// The stack's state machines, as api/targets.go defines them: a copy, since benchtest may
// not import the CDK; test/benchtest_test.go fails when it is no longer the synthesized one.
const (
	workflowDefinition = `{"StartAt":"Check","TimeoutSeconds":300,"Comment":"firstclass: started by POST /workflow, stopped by POST /workflow/stop","States":{
 "Check":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.reject","IsPresent":true},{"Variable":"$.reject","BooleanEquals":true}],"Next":"Rejected"},
  {"And":[{"Variable":"$.holdSeconds","IsPresent":true},{"Variable":"$.holdSeconds","IsNumeric":true}],"Next":"Hold"}],"Default":"Accept"},
 "Hold":{"Type":"Wait","Comment":"waits holdSeconds (a non-negative integer; the machine times out after 5 minutes)","SecondsPath":"$.holdSeconds","Next":"Accept"},
 "Rejected":{"Type":"Fail","Error":"Rejected","Cause":"the input asked to be rejected with \"reject\": true"},
 "Accept":{"Type":"Pass","Parameters":{"input.$":"$","execution.$":"$$.Execution.Name","acceptedAt.$":"$$.State.EnteredTime"},"Next":"Done"},
 "Done":{"Type":"Succeed"}}}`
	expressDefinition = `{"StartAt":"Enrich","TimeoutSeconds":30,"Comment":"firstclass: run synchronously by POST /workflow/sync","States":{
 "Enrich":{"Type":"Parallel","Branches":[
   {"StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}},
   {"StartAt":"Stamp","States":{"Stamp":{"Type":"Pass","Parameters":{"execution.$":"$$.Execution.Id","startedAt.$":"$$.Execution.StartTime"},"End":true}}}],
  "ResultSelector":{"input.$":"$[0]","meta.$":"$[1]"},"Next":"Check"},
 "Check":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.input.reject","IsPresent":true},{"Variable":"$.input.reject","BooleanEquals":true}],"Next":"Rejected"}],"Default":"Done"},
 "Rejected":{"Type":"Fail","Error":"Rejected","Cause":"the input asked to be rejected with \"reject\": true"},
 "Done":{"Type":"Succeed"}}}`
)

func (s *Stack) createResources() (contract.Outputs, error) {
	srv := s.AWS
	dlq, err := srv.CreateQueue("Queue-DLQ", nil)
	if err != nil {
		return nil, err
	}
	queue, err := srv.CreateQueue("Queue", nil)
	if err != nil {
		return nil, err
	}
	jobsDLQ, err := srv.CreateQueue("Jobs-DLQ", nil)
	if err != nil {
		return nil, err
	}
	jobs, err := srv.CreateQueue("Jobs", nil)
	if err != nil {
		return nil, err
	}
	scratch, err := srv.CreateQueue("Scratch", nil)
	if err != nil {
		return nil, err
	}
	audit, err := srv.CreateQueue("AuditQueue", nil)
	if err != nil {
		return nil, err
	}
	const bus = "firstclass-bus"
	if _, err := srv.CreateEventBus(bus); err != nil {
		return nil, err
	}
	if _, err := srv.PutRule(awslocal.PutRuleInput{Name: "AuditRule", EventBusName: bus, EventPattern: fmt.Sprintf(`{"account":[%q]}`, srv.Account())}); err != nil {
		return nil, err
	}
	if err := srv.PutTargets(bus, "AuditRule", awslocal.EventTarget{ID: "audit", Arn: srv.QueueARN("AuditQueue")}); err != nil {
		return nil, err
	}
	workflow, err := srv.CreateStateMachine(awslocal.CreateStateMachineInput{Name: "Workflow", Type: "STANDARD", Definition: workflowDefinition})
	if err != nil {
		return nil, err
	}
	express, err := srv.CreateStateMachine(awslocal.CreateStateMachineInput{Name: "ExpressWorkflow", Type: "EXPRESS", Definition: expressDefinition})
	if err != nil {
		return nil, err
	}
	if _, err := srv.CreateStream(awslocal.CreateStreamInput{StreamName: "Stream"}); err != nil {
		return nil, err
	}
	settings, err := createSettings(srv)
	if err != nil {
		return nil, err
	}
	return contract.Outputs{
		routes.StreamNameOutput:              "Stream",
		routes.SettingsConfigurationOutput:   settings,
		routes.QueueURLOutput:                queue,
		routes.DeadLetterQueueURLOutput:      dlq,
		routes.JobsQueueURLOutput:            jobs,
		routes.JobsDeadLetterQueueURLOutput:  jobsDLQ,
		routes.ScratchQueueURLOutput:         scratch,
		routes.EventBusNameOutput:            bus,
		routes.AuditQueueURLOutput:           audit,
		routes.WorkflowStateMachineArnOutput: workflow,
		routes.ExpressStateMachineArnOutput:  express,
		routes.GreetingFunctionNameOutput:    "Greeting",
		contract.RegionOutput:                srv.Region(),
	}, nil
}

// SettingsContent is the hosted configuration GET /config answers with.
const SettingsContent = `{"greeting":"Hello","discountPercent":10}`

// createSettings hosts SettingsContent in an AppConfig application and deploys it; it returns
// the APPLICATION/ENVIRONMENT/PROFILE IDs.
func createSettings(srv *awslocal.Server) (string, error) {
	svc := srv.AppConfig()
	app, err := svc.CreateApplication(awslocal.AppConfigApplication{Name: "Settings"})
	if err != nil {
		return "", err
	}
	env, err := svc.CreateEnvironment(awslocal.AppConfigEnvironment{ApplicationID: app.ID, Name: "SettingsEnvironment"})
	if err != nil {
		return "", err
	}
	prof, err := svc.CreateProfile(awslocal.AppConfigProfile{ApplicationID: app.ID, Name: "SettingsConfiguration", LocationURI: "hosted"})
	if err != nil {
		return "", err
	}
	v, err := svc.CreateHostedVersion(awslocal.AppConfigHostedVersion{ApplicationID: app.ID, ConfigurationProfileID: prof.ID, Content: []byte(SettingsContent), ContentType: "application/json"}, 0)
	if err != nil {
		return "", err
	}
	_, err = svc.StartDeployment(awslocal.AppConfigDeployment{ApplicationID: app.ID, EnvironmentID: env.ID, ConfigurationProfileID: prof.ID,
		ConfigurationVersion: strconv.Itoa(v.VersionNumber), DeploymentStrategyID: "AppConfig.AllAtOnce"})
	return app.ID + "/" + env.ID + "/" + prof.ID, err
}

// answer is what an integration gave back.
type answer struct {
	status int
	body   []byte
	ctype  string
}

func (s *Stack) handler(kind contract.Kind) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received := time.Now()
		body, _ := io.ReadAll(r.Body)
		route, params, ok := s.match(r)
		var a answer
		var integration time.Duration
		switch {
		case !ok:
			a = answer{http.StatusNotFound, []byte(`{"message":"Not Found"}`), "application/json"}
		default:
			if s.opts.Delay != nil {
				time.Sleep(s.opts.Delay(route.Name, kind))
			}
			start := time.Now()
			a = s.integrate(r.Context(), kind, route, params, r, body)
			integration = time.Since(start)
		}
		w.Header().Set("Content-Type", a.ctype)
		w.WriteHeader(a.status)
		w.Write(a.body)
		s.log(kind, route, r, received, a, integration, time.Since(received), ok)
	})
}

// match finds the route of a request under /dev.
func (s *Stack) match(r *http.Request) (spec.Route, map[string]string, bool) {
	path, ok := strings.CutPrefix(r.URL.Path, "/"+Stage)
	if !ok {
		return spec.Route{}, nil, false
	}
	for _, rt := range routes.Routes {
		if rt.Method != r.Method {
			continue
		}
		if params, ok := matchPath(rt.Path, path); ok {
			return rt, params, true
		}
	}
	return spec.Route{}, nil, false
}

func matchPath(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") {
			params[strings.Trim(p, "{}")] = xs[i]
		} else if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

func (s *Stack) integrate(ctx context.Context, kind contract.Kind, rt spec.Route, params map[string]string, r *http.Request, body []byte) answer {
	copies := 1
	if s.opts.Drop != nil && s.opts.Drop(rt.Name, kind, body) {
		copies = 0
	} else if s.opts.Duplicate != nil && s.opts.Duplicate(rt.Name, kind, body) {
		copies = 2
	}
	out := s.outputs
	var a answer
	call, _ := rt.Call()
	switch call.Action {
	case "sqs:SendMessage":
		a = answer{200, []byte(`{"MD5OfMessageBody":"dropped","MessageId":"dropped"}`), "application/json"}
		for range copies {
			a = s.call(ctx, "AmazonSQS.SendMessage", "1.0", map[string]any{"QueueUrl": out[routes.QueueURLOutput], "MessageBody": string(body)})
		}
	case "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue":
		return s.sqsQuery(ctx, kind, rt, r, copies)
	case "events:PutEvents":
		a = answer{200, []byte(`{"Entries":[{"EventId":"dropped"}],"FailedEntryCount":0}`), "application/json"}
		for range copies {
			a = s.call(ctx, "AWSEvents.PutEvents", "1.1", map[string]any{"Entries": []map[string]string{{
				"EventBusName": out[routes.EventBusNameOutput], "Source": params["source"], "DetailType": params["detailType"], "Detail": string(body)}}})
		}
		if kind == contract.REST && a.status == 200 && bytes.Contains(a.body, []byte(`"FailedEntryCount":`)) && !bytes.Contains(a.body, []byte(`"FailedEntryCount":0`)) {
			a.status = 500
		}
	case "states:StartExecution":
		a = answer{200, []byte(`{"executionArn":"dropped","startDate":1.7E9}`), "application/json"}
		in := map[string]any{"stateMachineArn": out[routes.WorkflowStateMachineArnOutput], "input": string(body)}
		if name := r.Header.Get("X-Execution-Name"); name != "" {
			in["name"] = name
		}
		for range copies {
			a = s.call(ctx, "AWSStepFunctions.StartExecution", "1.0", in)
		}
	case "states:StopExecution":
		a = answer{200, []byte(`{"stopDate":1.7E9}`), "application/json"}
		in := map[string]any{"executionArn": r.Header.Get("X-Execution-Arn")}
		var reason struct{ Error, Cause *string }
		if json.Unmarshal(body, &reason) == nil {
			if reason.Error != nil {
				in["error"] = *reason.Error
			}
			if reason.Cause != nil {
				in["cause"] = *reason.Cause
			}
		}
		for range copies {
			a = s.call(ctx, "AWSStepFunctions.StopExecution", "1.0", in)
		}
	case "states:StartSyncExecution":
		a = answer{200, []byte(`{"status":"SUCCEEDED","output":"{}"}`), "application/json"}
		for range copies {
			a = s.call(ctx, "AWSStepFunctions.StartSyncExecution", "1.0", map[string]any{"stateMachineArn": out[routes.ExpressStateMachineArnOutput], "input": string(body)})
		}
		if kind == contract.REST && a.status == 200 && !bytes.Contains(a.body, []byte(`"status":"SUCCEEDED"`)) {
			a.status = 500
		}
	case "kinesis:PutRecord":
		a = answer{200, []byte(`{"ShardId":"dropped","SequenceNumber":"dropped"}`), "application/json"}
		data := string(body) // the HTTP API's clients send the record base64-encoded
		if kind == contract.REST {
			data = base64.StdEncoding.EncodeToString(body)
		}
		key := r.Header.Get("X-Partition-Key")
		if key == "" {
			key = strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		for range copies {
			a = s.call(ctx, "Kinesis_20131202.PutRecord", "1.1", map[string]any{"StreamName": out[routes.StreamNameOutput], "Data": data, "PartitionKey": key})
		}
	case "appconfig:GetConfiguration":
		// A dropped request answers something other than the hosted configuration.
		a = answer{200, []byte(`{}`), "application/json"}
		if copies > 0 {
			ids := strings.Split(out[routes.SettingsConfigurationOutput], "/")
			c, err := s.AWS.AppConfig().GetConfiguration(ids[0], ids[1], ids[2], "benchtest", "")
			if err != nil {
				return answer{500, []byte(err.Error()), "text/plain"}
			}
			a = answer{200, c.Content, c.ContentType}
		}
	case spec.InvokeAction:
		q := r.URL.Query()
		switch {
		case !q.Has("greeter"):
			return answer{400, []byte(`{"message":"Missing the required greeter parameter."}`), "application/json"}
		case copies == 0:
			return answer{200, []byte("Hello, World"), "text/plain"}
		case q.Get("greeter") == "":
			return answer{200, []byte("Hello, World"), "text/plain"}
		}
		return answer{200, []byte("Hello, " + q.Get("greeter") + "!"), "text/plain"}
	}
	return a
}

// sqsQuery does what the HTTP API's SQS subtypes and the REST routes' form templates do with
// the route's queue: the route's mapping's members taken from the request's query string and
// headers (a required one missing is the gateway's 400), sent in SQS's query protocol, whose
// answer the HTTP API hands on as XML and REST, which asks for JSON, as JSON with any 4xx made
// a 400. A dropped request answers 200 as SQS would without doing it: an empty receive, a
// delete or purge that deleted nothing.
func (s *Stack) sqsQuery(ctx context.Context, kind contract.Kind, rt spec.Route, r *http.Request, copies int) answer {
	call, _ := rt.Call()
	action := strings.TrimPrefix(call.Action, "sqs:")
	form := url.Values{"Action": {action}}
	for member, v := range rt.HTTP.Parameters {
		var got string
		if name, ok := strings.CutPrefix(v.Expr, "$request.querystring."); ok {
			got = r.URL.Query().Get(name)
		} else if name, ok := strings.CutPrefix(v.Expr, "$request.header."); ok {
			got = r.Header.Get(name)
			if got == "" && member == "ReceiptHandle" {
				if kind == contract.HTTP {
					return answer{400, []byte(`{"message":"Bad Request"}`), "application/json"}
				}
				return answer{400, []byte(`{"message":"Missing required request parameters: [` + name + `]"}`), "application/json"}
			}
		}
		if got != "" {
			form.Set(member, got)
		}
	}
	a := answer{200, []byte(`<` + action + `Response><ResponseMetadata><RequestId>dropped</RequestId></ResponseMetadata></` + action + `Response>`), "text/xml"}
	if kind == contract.REST {
		a = answer{200, []byte(`{"` + action + `Response":{"ResponseMetadata":{"RequestId":"dropped"}}}`), "application/json"}
		if action == "ReceiveMessage" {
			a.body = []byte(`{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":null},"ResponseMetadata":{"RequestId":"dropped"}}}`)
		}
	}
	for range copies {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, s.outputs[rt.Delivery.Output], strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if kind == contract.REST {
			req.Header.Set("Accept", "application/json")
		}
		rec := httptest.NewRecorder()
		s.AWS.ServeHTTP(rec, req)
		a = answer{rec.Code, rec.Body.Bytes(), rec.Header().Get("Content-Type")}
	}
	if kind == contract.REST && a.status >= 400 && a.status < 500 {
		a.status = 400
	}
	return a
}

// call sends one AWS JSON protocol request to the in-process server, as an integration does.
func (s *Stack) call(ctx context.Context, target, version string, in any) answer {
	b, _ := json.Marshal(in)
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, s.AWSURL+"/", bytes.NewReader(b))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-"+version)
	rec := httptest.NewRecorder()
	s.AWS.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Body.Bytes(), "application/json"}
}

// log writes the request's access log line in the stage's format.
func (s *Stack) log(kind contract.Kind, rt spec.Route, r *http.Request, received time.Time, a answer, integration, total time.Duration, matched bool) {
	f := s.logFile[kind]
	if f == nil {
		return
	}
	intMs := integration.Milliseconds()
	respMs := intMs + s.opts.GatewayOverhead.Milliseconds()
	if total.Milliseconds() > respMs {
		respMs = total.Milliseconds()
	}
	values := map[string]string{
		"requestId":          strconv.FormatInt(received.UnixNano(), 36),
		"ip":                 "127.0.0.1",
		"requestTime":        received.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch":   strconv.FormatInt(received.UnixMilli(), 10),
		"httpMethod":         r.Method,
		"path":               r.URL.Path,
		"protocol":           r.Proto,
		"status":             strconv.Itoa(a.status),
		"responseLength":     strconv.Itoa(len(a.body)),
		"responseLatency":    strconv.FormatInt(respMs, 10),
		"integrationLatency": strconv.FormatInt(intMs, 10),
		"integrationStatus":  strconv.Itoa(a.status),
		"routeKey":           rt.Key(),
		"resourcePath":       rt.Path,
	}
	if !matched {
		values["routeKey"], values["resourcePath"], values["integrationLatency"], values["integrationStatus"] = "-", "-", "-", "-"
	}
	line := map[string]string{}
	for _, field := range contract.AccessLogFields(kind) {
		v := values[field.Key]
		if v == "" {
			v = "-"
		}
		line[field.Key] = v
	}
	b, _ := json.Marshal(line)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	f.Write(append(b, '\n'))
}
