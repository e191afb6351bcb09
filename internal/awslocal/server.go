package awslocal

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"firstclass/internal/awslocal/appconfig"
	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/events"
	"firstclass/internal/awslocal/kinesis"
	"firstclass/internal/awslocal/logs"
	"firstclass/internal/awslocal/s3"
	"firstclass/internal/awslocal/sfn"
	"firstclass/internal/awslocal/sns"
	"firstclass/internal/awslocal/sqs"
	"firstclass/internal/awslocal/store"
	"firstclass/internal/httpconn"
)

// Default identity of the emulated account, the values LocalStack and most
// local tooling use, so ARNs built elsewhere for "the local account" match.
const (
	DefaultRegion  = awsproto.DefaultRegion
	DefaultAccount = awsproto.DefaultAccount
)

// Options configures a Server. The zero value is an in-memory server for
// us-east-1 and account 000000000000 on the real clock.
type Options struct {
	// Region and Account appear in every ARN and queue URL.
	Region  string
	Account string
	// BaseURL is the endpoint clients reach this server at, e.g.
	// "http://127.0.0.1:4566"; queue URLs are BaseURL/ACCOUNT/NAME. It can be
	// set later with SetBaseURL (an httptest.Server knows its URL only once
	// started). Default "http://localhost".
	BaseURL string
	// Clock drives message visibility, Wait states and timestamps. Default:
	// the real clock. Tests use a ManualClock.
	Clock Clock
	// StateDir, when set, makes the server durable: a snapshot plus an
	// append-only log in that directory, fsynced before a mutating call
	// answers. Empty means in memory only.
	StateDir string
	// Log receives what restoring StateDir found damaged and dropped (one line
	// each, saying what and why) and the torn last record of a crash it
	// ignored; nil discards them. Damage returns the same lines.
	Log io.Writer
	// Lambda invokes Lambda functions for Step Functions Task states and
	// EventBridge rule targets; without it those are unsupported.
	Lambda LambdaInvoker
	// LogsDir, when set, mirrors every CloudWatch Logs log group to a text
	// file in this directory (logs.FilePath).
	LogsDir string
	// AcceptUnknownEventBus makes PutEvents accept entries for an event bus
	// that does not exist and drop them, as AWS does (aws/aws-cli#9186). By
	// default such an entry fails with ResourceNotFoundException so a
	// misconfigured route shows up locally instead of losing events.
	AcceptUnknownEventBus bool
	// UnthrottledShards lifts Kinesis's per-shard write capacity (1,000
	// records and 1 MiB a second), for load tests that are not about it.
	UnthrottledShards bool
}

// Server is an in-memory SQS, EventBridge and Step Functions speaking the AWS
// wire protocols. It is an http.Handler; its methods are the same operations
// for direct Go callers. All methods are safe for concurrent use.
type Server struct {
	region  string
	account string

	sqs     *sqs.Service
	events  *events.Service
	sfn     *sfn.Service
	kinesis *kinesis.Service
	s3      *s3.Service
	logs    *logs.Service
	sns     *sns.Service
	// appconfig serves AppConfig and AppConfig Data (REST-JSON, by path).
	appconfig *appconfig.Service
	// jsonServices serve the awsJson protocols, by the service part of
	// X-Amz-Target ("AmazonSQS" in AmazonSQS.SendMessage).
	jsonServices map[string]jsonService

	store *store.Store // nil when in memory

	closeOnce sync.Once
}

// jsonService answers an awsJson request whose body has been read; it
// decodes body into fresh values and does not keep it.
type jsonService interface {
	ServeJSON(w http.ResponseWriter, r *http.Request, action string, body []byte)
}

// New returns a server. With Options.StateDir it first restores the state a
// previous server left there.
func New(opts Options) (*Server, error) {
	id := awsproto.Identity{Region: opts.Region, Account: opts.Account}.OrDefault()
	s := &Server{region: id.Region, account: id.Account}
	clk := clock.OrReal(opts.Clock)
	var st *store.Store
	if opts.StateDir != "" {
		st = store.New(opts.StateDir)
		st.Log = opts.Log
	}
	s.sqs = sqs.New(sqs.Options{Identity: id, BaseURL: opts.BaseURL, Clock: clk, Store: st})
	s.sfn = sfn.New(sfn.Options{Identity: id, Clock: clk, Store: st, Lambda: opts.Lambda})
	s.kinesis = kinesis.New(kinesis.Options{Identity: id, Clock: clk, Store: st, Unthrottled: opts.UnthrottledShards})
	s.s3 = s3.New(s3.Options{Identity: id, Clock: clk})
	s.appconfig = appconfig.New(appconfig.Options{Identity: id, Clock: clk, Store: st})
	s.events = events.New(events.Options{Identity: id, Clock: clk, Store: st, AcceptUnknownEventBus: opts.AcceptUnknownEventBus})
	s.logs = logs.New(logs.Options{Identity: id, Clock: clk, Store: st, Dir: opts.LogsDir})
	s.sns = sns.New(sns.Options{Identity: id, Clock: clk, Store: st, BaseURL: s.BaseURL})
	// EventBridge delivers to the other services through its target registry.
	s.events.RegisterTarget("sqs", events.QueueTarget(s.sqs))
	s.events.RegisterTarget("states", events.StateMachineTarget(s.sfn))
	s.events.RegisterTarget("logs", events.LogGroupTarget(s.logs))
	if opts.Lambda != nil {
		s.events.RegisterTarget("lambda", events.FunctionTarget(opts.Lambda))
	}
	s.registerTaskIntegrations()
	s.wireSNS(opts.Lambda)
	s.jsonServices = map[string]jsonService{"AmazonSQS": s.sqs, "AWSEvents": s.events, "AWSStepFunctions": s.sfn, "Kinesis_20131202": s.kinesis, "Logs_20140328": s.logs}
	if st != nil {
		if err := st.Open(s.sqs.Section(), s.events.Section(), s.sfn.Section(), s.kinesis.Section(), s.appconfig.Section(), s.logs.Section(), s.sns.Section()); err != nil {
			return nil, err
		}
		s.store = st
		s.sfn.ResumeRunning()
	}
	return s, nil
}

// SetBaseURL sets the endpoint used to build queue URLs.
func (s *Server) SetBaseURL(u string) { s.sqs.SetBaseURL(u) }

// BaseURL returns the endpoint used to build queue URLs.
func (s *Server) BaseURL() string { return s.sqs.BaseURL() }

// Region returns the emulated region.
func (s *Server) Region() string { return s.region }

// Account returns the emulated account ID.
func (s *Server) Account() string { return s.account }

// ListenAndServe serves the handler on addr (e.g. "127.0.0.1:4566"; port 0
// picks one), sets the base URL from the bound address and returns the
// running http.Server. Stop it with its Shutdown or Close, then Close s.
func (s *Server) ListenAndServe(addr string) (*http.Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("awslocal: listen %s: %w", addr, err)
	}
	s.SetBaseURL("http://" + l.Addr().String())
	// httpconn's timeouts: a connection waiting for its first request is idle, not timed
	// out after the head timeout (the SDK retries a call whose connection the server closed).
	hs := httpconn.Default.Server(s)
	go hs.Serve(httpconn.Default.Listener(l))
	return hs, nil
}

// Close stops running executions and, when durable, writes a snapshot and
// truncates the log. The server must not be used afterwards.
func (s *Server) Close() error { return s.close(true) }

// crash closes the durable store without a snapshot, as a killed process
// would leave it. Tests use it to check that the log alone restores state.
func (s *Server) crash() error { return s.close(false) }

func (s *Server) close(snapshot bool) error {
	var err error
	s.closeOnce.Do(func() {
		s.sqs.Close()
		s.sfn.Close()
		s.logs.Close()
		if s.store != nil {
			err = s.store.Close(snapshot)
		}
	})
	return err
}

// ServeHTTP dispatches on the protocol: an X-Amz-Target header selects the
// JSON protocol of SQS, EventBridge, Step Functions or Kinesis; an AppConfig
// or AppConfig Data path their REST-JSON protocol; otherwise a form (body
// or query string) with an Action is the SQS query protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if target != "" {
		service, action, _ := strings.Cut(target, ".")
		awsproto.WithBody(w, r, func(body []byte) {
			svc, ok := s.jsonServices[service]
			if !ok {
				awsproto.WriteJSONError(w, "1.0", awsproto.NewRequestID(), &Error{Code: "UnknownOperationException", Status: 400,
					Message: fmt.Sprintf("unknown service in X-Amz-Target %q", target)})
				return
			}
			svc.ServeJSON(w, r, action, body)
		})
		return
	}
	if signedFor(r, "s3") {
		s.s3.ServeHTTP(w, r)
		return
	}
	if isSNS(w, r) {
		s.sns.ServeQuery(w, r)
		return
	}
	if appconfig.Handles(r) {
		s.appconfig.ServeREST(w, r)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/health" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
		return
	}
	s.sqs.ServeQuery(w, r)
}

// signedFor reports whether r is SigV4-signed for service: the credential scope of its
// Authorization header (Credential=KEY/DATE/REGION/SERVICE/aws4_request) names it. S3's REST
// protocol has no X-Amz-Target or Action to dispatch on; its signature names it.
func signedFor(r *http.Request, service string) bool {
	auth := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return false
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	return len(parts) == 5 && parts[3] == service
}

// Damage is what restoring the state directory found damaged and dropped, one line each;
// empty for a clean directory or an in-memory server.
func (s *Server) Damage() []string {
	if s.store == nil {
		return nil
	}
	return s.store.Damage
}
