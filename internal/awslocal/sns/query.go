package sns

import (
	"net/http"
	"sort"
	"strconv"

	"firstclass/internal/awslocal/awsproto"
)

const xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"

func (svc *Service) sortedTopics() []*topic {
	out := make([]*topic, 0, len(svc.topics))
	for _, t := range svc.topics {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].arn < out[j].arn })
	return out
}

// ServeQuery answers an SNS query-protocol request (a form with Action=…).
func (svc *Service) ServeQuery(w http.ResponseWriter, r *http.Request) {
	rid := awsproto.NewRequestID()
	jsonOut := awsproto.WantsJSON(r)
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, awsproto.MaxRequestBody)
	}
	if err := r.ParseForm(); err != nil {
		awsproto.WriteQueryError(w, jsonOut, xmlns, rid, &awsproto.Error{Code: "MalformedQueryString", Message: err.Error()})
		return
	}
	f := awsproto.Form{Values: r.Form}
	action := f.Get("Action")
	op, ok := queryOps[action]
	if !ok {
		awsproto.WriteQueryError(w, jsonOut, xmlns, rid, snsErr("InvalidAction", 400, "The action %s is not valid for this endpoint.", action))
		return
	}
	res, err := op(svc, f)
	if err != nil {
		awsproto.WriteQueryError(w, jsonOut, xmlns, rid, awsproto.AsError(err))
		return
	}
	awsproto.WriteQueryResponse(w, jsonOut, xmlns, action, rid, res)
}

// entries reads an "Attributes.entry.N.key/value" map.
func entries(f awsproto.Form, prefix string) map[string]string {
	return f.Pairs(prefix+".entry", "key", "value")
}

var queryOps = map[string]func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error){
	"CreateTopic": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		arn, err := svc.CreateTopic(f.Get("Name"), entries(f, "Attributes"))
		return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { x.Elem("TopicArn", arn) }, JSON: map[string]any{"TopicArn": arn}}, err
	},
	"DeleteTopic": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		return awsproto.QueryResult{}, svc.deleteTopic(f.Get("TopicArn"))
	},
	"ListTopics": func(svc *Service, _ awsproto.Form) (awsproto.QueryResult, error) {
		svc.mu.RLock()
		var arns []string
		for _, t := range svc.sortedTopics() {
			arns = append(arns, t.arn)
		}
		svc.mu.RUnlock()
		list := []any{}
		for _, a := range arns {
			list = append(list, map[string]any{"TopicArn": a})
		}
		return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) {
			x.Open("Topics")
			for _, a := range arns {
				x.Open("member")
				x.Elem("TopicArn", a)
				x.Close("member")
			}
			x.Close("Topics")
		}, JSON: map[string]any{"Topics": list, "NextToken": nil}}, nil
	},
	"GetTopicAttributes": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		svc.mu.RLock()
		t := svc.topics[f.Get("TopicArn")]
		attrs := map[string]string{}
		if t != nil {
			for k, v := range t.attrs {
				attrs[k] = v
			}
			attrs["TopicArn"], attrs["Owner"] = t.arn, svc.account
			attrs["SubscriptionsConfirmed"] = strconv.Itoa(len(t.subs))
			attrs["SubscriptionsPending"], attrs["SubscriptionsDeleted"] = "0", "0"
		}
		svc.mu.RUnlock()
		if t == nil {
			return awsproto.QueryResult{}, errNoTopic
		}
		return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { writeEntries(x, attrs) }, JSON: map[string]any{"Attributes": attrs}}, nil
	},
	"Subscribe": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		arn, err := svc.Subscribe(f.Get("TopicArn"), f.Get("Protocol"), f.Get("Endpoint"), entries(f, "Attributes"))
		return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { x.Elem("SubscriptionArn", arn) }, JSON: map[string]any{"SubscriptionArn": arn}}, err
	},
	"Unsubscribe": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		return awsproto.QueryResult{}, svc.unsubscribe(f.Get("SubscriptionArn"))
	},
	"ListSubscriptionsByTopic": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		svc.mu.RLock()
		t := svc.topics[f.Get("TopicArn")]
		var subs []subscription
		if t != nil {
			for _, s := range t.subs {
				subs = append(subs, *s)
			}
		}
		svc.mu.RUnlock()
		if t == nil {
			return awsproto.QueryResult{}, errNoTopic
		}
		list := []any{}
		for _, s := range subs {
			list = append(list, map[string]any{"SubscriptionArn": s.arn, "Owner": svc.account, "Protocol": s.protocol, "Endpoint": s.endpoint, "TopicArn": s.topic})
		}
		return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) {
			x.Open("Subscriptions")
			for _, s := range subs {
				x.Open("member")
				x.Elem("SubscriptionArn", s.arn)
				x.Elem("Owner", svc.account)
				x.Elem("Protocol", s.protocol)
				x.Elem("Endpoint", s.endpoint)
				x.Elem("TopicArn", s.topic)
				x.Close("member")
			}
			x.Close("Subscriptions")
		}, JSON: map[string]any{"Subscriptions": list, "NextToken": nil}}, nil
	},
	"Publish": func(svc *Service, f awsproto.Form) (awsproto.QueryResult, error) {
		in := PublishInput{TopicArn: f.Get("TopicArn"), Message: f.Get("Message"), Subject: f.Get("Subject"), MessageStructure: f.Get("MessageStructure"),
			MessageGroupID: f.Get("MessageGroupId"), DeduplicationID: f.Get("MessageDeduplicationId")}
		if in.TopicArn == "" {
			in.TopicArn = f.Get("TargetArn")
		}
		for _, n := range f.Indexes("MessageAttributes.entry") {
			p := "MessageAttributes.entry." + strconv.Itoa(n) + "."
			if in.MessageAttributes == nil {
				in.MessageAttributes = map[string]MessageAttribute{}
			}
			in.MessageAttributes[f.Get(p+"Name")] = MessageAttribute{DataType: f.Get(p + "Value.DataType"), StringValue: f.Get(p + "Value.StringValue"), BinaryValue: f.Get(p + "Value.BinaryValue")}
		}
		id, err := svc.Publish(in)
		return awsproto.QueryResult{XML: func(x *awsproto.XMLWriter) { x.Elem("MessageId", id) }, JSON: map[string]any{"MessageId": id, "SequenceNumber": nil}}, err
	},
}

func writeEntries(x *awsproto.XMLWriter, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	x.Open("Attributes")
	for _, k := range keys {
		x.Open("entry")
		x.Elem("key", k)
		x.Elem("value", m[k])
		x.Close("entry")
	}
	x.Close("Attributes")
}
