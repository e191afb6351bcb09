package kinesis

import (
	"sort"
	"time"

	"firstclass/internal/awslocal/store"
)

// Durability: the records Kinesis appends to the store's log and its
// member of the snapshot ("kinesis"). The op names and JSON shapes are the
// persisted format.

const (
	recCreateStream = "kinesis.createStream"
	recDeleteStream = "kinesis.deleteStream"
	recPut          = "kinesis.put"
)

// Section is the service's part of the durable state, for store.Open.
func (svc *Service) Section() store.Section {
	return store.ServiceSection("kinesis", "kinesis.", svc, svc.snapshot, func(s kinesisSnapshot) { svc.restore(&s) }, replayers)
}

type createRecord struct {
	CreateStreamInput
	Created int64 `json:"created"`
}

// putRecord is one accepted record: its stream, shard index, sequence
// counter, data (base64 in JSON), partition key and arrival time.
type putRecord struct {
	Stream  string `json:"s"`
	Shard   int    `json:"i"`
	N       uint64 `json:"n"`
	Data    []byte `json:"d"`
	Key     string `json:"k"`
	Arrival int64  `json:"t"`
}

type kinesisSnapshot struct {
	Streams []streamSnap `json:"streams"`
}

type streamSnap struct {
	createRecord
	Shards []shardSnap `json:"shards"`
}

type shardSnap struct {
	Trimmed int         `json:"trimmed"`
	Counter uint64      `json:"counter"`
	Records []putRecord `json:"records"`
}

func (svc *Service) snapshot() kinesisSnapshot {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	var s kinesisSnapshot
	for _, st := range svc.streams {
		n := len(st.shards)
		mode := &StreamModeDetails{StreamMode: st.mode}
		snap := streamSnap{createRecord: createRecord{CreateStreamInput: CreateStreamInput{StreamName: st.name, ShardCount: &n,
			StreamModeDetails: mode, RetentionPeriodHours: st.retention, EncryptionType: st.encryption, KeyID: st.keyID}, Created: st.created.UnixMilli()}}
		for _, sh := range st.shards {
			sh.mu.Lock()
			ss := shardSnap{Trimmed: sh.trimmed, Counter: sh.counter}
			for _, r := range sh.records {
				_, c, _ := st.parseSeq(r.seq)
				ss.Records = append(ss.Records, putRecord{Stream: st.name, Shard: sh.index, N: c, Data: r.data, Key: r.key, Arrival: r.arrival.UnixMilli()})
			}
			sh.mu.Unlock()
			snap.Shards = append(snap.Shards, ss)
		}
		s.Streams = append(s.Streams, snap)
	}
	sort.Slice(s.Streams, func(i, j int) bool { return s.Streams[i].StreamName < s.Streams[j].StreamName })
	return s
}

func (svc *Service) restore(s *kinesisSnapshot) {
	for _, ss := range s.Streams {
		st := svc.applyCreate(ss.createRecord)
		for i, shs := range ss.Shards {
			if i >= len(st.shards) {
				break
			}
			sh := st.shards[i]
			sh.trimmed, sh.counter = shs.Trimmed, shs.Counter
			for _, r := range shs.Records {
				sh.records = append(sh.records, record{seq: st.seqNumber(i, r.N), data: r.Data, key: r.Key, arrival: time.UnixMilli(r.Arrival)})
			}
		}
	}
}

// replayers apply the records, by op.
var replayers = store.Replayers[*Service]{
	recCreateStream: store.Redo(func(svc *Service, r createRecord) { svc.applyCreate(r) }),
	recDeleteStream: store.Redo(func(svc *Service, r store.NameRecord) { delete(svc.streams, r.Name) }),
	recPut: store.Redo(func(svc *Service, r putRecord) {
		st := svc.streams[r.Stream]
		if st == nil || r.Shard >= len(st.shards) {
			return
		}
		sh := st.shards[r.Shard]
		sh.records = append(sh.records, record{seq: st.seqNumber(r.Shard, r.N), data: r.Data, key: r.Key, arrival: time.UnixMilli(r.Arrival)})
		sh.counter = max(sh.counter, r.N)
	}),
}
