package kinesis

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	"firstclass/internal/awslocal/awsproto"
)

// The JSON 1.1 protocol: request and response shapes and the operation
// table. Shapes follow the Kinesis Data Streams API reference.

// ServeJSON answers a Kinesis JSON 1.1 request (X-Amz-Target:
// Kinesis_20131202.<action>) whose body has been read.
func (svc *Service) ServeJSON(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	awsproto.ServeJSON(w, r.Context(), "1.1", svc, operations, action, body, errUnknownOperation)
}

func errUnknownOperation(action string) *awsproto.Error {
	return kinesisErr("UnknownOperationException", "The action %s is not supported by awslocal's Kinesis.", action)
}

// operations are the Kinesis actions by name.
var operations = map[string]awsproto.JSONOperation[*Service]{
	"CreateStream":          awsproto.JSONOp(createStreamOp),
	"DeleteStream":          awsproto.JSONOp(deleteStreamOp),
	"DescribeStreamSummary": awsproto.JSONOp(describeStreamSummaryOp),
	"ListShards":            awsproto.JSONOp(listShardsOp),
	"PutRecord":             awsproto.JSONOp(putRecordOp),
	"PutRecords":            awsproto.JSONOp(putRecordsOp),
	"GetShardIterator":      awsproto.JSONOp(getShardIteratorOp),
	"GetRecords":            awsproto.JSONOp(getRecordsOp),
}

type streamRef struct {
	StreamName string `json:"StreamName,omitempty"`
	StreamARN  string `json:"StreamARN,omitempty"`
}

func createStreamOp(svc *Service, _ context.Context, in CreateStreamInput) (any, error) {
	// Over the wire CreateStream takes only the stream's name, shard count
	// and mode; retention and encryption are other actions.
	in.RetentionPeriodHours, in.EncryptionType, in.KeyID = 0, "", ""
	_, err := svc.createStream(in)
	return struct{}{}, err
}

func deleteStreamOp(svc *Service, _ context.Context, in streamRef) (any, error) {
	return struct{}{}, svc.deleteStream(in.StreamName, in.StreamARN)
}

type streamSummary struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       StreamModeDetails  `json:"StreamModeDetails"`
	RetentionPeriodHours    int                `json:"RetentionPeriodHours"`
	StreamCreationTimestamp awsproto.EpochTime `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []map[string]any   `json:"EnhancedMonitoring"`
	EncryptionType          string             `json:"EncryptionType"`
	KeyID                   string             `json:"KeyId,omitempty"`
	OpenShardCount          int                `json:"OpenShardCount"`
	ConsumerCount           int                `json:"ConsumerCount"`
}

func (st *stream) summary() streamSummary {
	return streamSummary{StreamName: st.name, StreamARN: st.arn, StreamStatus: "ACTIVE", StreamModeDetails: StreamModeDetails{StreamMode: st.mode},
		RetentionPeriodHours: st.retention, StreamCreationTimestamp: awsproto.EpochTime(st.created),
		EnhancedMonitoring: []map[string]any{{"ShardLevelMetrics": []string{}}}, EncryptionType: st.encryption, KeyID: st.keyID,
		OpenShardCount: len(st.shards)}
}

func describeStreamSummaryOp(svc *Service, _ context.Context, in streamRef) (any, error) {
	st, err := svc.lookup(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return map[string]any{"StreamDescriptionSummary": st.summary()}, nil
}

type listShardsInput struct {
	streamRef
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults int    `json:"MaxResults,omitempty"`
}

type listShardsOutput struct {
	Shards    []Shard `json:"Shards"`
	NextToken string  `json:"NextToken,omitempty"`
}

func listShardsOp(svc *Service, _ context.Context, in listShardsInput) (any, error) {
	start := 0
	if in.NextToken != "" {
		if in.StreamName != "" {
			return nil, kinesisErr("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
		}
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		name, idx, ok := cutLast(string(raw), '|')
		n, aerr := strconv.Atoi(idx)
		if err != nil || !ok || aerr != nil || n < 0 {
			return nil, kinesisErr("InvalidArgumentException", "Invalid ShardId in ExclusiveStartShardId or NextToken.")
		}
		in.StreamName, start = name, n
	}
	switch {
	case in.MaxResults == 0:
		in.MaxResults = 1000
	case in.MaxResults < 1 || in.MaxResults > 10000:
		return nil, validation(strconv.Itoa(in.MaxResults), "maxResults", "Member must have value between 1 and 10000")
	}
	st, err := svc.lookup(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	all := st.describeShards()
	start = min(start, len(all))
	end := min(start+in.MaxResults, len(all))
	out := listShardsOutput{Shards: all[start:end]}
	if end < len(all) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(st.name + "|" + strconv.Itoa(end)))
	}
	return out, nil
}

func cutLast(s string, sep byte) (before, after string, ok bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// decodeData reads a Data blob: base64 text, rejected as the Kinesis
// front end rejects it (the message AWS gives for PutRecord with Data 'Foo').
func decodeData(s *string, member string) ([]byte, *awsproto.Error) {
	if s == nil {
		return nil, validation("null", member, "Member must not be null")
	}
	if len(*s)%4 != 0 {
		return nil, &awsproto.Error{Code: "SerializationException",
			Message: "'" + *s + "' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(*s))}
	}
	b, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		return nil, &awsproto.Error{Code: "SerializationException", Message: "'" + *s + "' can not be converted to a Blob: Invalid Base64 character"}
	}
	return b, nil
}

type putRecordInput struct {
	streamRef
	Data                      *string `json:"Data"`
	PartitionKey              string  `json:"PartitionKey"`
	ExplicitHashKey           string  `json:"ExplicitHashKey,omitempty"`
	SequenceNumberForOrdering string  `json:"SequenceNumberForOrdering,omitempty"`
}

// PutRecordOutput is PutRecord's answer.
type PutRecordOutput struct {
	ShardID        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType,omitempty"`
}

func putRecordOp(svc *Service, _ context.Context, in putRecordInput) (any, error) {
	data, derr := decodeData(in.Data, "data")
	if derr != nil {
		return nil, derr
	}
	return svc.PutRecord(PutRecordInput{StreamName: in.StreamName, StreamARN: in.StreamARN, Data: data,
		PartitionKey: in.PartitionKey, ExplicitHashKey: in.ExplicitHashKey})
}

type putRecordsEntry struct {
	Data            *string `json:"Data"`
	PartitionKey    string  `json:"PartitionKey"`
	ExplicitHashKey string  `json:"ExplicitHashKey,omitempty"`
}

type putRecordsInput struct {
	streamRef
	Records []putRecordsEntry `json:"Records"`
}

// PutRecordsResultEntry is one record's outcome in PutRecords' answer.
type PutRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardID        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

// PutRecordsOutput is PutRecords' answer.
type PutRecordsOutput struct {
	FailedRecordCount int                     `json:"FailedRecordCount"`
	Records           []PutRecordsResultEntry `json:"Records"`
	EncryptionType    string                  `json:"EncryptionType,omitempty"`
}

func putRecordsOp(svc *Service, _ context.Context, in putRecordsInput) (any, error) {
	entries := make([]PutRecordsEntry, len(in.Records))
	for i, r := range in.Records {
		data, err := decodeData(r.Data, "records."+strconv.Itoa(i+1)+".member.data")
		if err != nil {
			return nil, err
		}
		entries[i] = PutRecordsEntry{Data: data, PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey}
	}
	return svc.PutRecords(in.StreamName, in.StreamARN, entries)
}

func getShardIteratorOp(svc *Service, _ context.Context, in GetShardIteratorInput) (any, error) {
	it, err := svc.getShardIterator(in)
	if err != nil {
		return nil, err
	}
	return map[string]string{"ShardIterator": it}, nil
}

type getRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         int    `json:"Limit,omitempty"`
	StreamARN     string `json:"StreamARN,omitempty"`
}

func getRecordsOp(svc *Service, _ context.Context, in getRecordsInput) (any, error) {
	if in.ShardIterator == "" {
		return nil, validation("null", "shardIterator", "Member must not be null")
	}
	return svc.getRecords(in.ShardIterator, in.Limit)
}
