package localapi

import (
	"errors"
	"strings"

	"firstclass/internal/cfn"
)

// SNS topics and their subscriptions, created in the local SNS. A subscription the local SNS
// cannot deliver (a protocol other than sqs and lambda, a filter policy, an endpoint not in
// the stack) is a problem at start.

// topicProps are AWS::SNS::Topic's properties.
type topicProps struct {
	TopicName                 string `json:"TopicName"`
	FifoTopic                 scalar `json:"FifoTopic"`
	ContentBasedDeduplication scalar `json:"ContentBasedDeduplication"`
	DisplayName               string `json:"DisplayName"`
	Subscription              []struct {
		Endpoint string `json:"Endpoint"`
		Protocol string `json:"Protocol"`
	} `json:"Subscription"`
	// No local meaning: messages are delivered at once, in process, unencrypted.
	KmsMasterKeyId        ignored `json:"KmsMasterKeyId"`
	TracingConfig         ignored `json:"TracingConfig"`
	SignatureVersion      ignored `json:"SignatureVersion"`
	ArchivePolicy         ignored `json:"ArchivePolicy"`
	DeliveryStatusLogging ignored `json:"DeliveryStatusLogging"`
	Tags                  ignored `json:"Tags"`
}

func topicIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := literal(res, "TopicName")
	if name == "" {
		name = physicalName(r.stack, res.LogicalID, 256)
		if fifo, _ := res.Properties["FifoTopic"].(bool); fifo {
			name = physicalName(r.stack, res.LogicalID, 251) + ".fifo"
		}
	}
	arn := r.aws.TopicARN(name)
	return &identity{ref: arn, attrs: map[string]string{"TopicArn": arn, "TopicName": name}}, nil
}

func (r *Runner) createTopic(res *cfn.Resource) error {
	var p topicProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	attrs := map[string]string{}
	if string(p.FifoTopic) == "true" {
		attrs["FifoTopic"] = "true"
	}
	if string(p.ContentBasedDeduplication) == "true" {
		attrs["ContentBasedDeduplication"] = "true"
	}
	if p.DisplayName != "" {
		attrs["DisplayName"] = p.DisplayName
	}
	arn, err := r.aws.CreateTopic(r.vals[res.LogicalID].attrs["TopicName"], attrs)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range p.Subscription {
		errs = append(errs, r.subscribe(arn, s.Protocol, s.Endpoint, nil))
	}
	return errors.Join(errs...)
}

// subscriptionProps are AWS::SNS::Subscription's properties.
type subscriptionProps struct {
	TopicArn           string `json:"TopicArn"`
	Protocol           string `json:"Protocol"`
	Endpoint           string `json:"Endpoint"`
	RawMessageDelivery scalar `json:"RawMessageDelivery"`
	FilterPolicy       any    `json:"FilterPolicy"`
	FilterPolicyScope  string `json:"FilterPolicyScope"`
	Region             string `json:"Region"`
	// Delivery settings with no local meaning: the local topic delivers at once, in process.
	DeliveryPolicy      ignored `json:"DeliveryPolicy"`
	RedrivePolicy       ignored `json:"RedrivePolicy"`
	SubscriptionRoleArn ignored `json:"SubscriptionRoleArn"`
	ReplayPolicy        ignored `json:"ReplayPolicy"`
}

func (r *Runner) createSubscription(res *cfn.Resource) error {
	var p subscriptionProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	if p.Region != "" && p.Region != r.aws.Region() {
		return cannot("subscribe in the stack's region", "a subscription in region %s (the local SNS serves %s only)", p.Region, r.aws.Region())
	}
	attrs := map[string]string{}
	if string(p.RawMessageDelivery) == "true" {
		attrs["RawMessageDelivery"] = "true"
	}
	if p.FilterPolicy != nil {
		attrs["FilterPolicy"] = "set"
	}
	return r.subscribe(p.TopicArn, p.Protocol, p.Endpoint, attrs)
}

func (r *Runner) subscribe(topicARN, protocol, endpoint string, attrs map[string]string) error {
	if err := r.aws.CheckSubscription(protocol, endpoint, attrs); err != nil {
		what := strings.TrimSuffix(err.Error(), ".")
		return cannot("remove the subscription for local runs, or test it in AWS", "subscription %s → %s: %s", protocol, endpoint, what)
	}
	_, err := r.aws.Subscribe(topicARN, protocol, endpoint, attrs)
	return err
}
