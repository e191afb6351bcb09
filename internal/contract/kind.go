package contract

// Kind is an API Gateway API kind.
type Kind string

const (
	HTTP Kind = "http" // API Gateway v2 HTTP API: first-class integrations, parameter mapping
	REST Kind = "rest" // API Gateway v1 REST API: AWS and Lambda custom integrations, VTL
)

// Kinds lists the API kinds in report order.
var Kinds = []Kind{HTTP, REST}

// GoPackageMetadata is the metadata key api/ puts on a Go Lambda function's CloudFormation
// resource: the function's package, relative to the module ("./lambda/greeting"), from which
// the local runner builds the function for the host it runs on.
const GoPackageMetadata = "firstclass:GoPackage"
