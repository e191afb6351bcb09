package kinesis

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// Reading: shard iterators and GetRecords.

// iterator is a position in a shard: the absolute index of the next record
// to read (records trimmed by retention count too), and when it was issued.
type iterator struct {
	stream string
	shard  int
	pos    int
	issued time.Time
}

// encode is the opaque ShardIterator string.
func (it iterator) encode() string {
	raw := fmt.Sprintf("1|%s|%d|%d|%d", it.stream, it.shard, it.pos, it.issued.UnixMilli())
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func errInvalidIterator(s string) *awsproto.Error {
	return kinesisErr("InvalidArgumentException", "Invalid ShardIterator: %s", s)
}

func decodeIterator(s string) (iterator, *awsproto.Error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	parts := strings.Split(string(raw), "|")
	if err != nil || len(parts) != 5 || parts[0] != "1" {
		return iterator{}, errInvalidIterator(s)
	}
	shard, err1 := strconv.Atoi(parts[2])
	pos, err2 := strconv.Atoi(parts[3])
	ms, err3 := strconv.ParseInt(parts[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || shard < 0 || pos < 0 {
		return iterator{}, errInvalidIterator(s)
	}
	return iterator{stream: parts[1], shard: shard, pos: pos, issued: time.UnixMilli(ms)}, nil
}

// GetShardIteratorInput is a GetShardIterator request.
type GetShardIteratorInput struct {
	StreamName             string              `json:"StreamName,omitempty"`
	StreamARN              string              `json:"StreamARN,omitempty"`
	ShardID                string              `json:"ShardId"`
	ShardIteratorType      string              `json:"ShardIteratorType"`
	StartingSequenceNumber string              `json:"StartingSequenceNumber,omitempty"`
	Timestamp              *awsproto.EpochTime `json:"Timestamp,omitempty"`
}

func (svc *Service) shardByID(st *stream, id string) (*shard, *awsproto.Error) {
	for _, sh := range st.shards {
		if sh.id == id {
			return sh, nil
		}
	}
	return nil, kinesisErr("ResourceNotFoundException", "Shard %s in stream %s under account %s does not exist", id, st.name, svc.account)
}

func (svc *Service) getShardIterator(in GetShardIteratorInput) (string, error) {
	st, err := svc.lookup(in.StreamName, in.StreamARN)
	if err != nil {
		return "", err
	}
	sh, err := svc.shardByID(st, in.ShardID)
	if err != nil {
		return "", err
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	it := iterator{stream: st.name, shard: sh.index, issued: svc.clock.Now()}
	end := sh.trimmed + len(sh.records)
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		it.pos = sh.trimmed
	case "LATEST":
		it.pos = end
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		idx, n, ok := st.parseSeq(in.StartingSequenceNumber)
		if !ok || idx != sh.index {
			return "", kinesisErr("InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", "another shard", sh.id)
		}
		// Counters start at 1 and are never reused, so counter n is at
		// absolute position n-1.
		it.pos = int(n) - 1
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			it.pos++
		}
		it.pos = max(it.pos, sh.trimmed)
	case "AT_TIMESTAMP":
		if in.Timestamp == nil {
			return "", kinesisErr("InvalidArgumentException", "Must specify timestamp for AT_TIMESTAMP ShardIteratorType")
		}
		at := time.Time(*in.Timestamp)
		i := sort.Search(len(sh.records), func(i int) bool { return !sh.records[i].arrival.Before(at) })
		it.pos = sh.trimmed + i
	default:
		return "", validation(in.ShardIteratorType, "shardIteratorType", "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]")
	}
	return it.encode(), nil
}

// Record is one record GetRecords returns.
type Record struct {
	SequenceNumber              string             `json:"SequenceNumber"`
	ApproximateArrivalTimestamp awsproto.EpochTime `json:"ApproximateArrivalTimestamp"`
	Data                        []byte             `json:"Data"`
	PartitionKey                string             `json:"PartitionKey"`
	EncryptionType              string             `json:"EncryptionType,omitempty"`
}

// GetRecordsOutput is GetRecords' answer.
type GetRecordsOutput struct {
	Records            []Record `json:"Records"`
	NextShardIterator  string   `json:"NextShardIterator"`
	MillisBehindLatest int64    `json:"MillisBehindLatest"`
}

func (svc *Service) getRecords(shardIterator string, limit int) (GetRecordsOutput, error) {
	it, err := decodeIterator(shardIterator)
	if err != nil {
		return GetRecordsOutput{}, err
	}
	now := svc.clock.Now()
	if age := now.Sub(it.issued); age > iteratorLifetime {
		return GetRecordsOutput{}, kinesisErr("ExpiredIteratorException", "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			it.issued.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"), now.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"), iteratorLifetime.Milliseconds())
	}
	switch {
	case limit == 0:
		limit = maxGetRecords
	case limit < 1 || limit > maxGetRecords:
		return GetRecordsOutput{}, validation(strconv.Itoa(limit), "limit", "Member must have value between 1 and 10000")
	}
	svc.mu.RLock()
	st := svc.streams[it.stream]
	svc.mu.RUnlock()
	if st == nil || it.shard >= len(st.shards) {
		return GetRecordsOutput{}, svc.notFound(it.stream)
	}
	sh := st.shards[it.shard]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	from := max(it.pos-sh.trimmed, 0)
	from = min(from, len(sh.records))
	to := min(from+limit, len(sh.records))
	out := GetRecordsOutput{Records: make([]Record, 0, to-from)}
	bytes := 0
	for _, r := range sh.records[from:to] {
		// A call returns at most 10 MiB; what is left is read next.
		if bytes += len(r.data); bytes > 10<<20 && len(out.Records) > 0 {
			break
		}
		rec := Record{SequenceNumber: r.seq, ApproximateArrivalTimestamp: awsproto.EpochTime(r.arrival), Data: r.data, PartitionKey: r.key}
		if st.encryption == "KMS" {
			rec.EncryptionType = "KMS"
		}
		out.Records = append(out.Records, rec)
	}
	next := sh.trimmed + from + len(out.Records)
	out.NextShardIterator = iterator{stream: st.name, shard: sh.index, pos: next, issued: now}.encode()
	if next < sh.trimmed+len(sh.records) {
		out.MillisBehindLatest = now.Sub(sh.records[next-sh.trimmed].arrival).Milliseconds()
	}
	return out, nil
}

// Shard is one shard as ListShards reports it.
type Shard struct {
	ShardID             string              `json:"ShardId"`
	HashKeyRange        HashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange SequenceNumberRange `json:"SequenceNumberRange"`
}

// HashKeyRange is a shard's range of hash keys, inclusive, as decimals.
type HashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

// SequenceNumberRange is where a shard's sequence numbers start.
type SequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

func (st *stream) describeShards() []Shard {
	out := make([]Shard, len(st.shards))
	for i, sh := range st.shards {
		out[i] = Shard{ShardID: sh.id, HashKeyRange: HashKeyRange{StartingHashKey: sh.start.String(), EndingHashKey: sh.end.String()},
			SequenceNumberRange: SequenceNumberRange{StartingSequenceNumber: st.startingSeq(sh)}}
	}
	return out
}
