package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the time source of the services: message visibility, Wait
// states, retry intervals and every timestamp they return.
type Clock interface {
	Now() time.Time
	// Sleep blocks for d on this clock, or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// OrReal is c, or the wall clock when c is nil.
func OrReal(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now.
func (Real) Now() time.Time { return time.Now() }

// Sleep waits d of real time.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Manual is a Clock that moves only when told to, for tests of Wait
// states, visibility timeouts and retention. The zero value is not usable;
// call NewManual.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	sleeper []*manualSleeper
	changed chan struct{}
}

type manualSleeper struct {
	until time.Time
	done  chan struct{}
}

// NewManual returns a clock stopped at start.
func NewManual(start time.Time) *Manual {
	return &Manual{now: start, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep blocks until Advance or Set moves the clock d past the call.
func (c *Manual) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d <= 0 {
		c.mu.Unlock()
		return ctx.Err()
	}
	sl := &manualSleeper{until: c.now.Add(d), done: make(chan struct{})}
	c.sleeper = append(c.sleeper, sl)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	select {
	case <-sl.done:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		for i, x := range c.sleeper {
			if x == sl {
				c.sleeper = append(c.sleeper[:i], c.sleeper[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves the clock forward by d and wakes the sleepers it passes.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.set(c.now.Add(d))
	c.mu.Unlock()
}

// Set moves the clock to t (never backwards) and wakes the sleepers it passes.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.set(t)
	}
	c.mu.Unlock()
}

func (c *Manual) set(t time.Time) {
	c.now = t
	sort.Slice(c.sleeper, func(i, j int) bool { return c.sleeper[i].until.Before(c.sleeper[j].until) })
	n := 0
	for _, sl := range c.sleeper {
		if !sl.until.After(t) {
			close(sl.done)
			continue
		}
		c.sleeper[n] = sl
		n++
	}
	c.sleeper = c.sleeper[:n]
}

// Sleepers returns how many goroutines are blocked in Sleep.
func (c *Manual) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleeper)
}

// WaitForSleepers blocks until at least n goroutines sleep on the clock or
// ctx is done; tests use it to advance time only once a Wait state waits.
func (c *Manual) WaitForSleepers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		if len(c.sleeper) >= n {
			c.mu.Unlock()
			return nil
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
