package lambdalocal

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Identifiers only need to be unique, not secret, so they come from math/rand/v2's per-thread
// generator: it is lock-free and allocation-free on the hot path, unlike crypto/rand.

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// newRequestID returns a random (version 4) UUID, the form of Lambda's request IDs.
func newRequestID() string {
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^(0xf<<12) | 0x4<<12 // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	b := make([]byte, 0, 36)
	b = appendHex(b, hi>>32, 8)
	b = append(b, '-')
	b = appendHex(b, hi>>16, 4)
	b = append(b, '-')
	b = appendHex(b, hi, 4)
	b = append(b, '-')
	b = appendHex(b, lo>>48, 4)
	b = append(b, '-')
	b = appendHex(b, lo, 12)
	return string(b)
}

// newTraceID returns an X-Ray trace header as Lambda passes it in Lambda-Runtime-Trace-Id:
// Root=1-<epoch seconds>-<96 random bits>;Parent=<64 random bits>;Sampled=0. Not sampled,
// since nothing collects traces here.
func newTraceID(now time.Time) string {
	b := make([]byte, 0, 80)
	b = append(b, "Root=1-"...)
	b = appendHex(b, uint64(now.Unix()), 8)
	b = append(b, '-')
	b = appendHex(b, rand.Uint64(), 8)
	b = appendHex(b, rand.Uint64(), 16)
	b = append(b, ";Parent="...)
	b = appendHex(b, rand.Uint64(), 16)
	b = append(b, ";Sampled=0"...)
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, 0, n*2)
	for len(b) < n*2 {
		b = appendHex(b, rand.Uint64(), min(16, n*2-len(b)))
	}
	return string(b)
}

// formatMillis formats d in milliseconds with two decimals, as REPORT lines do ("12.34").
func formatMillis(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 2, 64)
}
