package appconfig

import (
	"strconv"
	"strings"
	"time"
)

// The control plane: applications, environments, configuration profiles,
// hosted configuration versions, deployment strategies and deployments,
// in the shapes of the AppConfig API reference. Each Create takes an ID
// ("" to make one) so that a caller naming resources ahead (the local
// runner resolving a template's Refs) gets the IDs it promised.

// Application is an AppConfig application.
type Application struct {
	ID          string `json:"Id"`
	Name        string `json:"Name"`
	Description string `json:"Description,omitempty"`
}

// Environment is an application's environment.
type Environment struct {
	ApplicationID string `json:"ApplicationId"`
	ID            string `json:"Id"`
	Name          string `json:"Name"`
	Description   string `json:"Description,omitempty"`
	State         string `json:"State"`
}

// Profile is a configuration profile.
type Profile struct {
	ApplicationID string `json:"ApplicationId"`
	ID            string `json:"Id"`
	Name          string `json:"Name"`
	Description   string `json:"Description,omitempty"`
	LocationURI   string `json:"LocationUri"`
	Type          string `json:"Type"`
}

// HostedVersion is a hosted configuration version.
type HostedVersion struct {
	ApplicationID          string `json:"ApplicationId"`
	ConfigurationProfileID string `json:"ConfigurationProfileId"`
	VersionNumber          int    `json:"VersionNumber"`
	Description            string `json:"Description,omitempty"`
	ContentType            string `json:"ContentType"`
	VersionLabel           string `json:"VersionLabel,omitempty"`
	Content                []byte `json:"Content"`
}

// Strategy is a deployment strategy.
type Strategy struct {
	ID                          string  `json:"Id"`
	Name                        string  `json:"Name"`
	Description                 string  `json:"Description,omitempty"`
	DeploymentDurationInMinutes int     `json:"DeploymentDurationInMinutes"`
	GrowthType                  string  `json:"GrowthType,omitempty"`
	GrowthFactor                float64 `json:"GrowthFactor"`
	FinalBakeTimeInMinutes      int     `json:"FinalBakeTimeInMinutes"`
	ReplicateTo                 string  `json:"ReplicateTo,omitempty"`
}

// Deployment is a deployment of a hosted version to an environment. The
// local AppConfig completes a deployment when it starts, whatever its
// strategy's duration and bake time.
type Deployment struct {
	ApplicationID          string  `json:"ApplicationId"`
	EnvironmentID          string  `json:"EnvironmentId"`
	DeploymentNumber       int     `json:"DeploymentNumber"`
	ConfigurationProfileID string  `json:"ConfigurationProfileId"`
	ConfigurationVersion   string  `json:"ConfigurationVersion"`
	DeploymentStrategyID   string  `json:"DeploymentStrategyId"`
	Description            string  `json:"Description,omitempty"`
	State                  string  `json:"State"`
	PercentageComplete     float64 `json:"PercentageComplete"`
	StartedAt              int64   `json:"-"`
}

func checkName(name string) error {
	if n := len([]rune(name)); n < 1 || n > 64 {
		return badRequest("Name must be between 1 and 64 characters")
	}
	return nil
}

// CreateApplication creates an application.
func (svc *Service) CreateApplication(in Application) (Application, error) {
	if err := checkName(in.Name); err != nil {
		return Application{}, err
	}
	if in.ID == "" {
		in.ID = NewID()
	}
	err := svc.mutate(func() (string, any, error) {
		if svc.apps[in.ID] != nil {
			return "", nil, apiError("ConflictException", 409, "Application %s already exists", in.ID)
		}
		svc.applyApplication(in)
		return recApplication, in, nil
	})
	return in, err
}

func (svc *Service) applyApplication(in Application) {
	svc.apps[in.ID] = &application{Application: in, envs: map[string]*environment{}, profiles: map[string]*profile{}}
}

// CreateEnvironment creates an environment of an application.
func (svc *Service) CreateEnvironment(in Environment) (Environment, error) {
	if err := checkName(in.Name); err != nil {
		return Environment{}, err
	}
	if in.ID == "" {
		in.ID = NewID()
	}
	in.State = "ReadyForDeployment"
	err := svc.mutate(func() (string, any, error) {
		a, err := svc.app(in.ApplicationID)
		if err != nil {
			return "", nil, err
		}
		in.ApplicationID = a.ID
		if a.envs[in.ID] != nil {
			return "", nil, apiError("ConflictException", 409, "Environment %s already exists", in.ID)
		}
		svc.applyEnvironment(in)
		return recEnvironment, in, nil
	})
	return in, err
}

func (svc *Service) applyEnvironment(in Environment) {
	if a := svc.apps[in.ApplicationID]; a != nil {
		a.envs[in.ID] = &environment{Environment: in, deployed: map[string]int{}}
	}
}

// CreateProfile creates a configuration profile. Only hosted profiles
// (LocationUri "hosted") have content locally.
func (svc *Service) CreateProfile(in Profile) (Profile, error) {
	if err := checkName(in.Name); err != nil {
		return Profile{}, err
	}
	if in.LocationURI == "" {
		return Profile{}, badRequest("LocationUri is required")
	}
	if in.LocationURI != "hosted" {
		return Profile{}, badRequest("LocationUri %s: the local AppConfig hosts configurations only (LocationUri \"hosted\")", in.LocationURI)
	}
	if in.Type == "" {
		in.Type = "AWS.Freeform"
	}
	if in.ID == "" {
		in.ID = NewID()
	}
	err := svc.mutate(func() (string, any, error) {
		a, err := svc.app(in.ApplicationID)
		if err != nil {
			return "", nil, err
		}
		in.ApplicationID = a.ID
		if a.profiles[in.ID] != nil {
			return "", nil, apiError("ConflictException", 409, "Configuration profile %s already exists", in.ID)
		}
		svc.applyProfile(in)
		return recProfile, in, nil
	})
	return in, err
}

func (svc *Service) applyProfile(in Profile) {
	if a := svc.apps[in.ApplicationID]; a != nil {
		a.profiles[in.ID] = &profile{Profile: in, versions: map[int]*HostedVersion{}}
	}
}

// CreateHostedVersion stores a new version of a hosted profile's content
// and returns it with its number. latest, when not 0, must be the
// profile's latest version number (LatestVersionNumber).
func (svc *Service) CreateHostedVersion(in HostedVersion, latest int) (HostedVersion, error) {
	if in.ContentType == "" {
		return HostedVersion{}, badRequest("ContentType is required")
	}
	if len(in.Content) > 2<<20 {
		return HostedVersion{}, apiError("PayloadTooLargeException", 413, "Hosted configuration content is over 2 MB")
	}
	err := svc.mutate(func() (string, any, error) {
		a, err := svc.app(in.ApplicationID)
		if err != nil {
			return "", nil, err
		}
		p, err := a.profile(in.ConfigurationProfileID)
		if err != nil {
			return "", nil, err
		}
		if latest != 0 && latest != p.latest {
			return "", nil, apiError("ConflictException", 409, "LatestVersionNumber %d is not the latest version, %d", latest, p.latest)
		}
		in.ApplicationID, in.ConfigurationProfileID, in.VersionNumber = a.ID, p.ID, p.latest+1
		svc.applyHostedVersion(in)
		return recHostedVersion, in, nil
	})
	return in, err
}

func (svc *Service) applyHostedVersion(in HostedVersion) {
	if a := svc.apps[in.ApplicationID]; a != nil {
		if p := a.profiles[in.ConfigurationProfileID]; p != nil {
			v := in
			p.versions[in.VersionNumber] = &v
			p.latest = max(p.latest, in.VersionNumber)
		}
	}
}

// CreateStrategy creates a deployment strategy.
func (svc *Service) CreateStrategy(in Strategy) (Strategy, error) {
	if err := checkName(in.Name); err != nil {
		return Strategy{}, err
	}
	if in.GrowthFactor < 1 || in.GrowthFactor > 100 {
		return Strategy{}, badRequest("GrowthFactor must be between 1.0 and 100.0")
	}
	if in.ID == "" {
		in.ID = NewID()
	}
	if in.GrowthType == "" {
		in.GrowthType = "LINEAR"
	}
	err := svc.mutate(func() (string, any, error) {
		s := in
		svc.strategies[in.ID] = &s
		return recStrategy, in, nil
	})
	return in, err
}

// StartDeployment deploys a hosted version to an environment; it is
// complete when it returns.
func (svc *Service) StartDeployment(in Deployment) (Deployment, error) {
	err := svc.mutate(func() (string, any, error) {
		a, err := svc.app(in.ApplicationID)
		if err != nil {
			return "", nil, err
		}
		e, err := a.env(in.EnvironmentID)
		if err != nil {
			return "", nil, err
		}
		p, err := a.profile(in.ConfigurationProfileID)
		if err != nil {
			return "", nil, err
		}
		if svc.strategies[in.DeploymentStrategyID] == nil {
			return "", nil, notFound("Deployment strategy %s not found", in.DeploymentStrategyID)
		}
		n, cerr := strconv.Atoi(strings.TrimSpace(in.ConfigurationVersion))
		if cerr != nil || p.versions[n] == nil {
			return "", nil, notFound("Hosted configuration version %s not found for configuration profile %s", in.ConfigurationVersion, p.ID)
		}
		for _, d := range e.deployments {
			if d.State != "COMPLETE" && d.State != "ROLLED_BACK" {
				return "", nil, apiError("ConflictException", 409, "Deployment %d is in progress in environment %s", d.DeploymentNumber, e.ID)
			}
		}
		in.ApplicationID, in.EnvironmentID, in.ConfigurationProfileID = a.ID, e.ID, p.ID
		in.DeploymentNumber, in.State, in.PercentageComplete = len(e.deployments)+1, "COMPLETE", 100
		in.StartedAt = svc.clock.Now().UnixMilli()
		svc.applyDeployment(deploymentRecord{Deployment: in, Started: in.StartedAt})
		return recDeployment, deploymentRecord{Deployment: in, Started: in.StartedAt}, nil
	})
	return in, err
}

func (svc *Service) applyDeployment(r deploymentRecord) {
	a := svc.apps[r.ApplicationID]
	if a == nil {
		return
	}
	e := a.envs[r.EnvironmentID]
	if e == nil {
		return
	}
	d := r.Deployment
	d.StartedAt = r.Started
	e.deployments = append(e.deployments, d)
	n, _ := strconv.Atoi(d.ConfigurationVersion)
	e.deployed[d.ConfigurationProfileID] = n
	e.State = "ReadyForDeployment"
}

// startedAt is a deployment's start as a time.
func (d Deployment) startedAt() time.Time { return time.UnixMilli(d.StartedAt) }

// LatestHostedVersion is a profile's latest hosted version.
func (svc *Service) LatestHostedVersion(app, profile string) (HostedVersion, error) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	a, err := svc.app(app)
	if err != nil {
		return HostedVersion{}, err
	}
	p, err := a.profile(profile)
	if err != nil {
		return HostedVersion{}, err
	}
	v := p.versions[p.latest]
	if v == nil {
		return HostedVersion{}, notFound("Configuration profile %s has no hosted version", p.ID)
	}
	return *v, nil
}
