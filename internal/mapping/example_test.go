package mapping_test

import (
	"fmt"
	"net/http"

	"firstclass/internal/mapping"
)

// The local runner parses each integration once and evaluates it per request.
func ExampleMapping_Evaluate() {
	m, err := mapping.NewMapping("EventBridge-PutEvents", map[string]string{
		"Source":     "$request.path.source",
		"DetailType": "$request.path.detailType",
		"Detail":     "$request.body",
	})
	if err != nil {
		panic(err)
	}
	r := &mapping.Request{
		PathParams: map[string]string{"source": "shop", "detailType": "OrderPlaced"},
		Body:       []byte(`{"orderId":"o-1"}`),
	}
	out := map[string]string{}
	if err := m.Evaluate(r, out); err != nil {
		panic(err)
	}
	fmt.Println(out["Source"], out["DetailType"], out["Detail"])
	// Output: shop OrderPlaced {"orderId":"o-1"}
}

// A value that finds nothing is dropped, as API Gateway drops it.
func ExampleValue_Evaluate() {
	v := mapping.MustParse("order-${request.body.order.id} from ${request.header.user-agent}")
	r := &mapping.Request{
		Header: http.Header{"User-Agent": {"curl/8.5.0"}},
		Body:   []byte(`{"order":{"id":42}}`),
	}
	fmt.Println(v.Evaluate(r))
	r.Body = []byte(`{"order":{}}`)
	fmt.Println(v.Evaluate(r))
	fmt.Println(v.WhyMissing(r))
	// Output:
	// order-42 from curl/8.5.0 true
	//  false
	// the body has no value (or null) at $.order.id (${request.body.order.id})
}

// The route table validates every HTTP API route at synth time.
func ExampleValidate() {
	err := mapping.Validate(mapping.Integration{
		RouteKey:        "POST /events/{source}/{detailType}",
		Subtype:         "EventBridge-PutEvents",
		TokenParameters: []string{"EventBusName"},
		Parameters: map[string]string{
			"Source":    "$request.path.source",
			"DetailTyp": "$request.path.detailtype",
			"Detail":    "$request.body..order",
		},
	})
	fmt.Println(err)
	// Output:
	// route "POST /events/{source}/{detailType}": parameter "Detail": value "$request.body..order": offset 13: recursive descent (..) isn't supported in a body JSONPath
	// route "POST /events/{source}/{detailType}": parameter "DetailTyp": unknown for EventBridge-PutEvents; did you mean "DetailType"?
	// route "POST /events/{source}/{detailType}": parameter "DetailTyp": $request.path.detailtype: route has no path parameter "detailtype"; did you mean "detailType"?
	// route "POST /events/{source}/{detailType}": parameter "DetailType": required by EventBridge-PutEvents but not mapped; map it to a request value or a static value, or mark it as supplied by a deployment token
}
