package events

import (
	"encoding/json"
	"strings"
	"testing"

	"firstclass/internal/awslocal/jsonvalue"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func TestEventsPutEventsEntryErrors(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	out, err := e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), DetailType: aws.String("t")},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`not json`)},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`[1,2]`)},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`), EventBusName: aws.String("no-such-bus")},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"ok":true}`)},
	}})
	if err != nil {
		t.Fatalf("PutEvents must answer 200 even when entries fail: %v", err)
	}
	wantCodes := []string{"InvalidArgument", "InvalidArgument", "InvalidArgument", "MalformedDetail", "MalformedDetail", "ResourceNotFoundException", ""}
	if out.FailedEntryCount != 6 {
		t.Errorf("FailedEntryCount = %d", out.FailedEntryCount)
	}
	for i, w := range wantCodes {
		if got := aws.ToString(out.Entries[i].ErrorCode); got != w {
			t.Errorf("entry %d ErrorCode = %q, want %q (%s)", i, got, w, aws.ToString(out.Entries[i].ErrorMessage))
		}
	}
	if got := aws.ToString(out.Entries[0].ErrorMessage); got != "Parameter Source is not valid. Reason: Source is a required argument." {
		t.Errorf("message = %q", got)
	}
	if aws.ToString(out.Entries[6].EventId) == "" {
		t.Error("the valid entry has no EventId")
	}

	var many []ebtypes.PutEventsRequestEntry
	for i := 0; i < 11; i++ {
		many = append(many, ebtypes.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`)})
	}
	if _, err := e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: many}); apiCode(err) != "ValidationException" {
		t.Errorf("11 entries: %v", err)
	}
	big := `{"x":"` + strings.Repeat("a", putEventsMaxSize) + `"}`
	if _, err := e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(big)}}}); apiCode(err) != "ValidationException" {
		t.Errorf("oversized request: %v", err)
	}

	// AWS itself accepts events for a missing bus (aws/aws-cli#9186); the
	// option restores that.
	lenient := newEnv(t, Options{AcceptUnknownEventBus: true})
	out, err = lenient.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`), EventBusName: aws.String("no-such-bus")}}})
	if err != nil || out.FailedEntryCount != 0 || aws.ToString(out.Entries[0].EventId) == "" {
		t.Errorf("AcceptUnknownEventBus: %v %+v", err, out)
	}
}

func TestEventsArchiveCounts(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	arc, err := e.events.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("all"),
		EventSourceArn: aws.String(e.srv.EventBusARN("default")), RetentionDays: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(arc.ArchiveArn) != "arn:aws:events:us-east-1:000000000000:archive/all" || arc.State != "ENABLED" {
		t.Errorf("CreateArchive = %+v", arc)
	}
	if _, err := e.events.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("shop-only"),
		EventSourceArn: aws.String(e.srv.EventBusARN("default")), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	entries := []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("a"), Detail: aws.String(`{"n":1}`)},
		{Source: aws.String("shop"), DetailType: aws.String("b"), Detail: aws.String(`{"n":2}`)},
		{Source: aws.String("crm"), DetailType: aws.String("c"), Detail: aws.String(`{"n":3}`)},
		{Source: aws.String("crm"), DetailType: aws.String("c")}, // fails: not archived
	}
	if _, err := e.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries}); err != nil {
		t.Fatal(err)
	}
	all, err := e.events.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("all")})
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := e.events.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("shop-only")})
	if all.EventCount != 3 || shop.EventCount != 2 || all.SizeBytes <= shop.SizeBytes || shop.SizeBytes < 200 {
		t.Errorf("counts: all %d/%dB, shop %d/%dB", all.EventCount, all.SizeBytes, shop.EventCount, shop.SizeBytes)
	}
	if aws.ToInt32(all.RetentionDays) != 7 || all.CreationTime == nil {
		t.Errorf("DescribeArchive = %+v", all)
	}
	if _, err := e.events.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("missing archive: %v", err)
	}
}

func TestEventsRuleErrors(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := ctxT(t)
	_, err := e.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":"shop"}`)})
	var bad *ebtypes.InvalidEventPatternException
	if !errorsAs(err, &bad) || !strings.Contains(err.Error(), "Event pattern is not valid. Reason: \"source\" must be an object or an array") {
		t.Errorf("bad pattern: %v", err)
	}
	_, err = e.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("ghost"), EventPattern: aws.String(`{"source":["x"]}`)})
	var nf *ebtypes.ResourceNotFoundException
	if !errorsAs(err, &nf) {
		t.Errorf("rule on a missing bus: %v", err)
	}
	_, err = e.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("ghost"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")}}})
	if !errorsAs(err, &nf) || !strings.Contains(err.Error(), "Rule ghost does not exist on EventBus default.") {
		t.Errorf("targets for a missing rule: %v", err)
	}
	e.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["x"]}`)})
	_, err = e.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q"),
		InputTransformer: &ebtypes.InputTransformer{InputTemplate: aws.String(`{"a": <nope>}`)}}}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("template with an unknown placeholder: %v", err)
	}
	if _, err := e.events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("default")}); apiCode(err) == "" {
		t.Error("created a bus named default")
	}
	d, err := e.events.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	if err != nil || aws.ToString(d.Name) != "default" {
		t.Errorf("DescribeEventBus default: %v %+v", err, d)
	}
}

func TestEventPatternMatching(t *testing.T) {
	event := map[string]any{}
	json.Unmarshal([]byte(`{"version":"0","id":"1","source":"com.shop","detail-type":"Order Placed","account":"1","region":"us-east-1",
		"time":"2025-01-01T00:00:00Z","resources":["arn:a","arn:b"],
		"detail":{"state":"running","count":5,"price":10.5,"ip":"10.0.0.7","nullv":null,"flag":true,"name":"Alice",
		"file":"dir/init/file.png","tags":["red","blue"],"items":[{"sku":"a","qty":1},{"sku":"b","qty":3}],"nested":{"deep":{"x":"y"}},"empty":[]}}`), &event)
	ev, _ := jsonvalue.Decode(mustJSON(event))
	tests := []struct {
		pattern string
		want    bool
	}{
		{`{}`, true},
		{`{"source":["com.shop"]}`, true},
		{`{"source":["other","com.shop"]}`, true},
		{`{"source":["other"]}`, false},
		{`{"detail":{"count":[5]}}`, true},
		{`{"detail":{"count":[5.0]}}`, true},
		{`{"detail":{"count":["5"]}}`, false},
		{`{"detail":{"flag":[true]}}`, true},
		{`{"detail":{"nullv":[null]}}`, true},
		{`{"detail":{"missing":[null]}}`, false},
		{`{"detail":{"state":[{"prefix":"run"}]}}`, true},
		{`{"detail":{"state":[{"prefix":{"equals-ignore-case":"RUN"}}]}}`, true},
		{`{"detail":{"file":[{"suffix":".png"}]}}`, true},
		{`{"detail":{"file":[{"suffix":{"equals-ignore-case":".PNG"}}]}}`, true},
		{`{"detail":{"name":[{"equals-ignore-case":"alice"}]}}`, true},
		{`{"detail":{"state":[{"anything-but":"stopped"}]}}`, true},
		{`{"detail":{"state":[{"anything-but":["running","stopped"]}]}}`, false},
		{`{"detail":{"state":[{"anything-but":{"prefix":"run"}}]}}`, false},
		{`{"detail":{"state":[{"anything-but":{"suffix":"ed"}}]}}`, true},
		{`{"detail":{"name":[{"anything-but":{"equals-ignore-case":["ALICE","bob"]}}]}}`, false},
		{`{"detail":{"file":[{"anything-but":{"wildcard":"*/dir/*"}}]}}`, true},
		{`{"detail":{"missing":[{"anything-but":"x"}]}}`, false},
		{`{"detail":{"count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		{`{"detail":{"count":[{"numeric":[">",5]}]}}`, false},
		{`{"detail":{"price":[{"numeric":["=",10.5]}]}}`, true},
		{`{"detail":{"state":[{"numeric":[">",0]}]}}`, false},
		{`{"detail":{"state":[{"exists":true}]}}`, true},
		{`{"detail":{"missing":[{"exists":false}]}}`, true},
		{`{"detail":{"state":[{"exists":false}]}}`, false},
		{`{"detail":{"nested":[{"exists":true}]}}`, false},
		{`{"detail":{"file":[{"wildcard":"dir/*.png"}]}}`, true},
		{`{"detail":{"file":[{"wildcard":"*/other/*"}]}}`, false},
		{`{"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}}`, true},
		{`{"detail":{"ip":[{"cidr":"10.1.0.0/24"}]}}`, false},
		{`{"detail":{"tags":["blue"]}}`, true},
		{`{"resources":["arn:b"]}`, true},
		{`{"detail":{"items":{"sku":["b"]}}}`, true},
		{`{"detail":{"items":{"qty":[{"numeric":[">",2]}]}}}`, true},
		{`{"detail":{"nested":{"deep":{"x":["y"]}}}}`, true},
		{`{"detail":{"nested":{"deep":{"x":["z"]}}}}`, false},
		{`{"$or":[{"source":["nope"]},{"detail":{"count":[5]}}]}`, true},
		{`{"$or":[{"source":["nope"]},{"detail":{"count":[6]}}]}`, false},
		{`{"source":["com.shop"],"detail":{"$or":[{"state":["x"]},{"name":["Alice"]}]}}`, true},
		{`{"detail-type":["Order Placed"],"detail":{"state":["running"],"count":[6]}}`, false},
	}
	for _, tc := range tests {
		p, err := compileEventPattern(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		if got := p.match(ev.(map[string]any)); got != tc.want {
			t.Errorf("%s matched %v, want %v", tc.pattern, got, tc.want)
		}
	}
	for _, bad := range []string{`[]`, `{"a":"b"}`, `{"a":[]}`, `{"a":[{"prefix":1}]}`, `{"a":[{"numeric":["<",5,">",1]}]}`,
		`{"a":[{"numeric":[">",5,"<",1]}]}`, `{"a":[{"exists":"yes"}]}`, `{"a":[{"nope":1}]}`, `{"a":[{"wildcard":"a**b"}]}`,
		`{"a":[{"cidr":"10.0.0.1"}]}`, `{"a":[{"anything-but":null}]}`, `{"$or":[{"a":["b"]}]}`, `not json`} {
		if _, err := compileEventPattern(bad); err == nil {
			t.Errorf("pattern %s compiled; want InvalidEventPatternException", bad)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestEventsInputTransformForms(t *testing.T) {
	srv := New(Options{})
	ev := srv.buildEvent(&PutEventsEntry{Source: "s", DetailType: "T", Detail: `{"a":{"b":1},"s":"x\"y","list":[1,2]}`},
		map[string]any{"a": map[string]any{"b": jsonNumber("1")}, "s": "x\"y", "list": []any{jsonNumber("1"), jsonNumber("2")}})
	r := &eventRule{name: "r", arn: "arn:rule/r"}
	tests := []struct {
		target EventTarget
		want   string
	}{
		{EventTarget{Input: `{"const":1}`}, `{"const":1}`},
		{EventTarget{InputPath: "$.detail.a"}, `{"b":1}`},
		{EventTarget{InputPath: "$.detail.s"}, `"x\"y"`},
		{EventTarget{InputTransformer: &EventInputTransformer{InputPathsMap: map[string]string{"s": "$.detail.s", "l": "$.detail.list"},
			InputTemplate: `{"s": <s>, "l": <l>, "text": "got <s>"}`}}, `{"s": "x\"y", "l": [1,2], "text": "got x\"y"}`},
		{EventTarget{InputTransformer: &EventInputTransformer{InputPathsMap: map[string]string{"b": "$.detail.a.b"},
			InputTemplate: `"value is <b> from <aws.events.rule-name>"`}}, `value is 1 from r`},
	}
	for _, tc := range tests {
		got, ok := transformInput(ev, r, &tc.target)
		if !ok || got != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.target, got, tc.want)
		}
	}
}

func jsonNumber(s string) json.Number { return json.Number(s) }
