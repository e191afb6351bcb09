package routes

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestTheTableIsWellFormed(t *testing.T) {
	if err := Routes.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckNamesEachMistake(t *testing.T) {
	good := SendToQueueRoute
	tests := []struct {
		name   string
		mutate func(*Route)
		want   string
	}{
		{"lower-case name", func(r *Route) { r.Name = "sendToQueue" }, `name must be an upper-camel-case identifier`},
		{"bad method", func(r *Route) { r.Method = "FETCH" }, `method "FETCH" is not an HTTP method`},
		{"path without slash", func(r *Route) { r.Path = "queue" }, `path "queue" must start with /`},
		{"sample lacks a path parameter", func(r *Route) { r.Path = "/queue/{id}" }, `no value for path parameter "id"`},
		{"sample sets an unknown path parameter", func(r *Route) { r.Sample.PathParams = map[string]string{"id": "1"} }, `sets path parameter "id", which /queue does not have`},
		{"no REST service", func(r *Route) { r.REST.Service = "" }, `needs a Service`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.mutate(&r)
			err := Table{r}.Check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		err := Table{good, good}.Check()
		if err == nil || !strings.Contains(err.Error(), "name used twice") || !strings.Contains(err.Error(), "POST /queue is already routed") {
			t.Errorf("error = %v", err)
		}
	})
}

func TestRouteHelpers(t *testing.T) {
	r := PutEventRoute
	if got := r.Key(); got != "POST /events/{source}/{detailType}" {
		t.Errorf("Key = %q", got)
	}
	if got := strings.Join(r.PathParams(), ","); got != "source,detailType" {
		t.Errorf("PathParams = %q", got)
	}
	if got := r.SamplePath(); got != "/events/firstclass.orders/OrderPlaced" {
		t.Errorf("SamplePath = %q", got)
	}
}

func TestOutputsRoundTripAsCDKWritesThem(t *testing.T) {
	out := Outputs{APIURLOutput(HTTP, "dev"): "https://h/dev", APIURLOutput(REST, "prod"): "https://r/prod/", QueueURLOutput: "q"}
	var buf bytes.Buffer
	if err := WriteOutputs(&buf, "Firstclass", out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"Firstclass": {`) || !strings.Contains(buf.String(), `"HttpApiDevUrl": "https://h/dev"`) {
		t.Errorf("written:\n%s", buf.String())
	}
	got, err := ReadOutputs(&buf, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Stages(HTTP)[0] != "dev" || got.Stages(REST)[0] != "prod" {
		t.Errorf("stages = %v / %v", got.Stages(HTTP), got.Stages(REST))
	}
	if _, err := got.Get(EventBusNameOutput); err == nil || !strings.Contains(err.Error(), `no "EventBusName"`) {
		t.Errorf("Get of a missing key: %v", err)
	}
}

func TestReadOutputsNeedsAStackNameWhenSeveral(t *testing.T) {
	file := `{"A":{"QueueUrl":"a"},"B":{"QueueUrl":"b"}}`
	if _, err := ReadOutputs(strings.NewReader(file), ""); err == nil || !strings.Contains(err.Error(), "2 stacks (A, B)") {
		t.Errorf("error = %v", err)
	}
	out, err := ReadOutputs(strings.NewReader(file), "B")
	if err != nil || out[QueueURLOutput] != "b" {
		t.Errorf("out = %v, err = %v", out, err)
	}
	if _, err := ReadOutputs(strings.NewReader(file), "C"); err == nil || !strings.Contains(err.Error(), `no stack "C"; it has A, B`) {
		t.Errorf("error = %v", err)
	}
}

func TestAccessLogFormatIsOneJSONObjectPerKind(t *testing.T) {
	for _, kind := range Kinds {
		var m map[string]string
		if err := json.Unmarshal([]byte(AccessLogFormat(kind)), &m); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, f := range []string{"requestId", "status", "responseLatency", "integrationLatency", "integrationStatus", "integrationError"} {
			if !strings.HasPrefix(m[f], "$context.") {
				t.Errorf("%s: field %q = %q", kind, f, m[f])
			}
		}
	}
}
