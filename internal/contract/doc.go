// Package contract is what every layer of firstclass shares and nothing more: the API kinds,
// the stack output keys every API stack writes (base URLs, access log groups, the region and
// the local runner's AWS endpoint), the metadata keys api/ puts on resources for the local
// runner, and the access-log field set.
//
// It holds no route and no target: routes/ is this app's table, internal/spec the model of a
// table. The generic packages (internal/localapi, internal/bench, internal/cost) depend on
// contract and spec, so they serve, load and price any app, not only firstclass. It imports
// the standard library only.
package contract
