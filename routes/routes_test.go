package routes

import (
	"strings"
	"testing"
)

func TestTheTableIsWellFormed(t *testing.T) {
	if err := Routes.Check(); err != nil {
		t.Fatal(err)
	}
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
