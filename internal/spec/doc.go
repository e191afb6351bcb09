// Package spec is the model of an app's route table: plain Go data saying, for every route,
// which target it reaches, how each API kind integrates with it, what a sample request looks
// like and how the bench finds an accepted request downstream.
//
// routes/ holds firstclass's own table in this model. The CDK constructs in api/ build both
// APIs from a table, the bench loads one and the cost model prices one; none of them knows
// firstclass's routes. Route.Call derives the AWS call a route makes from its integrations, the
// neutral description internal/cost prices. It imports the standard library and internal/mapping
// (the subtype catalogue) only, so the CLI stays small and builds in seconds.
package spec
