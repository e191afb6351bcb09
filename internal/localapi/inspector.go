package localapi

import (
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"sync"
	"time"

	"firstclass/internal/awslocal"
)

// The inspector: a page the runner serves on a port of its own (Options.Inspector) at
// /_firstclass/, listing the recent requests of every route with their traces, the messages of
// every queue, the recent events of every bus and the executions of every state machine with
// their history. It is one embedded HTML file with its script and style inline, no CDN, and
// polls /_firstclass/api/state once a second. The page reports the requests it shows to
// /_firstclass/api/seen, so that a test can tell that it rendered a request made after it
// opened without driving the browser.

//go:embed inspector/index.html
var inspectorFiles embed.FS

// InspectorPath is where the inspector page is served.
const InspectorPath = "/_firstclass/"

// inspectorState is what one poll of the page gets.
type inspectorState struct {
	Generation int                    `json:"generation"`
	Now        time.Time              `json:"now"`
	APIs       []inspectorAPI         `json:"apis"`
	Traces     []*Trace               `json:"traces"` // after the poll's ?since=
	LastSeq    uint64                 `json:"lastSeq"`
	Queues     []awslocal.QueueView   `json:"queues"`
	Buses      []awslocal.BusView     `json:"buses"`
	Machines   []awslocal.MachineView `json:"machines"`
	Functions  []string               `json:"functions"`
}

type inspectorAPI struct {
	Kind      string           `json:"kind"`
	LogicalID string           `json:"logicalId"`
	Path      string           `json:"path"`
	Stages    []Stage          `json:"stages"`
	Routes    []inspectorRoute `json:"routes"`
}

type inspectorRoute struct {
	Key         string   `json:"key"` // as traces name it: "POST /queue"
	Integration string   `json:"integration"`
	Details     []string `json:"details"`
}

// inspectorLimit is how many messages of a queue and executions of a machine the page shows.
const inspectorLimit = 50

// inspector serves the page and its API.
type inspector struct {
	r    *Runner
	mu   sync.Mutex
	seen json.RawMessage // the page's last report
}

func (in *inspector) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch req.URL.Path {
	case "/", InspectorPath, InspectorPath + "index.html":
		if req.URL.Path == "/" {
			http.Redirect(w, req, InspectorPath, http.StatusFound)
			return
		}
		page, _ := fs.ReadFile(inspectorFiles, "inspector/index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	case InspectorPath + "api/state":
		since, _ := strconv.ParseUint(req.URL.Query().Get("since"), 10, 64)
		writeJSON(w, in.state(since))
	case InspectorPath + "api/seen":
		in.serveSeen(w, req)
	default:
		http.NotFound(w, req)
	}
}

func (in *inspector) serveSeen(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPost {
		b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil || !json.Valid(b) {
			http.Error(w, "want a JSON report", http.StatusBadRequest)
			return
		}
		in.mu.Lock()
		in.seen = b
		in.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	in.mu.Lock()
	seen := in.seen
	in.mu.Unlock()
	if seen == nil {
		seen = json.RawMessage("null")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(seen)
}

func (in *inspector) state(since uint64) *inspectorState {
	r := in.r
	r.mu.RLock()
	gen := r.gen
	functions := sortedKeys(r.functions)
	apis := r.apisLocked()
	r.mu.RUnlock()
	s := &inspectorState{Generation: gen, Now: time.Now(), Traces: r.Traces(since), Functions: functions,
		Queues: r.aws.InspectQueues(inspectorLimit), Buses: r.aws.InspectBuses(), Machines: r.aws.InspectStateMachines(inspectorLimit)}
	s.LastSeq = since
	if n := len(s.Traces); n > 0 {
		s.LastSeq = s.Traces[n-1].Seq
	}
	if s.Traces == nil {
		s.Traces = []*Trace{}
	}
	for _, a := range apis {
		ia := inspectorAPI{Kind: kindName(a.Kind), LogicalID: a.LogicalID, Path: a.Path, Stages: a.Stages}
		for _, rt := range a.Routes {
			key := rt.Method + " " + rt.Path
			if rt.Path == "$default" {
				key = "$default"
			}
			ia.Routes = append(ia.Routes, inspectorRoute{Key: key, Integration: rt.Integration, Details: rt.Details})
		}
		s.APIs = append(s.APIs, ia)
	}
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// startInspector listens for the inspector on the next free port offset.
func (r *Runner) startInspector() error {
	ln, err := r.listen(r.nextPort)
	if err != nil {
		return err
	}
	r.nextPort++
	r.inspectorURL = "http://" + ln.Addr().String() + InspectorPath
	r.inspectorSrv = connTimeouts.Server(&inspector{r: r})
	go r.inspectorSrv.Serve(connTimeouts.Listener(ln))
	return nil
}

// InspectorURL is the inspector page's URL; "" when the runner serves none (Options.Inspector).
func (r *Runner) InspectorURL() string { return r.inspectorURL }
