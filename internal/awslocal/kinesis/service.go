package kinesis

import (
	"crypto/md5"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/store"
)

// AWS's limits (Kinesis Data Streams quotas and the API reference).
const (
	// MaxRecordSize is the largest Data blob, before base64 encoding.
	MaxRecordSize = 1 << 20
	// shardRecordsPerSecond and shardBytesPerSecond are a shard's write
	// capacity.
	shardRecordsPerSecond = 1000
	shardBytesPerSecond   = 1 << 20
	// onDemandShards is the shard count an ON_DEMAND stream starts with.
	onDemandShards = 4
	// iteratorLifetime is how long a shard iterator stays valid.
	iteratorLifetime = 5 * time.Minute
	// maxGetRecords is GetRecords' largest Limit (and its default).
	maxGetRecords      = 10000
	maxPutRecords      = 500
	maxPutRecordsBytes = 5 << 20
	defaultRetention   = 24
)

// Options configures a Service. The zero value is an in-memory service for
// us-east-1 and account 000000000000 on the real clock.
type Options struct {
	Identity awsproto.Identity
	Clock    clock.Clock
	// Store, when not nil, keeps every stream and accepted record durable;
	// the caller opens it with Section after New.
	Store *store.Store
	// Unthrottled lifts the per-shard write capacity, for load tests of a
	// caller that is not about Kinesis's limits.
	Unthrottled bool
}

// Service is an in-memory Kinesis Data Streams. All methods are safe for
// concurrent use.
type Service struct {
	region      string
	account     string
	clock       clock.Clock
	store       *store.Store
	unthrottled bool

	mu      sync.RWMutex
	streams map[string]*stream // by name
}

type stream struct {
	name, arn  string
	mode       string // ON_DEMAND or PROVISIONED
	retention  int    // hours
	encryption string // NONE or KMS
	keyID      string
	created    time.Time
	shards     []*shard
}

type shard struct {
	index      int
	id         string
	start, end *big.Int // hash key range, inclusive

	mu      sync.Mutex
	records []record
	trimmed int    // records dropped from the front by retention
	counter uint64 // last sequence counter used
	// window is the second the throughput counters are for.
	window        int64
	windowRecords int
	windowBytes   int
}

type record struct {
	seq     string
	data    []byte
	key     string
	arrival time.Time
}

// New returns a service with no streams.
func New(opts Options) *Service {
	id := opts.Identity.OrDefault()
	return &Service{region: id.Region, account: id.Account, clock: clock.OrReal(opts.Clock), store: opts.Store,
		unthrottled: opts.Unthrottled, streams: map[string]*stream{}}
}

// StreamARN returns the ARN of the named stream, whether or not it exists.
func (svc *Service) StreamARN(name string) string {
	return "arn:aws:kinesis:" + svc.region + ":" + svc.account + ":stream/" + name
}

func kinesisErr(code, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// validation is the ValidationException AWS answers a request shape with.
func validation(value, member, constraint string) *awsproto.Error {
	return kinesisErr("ValidationException", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// hashSpace is 2^128, the size of the hash key space.
var hashSpace = new(big.Int).Lsh(big.NewInt(1), 128)

// newShards splits the hash key space evenly into n shards, as CreateStream
// does: shard i starts at i·⌊2^128/n⌋ and the last one ends at 2^128-1.
func newShards(n int) []*shard {
	step := new(big.Int).Div(hashSpace, big.NewInt(int64(n)))
	out := make([]*shard, n)
	for i := range out {
		start := new(big.Int).Mul(step, big.NewInt(int64(i)))
		end := new(big.Int).Sub(new(big.Int).Add(start, step), big.NewInt(1))
		if i == n-1 {
			end = new(big.Int).Sub(hashSpace, big.NewInt(1))
		}
		out[i] = &shard{index: i, id: fmt.Sprintf("shardId-%012d", i), start: start, end: end}
	}
	return out
}

// hashKey is the 128-bit hash a record is placed by: its explicit hash key,
// or the MD5 of its partition key read as a big-endian integer.
func hashKey(partitionKey, explicit string) (*big.Int, *awsproto.Error) {
	if explicit != "" {
		h, ok := new(big.Int).SetString(explicit, 10)
		if !ok || h.Sign() < 0 || h.Cmp(hashSpace) >= 0 || (len(explicit) > 1 && explicit[0] == '0') {
			return nil, kinesisErr("InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", explicit)
		}
		return h, nil
	}
	sum := md5.Sum([]byte(partitionKey))
	return new(big.Int).SetBytes(sum[:]), nil
}

// shardFor is the shard whose hash key range holds h.
func (st *stream) shardFor(h *big.Int) *shard {
	i := sort.Search(len(st.shards), func(i int) bool { return st.shards[i].end.Cmp(h) >= 0 })
	if i == len(st.shards) {
		i--
	}
	return st.shards[i]
}

// seqNumber is the sequence number of a shard's n-th record: 56 decimal
// digits, like AWS's, that sort as numbers within the shard and differ
// across shards and streams.
func (st *stream) seqNumber(shardIndex int, n uint64) string {
	return fmt.Sprintf("49%018d%012d%024d", st.created.UnixMilli(), shardIndex, n)
}

// parseSeq reads the shard index and counter out of a sequence number of
// this stream.
func (st *stream) parseSeq(seq string) (shardIndex int, n uint64, ok bool) {
	if len(seq) != 56 || !strings.HasPrefix(seq, "49") || strings.Trim(seq, "0123456789") != "" {
		return 0, 0, false
	}
	if seq[2:20] != fmt.Sprintf("%018d", st.created.UnixMilli()) {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(seq[20:32], "%d", &shardIndex); err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(seq[32:], "%d", &n); err != nil {
		return 0, 0, false
	}
	return shardIndex, n, shardIndex < len(st.shards)
}

func (svc *Service) notFound(name string) *awsproto.Error {
	return kinesisErr("ResourceNotFoundException", "Stream %s under account %s not found.", name, svc.account)
}

// lookup finds a stream by name or ARN (StreamName / StreamARN members).
func (svc *Service) lookup(name, arn string) (*stream, *awsproto.Error) {
	if name == "" && arn == "" {
		return nil, kinesisErr("InvalidArgumentException", "Either StreamName or StreamARN should be provided.")
	}
	if name == "" {
		prefix := "arn:aws:kinesis:" + svc.region + ":" + svc.account + ":stream/"
		if !strings.HasPrefix(arn, prefix) {
			return nil, kinesisErr("InvalidArgumentException", "Invalid StreamARN %s.", arn)
		}
		name = strings.TrimPrefix(arn, prefix)
	} else if arn != "" && arn != svc.StreamARN(name) {
		return nil, kinesisErr("InvalidArgumentException", "StreamARN %s and StreamName %s do not name the same stream.", arn, name)
	}
	svc.mu.RLock()
	st := svc.streams[name]
	svc.mu.RUnlock()
	if st == nil {
		return nil, svc.notFound(name)
	}
	return st, nil
}

// CreateStreamInput is a CreateStream request.
type CreateStreamInput struct {
	StreamName        string             `json:"StreamName"`
	ShardCount        *int               `json:"ShardCount,omitempty"`
	StreamModeDetails *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	// RetentionPeriodHours, EncryptionType and KeyId are what
	// AWS::Kinesis::Stream sets besides CreateStream's members (through
	// IncreaseStreamRetentionPeriod and StartStreamEncryption).
	RetentionPeriodHours int    `json:"RetentionPeriodHours,omitempty"`
	EncryptionType       string `json:"EncryptionType,omitempty"`
	KeyID                string `json:"KeyId,omitempty"`
}

// StreamModeDetails is a stream's capacity mode.
type StreamModeDetails struct {
	StreamMode string `json:"StreamMode"`
}

func (in *CreateStreamInput) check() *awsproto.Error {
	if n := len(in.StreamName); n < 1 || n > 128 || strings.Trim(in.StreamName, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" {
		return validation(in.StreamName, "streamName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	mode := "PROVISIONED"
	if in.StreamModeDetails != nil {
		mode = in.StreamModeDetails.StreamMode
	}
	switch {
	case mode != "PROVISIONED" && mode != "ON_DEMAND":
		return validation(mode, "streamModeDetails.streamMode", "Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]")
	case mode == "ON_DEMAND" && in.ShardCount != nil:
		return kinesisErr("ValidationException", "ShardCount is not supported for ON_DEMAND streams.")
	case mode == "PROVISIONED" && in.ShardCount == nil && in.StreamModeDetails != nil:
		return kinesisErr("InvalidArgumentException", "ShardCount is required for PROVISIONED streams.")
	case in.ShardCount != nil && (*in.ShardCount < 1 || *in.ShardCount > 500):
		return validation(fmt.Sprint(*in.ShardCount), "shardCount", "Member must have value between 1 and 500")
	case in.RetentionPeriodHours != 0 && (in.RetentionPeriodHours < 24 || in.RetentionPeriodHours > 8760):
		return kinesisErr("InvalidArgumentException", "Minimum allowed retention period is 24 hours and maximum is 8760 hours. Requested retention period (%d hours) is out of range.", in.RetentionPeriodHours)
	case in.EncryptionType != "" && in.EncryptionType != "NONE" && in.EncryptionType != "KMS":
		return validation(in.EncryptionType, "encryptionType", "Member must satisfy enum value set: [KMS, NONE]")
	case in.EncryptionType == "KMS" && in.KeyID == "":
		return kinesisErr("InvalidArgumentException", "KeyId is required when EncryptionType is KMS.")
	}
	return nil
}

// normalized is in with its defaults filled: a stream without ShardCount
// or mode is ON_DEMAND with 4 shards, as CreateStream makes it.
func (in CreateStreamInput) normalized() CreateStreamInput {
	if in.StreamModeDetails == nil {
		if in.ShardCount == nil {
			in.StreamModeDetails = &StreamModeDetails{StreamMode: "ON_DEMAND"}
		} else {
			in.StreamModeDetails = &StreamModeDetails{StreamMode: "PROVISIONED"}
		}
	}
	if in.ShardCount == nil {
		n := onDemandShards
		in.ShardCount = &n
	}
	if in.RetentionPeriodHours == 0 {
		in.RetentionPeriodHours = defaultRetention
	}
	if in.EncryptionType == "" {
		in.EncryptionType = "NONE"
	}
	return in
}

func (svc *Service) createStream(in CreateStreamInput) (*stream, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	in = in.normalized()
	unlock := svc.store.Gate()
	svc.mu.Lock()
	if svc.streams[in.StreamName] != nil {
		svc.mu.Unlock()
		unlock()
		return nil, kinesisErr("ResourceInUseException", "Stream %s under account %s already exists.", in.StreamName, svc.account)
	}
	created := svc.clock.Now()
	st := svc.applyCreate(createRecord{CreateStreamInput: in, Created: created.UnixMilli()})
	seq := svc.store.Append(recCreateStream, createRecord{CreateStreamInput: in, Created: created.UnixMilli()})
	svc.mu.Unlock()
	unlock()
	return st, svc.store.Wait(seq)
}

// applyCreate adds a stream; svc.mu is held or the service is restoring.
func (svc *Service) applyCreate(r createRecord) *stream {
	in := r.CreateStreamInput.normalized()
	st := &stream{name: in.StreamName, arn: svc.StreamARN(in.StreamName), mode: in.StreamModeDetails.StreamMode,
		retention: in.RetentionPeriodHours, encryption: in.EncryptionType, keyID: in.KeyID,
		created: time.UnixMilli(r.Created), shards: newShards(*in.ShardCount)}
	svc.streams[st.name] = st
	return st
}

func (svc *Service) deleteStream(name, arn string) error {
	st, err := svc.lookup(name, arn)
	if err != nil {
		return err
	}
	unlock := svc.store.Gate()
	svc.mu.Lock()
	delete(svc.streams, st.name)
	seq := svc.store.Append(recDeleteStream, store.NameRecord{Name: st.name})
	svc.mu.Unlock()
	unlock()
	return svc.store.Wait(seq)
}

// putEntry is one record to put.
type putEntry struct {
	data         []byte
	partitionKey string
	explicitHash string
}

func (e putEntry) check() *awsproto.Error {
	if len(e.data) > MaxRecordSize {
		return validation("java.nio.HeapByteBuffer[pos=0 lim="+fmt.Sprint(len(e.data))+" cap="+fmt.Sprint(len(e.data))+"]", "data", "Member must have length less than or equal to 1048576")
	}
	if n := len([]rune(e.partitionKey)); n < 1 || n > 256 {
		return validation(e.partitionKey, "partitionKey", "Member must have length between 1 and 256")
	}
	return nil
}

// putResult is where a record went.
type putResult struct {
	shardID, seq string
	seqNum       uint64 // durable-log record
}

// put appends one record to its shard, or refuses it when the shard's
// write capacity for this second is used up.
func (svc *Service) put(st *stream, e putEntry) (putResult, *awsproto.Error) {
	h, err := hashKey(e.partitionKey, e.explicitHash)
	if err != nil {
		return putResult{}, err
	}
	sh := st.shardFor(h)
	now := svc.clock.Now()
	unlock := svc.store.Gate()
	defer unlock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sec := now.Unix(); sec != sh.window {
		sh.window, sh.windowRecords, sh.windowBytes = sec, 0, 0
	}
	size := len(e.data) + len(e.partitionKey)
	if !svc.unthrottled && (sh.windowRecords+1 > shardRecordsPerSecond || sh.windowBytes+size > shardBytesPerSecond) {
		return putResult{}, kinesisErr("ProvisionedThroughputExceededException", "Rate exceeded for shard %s in stream %s under account %s.", sh.id, st.name, svc.account)
	}
	sh.windowRecords++
	sh.windowBytes += size
	sh.counter++
	rec := record{seq: st.seqNumber(sh.index, sh.counter), data: e.data, key: e.partitionKey, arrival: now}
	sh.records = append(sh.records, rec)
	sh.trim(now, st.retention)
	var logSeq uint64
	if svc.store.On() {
		logSeq = svc.store.Append(recPut, putRecord{Stream: st.name, Shard: sh.index, N: sh.counter, Data: e.data, Key: e.partitionKey, Arrival: now.UnixMilli()})
	}
	return putResult{shardID: sh.id, seq: rec.seq, seqNum: logSeq}, nil
}

// trim drops the records older than the stream's retention; sh.mu is held.
func (sh *shard) trim(now time.Time, retentionHours int) {
	cut := now.Add(-time.Duration(retentionHours) * time.Hour)
	i := 0
	for i < len(sh.records) && sh.records[i].arrival.Before(cut) {
		i++
	}
	if i > 0 {
		sh.records = append(sh.records[:0:0], sh.records[i:]...)
		sh.trimmed += i
	}
}

// startingSeq is the sequence number a shard's range starts at.
func (st *stream) startingSeq(sh *shard) string { return st.seqNumber(sh.index, 0) }
