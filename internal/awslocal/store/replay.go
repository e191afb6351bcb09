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

// Apply replays one record on svc.
func (rs Replayers[S]) Apply(svc S, op string, data json.RawMessage) error {
	apply, ok := rs[op]
	if !ok {
		return fmt.Errorf("unknown record %q", op)
	}
	return apply(svc, data)
}
