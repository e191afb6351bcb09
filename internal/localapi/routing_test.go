package localapi

import (
	"strings"
	"testing"
)

// AWS's own example of route selection ("Routing API requests", http-api-develop-routes.html):
// a full match of route and method, then a greedy path variable for the method, then ANY with
// a greedy variable, and $default last.
func TestRoutesArePickedInAWSsOrder(t *testing.T) {
	var routes []*httpRoute
	for _, key := range []string{"$default", "ANY /{proxy+}", "GET /pets/{proxy+}", "GET /pets/dog/{id}", "GET /pets/dog/1"} {
		r := &httpRoute{key: key, isDefault: key == "$default"}
		if !r.isDefault {
			method, path, _ := strings.Cut(key, " ")
			r.method, r.segs = method, parsePath(path)
		}
		r.specificty = specificity(r)
		routes = append(routes, r)
	}
	sortRoutes(routes)
	a := &httpAPI{routes: routes}
	tests := []struct{ method, path, route, params string }{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", ""},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", "id=2"},
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}", "proxy=cat/1"},
		{"POST", "/pets/dog/1", "ANY /{proxy+}", "proxy=pets/dog/1"},
		{"GET", "/pets", "ANY /{proxy+}", "proxy=pets"}, // a greedy variable needs a segment
		{"GET", "/", "$default", ""},
	}
	for _, tt := range tests {
		params := map[string]string{}
		got := a.match(tt.method, tt.path, params)
		var kv []string
		for _, k := range sortedKeys(params) {
			kv = append(kv, k+"="+params[k])
		}
		if got == nil || got.key != tt.route || strings.Join(kv, ",") != tt.params {
			t.Errorf("%s %s = %v %v, want %s %s", tt.method, tt.path, got, params, tt.route, tt.params)
		}
	}
}
