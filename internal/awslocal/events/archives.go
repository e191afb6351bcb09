package events

import (
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/store"
)

// CreateArchiveInput is a CreateArchive request.
type CreateArchiveInput struct {
	ArchiveName    string `json:"ArchiveName"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description,omitempty"`
	EventPattern   string `json:"EventPattern,omitempty"`
	RetentionDays  int    `json:"RetentionDays,omitempty"`
}

func (svc *Service) createArchive(in CreateArchiveInput, created time.Time) (*eventArchive, error) {
	if !eventsNameRE.MatchString(in.ArchiveName) || len(in.ArchiveName) > 48 {
		return nil, errEventsValidation("1 validation error detected: Value '%s' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ArchiveName)
	}
	compiled, perr := compileEventPattern(in.EventPattern)
	if perr != nil {
		return nil, perr
	}
	bn := busName(in.EventSourceArn)
	unlock := svc.store.Gate()
	svc.mu.Lock()
	b, err := svc.bus(bn)
	if err != nil {
		svc.mu.Unlock()
		unlock()
		return nil, errEventsNotFound("Event bus %s does not exist.", bn)
	}
	if _, ok := svc.archives[in.ArchiveName]; ok {
		svc.mu.Unlock()
		unlock()
		return nil, errEventsExists("Archive %s already exists.", in.ArchiveName)
	}
	a := &eventArchive{name: in.ArchiveName, arn: "arn:aws:events:" + svc.region + ":" + svc.account + ":archive/" + in.ArchiveName,
		source: b.arn, bus: bn, description: in.Description, pattern: in.EventPattern, compiled: compiled,
		retention: in.RetentionDays, created: created}
	svc.archives[a.name] = a
	svc.rebuild(b)
	seq := svc.store.Append(recCreateArchive, archiveRecord{CreateArchiveInput: in, Created: created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return a, svc.store.Wait(seq)
}

func (svc *Service) deleteArchive(name string) error {
	unlock := svc.store.Gate()
	svc.mu.Lock()
	a, ok := svc.archives[name]
	if !ok {
		svc.mu.Unlock()
		unlock()
		return errEventsNotFound("Archive %s does not exist.", name)
	}
	delete(svc.archives, name)
	if b := svc.buses[a.bus]; b != nil {
		svc.rebuild(b)
	}
	seq := svc.store.Append(recDeleteArchive, store.NameRecord{Name: name})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// EventArchiveInfo is what DescribeArchive reports.
type EventArchiveInfo struct {
	ArchiveArn     string             `json:"ArchiveArn"`
	ArchiveName    string             `json:"ArchiveName"`
	EventSourceArn string             `json:"EventSourceArn"`
	Description    string             `json:"Description,omitempty"`
	EventPattern   string             `json:"EventPattern,omitempty"`
	State          string             `json:"State"`
	RetentionDays  int                `json:"RetentionDays"`
	SizeBytes      int64              `json:"SizeBytes"`
	EventCount     int64              `json:"EventCount"`
	CreationTime   awsproto.EpochTime `json:"CreationTime"`
}

func (a *eventArchive) info() EventArchiveInfo {
	return EventArchiveInfo{ArchiveArn: a.arn, ArchiveName: a.name, EventSourceArn: a.source, Description: a.description,
		EventPattern: a.pattern, State: "ENABLED", RetentionDays: a.retention, SizeBytes: a.size.Load(),
		EventCount: a.count.Load(), CreationTime: awsproto.EpochTime(a.created)}
}

func (svc *Service) describeArchive(name string) (EventArchiveInfo, error) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	a, ok := svc.archives[name]
	if !ok {
		return EventArchiveInfo{}, errEventsNotFound("Archive %s does not exist.", name)
	}
	return a.info(), nil
}
