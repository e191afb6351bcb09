package sns

import "firstclass/internal/awslocal/store"

// Durability: the records SNS appends to the store's log and its member of the snapshot
// ("sns"). Published messages are delivered at once and not kept.

const (
	recCreateTopic = "sns.createTopic"
	recDeleteTopic = "sns.deleteTopic"
	recSubscribe   = "sns.subscribe"
	recUnsubscribe = "sns.unsubscribe"
)

type topicRecord struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

type subscriptionRecord struct {
	ARN      string `json:"arn"`
	Topic    string `json:"topic"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	Raw      bool   `json:"raw,omitempty"`
}

type snsSnapshot struct {
	Topics        []topicRecord        `json:"topics"`
	Subscriptions []subscriptionRecord `json:"subscriptions"`
}

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("sns", "sns.", svc, svc.snapshot, svc.restore, replayers)
}

func (svc *Service) snapshot() snsSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s snsSnapshot
	for _, t := range svc.sortedTopics() {
		s.Topics = append(s.Topics, topicRecord{Name: t.name, Attributes: t.attrs})
		for _, sub := range t.subs {
			s.Subscriptions = append(s.Subscriptions, subscriptionRecord{ARN: sub.arn, Topic: t.arn, Protocol: sub.protocol, Endpoint: sub.endpoint, Raw: sub.raw})
		}
	}
	return s
}

func (svc *Service) restore(s snsSnapshot) {
	for _, t := range s.Topics {
		svc.applyTopic(t)
	}
	for _, sub := range s.Subscriptions {
		svc.applySubscription(sub)
	}
}

func (svc *Service) applyTopic(r topicRecord) {
	arn := svc.TopicARN(r.Name)
	if svc.topics[arn] == nil {
		svc.topics[arn] = &topic{name: r.Name, arn: arn, fifo: r.Attributes["FifoTopic"] == "true", attrs: r.Attributes}
	}
}

func (svc *Service) applySubscription(r subscriptionRecord) {
	if t := svc.topics[r.Topic]; t != nil {
		t.subs = append(t.subs, &subscription{arn: r.ARN, topic: r.Topic, protocol: r.Protocol, endpoint: r.Endpoint, raw: r.Raw})
	}
}

func (svc *Service) applyUnsubscribe(r store.NameRecord) {
	for _, t := range svc.topics {
		for i, s := range t.subs {
			if s.arn == r.Name {
				t.subs = append(t.subs[:i:i], t.subs[i+1:]...)
				return
			}
		}
	}
}

var replayers = store.Replayers[*Service]{
	recCreateTopic: store.Redo((*Service).applyTopic),
	recDeleteTopic: store.Redo(func(svc *Service, r store.NameRecord) { delete(svc.topics, r.Name) }),
	recSubscribe:   store.Redo((*Service).applySubscription),
	recUnsubscribe: store.Redo((*Service).applyUnsubscribe),
}
