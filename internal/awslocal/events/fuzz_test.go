package events

import (
	"testing"

	"firstclass/internal/awslocal/jsonvalue"
)

// Fuzz targets for the parsers; their seeds run as ordinary tests.

func FuzzEventPattern(f *testing.F) {
	for _, s := range []string{`{"source":["a"]}`, `{"detail":{"n":[{"numeric":[">",1,"<",5]}]}}`, `{"$or":[{"a":["b"]},{"c":[{"exists":false}]}]}`,
		`{"a":[{"anything-but":{"prefix":"x"}}]}`, `{"a":[{"wildcard":"a*b\\*"}]}`, `{"a":[{"cidr":"10.0.0.0/8"}]}`} {
		f.Add(s, `{"source":"a","detail":{"n":3,"a":"ab*"},"a":"x","c":null}`)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := compileEventPattern(pattern)
		if err != nil {
			return
		}
		v, derr := jsonvalue.Decode([]byte(event))
		if obj, ok := v.(map[string]any); derr == nil && ok {
			p.match(obj)
		}
	})
}
