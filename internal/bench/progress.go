package bench

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// progress rewrites one status line in place while the load runs.
type progress struct {
	w      io.Writer
	origin time.Time
	warmup time.Duration
	total  time.Duration
	sent   *atomic.Uint64
	errs   *atomic.Uint64
}

const progressEvery = 500 * time.Millisecond

func (p *progress) loop(done <-chan struct{}) {
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	lastAt, lastSent := time.Now(), uint64(0)
	for {
		select {
		case <-done:
			el := time.Since(p.origin)
			fmt.Fprintf(p.w, "\r%s\x1b[K\n", p.line(el, float64(p.sent.Load())/max(el, time.Millisecond).Seconds()))
			return
		case now := <-t.C:
			sent := p.sent.Load()
			rate := float64(sent-lastSent) / now.Sub(lastAt).Seconds()
			lastAt, lastSent = now, sent
			fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(now.Sub(p.origin), rate))
		}
	}
}

func (p *progress) line(elapsed time.Duration, rate float64) string {
	elapsed = max(0, min(elapsed, p.total))
	phase := "measuring"
	if elapsed < p.warmup {
		phase = "warm-up"
	}
	r := "-"
	if rate > 0 {
		r = fmt.Sprintf("%.0f/s", rate)
	}
	return fmt.Sprintf("bench %5.1fs / %.0fs  %-9s  sent %d  rate %s  errors %d", elapsed.Seconds(), p.total.Seconds(), phase, p.sent.Load(), r, p.errs.Load())
}

// IsTerminal reports whether f is a terminal (a character device), where a progress line
// rewritten in place makes sense.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
