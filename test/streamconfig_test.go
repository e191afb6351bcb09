package test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"firstclass/api"
	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// POST /stream and GET /config on `firstclass local`, end to end: each route called over
// HTTP on both APIs, then the AWS SDK for Go at the local endpoint reads the record back from
// its shard and the configuration from AppConfig; bad input answered as AWS answers it.
func TestStreamAndConfigRoutesEndToEndWithTheSDK(t *testing.T) {
	e := localEndToEnd(t)
	ctx, out := e.ctx, e.out
	kc, ac := kinesis.NewFromConfig(e.cfg), appconfig.NewFromConfig(e.cfg)
	call := func(t *testing.T, kind contract.Kind, rt spec.Route, body []byte, header ...string) (int, string) {
		t.Helper()
		return e.call(t, kind, rt.Method, rt.SamplePath(), "", string(body), header...)
	}
	// sent is the body the route of kind takes for a record.
	sent := func(kind contract.Kind, record []byte) []byte {
		if kind == contract.HTTP {
			return []byte(base64.StdEncoding.EncodeToString(record))
		}
		return record
	}
	readBack := func(t *testing.T, shard, seq string) types.Record {
		t.Helper()
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(out[routes.StreamNameOutput]), ShardId: &shard,
			ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: &seq})
		if err != nil {
			t.Fatalf("GetShardIterator: %v", err)
		}
		got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
		if err != nil || len(got.Records) != 1 {
			t.Fatalf("GetRecords: %v %+v", err, got)
		}
		return got.Records[0]
	}
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			record := []byte(fmt.Sprintf(`{"orderId":"e2e-%s-%d","note":"it's \"quoted\""}`, kind, time.Now().UnixNano()))
			t.Run("a record put is read back as the client's record", func(t *testing.T) {
				status, resp := call(t, kind, routes.PutRecordRoute, sent(kind, record), "X-Partition-Key", "device-7")
				var put struct{ ShardId, SequenceNumber string }
				if status != 200 || jsonDecode(resp, &put) != nil || put.SequenceNumber == "" {
					t.Fatalf("%d %s", status, resp)
				}
				got := readBack(t, put.ShardId, put.SequenceNumber)
				if !bytes.Equal(got.Data, record) || aws.ToString(got.PartitionKey) != "device-7" {
					t.Errorf("record %q with key %s, want %q with device-7", got.Data, aws.ToString(got.PartitionKey), record)
				}
			})
			t.Run("a record over 1 MiB is Kinesis's ValidationException", func(t *testing.T) {
				status, resp := call(t, kind, routes.PutRecordRoute, sent(kind, bytes.Repeat([]byte("a"), 1<<20+1)), "X-Partition-Key", "k")
				if status != 400 || !strings.Contains(resp, "ValidationException") || !strings.Contains(resp, "1048576") {
					t.Errorf("%d %s, want 400 with Kinesis's ValidationException", status, resp)
				}
			})
			t.Run("the configuration is the hosted version", func(t *testing.T) {
				status, resp := call(t, kind, routes.GetConfigRoute, nil)
				if status != 200 || resp != api.SettingsContent {
					t.Errorf("%d %s, want 200 %s", status, resp, api.SettingsContent)
				}
			})
		})
	}
	t.Run("the HTTP API without a partition key is 400 Bad Request", func(t *testing.T) {
		status, resp := call(t, contract.HTTP, routes.PutRecordRoute, sent(contract.HTTP, []byte(`{}`)))
		if status != 400 || resp != `{"message":"Bad Request"}` {
			t.Errorf("%d %s, want 400 {\"message\":\"Bad Request\"}", status, resp)
		}
	})
	t.Run("the REST API without a partition key keys the record by the request ID", func(t *testing.T) {
		status, resp := call(t, contract.REST, routes.PutRecordRoute, []byte(`{"k":1}`))
		var put struct{ ShardId, SequenceNumber string }
		if status != 200 || jsonDecode(resp, &put) != nil {
			t.Fatalf("%d %s", status, resp)
		}
		if key := aws.ToString(readBack(t, put.ShardId, put.SequenceNumber).PartitionKey); len(key) < 8 {
			t.Errorf("partition key %q, want the request ID", key)
		}
	})
	t.Run("AppConfig answers an empty body to a client that has the version", func(t *testing.T) {
		ids := strings.Split(out[routes.SettingsConfigurationOutput], "/")
		if len(ids) != 3 {
			t.Fatalf("output %s = %q", routes.SettingsConfigurationOutput, out[routes.SettingsConfigurationOutput])
		}
		in := &appconfig.GetConfigurationInput{Application: &ids[0], Environment: &ids[1], Configuration: &ids[2], ClientId: aws.String("e2e")}
		first, err := ac.GetConfiguration(ctx, in)
		if err != nil || string(first.Content) != api.SettingsContent {
			t.Fatalf("GetConfiguration: %v %q", err, first.Content)
		}
		in.ClientConfigurationVersion = first.ConfigurationVersion
		again, err := ac.GetConfiguration(ctx, in)
		if err != nil || len(again.Content) != 0 {
			t.Errorf("with the current version: %v %q, want an empty body", err, again.Content)
		}
	})
}

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }
