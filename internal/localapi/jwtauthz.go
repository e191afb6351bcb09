package localapi

import (
	"fmt"
	"strings"
	"sync"

	"firstclass/internal/cfn"
	"firstclass/internal/contract"
	"firstclass/internal/jwtauth"
)

// JWT authorizers: an HTTP API's JWT authorizer (AuthorizerType JWT: an issuer and
// audiences, the route's scopes) and a REST API's Cognito user-pool authorizer
// (COGNITO_USER_POOLS: the pools of ProviderARNs, the method's scopes). Tokens are checked by
// internal/jwtauth in the order AWS documents; the keys come from the local issuer when the
// issuer or provider is a user pool of the template, else from the issuer's
// /.well-known/jwks.json over the network.
//
// What each refusal answers. Sources (checked 2026-12-02): AWS, "Troubleshooting issues with
// HTTP API JWT authorizers" (401 {"message":"Unauthorized"} with www-authenticate: Bearer
// scope="" error="invalid_token" error_description="the token does not have a valid
// audience"); HTTP API access logs recording $context.authorizer.error "issuer does not
// match", "the token does not have a valid audience", "missing: token not provided"; REST
// Cognito authorizers answering an expired token 401 {"message":"The incoming token has
// expired"} (the message Cognito-authorized REST APIs are known by).
//
// A missing token gets no www-authenticate on the HTTP API: AWS documents the header only for
// a token it read (no recording of a missing one).
//
//	refusal               HTTP API                                          REST (Cognito)
//	no token              401 Unauthorized                                 401 Unauthorized / UnauthorizedException
//	invalid or wrong aud  401 Unauthorized + www-authenticate invalid_token  401 Unauthorized
//	expired               401 Unauthorized + www-authenticate invalid_token  401 The incoming token has expired
//	without the scope     403 Forbidden + www-authenticate insufficient_scope (no recording)   401 Unauthorized (no recording)

// jwtCore is one authorizer resource: what validates its tokens, shared by its routes.
type jwtCore struct {
	source identitySource
	keys   jwtauth.KeySource
	rules  jwtauth.Rules
}

type jwtAuthorizer struct {
	*jwtCore
	kind   contract.Kind
	scopes []string
}

// v2JWTAuthorizerProps are AWS::ApiGatewayV2::Authorizer's properties for a JWT authorizer.
type v2JWTAuthorizerProps struct {
	ApiId            string   `json:"ApiId"`
	AuthorizerType   string   `json:"AuthorizerType"`
	IdentitySource   []string `json:"IdentitySource"`
	JwtConfiguration struct {
		Audience []string `json:"Audience"`
		Issuer   string   `json:"Issuer"`
	} `json:"JwtConfiguration"`
	Name ignored `json:"Name"`
}

// v1CognitoAuthorizerProps are AWS::ApiGateway::Authorizer's properties for a Cognito one.
type v1CognitoAuthorizerProps struct {
	RestApiId                    string   `json:"RestApiId"`
	Type                         string   `json:"Type"`
	ProviderARNs                 []string `json:"ProviderARNs"`
	IdentitySource               string   `json:"IdentitySource"`
	IdentityValidationExpression string   `json:"IdentityValidationExpression"`
	AuthorizerResultTtlInSeconds ignored  `json:"AuthorizerResultTtlInSeconds"` // a valid token is checked again each time
	Name                         ignored  `json:"Name"`
}

var (
	jwtCoresMu sync.Mutex
)

func newJWTAuthorizer(r *Runner, d authDef) (authorizer, error) {
	if d.props == nil {
		return nil, fmt.Errorf("authorization %s names no authorizer", d.typ)
	}
	jwtCoresMu.Lock()
	defer jwtCoresMu.Unlock()
	core, ok := r.authorizerCores[d.authorizerID].(*jwtCore)
	if !ok {
		var err error
		if core, err = r.jwtCore(d); err != nil {
			return nil, err
		}
		r.authorizerCores[d.authorizerID] = core
	}
	return &jwtAuthorizer{jwtCore: core, kind: d.kind, scopes: d.scopes}, nil
}

func (r *Runner) jwtCore(d authDef) (*jwtCore, error) {
	core := &jwtCore{}
	var issuer string
	var sources []string
	if d.kind == contract.HTTP {
		var p v2JWTAuthorizerProps
		if err := decodeInto(d.props, &p); err != nil {
			return nil, err
		}
		if p.AuthorizerType != "JWT" {
			return nil, fmt.Errorf("authorization JWT names a %s authorizer", p.AuthorizerType)
		}
		issuer, sources, core.rules.Audiences = p.JwtConfiguration.Issuer, p.IdentitySource, p.JwtConfiguration.Audience
	} else {
		var p v1CognitoAuthorizerProps
		if err := decodeInto(d.props, &p); err != nil {
			return nil, err
		}
		if p.Type != "COGNITO_USER_POOLS" || len(p.ProviderARNs) != 1 {
			return nil, cannot("name one user pool", "a %s authorizer with %d providers is not emulated", p.Type, len(p.ProviderARNs))
		}
		if p.IdentityValidationExpression != "" {
			return nil, cannot("drop identityValidationExpression", "a token validation expression is not emulated")
		}
		issuer, sources = p.ProviderARNs[0], []string{p.IdentitySource}
	}
	src, err := parseIdentitySources(d.kind, sources)
	if err != nil {
		return nil, err
	}
	core.source = src
	if pool := r.poolOfIssuer(issuer); pool != nil {
		core.keys, core.rules.Issuer = pool.issuer.Keys(), pool.issuer.URL
		if d.kind == contract.REST {
			for _, c := range pool.clients {
				core.rules.Audiences = append(core.rules.Audiences, c.ID)
			}
		}
		return core, nil
	}
	if d.kind == contract.REST || !strings.HasPrefix(issuer, "https://") {
		return nil, cannot("use a user pool of the template", "issuer %s is not a user pool of the template", issuer)
	}
	core.keys, core.rules.Issuer = &jwtauth.RemoteKeys{URL: jwtauth.JWKSURL(issuer)}, issuer
	return core, nil
}

func (a *jwtAuthorizer) authorize(x *exchange) *gatewayError {
	rules := a.rules
	rules.Scopes = a.scopes
	raw, _ := a.source.values(x)
	claims, f := jwtauth.Validate(jwtauth.BearerToken(strings.Join(raw, "")), a.keys, rules, x.start)
	if f != nil {
		x.authz.err = f.Description
		return a.refusal(f)
	}
	vars, flat := map[string]any{}, map[string]string{}
	for k, v := range claims {
		s := claimString(v)
		vars[k], flat["claims."+k] = s, s
	}
	x.authz.vars = flat
	x.authz.vtl = map[string]any{"claims": vars}
	if a.kind == contract.HTTP {
		var scopes any
		if sc := claims.Scopes(); len(sc) > 0 {
			scopes = sc
		}
		x.authorizerV2 = map[string]any{"jwt": map[string]any{"claims": vars, "scopes": scopes}}
	}
	return nil
}

func (a *jwtAuthorizer) refusal(f *jwtauth.Failure) *gatewayError {
	if a.kind == contract.REST {
		if f.Description == "the token has expired" {
			return fail(unauthorized, "The incoming token has expired")
		}
		return fail(unauthorized, "")
	}
	switch f.Kind {
	case jwtauth.Missing:
		return fail(unauthorized, "")
	case jwtauth.InsufficientScope:
		e := fail(accessDenied, "")
		e.headers = map[string]string{"Www-Authenticate": fmt.Sprintf(`Bearer scope="%s" error="insufficient_scope" error_description="%s"`, strings.Join(a.scopes, " "), f.Description)}
		return e
	}
	e := fail(unauthorized, "")
	e.headers = map[string]string{"Www-Authenticate": fmt.Sprintf(`Bearer scope="" error="invalid_token" error_description="%s"`, f.Description)}
	return e
}

// claimString is a claim as $context.authorizer.claims gives it: strings as they are, other
// values as JSON text.
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// authorizerDefs are the resolved properties of an API's authorizer resources, by local ID.
func (r *Runner) authorizerDefs(t *cfn.Template, typ string, belongs func(map[string]any) bool) map[string]map[string]any {
	out := map[string]map[string]any{}
	r.eachResource(t, typ, belongs, r.loading, func(res *cfn.Resource, props map[string]any) error {
		out[r.vals[res.LogicalID].ref] = props
		return nil
	})
	return out
}
