package localapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/lambdalocal"
)

// Reloading: Reload loads a new assembly of the same app into a new generation (its own
// identities, functions and APIs) next to the running one, against the same in-memory AWS,
// and swaps it in. Queues, buses, rules, archives and state machines are created again from
// the new template: one whose identity did not change is the same resource, with its messages,
// events and executions (creating it is idempotent, a changed property updates it). The
// listeners stay: each API keeps its port while its logical ID stays in the template, a new API
// gets a new port, the port of a removed one closes. Requests in flight finish on the
// generation they started on; the functions it alone used stop once they have.

// apiListener is one API's port. Its handler is swapped atomically on a reload.
type apiListener struct {
	srv *http.Server
	url string
	cur atomic.Pointer[listenerTarget]
}

// listenerTarget is what a listener serves: one generation's API.
type listenerTarget struct {
	h     http.Handler
	guard *generationGuard
}

// generationGuard counts one generation's requests in flight: each holds it for reading;
// retiring the generation takes it for writing, so it waits for them.
type generationGuard struct {
	mu      sync.RWMutex
	retired bool
}

func (l *apiListener) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	for {
		t := l.cur.Load()
		t.guard.mu.RLock()
		if t.guard.retired {
			// Swapped while this request waited for the guard: the new target is loaded.
			t.guard.mu.RUnlock()
			continue
		}
		t.h.ServeHTTP(w, req)
		t.guard.mu.RUnlock()
		return
	}
}

// serve makes the listener serve a, of the generation guard counts.
func (l *apiListener) serve(a servedAPI, guard *generationGuard) {
	a.setBase(l.url)
	l.cur.Store(&listenerTarget{h: a, guard: guard})
}

// servedAPI is an API a listener serves: an HTTP API or a REST API.
type servedAPI interface {
	http.Handler
	logical() string
	setBase(url string)
	kind() contract.Kind
}

func (a *httpAPI) kind() contract.Kind { return contract.HTTP }
func (a *restAPI) kind() contract.Kind { return contract.REST }
func (a *httpAPI) logical() string     { return a.logicalID }
func (a *httpAPI) setBase(url string)  { a.baseURL = url }
func (a *restAPI) logical() string     { return a.logicalID }
func (a *restAPI) setBase(url string)  { a.baseURL = url }

// served lists the generation's APIs, HTTP APIs first, in the order they were loaded.
func (r *Runner) served() []servedAPI {
	var out []servedAPI
	for _, a := range r.httpAPIs {
		out = append(out, a)
	}
	for _, a := range r.restAPIs {
		out = append(out, a)
	}
	return out
}

// openListener listens on the n-th port for a.
func (r *Runner) openListener(a servedAPI, n int) (*apiListener, error) {
	ln, err := r.listen(n)
	if err != nil {
		return nil, err
	}
	l := &apiListener{url: "http://" + ln.Addr().String()}
	// API Gateway's front end (frontend.go) before the API: its limit on the request line and
	// headers, and its answers where net/http would give its own. net/http reads up to
	// MaxHeaderBytes+4096 bytes of header section: what lies between reaches the handler.
	// The connection timeouts are httpconn's: a connection's wait for its first request is
	// idle time, not the head timeout that net/http would start at the dial.
	l.srv = connTimeouts.Server(frontEndHandler(a.kind(), l))
	l.srv.MaxHeaderBytes = maxRequestHead
	go l.srv.Serve(frontEndListener{Listener: connTimeouts.Listener(ln), kind: a.kind()})
	return l, nil
}

// goneAPI answers on the port of an API a reload removed, while its listener shuts down.
var goneAPI = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Connection", "close")
	http.Error(w, "this API is no longer in the app's template", http.StatusServiceUnavailable)
})

// Reload is what one Reload did.
type Reload struct {
	Took    time.Duration
	Changes []string // what changed, one line each: "+ HTTP API GET /new", "~ REST API POST /queue: …"
}

// Reload loads asm and swaps it in for the served generation; on an error the served
// generation stays as it was and goes on serving (targets the new template changed may
// already be changed in the local AWS).
func (r *Runner) Reload(ctx context.Context, asm *cfn.Assembly) (*Reload, error) {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	began := time.Now()
	stack, err := asm.Stack(r.opts.StackName)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	opts := r.opts
	opts.Assembly = asm // its assets are the new ones
	tmpl, ps := flattenStack(asm, stack)
	next := &Runner{opts: opts, stack: stack.Name, tmpl: tmpl, aws: r.aws, awsURL: r.awsURL, traces: r.traces,
		functions: map[string]*lambdalocal.Function{}, sinks: r.sinks, sinkMu: r.sinkMu, gen: r.gen + 1,
		reused: r.built, built: map[string]*builtFunction{},
		// Usage plans start again from the new template, with fresh quotas.
		iam: r.iam, usage: newUsagePlans(), invoker: r.invoker,
		// User pools keep their issuers (and so the tokens they issued) across reloads;
		// authorizers, and their caches, start again.
		pools: r.pools, authorizerCores: map[string]any{}}
	before, oldTmpl, oldVals := r.apisLocked(), r.tmpl, r.vals
	r.mu.RUnlock()
	if err := next.load(ctx, ps); err != nil {
		next.stopFunctions(next.reused)
		return nil, err
	}
	old, err := r.swap(next)
	if err != nil {
		next.stopFunctions(next.reused)
		return nil, err
	}
	changes := diffAPIs(before, r.APIs())
	changes = append(changes, next.functionChanges()...)
	changes = append(changes, r.removeGone(oldTmpl, oldVals, next)...)
	r.retire(old, next)
	return &Reload{Took: time.Since(began), Changes: changes}, nil
}

// swap makes next the served generation: its APIs on the listeners, its fields the runner's.
// It returns the generation it replaced.
func (r *Runner) swap(next *Runner) (*Runner, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keep := map[string]bool{}
	opened := map[string]*apiListener{}
	for _, a := range next.served() {
		keep[a.logical()] = true
		if _, ok := r.listeners[a.logical()]; ok {
			continue
		}
		l, err := r.openListener(a, r.nextPort)
		if err != nil {
			for _, l := range opened {
				l.srv.Close()
			}
			return nil, err
		}
		r.nextPort++
		opened[a.logical()] = l
	}
	for id, l := range opened {
		r.listeners[id] = l
	}
	guard := &generationGuard{}
	for _, a := range next.served() {
		r.listeners[a.logical()].serve(a, guard)
	}
	for id, l := range r.listeners {
		if !keep[id] {
			l.cur.Store(&listenerTarget{h: goneAPI, guard: &generationGuard{}})
			go l.srv.Shutdown(context.Background())
			delete(r.listeners, id)
		}
	}
	old := &Runner{functions: r.functions, built: r.built, guard: r.guard}
	r.tmpl, r.vals, r.resolver, r.stack = next.tmpl, next.vals, next.resolver, next.stack
	r.functions, r.built, r.httpAPIs, r.restAPIs = next.functions, next.built, next.httpAPIs, next.restAPIs
	r.guard, r.gen, r.usage = guard, next.gen, next.usage
	return old, nil
}

// retire waits, in the background, for the requests in flight on the old generation, then
// stops the functions the new one does not use.
func (r *Runner) retire(old, next *Runner) {
	r.retiring.Add(1)
	go func() {
		defer r.retiring.Done()
		old.guard.mu.Lock()
		old.guard.retired = true
		old.guard.mu.Unlock()
		old.stopFunctions(next.built)
	}()
}

// closeRetired waits for the retiring generations to stop their functions.
func (r *Runner) closeRetired() { r.retiring.Wait() }

// stopFunctions stops the generation's functions that keep (another generation's) does not
// also run, and removes their builds.
func (r *Runner) stopFunctions(keep map[string]*builtFunction) {
	inUse := map[*lambdalocal.Function]bool{}
	for _, b := range keep {
		inUse[b.fn] = true
	}
	for _, b := range r.built {
		if !inUse[b.fn] {
			b.fn.Close()
			os.RemoveAll(b.dir)
		}
	}
}

// builtFunction is a function the runner built and started, with what it was started from.
type builtFunction struct {
	id     string // logical ID
	fn     *lambdalocal.Function
	sum    string // of the code and the configuration: the same sum is the same function
	dir    string // its build directory, removed when it stops
	reused bool   // taken over from the last generation, unchanged
}

// buildDir is where a function of this generation is built: a directory of its own per
// generation, since the last generation's process may still run the last build.
func (r *Runner) buildDir(logicalID string) string {
	if r.gen == 0 {
		return filepath.Join(r.opts.LogDir, "functions", logicalID)
	}
	return filepath.Join(r.opts.LogDir, "functions", fmt.Sprintf("%s.%d", logicalID, r.gen))
}

// startFunction starts the function cfg describes, or keeps the last generation's when its
// code and configuration are the same, so that its warm instances stay.
//
// dir is the function's own directory (its build, its unzipped or inline code), removed when
// it stops; an asset directory of the cloud assembly is never removed.
func (r *Runner) startFunction(logicalID, dir string, cfg lambdalocal.FunctionConfig) (*lambdalocal.Function, error) {
	sum, err := functionSum(cfg)
	if err != nil {
		return nil, err
	}
	if prev, ok := r.reused[logicalID]; ok && prev.sum == sum {
		r.built[logicalID] = &builtFunction{id: logicalID, fn: prev.fn, sum: sum, dir: prev.dir, reused: true}
		if dir != prev.dir && r.gen > 0 {
			os.RemoveAll(dir) // this generation's build of the same code
		}
		return prev.fn, nil
	}
	fn, err := lambdalocal.NewFunction(cfg)
	if err != nil {
		return nil, err
	}
	r.built[logicalID] = &builtFunction{id: logicalID, fn: fn, sum: sum, dir: dir}
	return fn, nil
}

// functionSum identifies a function by its code (the binary's or the code directory's
// content, not their paths, which change with each generation) and its configuration.
func functionSum(cfg lambdalocal.FunctionConfig) (string, error) {
	h := sha256.New()
	if cfg.Binary != "" {
		if err := hashFile(h, cfg.Binary); err != nil {
			return "", err
		}
	}
	if cfg.CodeDir != "" {
		err := filepath.WalkDir(cfg.CodeDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(cfg.CodeDir, path)
			fmt.Fprintf(h, "%s\x00", rel)
			return hashFile(h, path)
		})
		if err != nil {
			return "", err
		}
	}
	cfg.Binary, cfg.CodeDir, cfg.Logs = "", "", nil
	fmt.Fprintf(h, "%+v", cfg)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(h, f)
	return err
}

// functionChanges says which functions a reload rebuilt and restarted.
func (r *Runner) functionChanges() []string {
	var out []string
	for _, id := range sortedKeys(r.built) {
		b := r.built[id]
		switch prev, ok := r.reused[id]; {
		case !ok:
			out = append(out, "+ function "+id)
		case !b.reused && prev != nil:
			out = append(out, "~ function "+id+": rebuilt, its warm instances replaced")
		}
	}
	for _, id := range sortedKeys(r.reused) {
		if _, ok := r.built[id]; !ok {
			out = append(out, "- function "+id)
		}
	}
	return out
}

// removeGone deletes from the local AWS the targets of the old template that the new one no
// longer has (by logical ID), as a CloudFormation update deletes them.
func (r *Runner) removeGone(oldTmpl *cfn.Template, oldVals values, next *Runner) []string {
	var gone []*cfn.Resource
	for _, id := range sortedKeys(oldTmpl.Resources) {
		res := oldTmpl.Resources[id]
		p, ok := providers[res.Type]
		if _, still := next.tmpl.Resources[id]; !still && ok && p.remove != nil && oldVals[id] != nil {
			gone = append(gone, res)
		}
	}
	// Rules before their buses: the reverse of the creation phases.
	sort.SliceStable(gone, func(i, j int) bool { return providers[gone[i].Type].phase > providers[gone[j].Type].phase })
	var out []string
	for _, res := range gone {
		p, id := providers[res.Type], res.LogicalID
		if err := p.remove(r, res, oldVals); err != nil {
			out = append(out, fmt.Sprintf("! %s %s: not removed from the local AWS: %v", res.Type, id, err))
			continue
		}
		out = append(out, fmt.Sprintf("- %s %s", res.Type, id))
	}
	return out
}

// diffAPIs lists the routes added and removed, and those whose definition changed, with the
// properties that did.
func diffAPIs(before, after []API) []string {
	type key struct{ api, route string }
	index := func(apis []API) map[key]Route {
		m := map[key]Route{}
		for _, a := range apis {
			for _, rt := range a.Routes {
				m[key{kindName(a.Kind) + " " + a.LogicalID, rt.Method + " " + rt.Path}] = rt
			}
		}
		return m
	}
	b, a := index(before), index(after)
	var out []string
	for k, rt := range a {
		old, ok := b[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("+ %s %s  %s", k.api, k.route, rt.Integration))
		default:
			if changed := changedPaths(old.definition, rt.definition); len(changed) > 0 {
				out = append(out, fmt.Sprintf("~ %s %s: %s changed", k.api, k.route, joinList(changed)))
			}
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("- %s %s", k.api, k.route))
		}
	}
	sort.Strings(out)
	return out
}

func kindName(k contract.Kind) string {
	if k == contract.REST {
		return "REST API"
	}
	return "HTTP API"
}

// changedPaths lists where two resolved property trees differ, as dotted paths
// ("Integration.RequestTemplates.application/json"), down to the first level that differs.
func changedPaths(before, after any) []string {
	var out []string
	var walk func(path string, b, a any)
	walk = func(path string, b, a any) {
		bm, bok := b.(map[string]any)
		am, aok := a.(map[string]any)
		if !bok || !aok {
			if !reflect.DeepEqual(b, a) {
				out = append(out, path)
			}
			return
		}
		keys := map[string]bool{}
		for k := range bm {
			keys[k] = true
		}
		for k := range am {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walk(p, bm[k], am[k])
		}
	}
	walk("", before, after)
	return out
}

func joinList(s []string) string {
	if len(s) > 4 {
		return strings.Join(s[:4], ", ") + fmt.Sprintf(" and %d more", len(s)-4)
	}
	return strings.Join(s, ", ")
}
