package mapping

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The runner targets 20,000 requests/s on 2 cores, i.e. 100 µs of CPU per
// request for everything. These benchmarks put the evaluator next to the
// cheapest thing it could possibly cost, a plain map lookup, measured in the
// same run:
//
//	go test -run='^$' -bench=. -benchmem ./internal/mapping

var sink string
var sinkOK bool

func benchRequest(bodySize int) *Request {
	h := http.Header{}
	for _, k := range []string{"Accept", "Accept-Encoding", "Content-Type", "Host", "User-Agent", "X-Amzn-Trace-Id",
		"X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Request-Id", "Authorization", "Content-Length"} {
		h.Set(k, "value-of-"+strings.ToLower(k))
	}
	body := `{"order":{"id":"o-123","customer":{"name":"Ada","email":"ada@example.com"},"lines":[{"sku":"A","qty":2}]},"message":"hello","pad":"`
	if pad := bodySize - len(body) - 2; pad > 0 {
		body += strings.Repeat("x", pad)
	}
	body += `"}`
	return &Request{
		Header:         h,
		Query:          map[string][]string{"greeter": {"Ada"}, "tag": {"a", "b"}},
		PathParams:     map[string]string{"source": "shop", "detailType": "OrderPlaced"},
		Path:           "/events/shop/OrderPlaced",
		Body:           []byte(body),
		Context:        map[string]string{"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "identity.sourceIp": "203.0.113.7"},
		StageVariables: map[string]string{"env": "prod"},
	}
}

// BenchmarkBaselineMapLookup is the floor: one header map lookup.
func BenchmarkBaselineMapLookup(b *testing.B) {
	r := benchRequest(200)
	b.ReportAllocs()
	for b.Loop() {
		v := r.Header["Content-Type"]
		sink, sinkOK = v[0], len(v) > 0
	}
}

func BenchmarkEvaluate(b *testing.B) {
	cases := []struct {
		name string
		expr string
		body int
	}{
		{"header", "$request.header.content-type", 200},
		{"query-multi", "$request.querystring.tag", 200},
		{"path", "$request.path.source", 200},
		{"context", "$context.requestId", 200},
		{"static", "arn:aws:sqs:eu-west-1:123456789012:orders", 200},
		{"body-passthrough-1KB", "$request.body", 1 << 10},
		{"jsonpath-200B", "$request.body.order.customer.name", 200},
		{"jsonpath-1KB", "$request.body.order.customer.name", 1 << 10},
		{"jsonpath-10KB", "$request.body.order.customer.name", 10 << 10},
		{"jsonpath-object-1KB", "$request.body.order.customer", 1 << 10},
		{"mixed-text", "order-${request.path.source}-${context.requestId}", 200},
	}
	for _, c := range cases {
		v := MustParse(c.expr)
		r := benchRequest(c.body)
		if _, ok := v.Evaluate(r); !ok {
			b.Fatalf("%s finds nothing", c.expr)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(r.Body)))
			for b.Loop() {
				sink, sinkOK = v.Evaluate(r)
			}
		})
	}
}

func BenchmarkAppendEvaluate(b *testing.B) {
	for _, expr := range []string{"$request.body.order.customer.name", "order-${request.path.source}-${context.requestId}"} {
		v := MustParse(expr)
		r := benchRequest(1 << 10)
		buf := make([]byte, 0, 256)
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf, sinkOK = v.AppendEvaluate(buf[:0], r)
			}
		})
	}
}

// BenchmarkMapping evaluates whole integrations of the route table.
func BenchmarkMapping(b *testing.B) {
	cases := []struct {
		name    string
		subtype string
		params  map[string]string
	}{
		{"sqs-send", "SQS-SendMessage", map[string]string{
			"QueueUrl":          "http://localhost:4566/000000000000/orders",
			"MessageBody":       "$request.body",
			"MessageAttributes": `{"traceId":{"DataType":"String","StringValue":"${request.header.x-amzn-trace-id}"}}`,
		}},
		{"eventbridge-put", "EventBridge-PutEvents", map[string]string{
			"Source":       "$request.path.source",
			"DetailType":   "$request.path.detailType",
			"Detail":       "$request.body",
			"EventBusName": "arn:aws:events:eu-west-1:000000000000:event-bus/orders",
		}},
		{"sfn-start", "StepFunctions-StartExecution", map[string]string{
			"StateMachineArn": "arn:aws:states:eu-west-1:000000000000:stateMachine:orders",
			"Input":           "$request.body",
			"Name":            "$context.requestId",
		}},
		{"sfn-start-jsonpath", "StepFunctions-StartExecution", map[string]string{
			"StateMachineArn": "arn:aws:states:eu-west-1:000000000000:stateMachine:orders",
			"Input":           "$request.body.order",
			"Name":            "${request.body.order.id}-${context.requestId}",
		}},
	}
	for _, c := range cases {
		m, err := NewMapping(c.subtype, c.params)
		if err != nil {
			b.Fatal(err)
		}
		r := benchRequest(1 << 10)
		out := make(map[string]string, 8)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Evaluate(r, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for i, s := range []string{"$request.body", `{"id":"${request.body.order.id}","who":"${context.identity.sourceIp}"}`} {
		b.Run(fmt.Sprint(i), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := Parse(s)
				if err != nil {
					b.Fatal(err)
				}
				sinkOK = v.IsStatic()
			}
		})
	}
}
