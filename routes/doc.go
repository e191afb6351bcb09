// Package routes is firstclass's route table: plain Go data saying, for every route, which
// target it reaches and how each API kind integrates with it.
//
// It is the one place a route is defined. The CDK constructs in api/ build both APIs from it,
// the local runner checks the synthesized templates against it, and the bench reads it to know
// what to send and where to look for what it sent. It imports the standard library only, so
// the CLI stays small and builds in seconds.
package routes
