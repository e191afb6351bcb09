package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"firstclass/internal/bench"
	"firstclass/internal/bench/benchtest"
	"firstclass/internal/cost"
	"firstclass/internal/loadrun"
	"firstclass/routes"
)

type memStore struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memStore) Put(_ context.Context, bucket, key string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objs == nil {
		m.objs = map[string][]byte{}
	}
	m.objs[bucket+"/"+key] = body
	return nil
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The worker runs the bench's generator for its share and keeps a report the bench can read
// back, with what the delivery check needs.
func TestHandleRunsItsShareAndKeepsAMergeableResult(t *testing.T) {
	stack := benchtest.New(t, benchtest.Options{})
	store := &memStore{}
	ev := loadrun.Event{Worker: 1, Task: loadrun.Task{Run: "wk", Workers: 2, Origin: time.Now().Add(200 * time.Millisecond), Rate: 20,
		WarmupSeconds: 0.2, DurationSeconds: 1, Stage: "dev", Routes: []string{"SendToQueue", "Greeting"}, Outputs: stack.Outputs()}}
	out, err := Handle(ctxT(t), ev, "results", store)
	if err != nil {
		t.Fatal(err)
	}
	if out.Key != "runs/wk/worker-0001.json" || out.Bucket != "results" || out.Worker != 1 || out.FirstSent.IsZero() {
		t.Errorf("response = %+v", out)
	}
	body := store.objs["results/"+out.Key]
	if len(body) != out.Bytes || out.Bytes == 0 {
		t.Fatalf("stored %d bytes, response says %d", len(body), out.Bytes)
	}
	rep, err := bench.ReadReport(bytes.NewReader(body), bench.Pricing{Prices: cost.Default(), Routes: routes.Routes})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runs[0].Shard == nil || *rep.Runs[0].Shard != (bench.Shard{Index: 1, Of: 2}) {
		t.Errorf("shard = %+v, want worker 1 of 2", rep.Runs[0].Shard)
	}
	if len(rep.Results) != 4 {
		t.Fatalf("%d results, want 2 routes × 2 kinds", len(rep.Results))
	}
	for _, r := range rep.Results {
		// Half of 20 a second over 1 s.
		if r.Requests != 10 || r.OK != 10 {
			t.Errorf("%s: %d requests, %d ok; want 10 of 10", r.Key(), r.Requests, r.OK)
		}
		switch r.Route {
		case "SendToQueue": // found downstream later, by the bench: the worker keeps the ids
			if r.Delivery != nil || len(r.Accepted) != 1 {
				t.Errorf("%s: delivery %+v, %d accepted shards; want the ids kept for the bench's check", r.Key(), r.Delivery, len(r.Accepted))
			}
		case "Greeting": // the response proves it: checked here
			if d := r.Delivery; d == nil || d.Accepted != 12 || d.Delivered != 12 {
				t.Errorf("%s: delivery %+v, want 12 of 12 checked from the responses", r.Key(), d)
			}
		}
	}
}

func TestHandleRefusesBeforeSendingAnything(t *testing.T) {
	good := loadrun.Event{Task: loadrun.Task{Run: "wk", Workers: 1, Origin: time.Now().Add(time.Second), Rate: 1, DurationSeconds: 1, Outputs: map[string]string{}}}
	short, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		edit   func(*loadrun.Event)
		bucket string
		match  string
	}{
		{"a worker past the count", context.Background(), func(e *loadrun.Event) { e.Worker = 1 }, "b", "worker 1 of 1"},
		{"no start instant", context.Background(), func(e *loadrun.Event) { e.Task.Origin = time.Time{} }, "b", "start instant"},
		{"an unknown route", context.Background(), func(e *loadrun.Event) { e.Task.Routes = []string{"Nope"} }, "b", `no route "Nope"`},
		{"no bucket", context.Background(), func(*loadrun.Event) {}, "", "LOAD_RESULTS_BUCKET"},
		{"a deadline before the end", short, func(e *loadrun.Event) { e.Task.DurationSeconds = 60 }, "b", "deadline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := good
			tc.edit(&ev)
			store := &memStore{}
			_, err := Handle(tc.ctx, ev, tc.bucket, store)
			if err == nil || !strings.Contains(err.Error(), tc.match) {
				t.Errorf("Handle = %v, want an error about %q", err, tc.match)
			}
			if len(store.objs) > 0 {
				t.Error("a refused task stored a result")
			}
		})
	}
}
