// Package clock is the time source of awslocal's services: the wall clock
// (Real) and a clock that moves only when a test says so (Manual), for
// tests of visibility timeouts, Wait states and retention.
//
// The service packages take a Clock; the root package awslocal re-exports
// the types as Clock, RealClock and ManualClock for its callers.
package clock
