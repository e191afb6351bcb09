package sqs

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/store"
)

// SQS limits (API reference, 2025: the maximum message size and its default
// were raised from 256 KiB to 1 MiB; see MaximumMessageSize in
// aws-sdk-go-v2/service/sqs api_op_CreateQueue.go).
const (
	maxMessageSize     = 1 << 20
	maxBatchSize       = 1 << 20
	dedupWindow        = 5 * time.Minute
	purgeInterval      = 60 * time.Second
	maxVisibility      = 43200
	maxWaitSeconds     = 20
	maxDelaySeconds    = 900
	defaultRetention   = 345600
	defaultVisibility  = 30
	maxMessagesPerCall = 10
)

// Options configures a Service. The zero value is an in-memory service for
// us-east-1 and account 000000000000 at http://localhost on the real clock.
type Options struct {
	// Identity appears in every queue ARN and URL.
	Identity awsproto.Identity
	// BaseURL is the endpoint clients reach the queues at; queue URLs are
	// BaseURL/ACCOUNT/NAME. SetBaseURL changes it.
	BaseURL string
	Clock   clock.Clock
	// Store, when not nil, keeps every mutation durable; the caller opens
	// it with Section after New.
	Store *store.Store
}

// Service is an in-memory SQS. All methods are safe for concurrent use.
type Service struct {
	region  string
	account string
	clock   clock.Clock
	store   *store.Store

	baseMu  sync.RWMutex
	baseURL string

	closeOnce sync.Once
	closing   chan struct{}

	// mu serializes creating and deleting queues. queues maps names to
	// queues; the host of a queue URL is not checked, so clients that build
	// URLs with another host still work, but its account is. The map is the
	// writers' copy; readers load an immutable copy from byName without a
	// lock, so the message path takes only its queue's lock.
	mu     sync.Mutex
	queues map[string]*queue
	byName atomic.Pointer[map[string]*queue]
}

// New returns an empty service.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	svc := &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store,
		baseURL: strings.TrimRight(opts.BaseURL, "/"), closing: make(chan struct{}), queues: make(map[string]*queue)}
	if svc.baseURL == "" {
		svc.baseURL = "http://localhost"
	}
	svc.publish()
	return svc
}

// SetBaseURL sets the endpoint used to build queue URLs.
func (svc *Service) SetBaseURL(u string) {
	svc.baseMu.Lock()
	svc.baseURL = strings.TrimRight(u, "/")
	svc.baseMu.Unlock()
}

// BaseURL returns the endpoint used to build queue URLs.
func (svc *Service) BaseURL() string {
	svc.baseMu.RLock()
	defer svc.baseMu.RUnlock()
	return svc.baseURL
}

// Close ends every long poll (they answer with no messages) and makes new
// ones return at once.
func (svc *Service) Close() {
	svc.closeOnce.Do(func() {
		close(svc.closing)
		svc.wakeAll()
	})
}

func (svc *Service) now() time.Time { return svc.clock.Now() }

// ServeJSON answers an SQS JSON 1.0 request (X-Amz-Target:
// AmazonSQS.<action>) whose body has been read.
func (svc *Service) ServeJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	rid := awsproto.NewRequestID()
	out, err := svc.dispatchJSON(r.Context(), action, body)
	if err != nil {
		awsproto.WriteJSONError(w, "1.0", rid, awsproto.AsError(err))
		return
	}
	awsproto.WriteJSON(w, "1.0", rid, out)
}

// publish makes the current queue map visible to readers. Called with
// svc.mu held (or before the service is shared).
func (svc *Service) publish() {
	m := make(map[string]*queue, len(svc.queues))
	for k, v := range svc.queues {
		m[k] = v
	}
	svc.byName.Store(&m)
}

func (svc *Service) loaded() map[string]*queue { return *svc.byName.Load() }

func (svc *Service) queueURL(name string) string {
	return svc.BaseURL() + "/" + svc.account + "/" + name
}

func (svc *Service) queueARN(name string) string {
	return "arn:aws:sqs:" + svc.region + ":" + svc.account + ":" + name
}

// lookupURL finds the queue a QueueUrl names. Only the last path segment
// counts; a bare queue name works too.
func (svc *Service) lookupURL(url string) (*queue, *awsproto.Error) {
	if url == "" {
		return nil, errMissingParameter("QueueUrl")
	}
	path := strings.TrimRight(url, "/")
	name := path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		name, path = path[i+1:], path[:i]
		// .../ACCOUNT/NAME: a queue of another account is not one of this
		// account's queues. The local AWS holds one account, so such a queue
		// does not exist, and SQS's answer to a queue that does not exist is
		// QueueDoesNotExist (AWS answers AccessDenied instead only when the
		// queue exists and its policy does not grant the caller).
		if j := strings.LastIndexByte(path, '/'); j >= 0 && isAccountID(path[j+1:]) && path[j+1:] != svc.account {
			return nil, errNonExistentQueue()
		}
	}
	return svc.lookup(name)
}

// isAccountID reports whether s is a 12-digit AWS account ID.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (svc *Service) lookup(name string) (*queue, *awsproto.Error) {
	q := svc.loaded()[name]
	if q == nil {
		return nil, errNonExistentQueue()
	}
	return q, nil
}

// lookupARN finds a queue by ARN (arn:aws:sqs:REGION:ACCOUNT:NAME).
func (svc *Service) lookupARN(arn string) *queue {
	i := strings.LastIndexByte(arn, ':')
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return nil
	}
	return svc.loaded()[arn[i+1:]]
}

func (svc *Service) wakeAll() {
	for _, q := range svc.loaded() {
		q.mu.Lock()
		q.broadcast()
		q.mu.Unlock()
	}
}

var _ = context.Background
