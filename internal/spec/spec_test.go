package spec

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheckNamesEachMistake(t *testing.T) {
	good := Route{Name: "SendToQueue", Method: "POST", Path: "/queue", Target: Target{Name: "queue"}, REST: RESTIntegration{Service: "sqs", Action: "SendMessage"}}
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
	r := Route{Method: "POST", Path: "/events/{source}/{detailType}", Sample: Sample{PathParams: map[string]string{"source": "firstclass.orders", "detailType": "OrderPlaced"}}}
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

func TestCheckNamesAMissingTargetAndABadProbe(t *testing.T) {
	base := Route{Name: "R", Method: "POST", Path: "/r", Target: Target{Name: "q"}, REST: RESTIntegration{Service: "sqs"}}
	tests := []struct {
		name   string
		mutate func(*Route)
		want   string
	}{
		{"no target", func(r *Route) { r.Target = Target{} }, "needs a Target"},
		{"unknown probe", func(r *Route) { r.Delivery.Probe = "psychic" }, `delivery probe "psychic" is not one the bench has`},
		{"queue probe without output", func(r *Route) { r.Delivery.Probe = ProbeQueue }, "the queue probe reads a stack output"},
		{"a preparing probe without an input header", func(r *Route) { r.Delivery = Delivery{Probe: ProbeStoppedExecutions, Output: "Arn"} },
			"the stopped-executions probe prepares one: name the header"},
		{"an input header on a probe that prepares nothing", func(r *Route) { r.Delivery = Delivery{Probe: ProbeResponse, InputHeader: "X-Input"} },
			"the response probe prepares none: leave it out"},
		{"a sample that needs an unknown route", func(r *Route) {
			r.Sample.Needs = &SampleNeed{Route: "Start", Field: "executionArn", Header: "X-Execution-Arn"}
		}, `the sample needs route "Start" first, which is not another route of the table`},
		{"a sample that needs itself", func(r *Route) { r.Sample.Needs = &SampleNeed{Route: "R", Field: "f", Header: "H"} }, `needs route "R" first`},
		{"a sample need without its field", func(r *Route) { r.Sample.Needs = &SampleNeed{Route: "R", Header: "H"} }, "names the answer's Field and the Header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.mutate(&r)
			if err := (Table{r}).Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCallIsDerivedFromTheIntegrations(t *testing.T) {
	bus := Target{Name: "bus", Deliveries: []Copy{{Via: "audit queue", Action: "sqs:SendMessage"}}, Archived: true}
	tests := []struct {
		name       string
		route      Route
		wantAction string
		wantParams map[string]string
	}{
		{"an HTTP subtype names its action, and static and path parameters are evaluated on the sample",
			Route{Name: "E", Method: "POST", Path: "/e/{source}", Target: bus,
				HTTP:   HTTPIntegration{Subtype: "EventBridge-PutEvents", Parameters: map[string]Value{"Source": Expr("$request.path.source"), "DetailType": Expr("Order"), "Detail": Expr("$request.body"), "EventBusName": Of(EventBusName)}},
				Sample: Sample{PathParams: map[string]string{"source": "shop"}}},
			"events:PutEvents", map[string]string{"Source": "shop", "DetailType": "Order"}},
		{"a REST AwsIntegration names its service and action",
			Route{Name: "W", REST: RESTIntegration{Service: "states", Action: "StartExecution"}}, "states:StartExecution", map[string]string{}},
		{"a Lambda custom integration invokes", Route{Name: "G", REST: RESTIntegration{Service: "lambda"}}, InvokeAction, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.route.Call()
			if err != nil {
				t.Fatal(err)
			}
			if c.Action != tt.wantAction || !reflect.DeepEqual(c.Params, tt.wantParams) {
				t.Errorf("call = %s %v, want %s %v", c.Action, c.Params, tt.wantAction, tt.wantParams)
			}
			if len(c.Deliveries) != len(tt.route.Target.Deliveries) || c.Archived != tt.route.Target.Archived {
				t.Errorf("call deliveries %v archived %v, want the target's", c.Deliveries, c.Archived)
			}
		})
	}
	if _, err := (Route{Name: "X", HTTP: HTTPIntegration{Subtype: "SQS-Teleport"}}).Call(); err == nil {
		t.Error("an unknown subtype derived a call")
	}
}

func TestRefusedIsA4xxNamingTheCode(t *testing.T) {
	for _, c := range []struct {
		name, refusal, body string
		status              int
		want                bool
	}{
		{"HTTP API passes SQS's 403 on", "PurgeQueueInProgress", "<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>", 403, true},
		{"REST's error response makes it a 400", "PurgeQueueInProgress", `{"Error":{"Code":"AWS.SimpleQueueService.PurgeQueueInProgress"}}`, 400, true},
		{"another 4xx is a failure", "PurgeQueueInProgress", `{"message":"Bad Request"}`, 400, false},
		{"a 5xx naming the code is a failure", "PurgeQueueInProgress", "PurgeQueueInProgress", 500, false},
		{"a route without a refusal refuses nothing", "", "PurgeQueueInProgress", 403, false},
	} {
		if got := Refused(c.refusal, c.status, c.body); got != c.want {
			t.Errorf("%s: Refused = %v, want %v", c.name, got, c.want)
		}
	}
}
