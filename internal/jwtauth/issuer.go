package jwtauth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Issuer stands in for a Cognito user pool offline: it signs access tokens for app clients
// with the client-credentials grant and serves its JWKS. Its HTTP endpoints are the pool's:
//
//	GET  {URL}/.well-known/jwks.json            the pool's JWKS
//	GET  {URL}/.well-known/openid-configuration  issuer, jwks_uri, token_endpoint
//	POST {TokenURL}                              the domain's /oauth2/token, client credentials only
//
// The token endpoint answers as Cognito's does ("Token endpoint", Amazon Cognito Developer
// Guide, checked 2026-12-02): 200 {"access_token","expires_in","token_type":"Bearer"}; 400
// {"error":"invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope"
// | "unauthorized_client"}. Access tokens carry Cognito's claims for the grant: sub and
// client_id (the app client), token_use "access", scope, auth_time, iat, exp, jti, version 2.
type Issuer struct {
	// URL is the issuer (iss): Cognito's is https://cognito-idp.REGION.amazonaws.com/POOL_ID.
	URL string
	// TokenURL is where the token endpoint is served, for openid-configuration.
	TokenURL string
	// TTL of access tokens: Cognito's default, 1 hour, when 0.
	TTL time.Duration

	key *rsa.PrivateKey
	kid string

	mu      sync.Mutex
	clients map[string]Client
}

// Client is an app client allowed the client-credentials grant.
type Client struct {
	ID, Secret string
	// Scopes are the resource-server scopes the client may ask for ("firstclass/invoke").
	Scopes []string
}

// NewIssuer makes an issuer with a fresh 2048-bit RSA key.
func NewIssuer(url string) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(key.PublicKey.N.Bytes())
	return &Issuer{URL: url, key: key, kid: base64.RawURLEncoding.EncodeToString(sum[:12]), clients: map[string]Client{}}, nil
}

// AddClient registers an app client.
func (is *Issuer) AddClient(c Client) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.clients[c.ID] = c
}

// Keys is the issuer's own KeySource, for validating without HTTP.
func (is *Issuer) Keys() KeySource { return issuerKeys{is} }

type issuerKeys struct{ is *Issuer }

func (k issuerKeys) Key(kid string) (*rsa.PublicKey, error) {
	if kid != k.is.kid {
		return nil, errors.New("no key " + kid + " in the issuer's JWKS")
	}
	return &k.is.key.PublicKey, nil
}

// JWKS is the issuer's key set.
func (is *Issuer) JWKS() JWKSet { return JWKSet{Keys: []JWK{publicJWK(is.kid, &is.key.PublicKey)}} }

// Sign signs claims as the issuer, for tokens of any shape (tests' expired or wrong-audience
// tokens); header fields override alg RS256 and the issuer's kid.
func (is *Issuer) Sign(claims Claims) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": is.kid, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	signing := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(signing))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, is.key, crypto.SHA256, sum[:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// AccessToken is the access token the token endpoint issues to a client for scopes at now.
func (is *Issuer) AccessToken(clientID string, scopes []string, now time.Time) string {
	var jti [16]byte
	rand.Read(jti[:])
	return is.Sign(Claims{
		"sub": clientID, "client_id": clientID, "token_use": "access", "scope": strings.Join(scopes, " "),
		"auth_time": now.Unix(), "iss": is.URL, "exp": now.Add(is.ttl()).Unix(), "iat": now.Unix(),
		"version": 2, "jti": hex.EncodeToString(jti[:]),
	})
}

func (is *Issuer) ttl() time.Duration {
	if is.TTL == 0 {
		return time.Hour
	}
	return is.TTL
}

// ServeHTTP serves the JWKS, the OpenID configuration and the token endpoint, by path suffix.
func (is *Issuer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case strings.HasSuffix(req.URL.Path, "/.well-known/jwks.json"):
		writeJSON(w, http.StatusOK, is.JWKS())
	case strings.HasSuffix(req.URL.Path, "/.well-known/openid-configuration"):
		writeJSON(w, http.StatusOK, map[string]any{"issuer": is.URL, "jwks_uri": JWKSURL(is.URL), "token_endpoint": is.TokenURL,
			"grant_types_supported": []string{"client_credentials"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
	case strings.HasSuffix(req.URL.Path, "/oauth2/token"):
		is.token(w, req)
	default:
		http.NotFound(w, req)
	}
}

func (is *Issuer) token(w http.ResponseWriter, req *http.Request) {
	tokenError := func(code string) { writeJSON(w, http.StatusBadRequest, map[string]string{"error": code}) }
	if req.Method != http.MethodPost || req.ParseForm() != nil {
		tokenError("invalid_request")
		return
	}
	id, secret, basic := req.BasicAuth()
	if !basic {
		id, secret = req.PostForm.Get("client_id"), req.PostForm.Get("client_secret")
	}
	is.mu.Lock()
	c, ok := is.clients[id]
	is.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		tokenError("invalid_client")
		return
	}
	if g := req.PostForm.Get("grant_type"); g != "client_credentials" {
		if g == "" {
			tokenError("invalid_request")
		} else {
			tokenError("unsupported_grant_type")
		}
		return
	}
	scopes := c.Scopes
	if s := req.PostForm.Get("scope"); s != "" {
		scopes = strings.Fields(s)
		for _, sc := range scopes {
			if !slices.Contains(c.Scopes, sc) {
				tokenError("invalid_scope")
				return
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": is.AccessToken(id, scopes, time.Now()),
		"expires_in": int(is.ttl().Seconds()), "token_type": "Bearer"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(b)
}
