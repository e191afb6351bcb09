package kinesis

import (
	"strconv"
)

// The Go API: the operations for direct callers (awslocal.Server, the local
// runner, tests). Errors are *awsproto.Error values with the codes the wire
// protocol reports.

// CreateStream creates a stream and returns its ARN. Unlike the wire
// action it also takes the retention and encryption AWS::Kinesis::Stream
// sets.
func (svc *Service) CreateStream(in CreateStreamInput) (string, error) {
	st, err := svc.createStream(in)
	if err != nil {
		return "", err
	}
	return st.arn, nil
}

// PutRecordInput is one record to put.
type PutRecordInput struct {
	StreamName      string
	StreamARN       string
	Data            []byte
	PartitionKey    string
	ExplicitHashKey string
}

// PutRecord puts one record, durable (with a store) before it returns.
func (svc *Service) PutRecord(in PutRecordInput) (PutRecordOutput, error) {
	st, err := svc.lookup(in.StreamName, in.StreamARN)
	if err != nil {
		return PutRecordOutput{}, err
	}
	e := putEntry{data: in.Data, partitionKey: in.PartitionKey, explicitHash: in.ExplicitHashKey}
	if err := e.check(); err != nil {
		return PutRecordOutput{}, err
	}
	res, perr := svc.put(st, e)
	if perr != nil {
		return PutRecordOutput{}, perr
	}
	if err := svc.store.Wait(res.seqNum); err != nil {
		return PutRecordOutput{}, err
	}
	out := PutRecordOutput{ShardID: res.shardID, SequenceNumber: res.seq}
	if st.encryption == "KMS" {
		out.EncryptionType = "KMS"
	}
	return out, nil
}

// PutRecordsEntry is one record of a PutRecords call.
type PutRecordsEntry struct {
	Data            []byte
	PartitionKey    string
	ExplicitHashKey string
}

// PutRecords puts up to 500 records. A record refused by its shard's
// capacity (or its hash key) fails alone, in its result entry; a request
// AWS would refuse as a whole fails with an error.
func (svc *Service) PutRecords(name, arn string, entries []PutRecordsEntry) (PutRecordsOutput, error) {
	st, err := svc.lookup(name, arn)
	if err != nil {
		return PutRecordsOutput{}, err
	}
	switch n := len(entries); {
	case n == 0:
		return PutRecordsOutput{}, validation("[]", "records", "Member must have length greater than or equal to 1")
	case n > maxPutRecords:
		return PutRecordsOutput{}, validation("["+strconv.Itoa(n)+" records]", "records", "Member must have length less than or equal to 500")
	}
	total := 0
	for i, e := range entries {
		pe := putEntry{data: e.Data, partitionKey: e.PartitionKey, explicitHash: e.ExplicitHashKey}
		if err := pe.check(); err != nil {
			err.Message = "1 validation error detected: " + "Value at 'records." + strconv.Itoa(i+1) + ".member' failed: " + err.Message
			return PutRecordsOutput{}, err
		}
		total += len(e.Data) + len(e.PartitionKey)
	}
	if total > maxPutRecordsBytes {
		return PutRecordsOutput{}, kinesisErr("InvalidArgumentException", "Records size exceeds 5 MB limit")
	}
	out := PutRecordsOutput{Records: make([]PutRecordsResultEntry, len(entries))}
	var last uint64
	for i, e := range entries {
		res, perr := svc.put(st, putEntry{data: e.Data, partitionKey: e.PartitionKey, explicitHash: e.ExplicitHashKey})
		if perr != nil {
			out.FailedRecordCount++
			out.Records[i] = PutRecordsResultEntry{ErrorCode: perr.Code, ErrorMessage: perr.Message}
			continue
		}
		out.Records[i] = PutRecordsResultEntry{SequenceNumber: res.seq, ShardID: res.shardID}
		last = max(last, res.seqNum)
	}
	if err := svc.store.Wait(last); err != nil {
		return PutRecordsOutput{}, err
	}
	if st.encryption == "KMS" {
		out.EncryptionType = "KMS"
	}
	return out, nil
}

// ListShards lists a stream's shards.
func (svc *Service) ListShards(name string) ([]Shard, error) {
	st, err := svc.lookup(name, "")
	if err != nil {
		return nil, err
	}
	return st.describeShards(), nil
}

// GetShardIterator returns an iterator for a shard of a stream.
func (svc *Service) GetShardIterator(in GetShardIteratorInput) (string, error) {
	return svc.getShardIterator(in)
}

// GetRecords reads up to limit records (0: 10,000) at an iterator.
func (svc *Service) GetRecords(shardIterator string, limit int) (GetRecordsOutput, error) {
	return svc.getRecords(shardIterator, limit)
}

// StreamExists reports whether the named stream exists.
func (svc *Service) StreamExists(name string) bool {
	_, err := svc.lookup(name, "")
	return err == nil
}
