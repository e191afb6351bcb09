package localapi

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"firstclass/internal/cfn"
)

// REST API keys and usage plans. A method with ApiKeyRequired takes the key from x-api-key
// (the API's ApiKeySourceType HEADER, the default); the key must exist, be enabled and belong
// to a usage plan that covers the API's stage. The plan then throttles the key (its own
// token bucket, or one per method the plan names) and counts it against the plan's quota.
//
// What API Gateway answers, with the sources (checked 2026-12-02):
//   - a missing, unknown or disabled key, or one in no plan of the stage: 403
//     {"message":"Forbidden"}, x-amzn-ErrorType ForbiddenException, response type
//     INVALID_API_KEY (gettyimages-api#1 for the body and header; AWS, "Gateway response types
//     for API Gateway": INVALID_API_KEY is "an invalid API key submitted for a method requiring
//     an API key", 403);
//   - over the plan's throttle: 429 {"message":"Too Many Requests"}, TooManyRequestsException,
//     THROTTLED; over its quota: 429 {"message":"Limit Exceeded"}, LimitExceededException,
//     QUOTA_EXCEEDED (the same page: "THROTTLED … usage plan-, method-, stage-, or
//     account-level throttling limits exceeded", 429; "QUOTA_EXCEEDED … usage plan quota
//     limits exceeded", 429; the messages as Usage plans' troubleshooting quotes them).
//     LocalStack's gateway responses, whose error types it has checked against AWS (those it
//     has not are marked "TODO validate" there), name the same three: ForbiddenException for
//     INVALID_API_KEY, TooManyRequestsException for THROTTLED, LimitExceededException for
//     QUOTA_EXCEEDED (localstack/services/apigateway/next_gen/execute_api/gateway_response.py).
//
// A quota period starts at midnight UTC (DAY), on Monday (WEEK) or on the 1st (MONTH) — AWS
// documents no boundary (no recording); Offset is subtracted from the limit of the period
// the runner starts in, as the QuotaSettings reference says.

// usagePlans are every API key and usage plan of the template.
type usagePlans struct {
	mu      sync.Mutex
	byValue map[string]*apiKey
	byID    map[string]*apiKey
	plans   []*usagePlan
}

func newUsagePlans() *usagePlans {
	return &usagePlans{byValue: map[string]*apiKey{}, byID: map[string]*apiKey{}}
}

type apiKey struct {
	id, name, value, logicalID string
	enabled                    bool
	generated                  bool // the template names no value: the runner made one
}

type usagePlan struct {
	id, name     string
	stages       map[string]map[string]throttleLimit // "apiID/stage" → method throttles, "/path/METHOD" → limits
	throttle     throttleLimit
	quota        int
	quotaLeft0   int // the limit of the first period, Offset subtracted
	period       string
	keys         map[string]bool // key IDs
	usage        map[string]*keyUsage
	noThrottling bool
}

type throttleLimit struct{ rate, burst float64 }

// keyUsage is one key's state in one plan.
type keyUsage struct {
	bucket  *bucket
	methods map[string]*bucket
	used    int
	period  time.Time // start of the quota period used counts in
	first   bool      // used counts in the runner's first period
}

// v1APIKeyProps are AWS::ApiGateway::ApiKey's properties.
type v1APIKeyProps struct {
	Enabled            *bool   `json:"Enabled"`
	Value              string  `json:"Value"`
	Name               string  `json:"Name"`
	Description        ignored `json:"Description"`
	CustomerId         ignored `json:"CustomerId"`
	GenerateDistinctId ignored `json:"GenerateDistinctId"`
	StageKeys          ignored `json:"StageKeys"` // the pre-usage-plan association; usage plans decide here
	Tags               ignored `json:"Tags"`
}

// v1UsagePlanProps are AWS::ApiGateway::UsagePlan's properties.
type v1UsagePlanProps struct {
	ApiStages []struct {
		ApiId    string                         `json:"ApiId"`
		Stage    string                         `json:"Stage"`
		Throttle map[string]v1UsagePlanThrottle `json:"Throttle"`
	} `json:"ApiStages"`
	Quota *struct {
		Limit  scalar `json:"Limit"`
		Offset scalar `json:"Offset"`
		Period string `json:"Period"`
	} `json:"Quota"`
	Throttle      *v1UsagePlanThrottle `json:"Throttle"`
	UsagePlanName string               `json:"UsagePlanName"`
	Description   ignored              `json:"Description"`
	Tags          ignored              `json:"Tags"`
}

type v1UsagePlanThrottle struct {
	BurstLimit scalar `json:"BurstLimit"`
	RateLimit  scalar `json:"RateLimit"`
}

func (t *v1UsagePlanThrottle) limit() throttleLimit {
	if t == nil {
		return throttleLimit{}
	}
	rate, _ := t.RateLimit.number()
	burst, _ := t.BurstLimit.number()
	return throttleLimit{rate, burst}
}

// v1UsagePlanKeyProps are AWS::ApiGateway::UsagePlanKey's properties.
type v1UsagePlanKeyProps struct {
	KeyId       string `json:"KeyId"`
	KeyType     string `json:"KeyType"`
	UsagePlanId string `json:"UsagePlanId"`
}

// createAPIKey records an API key; one with no Value gets a stable value of its own, as
// CloudFormation generates one.
func (r *Runner) createAPIKey(res *cfn.Resource) error {
	var p v1APIKeyProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	k := &apiKey{id: r.vals[res.LogicalID].ref, name: p.Name, value: p.Value, logicalID: res.LogicalID, enabled: p.Enabled != nil && *p.Enabled}
	if k.name == "" {
		k.name = physicalName(r.stack, res.LogicalID, 1024)
	}
	if k.value == "" {
		k.value, k.generated = generatedKeyValue(r.stack, res.LogicalID), true
	}
	if len(k.value) < 20 {
		return fmt.Errorf("API key value is %d characters; API Gateway needs at least 20", len(k.value))
	}
	u := r.usage
	if other, ok := u.byValue[k.value]; ok {
		return fmt.Errorf("API key value is already the value of %s", other.logicalID)
	}
	u.byValue[k.value], u.byID[k.id] = k, k
	return nil
}

// generatedKeyValue is a stable 40-character key value, the length API Gateway generates.
func generatedKeyValue(stack, logicalID string) string {
	sum := sha256.Sum256([]byte("api key/" + stack + "/" + logicalID))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	for i := range b {
		b[i] = alphabet[int(sum[i%len(sum)]^byte(i*7))%len(alphabet)]
	}
	return string(b)
}

func (r *Runner) createUsagePlan(res *cfn.Resource) error {
	var p v1UsagePlanProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	plan := &usagePlan{id: r.vals[res.LogicalID].ref, name: p.UsagePlanName, stages: map[string]map[string]throttleLimit{},
		throttle: p.Throttle.limit(), keys: map[string]bool{}, usage: map[string]*keyUsage{}, noThrottling: r.opts.NoThrottle}
	if plan.name == "" {
		plan.name = res.LogicalID
	}
	for _, s := range p.ApiStages {
		methods := map[string]throttleLimit{}
		for path, t := range s.Throttle {
			if i := strings.LastIndex(path, "/"); i <= 0 || i == len(path)-1 {
				return fmt.Errorf("ApiStages throttle key %q is not /resource/path/METHOD", path)
			}
			methods[path] = t.limit()
		}
		plan.stages[s.ApiId+"/"+s.Stage] = methods
	}
	if q := p.Quota; q != nil {
		limit, ok := q.Limit.number()
		if !ok || limit < 0 {
			return fmt.Errorf("quota limit %q is not a number of requests", q.Limit)
		}
		offset, _ := q.Offset.number()
		switch q.Period {
		case "DAY", "WEEK", "MONTH":
		default:
			return fmt.Errorf("quota period %q is not DAY, WEEK or MONTH", q.Period)
		}
		plan.quota, plan.quotaLeft0, plan.period = int(limit), int(limit-offset), q.Period
	}
	r.usage.plans = append(r.usage.plans, plan)
	return nil
}

func (r *Runner) createUsagePlanKey(res *cfn.Resource) error {
	var p v1UsagePlanKeyProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	if p.KeyType != "API_KEY" {
		return fmt.Errorf("key type %q is not API_KEY", p.KeyType)
	}
	if r.usage.byID[p.KeyId] == nil {
		return fmt.Errorf("key %s is not an API key of the template", p.KeyId)
	}
	for _, plan := range r.usage.plans {
		if plan.id == p.UsagePlanId {
			plan.keys[p.KeyId] = true
			return nil
		}
	}
	return fmt.Errorf("usage plan %s is not in the template", p.UsagePlanId)
}

// check admits a request with key value to method ("/path/METHOD") of apiID's stage, or
// answers as API Gateway does.
func (u *usagePlans) check(apiID, stage, method, value string, now time.Time) (*apiKey, *gatewayError) {
	k := u.byValue[value]
	if k == nil || !k.enabled {
		return nil, fail(invalidAPIKey, "")
	}
	for _, plan := range u.plans {
		methods, ok := plan.stages[apiID+"/"+stage]
		if !ok || !plan.keys[k.id] {
			continue
		}
		u.mu.Lock()
		e := plan.admit(k.id, method, methods, now)
		u.mu.Unlock()
		return k, e
	}
	return nil, fail(invalidAPIKey, "")
}

// admit applies the plan's throttle and quota to one request of a key; u.mu is held.
func (p *usagePlan) admit(keyID, method string, methods map[string]throttleLimit, now time.Time) *gatewayError {
	ku := p.usage[keyID]
	if ku == nil {
		ku = &keyUsage{methods: map[string]*bucket{}, period: periodStart(p.period, now), first: true}
		if !p.noThrottling {
			ku.bucket = newBucket(p.throttle.rate, p.throttle.burst)
		}
		p.usage[keyID] = ku
	}
	b := ku.bucket
	if l, ok := methods[method]; ok && !p.noThrottling {
		if ku.methods[method] == nil {
			ku.methods[method] = newBucket(l.rate, l.burst)
		}
		b = ku.methods[method]
	}
	if !b.take(now) {
		return fail(throttled, "")
	}
	if p.period == "" {
		return nil
	}
	if start := periodStart(p.period, now); start.After(ku.period) {
		ku.period, ku.used, ku.first = start, 0, false
	}
	limit := p.quota
	if ku.first {
		limit = p.quotaLeft0
	}
	if ku.used >= limit {
		return fail(quotaExceeded, "")
	}
	ku.used++
	return nil
}

func periodStart(period string, now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case "MONTH":
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// keyFor is the value of an enabled key whose usage plan covers apiID's stage, "" for none:
// the key `firstclass local --try` sends.
func (u *usagePlans) keyFor(apiID, stage string) string {
	for _, plan := range u.plans {
		if _, ok := plan.stages[apiID+"/"+stage]; !ok {
			continue
		}
		for _, id := range sortedKeys(plan.keys) {
			if k := u.byID[id]; k != nil && k.enabled {
				return k.value
			}
		}
	}
	return ""
}

// checkAPIKey applies the method's API key requirement and the key's usage plan.
func (c *restCall) checkAPIKey(x *exchange) *gatewayError {
	if !c.method.apiKeyRequired {
		return nil
	}
	value := x.req.Header.Get("X-Api-Key")
	if c.api.apiKeySource == "AUTHORIZER" {
		value = x.authz.usageKey // the Lambda authorizer's usageIdentifierKey
	}
	k, e := c.api.r.usage.check(c.api.id, c.stage.name, x.resourcePath+"/"+c.method.httpMethod, value, x.start)
	if k != nil {
		x.apiKey, x.apiKeyID = k.value, k.id
	}
	return e
}

// APIKey is one REST API key the runner accepts, for the terminal and the outputs.
type APIKey struct {
	LogicalID, ID, Name, Value string
	Enabled                    bool
	// Generated says the template names no value and the runner made this one (stable
	// across runs).
	Generated bool
	// UsagePlans are the names of the plans the key belongs to.
	UsagePlans []string
}

// APIKeys lists the template's API keys by logical ID.
func (r *Runner) APIKeys() []APIKey {
	var out []APIKey
	for _, k := range r.usage.byID {
		ak := APIKey{LogicalID: k.logicalID, ID: k.id, Name: k.name, Value: k.value, Enabled: k.enabled, Generated: k.generated}
		for _, p := range r.usage.plans {
			if p.keys[k.id] {
				ak.UsagePlans = append(ak.UsagePlans, p.name)
			}
		}
		out = append(out, ak)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out
}
