// Package appconfig is awslocal's in-memory AWS AppConfig and AppConfig
// Data on their REST-JSON protocol (ServeREST, routed by path): the
// applications, environments, hosted configuration profiles and versions,
// deployment strategies and deployments of the control plane; the
// deprecated GetConfiguration, which answers an empty body to a client
// that names the version it has (client_configuration_version); and
// AppConfig Data's StartConfigurationSession and GetLatestConfiguration,
// whose sessions answer an empty body when nothing was deployed since the
// last poll. Shapes and status codes follow the two API references; where
// no response was recorded against AWS the error messages are this
// package's own.
//
// Locally a deployment completes when it starts, whatever its strategy's
// duration and bake time, and only hosted profiles (LocationUri "hosted")
// have content. The control plane is durable with a store; sessions are
// not.
package appconfig
