package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func TestPaddedBodiesAreExactlyTheAskedSize(t *testing.T) {
	for _, size := range []int{87, 88, 100, 1000, 64 << 10, 512<<10 + 1} {
		for _, seq := range []uint64{0, 7, 123456789} {
			b, err := newBodyTemplate("run1", routes.SendToQueueRoute, contract.HTTP, []byte(routes.SendToQueueRoute.Sample.Body), size)
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			body := b.appendBody(nil, seq)
			if len(body) != size || b.size() != size {
				t.Errorf("size %d seq %d: body is %d bytes (size() %d)", size, seq, len(body), b.size())
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("size %d: not JSON: %v", size, err)
			}
			id, ok := ParseID(m["benchId"].(string))
			if !ok || id.Seq != seq || id.Route != "SendToQueue" || id.Kind != contract.HTTP || id.Run != "run1" {
				t.Errorf("benchId %v parses as %+v", m["benchId"], id)
			}
			if m["orderId"] != "o-1" || m["amount"] != 42.0 {
				t.Errorf("the sample's own members are lost: %s", truncate(string(body), 120))
			}
		}
	}
}

func TestPayloadSizeBelowTheSmallestBodySaysTheMinimum(t *testing.T) {
	_, err := newBodyTemplate("run1", routes.SendToQueueRoute, contract.HTTP, []byte(routes.SendToQueueRoute.Sample.Body), 20)
	if err == nil || !strings.Contains(err.Error(), "ask for at least 87") {
		t.Errorf("error = %v, want the minimum size", err)
	}
}

func TestUnpaddedBodyIsTheTemplateWithItsID(t *testing.T) {
	b, err := newBodyTemplate("r", routes.PutEventRoute, contract.REST, []byte(` { "a" : [1, 2] } `), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b.appendBody(nil, 5)); got != `{"benchId":"r-PutEvent-rest-000000005","a" : [1, 2]}` {
		t.Errorf("body = %s", got)
	}
	e, _ := newBodyTemplate("r", routes.PutEventRoute, contract.REST, []byte(`{}`), 0)
	if got := string(e.appendBody(nil, 5)); got != `{"benchId":"r-PutEvent-rest-000000005"}` {
		t.Errorf("body of {} = %s", got)
	}
}

func TestPayloadMustBeAJSONObject(t *testing.T) {
	for in, want := range map[string]string{
		`[1,2]`:               "must be one JSON object",
		`not json`:            "must be one JSON object",
		`{"a":1} {"b":2}`:     "more after the object",
		`{"benchId":"mine"}`:  `already has a "benchId"`,
		`"just a string"`:     "must be one JSON object",
		`{"a": "unterminated`: "must be one JSON object",
	} {
		if _, err := newBodyTemplate("r", routes.SendToQueueRoute, contract.HTTP, []byte(in), 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want %q", in, err, want)
		}
	}
}

func TestFindBenchIDInDownstreamMessages(t *testing.T) {
	event := `{"version":"0","id":"x","detail-type":"OrderPlaced","source":"firstclass.orders","detail":{"benchId":"ab12-PutEvent-http-000000042","orderId":"o-1"}}`
	id, ok := findBenchID(event)
	if !ok || id.Seq != 42 || id.Route != "PutEvent" {
		t.Errorf("findBenchID(event) = %+v, %v", id, ok)
	}
	for _, s := range []string{`{"orderId":"o-1"}`, `{"benchId":"not-an-id"}`, `{"benchId":"ab-PutEvent-grpc-000000001"}`, `{"benchId":"x`} {
		if id, ok := findBenchID(s); ok {
			t.Errorf("findBenchID(%s) = %+v", s, id)
		}
	}
	if got := formatID("ab12", "StartWorkflow", contract.REST, 3); got != "ab12-StartWorkflow-rest-000000003" || len(got) > 80 {
		t.Errorf("formatID = %q (execution names are at most 80 characters)", got)
	}
}

func TestJoinURLWhateverTheSlashes(t *testing.T) {
	for _, base := range []string{"https://h.example/dev/", "https://h.example/dev", "https://h.example/dev//"} {
		u, err := joinURL(base, "/queue")
		if err != nil || u.String() != "https://h.example/dev/queue" {
			t.Errorf("joinURL(%q) = %v, %v", base, u, err)
		}
	}
	if u, _ := joinURL("http://127.0.0.1:4566/", "/queue"); u.String() != "http://127.0.0.1:4566/queue" {
		t.Errorf("$default stage: %v", u)
	}
	if _, err := joinURL("h.example/dev", "/queue"); err == nil {
		t.Error("a URL without a scheme was accepted")
	}
}

func TestStampGivesEachRequestItsID(t *testing.T) {
	stamp := func(r spec.Route) *http.Request {
		tmpl, err := newRequestTemplate("run1", "http://127.0.0.1:1/dev/", r, contract.REST, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(r.Method, tmpl.url.String(), nil)
		tmpl.stamp(req, 9)
		return req
	}
	g := stamp(routes.GreetingRoute)
	if g.URL.Query().Get("greeter") != "run1-Greeting-rest-000000009" || g.Body != nil {
		t.Errorf("greeting request: %s", g.URL)
	}
	w := stamp(routes.StartWorkflowRoute)
	body, _ := io.ReadAll(w.Body)
	if w.Header.Get("X-Execution-Name") != "run1-StartWorkflow-rest-000000009" || !strings.Contains(string(body), `"benchId":"run1-StartWorkflow-rest-000000009"`) ||
		w.ContentLength != int64(len(body)) || w.Header.Get("Content-Type") != "application/json" {
		t.Errorf("workflow request: header %v, body %s", w.Header, body)
	}
	e := stamp(routes.PutEventRoute)
	if e.URL.Path != "/dev/events/firstclass.orders/OrderPlaced" {
		t.Errorf("event path = %s", e.URL.Path)
	}
}
