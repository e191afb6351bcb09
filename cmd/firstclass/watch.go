package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/localapi"
)

// --watch: the app's sources are polled (stat calls over the tree, no fsnotify), and a change,
// once the tree has been quiet for the debounce, synthesizes the app again and swaps the new
// assembly into the running runner (localapi.Runner.Reload). A synth or load error is printed
// and the last assembly goes on serving.

// watcher finds the files added, changed or removed under its roots since its last look.
type watcher struct {
	roots []string
	skip  map[string]bool // absolute directories not to walk into
	last  map[string]fileStamp
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// skippedDirs are directories no app's source is in: built output, installed packages, VCS.
var skippedDirs = map[string]bool{"node_modules": true, "cdk.out": true, ".git": true, "__pycache__": true, ".venv": true}

func newWatcher(roots []string, skip ...string) *watcher {
	w := &watcher{skip: map[string]bool{}}
	for _, r := range roots {
		if abs, err := filepath.Abs(r); err == nil {
			w.roots = append(w.roots, abs)
		}
	}
	for _, s := range skip {
		if s == "" {
			continue
		}
		if abs, err := filepath.Abs(s); err == nil {
			w.skip[abs] = true
		}
	}
	w.last = w.scan()
	return w
}

// editorFile reports the temporary files editors write next to the file being saved.
func editorFile(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") ||
		strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".tmp") || name == "4913"
}

func (w *watcher) scan() map[string]fileStamp {
	files := map[string]fileStamp{}
	for _, root := range w.roots {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a file removed while walking
			}
			if d.IsDir() {
				if path != root && (skippedDirs[d.Name()] || strings.HasPrefix(d.Name(), ".") || w.skip[path]) {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || editorFile(d.Name()) {
				return nil
			}
			if info, err := d.Info(); err == nil {
				files[path] = fileStamp{info.ModTime(), info.Size()}
			}
			return nil
		})
	}
	return files
}

// changes lists the files that changed since the last call, relative to the first root.
func (w *watcher) changes() []string {
	now := w.scan()
	var out []string
	for p, s := range now {
		if old, ok := w.last[p]; !ok || old != s {
			out = append(out, p)
		}
	}
	for p := range w.last {
		if _, ok := now[p]; !ok {
			out = append(out, p)
		}
	}
	w.last = now
	for i, p := range out {
		if rel, err := filepath.Rel(w.roots[0], p); err == nil && !strings.HasPrefix(rel, "..") {
			out[i] = rel
		}
	}
	sort.Strings(out)
	return out
}

// watchLoop polls every interval and calls reload with what changed once nothing more has
// changed for debounce; it returns when ctx is done.
func watchLoop(ctx context.Context, w *watcher, interval, debounce time.Duration, reload func(changed []string)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	pending := map[string]bool{}
	var lastChange time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if ch := w.changes(); len(ch) > 0 {
			for _, c := range ch {
				pending[c] = true
			}
			lastChange = time.Now()
			continue
		}
		if len(pending) > 0 && time.Since(lastChange) >= debounce {
			list := sortedSet(pending)
			pending = map[string]bool{}
			reload(list)
		}
	}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// watchFlags are local's --watch settings.
type watchFlags struct {
	on       bool
	interval time.Duration
	debounce time.Duration
}

// watchApp reloads r whenever the app's sources change, until ctx is done: it synthesizes
// the app again (or, with --no-synth, reads the cloud assembly another synth wrote).
func watchApp(ctx context.Context, stderr io.Writer, app *appFlags, r *localapi.Runner, wf watchFlags, skip ...string) {
	out := app.outDir()
	roots := []string{app.appDir}
	if app.noSynth {
		roots = []string{out}
	} else {
		skip = append(skip, out)
		for _, dir := range r.FunctionSources() {
			if !within(dir, app.appDir) {
				roots = append(roots, dir)
			}
		}
	}
	w := newWatcher(roots, skip...)
	fmt.Fprintf(stderr, "watching %s for changes (every %s)\n", strings.Join(roots, ", "), wf.interval)
	watchLoop(ctx, w, wf.interval, wf.debounce, func(changed []string) {
		reloadApp(ctx, stderr, app, r, changed)
		w.changes() // what the synth itself wrote
	})
}

// reloadApp synthesizes (or loads) the app and swaps it in, saying what changed.
func reloadApp(ctx context.Context, stderr io.Writer, app *appFlags, r *localapi.Runner, changed []string) {
	shown := changed
	if len(shown) > 5 {
		shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(changed)-5))
	}
	fmt.Fprintf(stderr, "\nchanged: %s\n", strings.Join(shown, ", "))
	began := time.Now()
	var asm *cfn.Assembly
	var err error
	if app.noSynth {
		asm, err = cfn.LoadAssembly(app.outDir())
	} else {
		asm, err = app.assembly(ctx, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "reload failed; still serving the last assembly:\n%v\n", err)
		return
	}
	rl, err := r.Reload(ctx, asm)
	if err != nil {
		fmt.Fprintf(stderr, "reload failed; still serving the last assembly:\n%v\n", err)
		return
	}
	fmt.Fprintf(stderr, "reloaded in %.1fs (the swap itself %.0f ms)\n", time.Since(began).Seconds(), float64(rl.Took.Microseconds())/1000)
	if len(rl.Changes) == 0 {
		fmt.Fprintln(stderr, "  no route, mapping, template or function changed")
	}
	for _, c := range rl.Changes {
		fmt.Fprintln(stderr, "  "+c)
	}
}

// within reports whether path is dir or under it.
func within(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && !strings.HasPrefix(rel, "..")
}
