package jwtauth

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// JWK is one RSA key of a JWKS.
type JWK struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKSet is a JSON Web Key Set document.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

func publicJWK(kid string, k *rsa.PublicKey) JWK {
	return JWK{Kid: kid, Kty: "RSA", Alg: "RS256", Use: "sig",
		N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()), E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
}

func (j JWK) public() (*rsa.PublicKey, error) {
	if j.Kty != "RSA" {
		return nil, fmt.Errorf("key %s is %s, not RSA", j.Kid, j.Kty)
	}
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		return nil, fmt.Errorf("key %s: n: %w", j.Kid, err)
	}
	e, err := base64.RawURLEncoding.DecodeString(j.E)
	if err != nil {
		return nil, fmt.Errorf("key %s: e: %w", j.Kid, err)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}

// RemoteKeys is an issuer's JWKS fetched over HTTP (ISSUER/.well-known/jwks.json), cached,
// and fetched again for a kid it does not know, at most once every MinRefresh.
type RemoteKeys struct {
	URL        string
	Client     *http.Client // nil: a client with a 5 s timeout
	MinRefresh time.Duration

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

// JWKSURL is the JWKS address of an issuer, as Cognito and the local issuer serve it.
func JWKSURL(issuer string) string { return issuer + "/.well-known/jwks.json" }

// Key returns the key of kid, fetching the JWKS when it does not know it.
func (r *RemoteKeys) Key(kid string) (*rsa.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.keys[kid]; ok {
		return k, nil
	}
	minRefresh := r.MinRefresh
	if minRefresh == 0 {
		minRefresh = time.Minute
	}
	if r.keys != nil && time.Since(r.fetched) < minRefresh {
		return nil, fmt.Errorf("no key %q in the issuer's JWKS", kid)
	}
	if err := r.fetch(); err != nil {
		return nil, err
	}
	if k, ok := r.keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no key %q in the issuer's JWKS", kid)
}

func (r *RemoteKeys) fetch() error {
	c := r.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := c.Get(r.URL)
	if err != nil {
		return fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("fetch JWKS: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch JWKS %s: %s", r.URL, resp.Status)
	}
	var set JWKSet
	if err := json.Unmarshal(b, &set); err != nil {
		return fmt.Errorf("JWKS %s: %w", r.URL, err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, j := range set.Keys {
		if k, err := j.public(); err == nil {
			keys[j.Kid] = k
		}
	}
	r.keys, r.fetched = keys, time.Now()
	return nil
}
