package logs

import "firstclass/internal/awslocal/store"

// Durability: the records CloudWatch Logs appends to the store's log and its member of the
// snapshot ("logs"). The op names and JSON shapes are the persisted format.

const (
	recCreateGroup  = "logs.createGroup"
	recDeleteGroup  = "logs.deleteGroup"
	recCreateStream = "logs.createStream"
	recPut          = "logs.put"
)

type groupRecord struct {
	Name      string `json:"name"`
	Created   int64  `json:"created"`
	Retention int    `json:"retention,omitempty"`
}

type streamRecord struct {
	Group   string `json:"group"`
	Name    string `json:"name"`
	Created int64  `json:"created"`
}

type putRecord struct {
	Group  string  `json:"group"`
	Stream string  `json:"stream"`
	Events []Event `json:"events"`
}

type logsSnapshot struct {
	Groups  []groupRecord  `json:"groups"`
	Streams []streamRecord `json:"streams"`
	Events  []putRecord    `json:"events"`
}

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("logs", "logs.", svc, svc.snapshot, svc.restore, replayers)
}

func (svc *Service) snapshot() logsSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s logsSnapshot
	for _, g := range sortedGroups(svc.groups) {
		s.Groups = append(s.Groups, groupRecord{Name: g.name, Created: g.created, Retention: g.retention})
		for _, st := range sortedStreams(g.streams) {
			s.Streams = append(s.Streams, streamRecord{Group: g.name, Name: st.name, Created: st.created})
			if len(st.events) > 0 {
				s.Events = append(s.Events, putRecord{Group: g.name, Stream: st.name, Events: st.events})
			}
		}
	}
	return s
}

func (svc *Service) restore(s logsSnapshot) {
	for _, g := range s.Groups {
		svc.applyGroup(g)
	}
	for _, st := range s.Streams {
		svc.applyStream(st)
	}
	for _, p := range s.Events {
		svc.applyPut(p)
	}
}

func (svc *Service) applyGroup(r groupRecord) {
	svc.groups[r.Name] = &group{name: r.Name, created: r.Created, retention: r.Retention, streams: map[string]*stream{}}
}

func (svc *Service) applyStream(r streamRecord) {
	if g := svc.groups[r.Group]; g != nil && g.streams[r.Name] == nil {
		g.streams[r.Name] = &stream{name: r.Name, created: r.Created}
	}
}

func (svc *Service) applyPut(r putRecord) {
	if g := svc.groups[r.Group]; g != nil {
		if st := g.streams[r.Stream]; st != nil {
			st.events = append(st.events, r.Events...)
		}
	}
}

var replayers = store.Replayers[*Service]{
	recCreateGroup:  store.Redo((*Service).applyGroup),
	recDeleteGroup:  store.Redo(func(svc *Service, r store.NameRecord) { delete(svc.groups, r.Name) }),
	recCreateStream: store.Redo((*Service).applyStream),
	recPut:          store.Redo((*Service).applyPut),
}
