package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Stack output keys every stack with APIs writes, besides its own targets' keys. `cdk deploy
// --outputs-file` and `firstclass local --outputs-file` both write them, so the bench reads a
// deployed stack and the local runner alike. They are a public contract: renaming one breaks
// every saved outputs file.
const (
	RegionOutput      = "Region"
	AWSEndpointOutput = "AwsEndpoint" // written by the local runner only
)

const (
	accessLogGroupOutputPrefix = "AccessLogGroup"
	apiURLOutputSuffix         = "Url"
)

// APIURLOutput is the output key of an API's base URL on a stage: "HttpApiDevUrl".
func APIURLOutput(kind Kind, stage string) string {
	return apiOutputPrefix(kind) + title(stage) + apiURLOutputSuffix
}

// AccessLogGroupOutput is the output key of a stage's access log group name:
// "AccessLogGroupHttpApiDev".
func AccessLogGroupOutput(kind Kind, stage string) string {
	return accessLogGroupOutputPrefix + apiOutputPrefix(kind) + title(stage)
}

func apiOutputPrefix(kind Kind) string {
	if kind == HTTP {
		return "HttpApi"
	}
	return "RestApi"
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Outputs are one stack's outputs, as `cdk deploy --outputs-file` writes them.
type Outputs map[string]string

// ReadOutputs reads an outputs file ({"StackName": {"Key": "value"}}) and returns the named
// stack's outputs; with stack "" the file must hold exactly one stack.
func ReadOutputs(r io.Reader, stack string) (Outputs, error) {
	file, err := ReadAllOutputs(r)
	if err != nil {
		return nil, err
	}
	return file.Stack(stack)
}

// StacksOutputs are the outputs of every stack in an outputs file, by stack name.
type StacksOutputs map[string]Outputs

// ReadAllOutputs reads an outputs file ({"StackName": {"Key": "value"}}) with every stack in
// it, as `cdk deploy --all --outputs-file` and `firstclass local --outputs-file` write it.
func ReadAllOutputs(r io.Reader) (StacksOutputs, error) {
	var file StacksOutputs
	if err := json.NewDecoder(r).Decode(&file); err != nil {
		return nil, fmt.Errorf("outputs file: %w (want the JSON that cdk deploy --outputs-file writes)", err)
	}
	return file, nil
}

// WriteAllOutputs writes the outputs of several stacks in the shape `cdk deploy --all
// --outputs-file` writes.
func WriteAllOutputs(w io.Writer, file StacksOutputs) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(file)
}

// Stack returns the named stack's outputs; with stack "" the file must hold exactly one stack,
// or exactly one with API URL outputs (the API stack next to a load workers' stack).
func (file StacksOutputs) Stack(stack string) (Outputs, error) {
	if stack == "" && len(file) > 1 {
		var withAPIs []string
		for name, out := range file {
			if len(out.Stages(HTTP))+len(out.Stages(REST)) > 0 {
				withAPIs = append(withAPIs, name)
			}
		}
		if len(withAPIs) == 1 {
			return file[withAPIs[0]], nil
		}
	}
	if stack != "" {
		out, ok := file[stack]
		if !ok {
			return nil, fmt.Errorf("outputs file: no stack %q; it has %s", stack, strings.Join(stackNames(file), ", "))
		}
		return out, nil
	}
	if len(file) != 1 {
		return nil, fmt.Errorf("outputs file: %d stacks (%s); name the one to use", len(file), strings.Join(stackNames(file), ", "))
	}
	for _, out := range file {
		return out, nil
	}
	panic("unreachable")
}

// WriteOutputs writes outputs in the shape `cdk deploy --outputs-file` writes.
func WriteOutputs(w io.Writer, stack string, out Outputs) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]Outputs{stack: out})
}

func stackNames(file map[string]Outputs) []string {
	names := make([]string, 0, len(file))
	for n := range file {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the value of key, or an error naming the key and what writes it.
func (o Outputs) Get(key string) (string, error) {
	v, ok := o[key]
	if !ok || v == "" {
		return "", fmt.Errorf("outputs: no %q; is the outputs file from this version of firstclass (cdk deploy --outputs-file or firstclass local --outputs-file)?", key)
	}
	return v, nil
}

// Stages lists the stages that have a base URL for kind, sorted.
func (o Outputs) Stages(kind Kind) []string {
	prefix := apiOutputPrefix(kind)
	var out []string
	for k := range o {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, apiURLOutputSuffix) {
			s := strings.TrimSuffix(strings.TrimPrefix(k, prefix), apiURLOutputSuffix)
			if s != "" {
				out = append(out, strings.ToLower(s[:1])+s[1:])
			}
		}
	}
	sort.Strings(out)
	return out
}

// Output keys of the auth modes: the user pool and its app client (jwt and lambda modes),
// and the REST API key (firstclass:apiKeys). The local runner adds the secrets it knows
// (UserPoolClientSecretOutput, APIKeyValueOutput); a deployed stack never outputs them.
const (
	UserPoolIDOutput           = "UserPoolId"
	UserPoolClientIDOutput     = "UserPoolClientId"
	UserPoolClientSecretOutput = "UserPoolClientSecret" // written by the local runner only
	TokenURLOutput             = "TokenUrl"
	IssuerOutput               = "Issuer"
	OAuthScopeOutput           = "OAuthScope"
	APIKeyIDOutput             = "RestApiKeyId"
	APIKeyValueOutput          = "RestApiKeyValue" // written by the local runner only
)
