package jwtauth

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TokenSource fetches access tokens from a token endpoint (Cognito's, or the local issuer's)
// with the client-credentials grant, and fetches a new one a minute before the current one
// expires. It is safe for concurrent use; one fetch runs at a time.
type TokenSource struct {
	TokenURL, ClientID, ClientSecret string
	Scopes                           []string
	Client                           *http.Client // nil: a client with a 10 s timeout

	mu      sync.Mutex
	token   string
	expires time.Time
	fetches int
}

// Token is a valid access token.
func (s *TokenSource) Token() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && time.Until(s.expires) > time.Minute {
		return s.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(s.Scopes) > 0 {
		form.Set("scope", strings.Join(s.Scopes, " "))
	}
	req, err := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID, s.ClientSecret)
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("token endpoint: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
	}
	json.Unmarshal(b, &out)
	if resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		return "", fmt.Errorf("token endpoint %s: %s %s", s.TokenURL, resp.Status, strings.TrimSpace(string(b)))
	}
	s.token, s.expires = out.AccessToken, time.Now().Add(time.Duration(out.ExpiresIn)*time.Second)
	s.fetches++
	return s.token, nil
}

// Fetches is how many tokens the source has fetched.
func (s *TokenSource) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}
