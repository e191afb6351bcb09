package localapi

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"firstclass/internal/cfn"
	"firstclass/internal/jwtauth"
)

// Cognito user pools, offline. A user pool of the template becomes a local issuer
// (internal/jwtauth) served on the AWS endpoint under /cognito-idp/POOL_ID: its JWKS, its
// OpenID configuration and the token endpoint of its domain, for the client-credentials
// grant of its app clients. Its ProviderURL (the iss of its tokens, and what a Lambda
// authorizer is configured with) is that local URL; a JWT or Cognito authorizer naming the
// pool (by its cognito-idp issuer or its ARN) validates against the local issuer, and the
// stack's TokenUrl output points at the local token endpoint. App client IDs and secrets are
// stable across runs; the outputs file carries the first client's secret.
//
// Only machine clients are emulated: users, sign-in, hosted UI and triggers are not.

// userPool is one local user pool.
type userPool struct {
	id, logicalID string
	awsIssuer     string // https://cognito-idp.REGION.amazonaws.com/ID: what authorizers name
	issuer        *jwtauth.Issuer
	clients       []jwtauth.Client
}

// cognitoPools are the template's pools, by ID, issuer, ARN and domain.
type cognitoPools struct {
	mu       sync.RWMutex
	byID     map[string]*userPool
	byDomain map[string]*userPool
}

func newCognitoPools() *cognitoPools {
	return &cognitoPools{byID: map[string]*userPool{}, byDomain: map[string]*userPool{}}
}

// issuerPath is the path under the AWS endpoint where a pool's issuer is served.
func issuerPath(poolID string) string { return "/cognito-idp/" + poolID }

func stableAlnum(seed string, n int, alphabet string) string {
	sum := sha256.Sum256([]byte(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[int(sum[i%len(sum)]+byte(i/len(sum)*31))%len(alphabet)]
	}
	return string(b)
}

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

func poolIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	id := r.aws.Region() + "_" + stableAlnum("pool/"+r.stack+"/"+res.LogicalID, 9, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
	return &identity{ref: id, attrs: map[string]string{
		"Arn":          fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", r.aws.Region(), r.aws.Account(), id),
		"ProviderName": fmt.Sprintf("cognito-idp.%s.amazonaws.com/%s", r.aws.Region(), id),
		"ProviderURL":  r.awsURL + issuerPath(id),
		"UserPoolId":   id,
	}}, nil
}

func poolClientIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	id := stableAlnum("client/"+r.stack+"/"+res.LogicalID, 26, lowerAlnum)
	return &identity{ref: id, attrs: map[string]string{"ClientId": id, "Name": res.LogicalID,
		"ClientSecret": stableAlnum("secret/"+r.stack+"/"+res.LogicalID, 51, lowerAlnum)}}, nil
}

// v1UserPoolProps: a pool's settings are for users, which are not emulated.
type cognitoPoolProps map[string]ignored

type cognitoClientProps struct {
	UserPoolId                      string   `json:"UserPoolId"`
	AllowedOAuthFlows               []string `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes              []string `json:"AllowedOAuthScopes"`
	AllowedOAuthFlowsUserPoolClient bool     `json:"AllowedOAuthFlowsUserPoolClient"`
	GenerateSecret                  bool     `json:"GenerateSecret"`
	AccessTokenValidity             scalar   `json:"AccessTokenValidity"`
	TokenValidityUnits              *struct {
		AccessToken  string  `json:"AccessToken"`
		IdToken      ignored `json:"IdToken"`
		RefreshToken ignored `json:"RefreshToken"`
	} `json:"TokenValidityUnits"`
	ClientName                 ignored `json:"ClientName"`
	SupportedIdentityProviders ignored `json:"SupportedIdentityProviders"`
	EnableTokenRevocation      ignored `json:"EnableTokenRevocation"`
	ExplicitAuthFlows          ignored `json:"ExplicitAuthFlows"`
	CallbackURLs               ignored `json:"CallbackURLs"`
	LogoutURLs                 ignored `json:"LogoutURLs"`
	PreventUserExistenceErrors ignored `json:"PreventUserExistenceErrors"`
	IdTokenValidity            ignored `json:"IdTokenValidity"`
	RefreshTokenValidity       ignored `json:"RefreshTokenValidity"`
	ReadAttributes             ignored `json:"ReadAttributes"`
	WriteAttributes            ignored `json:"WriteAttributes"`
	AuthSessionValidity        ignored `json:"AuthSessionValidity"`
}

type cognitoDomainProps struct {
	Domain              string  `json:"Domain"`
	UserPoolId          string  `json:"UserPoolId"`
	CustomDomainConfig  ignored `json:"CustomDomainConfig"`
	ManagedLoginVersion ignored `json:"ManagedLoginVersion"`
}

func (r *Runner) createUserPool(res *cfn.Resource) error {
	var p cognitoPoolProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	v := r.vals[res.LogicalID]
	r.pools.mu.RLock()
	old := r.pools.byID[v.ref]
	r.pools.mu.RUnlock()
	if old != nil { // a reload: the same pool, its clients read again
		old.clients = nil
		return nil
	}
	is, err := jwtauth.NewIssuer(v.attrs["ProviderURL"])
	if err != nil {
		return err
	}
	is.TokenURL = is.URL + "/oauth2/token"
	pool := &userPool{id: v.ref, logicalID: res.LogicalID, issuer: is,
		awsIssuer: fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", r.aws.Region(), v.ref)}
	r.pools.mu.Lock()
	r.pools.byID[pool.id] = pool
	r.pools.mu.Unlock()
	return nil
}

func (r *Runner) createUserPoolClient(res *cfn.Resource) error {
	var p cognitoClientProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	pool := r.pools.byID[p.UserPoolId]
	if pool == nil {
		return fmt.Errorf("user pool %s is not in the template", p.UserPoolId)
	}
	if !slices.Contains(p.AllowedOAuthFlows, "client_credentials") {
		return nil // a client for users: nothing to emulate, and no token it could get here
	}
	if !p.GenerateSecret {
		return fmt.Errorf("a client-credentials app client needs GenerateSecret")
	}
	if n, ok := p.AccessTokenValidity.number(); ok {
		unit := "hours"
		if p.TokenValidityUnits != nil && p.TokenValidityUnits.AccessToken != "" {
			unit = p.TokenValidityUnits.AccessToken
		}
		pool.issuer.TTL = tokenValidity(n, unit)
	}
	v := r.vals[res.LogicalID]
	c := jwtauth.Client{ID: v.ref, Secret: v.attrs["ClientSecret"], Scopes: p.AllowedOAuthScopes}
	pool.issuer.AddClient(c)
	pool.clients = append(pool.clients, c)
	return nil
}

func (r *Runner) createUserPoolDomain(res *cfn.Resource) error {
	var p cognitoDomainProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	pool := r.pools.byID[p.UserPoolId]
	if pool == nil {
		return fmt.Errorf("user pool %s is not in the template", p.UserPoolId)
	}
	r.pools.mu.Lock()
	r.pools.byDomain[r.vals[res.LogicalID].ref] = pool
	r.pools.mu.Unlock()
	return nil
}

// poolOfIssuer is the pool an authorizer's issuer or provider ARN names; nil for another
// issuer.
func (r *Runner) poolOfIssuer(issuerOrARN string) *userPool {
	r.pools.mu.RLock()
	defer r.pools.mu.RUnlock()
	for _, p := range r.pools.byID {
		if issuerOrARN == p.awsIssuer || issuerOrARN == p.issuer.URL || strings.HasSuffix(issuerOrARN, ":userpool/"+p.id) {
			return p
		}
	}
	return nil
}

// serveCognito serves /cognito-idp/POOL_ID/… on the AWS endpoint; false for another path.
func (r *Runner) serveCognito(w http.ResponseWriter, req *http.Request) bool {
	rest, ok := strings.CutPrefix(req.URL.Path, "/cognito-idp/")
	if !ok {
		return false
	}
	id, _, _ := strings.Cut(rest, "/")
	r.pools.mu.RLock()
	pool := r.pools.byID[id]
	r.pools.mu.RUnlock()
	if pool == nil {
		http.NotFound(w, req)
		return true
	}
	pool.issuer.ServeHTTP(w, req)
	return true
}

// cognitoDomainURL matches a Cognito domain's URL in an output.
var cognitoDomainURL = regexp.MustCompile(`^https://([a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com(/.*)?$`)

// localDomainURL is the local URL of a domain URL of a template pool; false for another.
func (r *Runner) localDomainURL(v string) (string, bool) {
	m := cognitoDomainURL.FindStringSubmatch(v)
	if m == nil {
		return "", false
	}
	r.pools.mu.RLock()
	pool := r.pools.byDomain[m[1]]
	r.pools.mu.RUnlock()
	if pool == nil {
		return "", false
	}
	return pool.issuer.URL + m[2], true
}

// firstClientSecret is the secret of the template's first client-credentials app client.
func (r *Runner) firstClientSecret() (string, bool) {
	r.pools.mu.RLock()
	defer r.pools.mu.RUnlock()
	for _, id := range sortedKeys(r.pools.byID) {
		if cs := r.pools.byID[id].clients; len(cs) > 0 {
			return cs[0].Secret, true
		}
	}
	return "", false
}

// tokenValidity is an app client's AccessTokenValidity in its unit (hours by default).
func tokenValidity(n float64, unit string) time.Duration {
	d := map[string]time.Duration{"seconds": time.Second, "minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}[unit]
	if d == 0 {
		d = time.Hour
	}
	return time.Duration(n * float64(d))
}
