package store

import (
	"encoding/json"
	"fmt"
)

// Replayers maps a service's record ops to the functions that apply them
// to the service S when a log is replayed.
type Replayers[S any] map[string]func(svc S, data json.RawMessage) error

// Replay is the replayer that decodes a record's data into R and applies it.
func Replay[S, R any](apply func(svc S, r R) error) func(S, json.RawMessage) error {
	return func(svc S, data json.RawMessage) error {
		var r R
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		return apply(svc, r)
	}
}

// Redo is Replay for a record whose apply cannot fail.
func Redo[S, R any](apply func(svc S, r R)) func(S, json.RawMessage) error {
	return Replay(func(svc S, r R) error {
		apply(svc, r)
		return nil
	})
}

// Apply replays one record on svc.
func (rs Replayers[S]) Apply(svc S, op string, data json.RawMessage) error {
	apply, ok := rs[op]
	if !ok {
		return fmt.Errorf("unknown record %q", op)
	}
	return apply(svc, data)
}

// ServiceSection is the Section of a service svc whose snapshot member is
// what snapshot returns and decodes into T for restore, and whose records
// replayers apply.
func ServiceSection[S, T any](name, opPrefix string, svc S, snapshot func() T, restore func(T), replayers Replayers[S]) Section {
	return Section{
		Name:     name,
		OpPrefix: opPrefix,
		Snapshot: func() any { return snapshot() },
		Restore: func(data json.RawMessage) error {
			var v T
			if err := json.Unmarshal(data, &v); err != nil {
				return err
			}
			restore(v)
			return nil
		},
		Apply: func(op string, data json.RawMessage) error { return replayers.Apply(svc, op, data) },
	}
}

// NameRecord is the data of a record that names one resource
// ({"name": ...}): a deleted queue, bus, archive or state machine.
type NameRecord struct {
	Name string `json:"name"`
}
