package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"firstclass/internal/contract"
	"firstclass/routes"
)

// Context keys read from cdk.json (or `cdk synth -c key=value`).
const (
	ContextStackName        = "firstclass:stackName"
	ContextStages           = "firstclass:stages"
	ContextLogRetentionDays = "firstclass:logRetentionDays"
	ContextRemovalPolicy    = "firstclass:removalPolicy"
	ContextAuthMode         = "firstclass:authMode"
	ContextLoadStackName    = "firstclass:loadStackName"
	ContextAPIKeys          = "firstclass:apiKeys"
	ContextKMSKey           = "firstclass:kmsKey"
)

// The firstclass:kmsKey choices.
const (
	KMSAWSManaged = "aws-managed"
	KMSCustomer   = "customer"
)

// Auth modes: how a route is authorized on both APIs.
const (
	AuthNone = "none" // open
	AuthIAM  = "iam"  // SigV4 (AWS_IAM) on both
	// AuthJWT is a Cognito access token (client credentials with the resource server's
	// scope): a JWT authorizer on the HTTP API, a Cognito user-pool authorizer on REST.
	AuthJWT = "jwt"
	// AuthLambda is the Go Lambda authorizer, REQUEST type on both (simple responses on the
	// HTTP API); AuthLambdaToken is the same function as a REST TOKEN authorizer (REQUEST on
	// the HTTP API, which has no TOKEN type).
	AuthLambda      = "lambda"
	AuthLambdaToken = "lambda-token"
)

var authModes = []string{AuthNone, AuthIAM, AuthJWT, AuthLambda, AuthLambdaToken}

// Config is what the app's context decides.
type Config struct {
	StackName string
	// LoadStackName names the load workers' stack (bench --from lambda).
	LoadStackName string
	// Stages are deployed on both APIs, in name order.
	Stages []StageConfig
	// LogRetentionDays applies to every log group the stack creates.
	LogRetentionDays int
	// RemoveOnDelete makes `cdk destroy` delete the queues and log groups with their data,
	// as a load-test target wants; false retains them.
	RemoveOnDelete bool
	// AuthMode is the auth mode of every route RouteAuth does not name: AuthNone (public
	// routes, the load-test default), AuthIAM, AuthJWT, AuthLambda or AuthLambdaToken.
	AuthMode string
	// KMSKey is KMSAWSManaged (SSE-SQS queues, the stream under alias/aws/kinesis) or
	// KMSCustomer (one customer-managed key, rotated yearly, for the queue, its dead-letter
	// queue and the stream).
	KMSKey string
	// RouteAuth are the routes, by name, whose mode is not AuthMode.
	RouteAuth map[string]string
	// APIKeys makes every REST method require an API key, with one usage plan per stage
	// (the stage's throttle and its QuotaPerDay).
	APIKeys bool
}

// RouteAuthMode is the auth mode of a route.
func (c Config) RouteAuthMode(route string) string {
	if m, ok := c.RouteAuth[route]; ok {
		return m
	}
	return c.AuthMode
}

// UsesAuth reports whether a route of the table has one of the modes.
func (c Config) UsesAuth(routeNames []string, modes ...string) bool {
	for _, r := range routeNames {
		for _, m := range modes {
			if c.RouteAuthMode(r) == m {
				return true
			}
		}
	}
	return false
}

// StageConfig is one stage of both APIs.
type StageConfig struct {
	Name string
	// ThrottleRateLimit is the steady-state request rate the stage allows, per second.
	ThrottleRateLimit float64 `json:"throttleRateLimit"`
	// ThrottleBurstLimit is the stage's token-bucket size.
	ThrottleBurstLimit float64 `json:"throttleBurstLimit"`
	// Variables are stage variables, the same on both APIs.
	Variables map[string]string `json:"variables"`
	// QuotaPerDay is the request quota of the stage's usage plan (with firstclass:apiKeys).
	QuotaPerDay int `json:"quotaPerDay"`
}

// StageVariableNames lists the stage variables that every stage defines; a mapping or template
// may only rely on those.
func (c Config) StageVariableNames() []string {
	count := map[string]int{}
	for _, s := range c.Stages {
		for k := range s.Variables {
			count[k]++
		}
	}
	var out []string
	for k, n := range count {
		if n == len(c.Stages) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

var (
	stageNameRE   = regexp.MustCompile(`^[a-z][a-z0-9]{0,63}$`)
	stackNameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	stageVarKeyRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	stageVarValRE = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]*$`)
)

// ParseConfig reads the app's context through lookup (a construct node's TryGetContext). A
// value given with `-c` arrives as a string, so numbers and the stage object are also
// accepted as strings. Every problem is reported with the key and the fix.
func ParseConfig(lookup func(key string) any) (Config, error) {
	c := Config{StackName: routes.DefaultStackName, LoadStackName: contract.DefaultLoadStackName, LogRetentionDays: 30, RemoveOnDelete: true, AuthMode: "none", KMSKey: KMSAWSManaged}
	var errs []string
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("context %q: ", key)+fmt.Sprintf(format, args...))
	}

	if v := lookup(ContextStackName); v != nil {
		s, _ := v.(string)
		if !stackNameRE.MatchString(s) {
			fail(ContextStackName, "%v is not a CloudFormation stack name (letters, digits and hyphens, starting with a letter)", v)
		} else {
			c.StackName = s
		}
	}

	if v := lookup(ContextLoadStackName); v != nil {
		s, _ := v.(string)
		if !stackNameRE.MatchString(s) {
			fail(ContextLoadStackName, "%v is not a CloudFormation stack name (letters, digits and hyphens, starting with a letter)", v)
		} else {
			c.LoadStackName = s
		}
	}
	if c.LoadStackName == c.StackName {
		fail(ContextLoadStackName, "%q is also the API stack's name (%s): give the load workers' stack its own", c.LoadStackName, ContextStackName)
	}

	if v := lookup(ContextLogRetentionDays); v != nil {
		n, ok := asInt(v)
		if _, valid := retentions[n]; !ok || !valid {
			fail(ContextLogRetentionDays, "%v is not a retention CloudWatch Logs accepts; use one of %v", v, retentionChoices())
		} else {
			c.LogRetentionDays = n
		}
	}

	if v := lookup(ContextRemovalPolicy); v != nil {
		switch v {
		case "destroy":
			c.RemoveOnDelete = true
		case "retain":
			c.RemoveOnDelete = false
		default:
			fail(ContextRemovalPolicy, "%v is not a removal policy; use \"destroy\" (a disposable load-test stack) or \"retain\"", v)
		}
	}

	if v := lookup(ContextAuthMode); v != nil {
		mode, routes, err := parseAuthMode(v)
		if err != nil {
			fail(ContextAuthMode, "%v", err)
		} else {
			c.AuthMode, c.RouteAuth = mode, routes
		}
	}

	if v := lookup(ContextAPIKeys); v != nil {
		switch v {
		case true, "true":
			c.APIKeys = true
		case false, "false":
		default:
			fail(ContextAPIKeys, "%v is not true or false", v)
		}
	}

	if v := lookup(ContextKMSKey); v != nil {
		switch v {
		case KMSAWSManaged, KMSCustomer:
			c.KMSKey = v.(string)
		default:
			fail(ContextKMSKey, "%v is not a key choice; use %q (SSE-SQS and alias/aws/kinesis) or %q (a customer-managed key)", v, KMSAWSManaged, KMSCustomer)
		}
	}

	stages, err := parseStages(lookup(ContextStages))
	if err != nil {
		fail(ContextStages, "%v", err)
	}
	c.Stages = stages

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("cdk.json context:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

// parseAuthMode reads firstclass:authMode: a mode, or an object (or its JSON text) of modes
// by route name with "*" for the rest: {"*": "lambda", "Greeting": "lambda-token"}.
func parseAuthMode(v any) (string, map[string]string, error) {
	valid := func(m any) (string, bool) {
		s, _ := m.(string)
		for _, ok := range authModes {
			if s == ok {
				return s, true
			}
		}
		return "", false
	}
	if s, ok := v.(string); ok && strings.HasPrefix(strings.TrimSpace(s), "{") {
		var decoded map[string]any
		if err := json.Unmarshal([]byte(s), &decoded); err != nil {
			return "", nil, fmt.Errorf("not a JSON object of modes by route (%v)", err)
		}
		v = decoded
	}
	if obj, ok := v.(map[string]any); ok {
		mode, routes := AuthNone, map[string]string{}
		for k, m := range obj {
			s, ok := valid(m)
			if !ok {
				return "", nil, fmt.Errorf("route %q: %v is not an auth mode; use one of %s", k, m, strings.Join(authModes, ", "))
			}
			if k == "*" {
				mode = s
			} else {
				routes[k] = s
			}
		}
		return mode, routes, nil
	}
	s, ok := valid(v)
	if !ok {
		return "", nil, fmt.Errorf("%v is not an auth mode; use one of %s, or an object of modes by route name with \"*\" for the others", v, strings.Join(authModes, ", "))
	}
	return s, nil, nil
}

// defaultStages apply when the context names none: a gently throttled dev stage and a prod
// stage sized for load tests (AWS's account default is 10,000 requests/s with a 5,000 burst).
func defaultStages() []StageConfig {
	return []StageConfig{
		{Name: "dev", ThrottleRateLimit: 100, ThrottleBurstLimit: 50, QuotaPerDay: 100_000},
		{Name: "prod", ThrottleRateLimit: 1000, ThrottleBurstLimit: 500, QuotaPerDay: 10_000_000},
	}
}

func parseStages(v any) ([]StageConfig, error) {
	if v == nil {
		return defaultStages(), nil
	}
	if s, ok := v.(string); ok {
		var decoded any
		if err := json.Unmarshal([]byte(s), &decoded); err != nil {
			return nil, fmt.Errorf("not a JSON object of stages (%v); write it as {\"dev\": {\"throttleRateLimit\": 100, \"throttleBurstLimit\": 50}}", err)
		}
		v = decoded
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var byName map[string]StageConfig
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&byName); err != nil {
		return nil, fmt.Errorf("%v; each stage takes throttleRateLimit, throttleBurstLimit and variables", err)
	}
	if len(byName) == 0 {
		return nil, fmt.Errorf("no stages; name at least one, as {\"dev\": {\"throttleRateLimit\": 100, \"throttleBurstLimit\": 50}}")
	}
	var out []StageConfig
	var errs []string
	for name, s := range byName {
		s.Name = name
		if !stageNameRE.MatchString(name) {
			errs = append(errs, fmt.Sprintf("stage %q: a name is lower-case letters and digits, starting with a letter (it makes output keys like HttpApiDevUrl)", name))
		}
		if s.ThrottleRateLimit <= 0 {
			errs = append(errs, fmt.Sprintf("stage %q: throttleRateLimit must be above 0 requests/s; every stage is throttled", name))
		}
		if s.ThrottleBurstLimit < 1 || s.ThrottleBurstLimit != float64(int(s.ThrottleBurstLimit)) {
			errs = append(errs, fmt.Sprintf("stage %q: throttleBurstLimit must be a whole number of requests, at least 1", name))
		}
		if s.QuotaPerDay < 0 {
			errs = append(errs, fmt.Sprintf("stage %q: quotaPerDay must be a number of requests, 0 or more", name))
		}
		if s.QuotaPerDay == 0 {
			s.QuotaPerDay = 1_000_000
		}
		for k, val := range s.Variables {
			if !stageVarKeyRE.MatchString(k) || !stageVarValRE.MatchString(val) || len(val) > 2048 {
				errs = append(errs, fmt.Sprintf("stage %q: stage variable %q=%q: names are [A-Za-z0-9_], values [A-Za-z0-9-._~:/?#&=,] up to 2048 characters", name, k, val))
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	sort.Strings(errs)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

func retentionChoices() []int {
	out := make([]int, 0, len(retentions))
	for d := range retentions {
		out = append(out, d)
	}
	sort.Ints(out)
	return out
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), n == float64(int(n))
	case int:
		return n, true
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}
