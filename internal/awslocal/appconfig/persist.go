package appconfig

import "firstclass/internal/awslocal/store"

// Durability: the records AppConfig appends to the store's log and its
// member of the snapshot ("appconfig"). The op names and JSON shapes are
// the persisted format.

const (
	recApplication   = "appconfig.application"
	recEnvironment   = "appconfig.environment"
	recProfile       = "appconfig.profile"
	recHostedVersion = "appconfig.hostedVersion"
	recStrategy      = "appconfig.strategy"
	recDeployment    = "appconfig.deployment"
)

type deploymentRecord struct {
	Deployment
	Started int64 `json:"started"`
}

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("appconfig", "appconfig.", svc, svc.snapshot, func(s appconfigSnapshot) { svc.restore(&s) }, replayers)
}

type appconfigSnapshot struct {
	Applications []Application      `json:"applications"`
	Environments []Environment      `json:"environments"`
	Profiles     []Profile          `json:"profiles"`
	Versions     []HostedVersion    `json:"versions"`
	Strategies   []Strategy         `json:"strategies"`
	Deployments  []deploymentRecord `json:"deployments"`
}

func (svc *Service) snapshot() appconfigSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s appconfigSnapshot
	for _, id := range sortedKeys(svc.apps) {
		a := svc.apps[id]
		s.Applications = append(s.Applications, a.Application)
		for _, eid := range sortedKeys(a.envs) {
			e := a.envs[eid]
			s.Environments = append(s.Environments, e.Environment)
			for _, d := range e.deployments {
				s.Deployments = append(s.Deployments, deploymentRecord{Deployment: d, Started: d.StartedAt})
			}
		}
		for _, pid := range sortedKeys(a.profiles) {
			p := a.profiles[pid]
			s.Profiles = append(s.Profiles, p.Profile)
			for n := 1; n <= p.latest; n++ {
				if v := p.versions[n]; v != nil {
					s.Versions = append(s.Versions, *v)
				}
			}
		}
	}
	for _, id := range sortedKeys(svc.strategies) {
		if !predefined(id) {
			s.Strategies = append(s.Strategies, *svc.strategies[id])
		}
	}
	return s
}

func predefined(id string) bool {
	for _, p := range predefinedStrategies {
		if p.ID == id {
			return true
		}
	}
	return false
}

func (svc *Service) restore(s *appconfigSnapshot) {
	for _, a := range s.Applications {
		svc.applyApplication(a)
	}
	for _, e := range s.Environments {
		svc.applyEnvironment(e)
	}
	for _, p := range s.Profiles {
		svc.applyProfile(p)
	}
	for _, v := range s.Versions {
		svc.applyHostedVersion(v)
	}
	for _, st := range s.Strategies {
		st := st
		svc.strategies[st.ID] = &st
	}
	for _, d := range s.Deployments {
		svc.applyDeployment(d)
	}
}

var replayers = store.Replayers[*Service]{
	recApplication:   store.Redo((*Service).applyApplication),
	recEnvironment:   store.Redo((*Service).applyEnvironment),
	recProfile:       store.Redo((*Service).applyProfile),
	recHostedVersion: store.Redo((*Service).applyHostedVersion),
	recStrategy: store.Redo(func(svc *Service, st Strategy) {
		svc.strategies[st.ID] = &st
	}),
	recDeployment: store.Redo((*Service).applyDeployment),
}
