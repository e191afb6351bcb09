package loadrun

import (
	"encoding/json"
	"fmt"
	"time"

	"firstclass/internal/contract"
)

// Task is what every worker of a run shares: the execution's input carries it once, and the
// Map state's ItemSelector hands it to each worker with its index.
type Task struct {
	Run     string `json:"run"`
	Workers int    `json:"workers"`
	// Origin is the common start instant (warm-up included).
	Origin          time.Time        `json:"origin"`
	Rate            float64          `json:"rate"` // the whole schedule's rate per route × kind
	WarmupSeconds   float64          `json:"warmupSeconds"`
	DurationSeconds float64          `json:"durationSeconds"`
	Stage           string           `json:"stage"`
	Routes          []string         `json:"routes,omitempty"`
	Kinds           []contract.Kind  `json:"kinds,omitempty"`
	Outputs         contract.Outputs `json:"outputs"`
	PayloadSize     int              `json:"payloadSize,omitempty"`
	Payload         json.RawMessage  `json:"payload,omitempty"`
	MaxWorkers      int              `json:"maxWorkers,omitempty"`
	TimeoutSeconds  float64          `json:"timeoutSeconds,omitempty"`
}

// Event is one worker's input: the Map state's item.
type Event struct {
	Worker int  `json:"worker"` // 0-based
	Task   Task `json:"task"`
}

// Input is the execution's input: the task once, and one index per worker.
type Input struct {
	Task          Task  `json:"task"`
	WorkerIndexes []int `json:"workerIndexes"`
}

// WorkerResult is what a worker returns to the Map state: small whatever the result's size
// (a state's output is limited to 256 KB), the result itself being in the bucket. A failed
// worker's iteration returns Failed with the error instead.
type WorkerResult struct {
	Worker    int       `json:"worker"`
	Bucket    string    `json:"bucket,omitempty"`
	Key       string    `json:"key,omitempty"`
	Bytes     int       `json:"bytes,omitempty"`
	FirstSent time.Time `json:"firstSent,omitzero"`
	Requests  uint64    `json:"requests,omitempty"`
	Errors    uint64    `json:"errors,omitempty"`

	Failed bool   `json:"failed,omitempty"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
}

// ResultKey is where worker i of run keeps its result in the bucket.
func ResultKey(run string, worker int) string {
	return fmt.Sprintf("%s%s/worker-%04d.json", contract.LoadResultsPrefix, run, worker)
}
