package sns

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/jsonvalue"
	"firstclass/internal/awslocal/store"
)

// Shapes, attribute names and error texts are SNS's (API reference; LocalStack's
// tests/aws/services/sns snapshots recorded against AWS).

// Options configures a Service.
type Options struct {
	Identity awsproto.Identity
	Clock    clock.Clock
	// Store, when not nil, keeps topics and subscriptions durable; open it with Section.
	Store *store.Store
	// BaseURL is the local endpoint, for the UnsubscribeURL of notifications.
	BaseURL func() string
}

// Deliverer delivers one notification to a subscription's endpoint (a queue or function
// ARN) and returns the durable-log record to wait for (0 for none).
type Deliverer interface {
	Deliver(n *Notification) uint64
	// Check reports whether the endpoint can receive notifications (a queue or function that
	// exists), before anything is published.
	Check(endpoint string) error
}

// Notification is one message on its way to one subscription.
type Notification struct {
	Endpoint, SubscriptionARN string
	// Body is what the endpoint receives: the notification envelope as JSON, or the message
	// itself for raw delivery; for Lambda the Records event.
	Body string
	// MessageGroupID and DeduplicationID are the FIFO topic's, for a FIFO queue.
	MessageGroupID, DeduplicationID string
}

// Service is an in-memory SNS. Its methods are safe for concurrent use; RegisterProtocol
// must be called before it is shared.
type Service struct {
	region, account string
	clock           clock.Clock
	store           *store.Store
	baseURL         func() string
	protocols       map[string]Deliverer

	mu     sync.RWMutex
	topics map[string]*topic // by ARN
}

type topic struct {
	name, arn string
	fifo      bool
	attrs     map[string]string
	subs      []*subscription
}

type subscription struct {
	arn, topic, protocol, endpoint string
	raw                            bool
}

// New returns a service with no topics.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	base := opts.BaseURL
	if base == nil {
		base = func() string { return "http://localhost" }
	}
	return &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store, baseURL: base,
		protocols: map[string]Deliverer{}, topics: map[string]*topic{}}
}

// RegisterProtocol makes subscriptions of protocol ("sqs", "lambda") deliver through d.
func (svc *Service) RegisterProtocol(protocol string, d Deliverer) { svc.protocols[protocol] = d }

func snsErr(code string, status int, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

var (
	errNoTopic = snsErr("NotFound", 404, "Topic does not exist")
	topicName  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// TopicARN is the ARN of the named topic, whether or not it exists.
func (svc *Service) TopicARN(name string) string {
	return "arn:aws:sns:" + svc.region + ":" + svc.account + ":" + name
}

// CreateTopic creates a topic (idempotent for the same attributes) and returns its ARN.
func (svc *Service) CreateTopic(name string, attrs map[string]string) (string, error) {
	fifo := attrs["FifoTopic"] == "true"
	base, isFifoName := strings.CutSuffix(name, ".fifo")
	if !topicName.MatchString(base) || fifo != isFifoName {
		return "", snsErr("InvalidParameter", 400, "Invalid parameter: Topic Name")
	}
	for k := range attrs {
		switch k {
		case "DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId", "Policy", "SignatureVersion", "TracingConfig", "DeliveryPolicy", "ArchivePolicy", "FifoThroughputScope":
		default:
			return "", snsErr("InvalidParameter", 400, "Invalid parameter: Attributes Reason: Unknown attribute %s", k)
		}
	}
	arn := svc.TopicARN(name)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if t := svc.topics[arn]; t != nil {
		svc.mu.Unlock()
		unlock()
		return arn, nil
	}
	r := topicRecord{Name: name, Attributes: attrs}
	svc.applyTopic(r)
	seq := svc.store.Append(recCreateTopic, r)
	svc.mu.Unlock()
	unlock()
	return arn, svc.store.Wait(seq)
}

func (svc *Service) deleteTopic(arn string) error {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	delete(svc.topics, arn)
	seq := svc.store.Append(recDeleteTopic, store.NameRecord{Name: arn})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// CheckSubscription reports whether a subscription of protocol to endpoint can be delivered
// to, with its attributes (a FilterPolicy is not emulated).
func (svc *Service) CheckSubscription(protocol, endpoint string, attrs map[string]string) error {
	d := svc.protocols[protocol]
	if d == nil {
		return fmt.Errorf("SNS subscriptions of protocol %q are not emulated locally (the local SNS delivers to %s)", protocol, strings.Join(slices.Sorted(maps.Keys(svc.protocols)), ", "))
	}
	if attrs["FilterPolicy"] != "" {
		return fmt.Errorf("subscription filter policies are not emulated locally")
	}
	return d.Check(endpoint)
}

// Subscribe subscribes endpoint to the topic and returns the subscription's ARN.
func (svc *Service) Subscribe(topicARN, protocol, endpoint string, attrs map[string]string) (string, error) {
	if err := svc.CheckSubscription(protocol, endpoint, attrs); err != nil {
		return "", snsErr("InvalidParameter", 400, "Invalid parameter: %v", err)
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	t := svc.topics[topicARN]
	if t == nil {
		svc.mu.Unlock()
		unlock()
		return "", errNoTopic
	}
	for _, s := range t.subs {
		if s.protocol == protocol && s.endpoint == endpoint {
			svc.mu.Unlock()
			unlock()
			return s.arn, nil
		}
	}
	r := subscriptionRecord{ARN: topicARN + ":" + awsproto.NewUUID(), Topic: topicARN, Protocol: protocol, Endpoint: endpoint, Raw: attrs["RawMessageDelivery"] == "true"}
	svc.applySubscription(r)
	seq := svc.store.Append(recSubscribe, r)
	svc.mu.Unlock()
	unlock()
	return r.ARN, svc.store.Wait(seq)
}

func (svc *Service) unsubscribe(arn string) error {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	svc.applyUnsubscribe(store.NameRecord{Name: arn})
	seq := svc.store.Append(recUnsubscribe, store.NameRecord{Name: arn})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// PublishInput is a Publish request.
type PublishInput struct {
	TopicArn, Message, Subject      string
	MessageStructure                string
	MessageGroupID, DeduplicationID string
	MessageAttributes               map[string]MessageAttribute
}

// MessageAttribute is one message attribute.
type MessageAttribute struct {
	DataType, StringValue, BinaryValue string
}

// Publish delivers a message to every subscription of the topic and returns its ID.
func (svc *Service) Publish(in PublishInput) (string, error) {
	if in.Message == "" {
		return "", snsErr("InvalidParameter", 400, "Invalid parameter: Empty message")
	}
	if len(in.Message) > 256*1024 {
		return "", snsErr("InvalidParameter", 400, "Invalid parameter: Message too long")
	}
	svc.mu.RLock()
	t := svc.topics[in.TopicArn]
	var subs []*subscription
	if t != nil {
		subs = append(subs, t.subs...)
	}
	svc.mu.RUnlock()
	if t == nil {
		return "", errNoTopic
	}
	if t.fifo && in.MessageGroupID == "" {
		return "", snsErr("InvalidParameter", 400, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	}
	if !t.fifo && in.MessageGroupID != "" {
		return "", snsErr("InvalidParameter", 400, "Invalid parameter: MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type")
	}
	messages := map[string]string{}
	if in.MessageStructure == "json" {
		v, err := jsonvalue.Decode([]byte(in.Message))
		m, ok := v.(map[string]any)
		if err != nil || !ok || m["default"] == nil {
			return "", snsErr("InvalidParameter", 400, "Invalid parameter: Message Structure - No default entry in JSON message body")
		}
		for k, x := range m {
			messages[k] = jsonvalue.PlainText(x)
		}
	}
	id := awsproto.NewUUID()
	now := svc.clock.Now()
	var last uint64
	for _, s := range subs {
		msg := in.Message
		if in.MessageStructure == "json" {
			msg = messages["default"]
			if m, ok := messages[s.protocol]; ok {
				msg = m
			}
		}
		n := &Notification{Endpoint: s.endpoint, SubscriptionARN: s.arn, MessageGroupID: in.MessageGroupID, DeduplicationID: in.DeduplicationID}
		n.Body = svc.body(s, id, msg, in, now)
		if d := svc.protocols[s.protocol]; d != nil {
			last = max(last, d.Deliver(n))
		}
	}
	return id, svc.store.Wait(last)
}

// body is what a subscription receives for a message.
func (svc *Service) body(s *subscription, id, msg string, in PublishInput, now time.Time) string {
	if s.raw && s.protocol != "lambda" {
		return msg
	}
	lambda := s.protocol == "lambda"
	env := map[string]any{"Type": "Notification", "MessageId": id, "TopicArn": in.TopicArn, "Message": msg,
		"Timestamp": now.UTC().Format("2006-01-02T15:04:05.000Z"), "SignatureVersion": "1", "Signature": "EXAMPLElocal",
	}
	certKey, unsubKey := "SigningCertURL", "UnsubscribeURL"
	if lambda {
		certKey, unsubKey = "SigningCertUrl", "UnsubscribeUrl"
		env["Subject"] = nil
		env["MessageAttributes"] = map[string]any{}
	}
	env[certKey] = "https://sns." + svc.region + ".amazonaws.com/SimpleNotificationService-local.pem"
	env[unsubKey] = svc.baseURL() + "/?Action=Unsubscribe&SubscriptionArn=" + s.arn
	if in.Subject != "" {
		env["Subject"] = in.Subject
	}
	if len(in.MessageAttributes) > 0 {
		attrs := map[string]any{}
		for k, a := range in.MessageAttributes {
			v := a.StringValue
			if strings.HasPrefix(a.DataType, "Binary") {
				v = a.BinaryValue
			}
			attrs[k] = map[string]any{"Type": a.DataType, "Value": v}
		}
		env["MessageAttributes"] = attrs
	}
	if !lambda {
		return jsonvalue.Text(env)
	}
	return jsonvalue.Text(map[string]any{"Records": []any{map[string]any{
		"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": s.arn, "Sns": env}}})
}

// HasTopic reports whether the topic exists.
func (svc *Service) HasTopic(arn string) bool {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	return svc.topics[arn] != nil
}
