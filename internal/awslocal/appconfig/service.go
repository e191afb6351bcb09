package appconfig

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/store"
)

// Options configures a Service. The zero value is an in-memory service for
// us-east-1 and account 000000000000 on the real clock.
type Options struct {
	Identity awsproto.Identity
	Clock    clock.Clock
	// Store, when not nil, keeps the applications, environments, profiles,
	// hosted versions, strategies and deployments durable (sessions are
	// not: their tokens live 24 hours and a client starts a new one).
	Store *store.Store
}

// Service is an in-memory AWS AppConfig and AppConfig Data. All methods are
// safe for concurrent use.
type Service struct {
	region, account string
	clock           clock.Clock
	store           *store.Store

	mu         sync.RWMutex
	apps       map[string]*application // by ID
	strategies map[string]*Strategy    // by ID
	sessions   map[string]*session     // by the token that continues them
}

type application struct {
	Application
	envs     map[string]*environment
	profiles map[string]*profile
}

type environment struct {
	Environment
	deployed    map[string]int // profile ID → hosted version deployed
	deployments []Deployment
}

type profile struct {
	Profile
	versions map[int]*HostedVersion
	latest   int
}

// session is an AppConfig Data configuration session.
type session struct {
	app, env, profile string
	interval          int
	last              int // version last returned, 0 before the first
	expires           time.Time
}

// predefinedStrategies are the deployment strategies every account has.
var predefinedStrategies = []Strategy{
	{ID: "AppConfig.AllAtOnce", Name: "AppConfig.AllAtOnce", DeploymentDurationInMinutes: 0, FinalBakeTimeInMinutes: 10, GrowthFactor: 100, GrowthType: "LINEAR", ReplicateTo: "NONE"},
	{ID: "AppConfig.Linear50PercentEvery30Seconds", Name: "AppConfig.Linear50PercentEvery30Seconds", DeploymentDurationInMinutes: 1, FinalBakeTimeInMinutes: 1, GrowthFactor: 50, GrowthType: "LINEAR", ReplicateTo: "NONE"},
	{ID: "AppConfig.Canary10Percent20Minutes", Name: "AppConfig.Canary10Percent20Minutes", DeploymentDurationInMinutes: 20, FinalBakeTimeInMinutes: 10, GrowthFactor: 10, GrowthType: "EXPONENTIAL", ReplicateTo: "NONE"},
}

// New returns a service with no applications.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	svc := &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store,
		apps: map[string]*application{}, strategies: map[string]*Strategy{}, sessions: map[string]*session{}}
	for _, s := range predefinedStrategies {
		s := s
		svc.strategies[s.ID] = &s
	}
	return svc
}

// apiError is an AppConfig error: its shape name, HTTP status and members.
func apiError(code string, status int, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *awsproto.Error {
	return apiError("ResourceNotFoundException", http.StatusNotFound, format, args...)
}

func badRequest(format string, args ...any) *awsproto.Error {
	return apiError("BadRequestException", http.StatusBadRequest, format, args...)
}

// NewID returns an AppConfig-shaped resource ID: 7 lower-case letters and
// digits.
func NewID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [7]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// ApplicationARN, EnvironmentARN and ProfileARN are the resources' ARNs,
// the ones appconfig:GetConfiguration is authorized on.
func (svc *Service) ApplicationARN(app string) string {
	return "arn:aws:appconfig:" + svc.region + ":" + svc.account + ":application/" + app
}

// EnvironmentARN is an environment's ARN.
func (svc *Service) EnvironmentARN(app, env string) string {
	return svc.ApplicationARN(app) + "/environment/" + env
}

// ProfileARN is a configuration profile's ARN.
func (svc *Service) ProfileARN(app, profile string) string {
	return svc.ApplicationARN(app) + "/configurationprofile/" + profile
}

// app finds an application by ID or name; svc.mu is held.
func (svc *Service) app(ref string) (*application, *awsproto.Error) {
	if a := svc.apps[ref]; a != nil {
		return a, nil
	}
	for _, id := range sortedKeys(svc.apps) {
		if svc.apps[id].Name == ref {
			return svc.apps[id], nil
		}
	}
	return nil, notFound("Application %s not found", ref)
}

func (a *application) env(ref string) (*environment, *awsproto.Error) {
	if e := a.envs[ref]; e != nil {
		return e, nil
	}
	for _, id := range sortedKeys(a.envs) {
		if a.envs[id].Name == ref {
			return a.envs[id], nil
		}
	}
	return nil, notFound("Environment %s not found in application %s", ref, a.ID)
}

func (a *application) profile(ref string) (*profile, *awsproto.Error) {
	if p := a.profiles[ref]; p != nil {
		return p, nil
	}
	for _, id := range sortedKeys(a.profiles) {
		if a.profiles[id].Name == ref {
			return a.profiles[id], nil
		}
	}
	return nil, notFound("Configuration profile %s not found in application %s", ref, a.ID)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mutate runs fn under the service lock inside the store's gate and waits
// for the record fn returns (op "" for none) to be durable.
func (svc *Service) mutate(fn func() (op string, rec any, err error)) error {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	op, rec, err := fn()
	var seq uint64
	if err == nil && op != "" {
		seq = svc.store.Append(op, rec)
	}
	svc.mu.Unlock()
	unlock()
	if err != nil {
		return err
	}
	return svc.store.Wait(seq)
}

// Configuration is what GetConfiguration and GetLatestConfiguration answer:
// the content (nil when the client has this version already), its type
// and version.
type Configuration struct {
	Content      []byte
	ContentType  string
	Version      int
	VersionLabel string
}

// deployedConfiguration is the hosted version deployed to an environment
// for a profile; svc.mu is held.
func (svc *Service) deployedConfiguration(appRef, envRef, profileRef string) (*application, *environment, *profile, *HostedVersion, *awsproto.Error) {
	a, err := svc.app(appRef)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	e, err := a.env(envRef)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	p, err := a.profile(profileRef)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	n, ok := e.deployed[p.ID]
	if !ok {
		return nil, nil, nil, nil, notFound("No deployed configuration of profile %s in environment %s of application %s", p.ID, e.ID, a.ID)
	}
	return a, e, p, p.versions[n], nil
}

// GetConfiguration is the deprecated AppConfig GetConfiguration: the
// deployed configuration, with no content when clientVersion is the
// version the client has already.
func (svc *Service) GetConfiguration(app, env, profile, clientID, clientVersion string) (Configuration, error) {
	if clientID == "" {
		return Configuration{}, badRequest("ClientId is required")
	}
	if len(clientID) > 64 {
		return Configuration{}, badRequest("ClientId must be at most 64 characters")
	}
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	_, _, _, v, err := svc.deployedConfiguration(app, env, profile)
	if err != nil {
		return Configuration{}, err
	}
	out := Configuration{ContentType: v.ContentType, Version: v.VersionNumber, VersionLabel: v.VersionLabel}
	if clientVersion != strconv.Itoa(v.VersionNumber) {
		out.Content = v.Content
	}
	return out, nil
}
