package awslocal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
		v, derr := decodeJSONValue([]byte(event))
		if obj, ok := v.(map[string]any); derr == nil && ok {
			p.match(obj)
		}
	})
}

func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a b'][0]", "$.a[*].b", "$..x", "$.a[1:3]", "$.a[0,2]", "$$.Execution.Id"} {
		f.Add(s, `{"a":[{"b":1},{"b":2},{"b":3}],"x":{"x":1}}`)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := parsePath(path)
		if err != nil {
			return
		}
		v, err := decodeJSONValue([]byte(doc))
		if err != nil {
			return
		}
		p.eval(v)
		if p.isReferencePath() {
			p.set(v, "x")
		}
	})
}

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
		in, derr := decodeJSONValue([]byte(input))
		if derr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		// A manual clock: Wait states block until the timeout instead of
		// sleeping for real.
		ip := &interp{ctx: ctx, clock: NewManualClock(time.Unix(0, 0)), execution: map[string]any{}, stateMachine: map[string]any{}}
		ip.run(m, in, nil)
	})
}

func FuzzQueryProtocol(f *testing.F) {
	f.Add("Action=SendMessage&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v")
	f.Add("Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x")
	f.Add("Action=ReceiveMessage&MaxNumberOfMessages=10&AttributeName.1=All")
	f.Add("Action=DeleteMessageBatch&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=x")
	srv, _ := New(Options{})
	srv.CreateQueue("fuzz", nil)
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest(http.MethodPost, "/000000000000/fuzz", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, form, rec.Body.String())
		}
	})
}
