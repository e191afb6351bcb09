package localapi

import (
	"math"
	"sync"
	"time"
)

// bucket is API Gateway's token bucket: rate tokens per second, up to burst. A request takes a
// token or is throttled (429). A nil bucket never throttles.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate, burst float64) *bucket {
	if rate <= 0 && burst <= 0 {
		return nil
	}
	if burst < 1 {
		// A burst of 0 with a positive rate would throttle everything; API Gateway treats the
		// burst as at least one request.
		burst = 1
	}
	return &bucket{rate: rate, burst: burst, tokens: burst, last: time.Now()}
}

// take reports whether a request may pass now.
func (b *bucket) take(now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// clone is a full bucket with b's limits, for a route or method of its own; nil for nil.
func (b *bucket) clone() *bucket {
	if b == nil {
		return nil
	}
	return newBucket(b.rate, b.burst)
}
