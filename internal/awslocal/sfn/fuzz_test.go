package sfn

import (
	"context"
	"testing"
	"time"

	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/jsonvalue"
)

// Fuzz targets for the parsers; their seeds run as ordinary tests.

func FuzzIntrinsic(f *testing.F) {
	for _, s := range []string{"States.Format('a {} b', $.x)", "States.MathAdd(1, 2)", "States.Array(States.UUID(), 'x', 3, true, null)",
		"States.ArrayRange(1, 9, 2)", "States.StringSplit('a,b', ',')", "States.Hash($.x, 'MD5')", "States.Format('\\{}', 1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		call, err := parseIntrinsic(expr)
		if err != nil {
			return
		}
		call.eval(map[string]any{"x": "v"}, map[string]any{})
	})
}

func FuzzStateMachineDefinition(f *testing.F) {
	f.Add(orderFlow, `{"total":1,"customer":"c","items":[{"sku":"a","qty":1}]}`)
	f.Add(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":0,"Next":"F"},"F":{"Type":"Fail","Error":"E"}}}`, `{}`)
	f.Fuzz(func(t *testing.T, def, input string) {
		m, err := parseDefinition(def)
		if err != nil {
			return
		}
		in, derr := jsonvalue.Decode([]byte(input))
		if derr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		// A manual clock: Wait states block until the timeout instead of
		// sleeping for real.
		ip := &interp{ctx: ctx, clock: clock.NewManual(time.Unix(0, 0)), execution: map[string]any{}, stateMachine: map[string]any{}}
		ip.run(m, in, nil)
	})
}
