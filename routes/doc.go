// Package routes is firstclass's own route table and targets, in the model of internal/spec,
// and the output keys of its stack: the one place a firstclass route is defined.
//
// api/ builds both APIs from it, app.go and cmd/firstclass pass it on, and the end-to-end
// tests check the synthesized templates against it. The generic packages under internal/ do
// not import it: they take a spec.Table. It imports the standard library and internal/spec
// only, so the CLI stays small and builds in seconds.
package routes
