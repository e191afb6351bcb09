package appconfig

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// AppConfig Data: configuration sessions and GetLatestConfiguration. A
// session remembers the version it last returned, so a poll with nothing
// new answers an empty body; each answer carries the token for the next
// poll, and a token serves one call.

const (
	defaultPollInterval = 60
	tokenLifetime       = 24 * time.Hour
)

// SessionInput is a StartConfigurationSession request.
type SessionInput struct {
	ApplicationIdentifier                string `json:"ApplicationIdentifier"`
	EnvironmentIdentifier                string `json:"EnvironmentIdentifier"`
	ConfigurationProfileIdentifier       string `json:"ConfigurationProfileIdentifier"`
	RequiredMinimumPollIntervalInSeconds int    `json:"RequiredMinimumPollIntervalInSeconds,omitempty"`
}

func newToken() string {
	var b [48]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// StartSession starts a configuration session and returns its initial
// token.
func (svc *Service) StartSession(in SessionInput) (string, error) {
	if in.ApplicationIdentifier == "" || in.EnvironmentIdentifier == "" || in.ConfigurationProfileIdentifier == "" {
		return "", badRequest("ApplicationIdentifier, EnvironmentIdentifier and ConfigurationProfileIdentifier are required")
	}
	interval := in.RequiredMinimumPollIntervalInSeconds
	if interval == 0 {
		interval = defaultPollInterval
	}
	if interval < 15 || interval > 86400 {
		return "", badRequest("RequiredMinimumPollIntervalInSeconds must be between 15 and 86400")
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	a, err := svc.app(in.ApplicationIdentifier)
	if err != nil {
		return "", err
	}
	e, err := a.env(in.EnvironmentIdentifier)
	if err != nil {
		return "", err
	}
	p, err := a.profile(in.ConfigurationProfileIdentifier)
	if err != nil {
		return "", err
	}
	token := newToken()
	svc.sessions[token] = &session{app: a.ID, env: e.ID, profile: p.ID, interval: interval, expires: svc.clock.Now().Add(tokenLifetime)}
	return token, nil
}

// LatestConfiguration is GetLatestConfiguration's answer.
type LatestConfiguration struct {
	Configuration
	NextToken    string
	PollInterval int
}

// GetLatestConfiguration answers a poll of a session: the deployed
// configuration, empty when it is the one this session last returned.
func (svc *Service) GetLatestConfiguration(token string) (LatestConfiguration, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	s := svc.sessions[token]
	now := svc.clock.Now()
	if s == nil || now.After(s.expires) {
		delete(svc.sessions, token)
		return LatestConfiguration{}, badRequest("Invalid or expired configuration token; start a new session or use the token of the last call")
	}
	_, _, _, v, err := svc.deployedConfiguration(s.app, s.env, s.profile)
	if err != nil {
		return LatestConfiguration{}, err
	}
	delete(svc.sessions, token)
	next := newToken()
	out := LatestConfiguration{Configuration: Configuration{ContentType: v.ContentType, Version: v.VersionNumber, VersionLabel: v.VersionLabel},
		NextToken: next, PollInterval: s.interval}
	if v.VersionNumber != s.last {
		out.Content = v.Content
	}
	s.last = v.VersionNumber
	s.expires = now.Add(tokenLifetime)
	svc.sessions[next] = s
	return out, nil
}
