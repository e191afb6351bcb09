package jsonvalue

import (
	"testing"
)

// Fuzz targets for the parsers; their seeds run as ordinary tests.

func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a b'][0]", "$.a[*].b", "$..x", "$.a[1:3]", "$.a[0,2]", "$$.Execution.Id"} {
		f.Add(s, `{"a":[{"b":1},{"b":2},{"b":3}],"x":{"x":1}}`)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := ParsePath(path)
		if err != nil {
			return
		}
		v, err := Decode([]byte(doc))
		if err != nil {
			return
		}
		p.Eval(v)
		if p.IsReference() {
			p.Set(v, "x")
		}
	})
}
