package kinesis_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"firstclass/internal/awslocal/awstest"
	"firstclass/internal/awslocal/clock"
	"firstclass/internal/awslocal/kinesis"
	"firstclass/internal/awslocal/store"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// server serves a Service on the JSON 1.1 protocol, as awslocal.Server
// routes it.
type server struct{ svc *kinesis.Service }

func (s server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	_, action, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	s.svc.ServeJSON(w, r, action, body)
}

func newClient(t *testing.T, opts kinesis.Options) (*sdk.Client, *kinesis.Service, string) {
	t.Helper()
	svc := kinesis.New(opts)
	hs := httptest.NewServer(server{svc})
	t.Cleanup(hs.Close)
	return sdk.NewFromConfig(awstest.Config(hs.URL)), svc, hs.URL
}

func createStream(t *testing.T, c *sdk.Client, name string, shards int32) {
	t.Helper()
	in := &sdk.CreateStreamInput{StreamName: aws.String(name)}
	if shards > 0 {
		in.ShardCount = aws.Int32(shards)
	}
	if _, err := c.CreateStream(awstest.Context(t), in); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
}

// readAll reads every record of every shard from the trim horizon, keyed by
// shard ID.
func readAll(t *testing.T, c *sdk.Client, name string) map[string][]types.Record {
	t.Helper()
	ctx := awstest.Context(t)
	shards, err := c.ListShards(ctx, &sdk.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	out := map[string][]types.Record{}
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &sdk.GetShardIteratorInput{StreamName: aws.String(name), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatalf("GetShardIterator: %v", err)
		}
		next := it.ShardIterator
		for {
			got, err := c.GetRecords(ctx, &sdk.GetRecordsInput{ShardIterator: next, Limit: aws.Int32(3)})
			if err != nil {
				t.Fatalf("GetRecords: %v", err)
			}
			out[*sh.ShardId] = append(out[*sh.ShardId], got.Records...)
			if len(got.Records) == 0 {
				break
			}
			next = got.NextShardIterator
		}
	}
	return out
}

func TestRecordsPutAreReadBackFromTheShardOwningTheirPartitionKeyHash(t *testing.T) {
	c, _, _ := newClient(t, kinesis.Options{})
	createStream(t, c, "orders", 0) // on-demand: 4 shards
	ctx := awstest.Context(t)
	want := map[string]string{} // data → shard
	for i := 0; i < 40; i++ {
		data := fmt.Sprintf(`{"orderId":"o-%d"}`, i)
		out, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("orders"), Data: []byte(data), PartitionKey: aws.String(fmt.Sprintf("key-%d", i))})
		if err != nil {
			t.Fatalf("PutRecord: %v", err)
		}
		if len(*out.SequenceNumber) != 56 {
			t.Errorf("sequence number %q: want 56 digits as AWS's", *out.SequenceNumber)
		}
		want[data] = *out.ShardId
	}
	shards, err := c.ListShards(ctx, &sdk.ListShardsInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if len(shards.Shards) != 4 {
		t.Fatalf("an on-demand stream has %d shards, want 4", len(shards.Shards))
	}
	ranges := map[string][2]*big.Int{}
	for _, sh := range shards.Shards {
		lo, _ := new(big.Int).SetString(*sh.HashKeyRange.StartingHashKey, 10)
		hi, _ := new(big.Int).SetString(*sh.HashKeyRange.EndingHashKey, 10)
		ranges[*sh.ShardId] = [2]*big.Int{lo, hi}
	}
	if got := *shards.Shards[3].HashKeyRange.EndingHashKey; got != "340282366920938463463374607431768211455" {
		t.Errorf("last shard ends at %s, want 2^128-1", got)
	}
	got := readAll(t, c, "orders")
	seen := 0
	for shardID, recs := range got {
		prev := ""
		for _, r := range recs {
			seen++
			if want[string(r.Data)] != shardID {
				t.Errorf("record %s read from %s, put to %s", r.Data, shardID, want[string(r.Data)])
			}
			sum := md5.Sum([]byte(*r.PartitionKey))
			h := new(big.Int).SetBytes(sum[:])
			if rg := ranges[shardID]; h.Cmp(rg[0]) < 0 || h.Cmp(rg[1]) > 0 {
				t.Errorf("partition key %s hashes outside %s", *r.PartitionKey, shardID)
			}
			if *r.SequenceNumber <= prev {
				t.Errorf("sequence numbers do not grow in %s: %s after %s", shardID, *r.SequenceNumber, prev)
			}
			prev = *r.SequenceNumber
		}
	}
	if seen != len(want) {
		t.Errorf("read %d records, put %d", seen, len(want))
	}
}

func TestBadInputIsAnsweredWithKinesisErrors(t *testing.T) {
	c, _, url := newClient(t, kinesis.Options{})
	createStream(t, c, "s", 1)
	ctx := awstest.Context(t)
	cases := []struct {
		name     string
		call     func() error
		code     string
		contains string
	}{
		{"unknown stream", func() error {
			_, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("nope"), Data: []byte("x"), PartitionKey: aws.String("k")})
			return err
		}, "ResourceNotFoundException", "Stream nope under account 000000000000 not found."},
		{"record over 1 MiB", func() error {
			_, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("s"), Data: bytes.Repeat([]byte("a"), kinesis.MaxRecordSize+1), PartitionKey: aws.String("k")})
			return err
		}, "ValidationException", "Member must have length less than or equal to 1048576"},
		{"partition key over 256 characters", func() error {
			_, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("s"), Data: []byte("x"), PartitionKey: aws.String(strings.Repeat("k", 257))})
			return err
		}, "ValidationException", "Member must have length between 1 and 256"},
		{"explicit hash key out of range", func() error {
			_, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("s"), Data: []byte("x"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")})
			return err
		}, "InvalidArgumentException", "ExplicitHashKey"},
		{"stream created twice", func() error {
			_, err := c.CreateStream(ctx, &sdk.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
			return err
		}, "ResourceInUseException", "already exists"},
		{"garbage iterator", func() error {
			_, err := c.GetRecords(ctx, &sdk.GetRecordsInput{ShardIterator: aws.String("garbage!")})
			return err
		}, "InvalidArgumentException", "Invalid ShardIterator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if awstest.APICode(err) != tc.code || !strings.Contains(fmt.Sprint(err), tc.contains) {
				t.Errorf("got %v, want %s containing %q", err, tc.code, tc.contains)
			}
		})
	}
	t.Run("data that is not base64", func(t *testing.T) {
		body := `{"StreamName":"s","PartitionKey":"k","Data":"Foo"}`
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		want := `{"__type":"SerializationException","message":"'Foo' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"}`
		if resp.StatusCode != 400 || string(got) != want {
			t.Errorf("got %d %s, want 400 %s", resp.StatusCode, got, want)
		}
	})
}

func TestAShardRefusesWritesBeyondItsCapacityAndKeepsWhatItAccepted(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	c, _, _ := newClient(t, kinesis.Options{Clock: clk})
	createStream(t, c, "s", 1)
	ctx := awstest.Context(t)
	put := func(i int) error {
		_, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("s"), Data: []byte(fmt.Sprint(i)), PartitionKey: aws.String("k")})
		return err
	}
	for i := 0; i < 1000; i++ {
		if err := put(i); err != nil {
			t.Fatalf("record %d of the first 1000 in a second: %v", i, err)
		}
	}
	err := put(1000)
	if awstest.APICode(err) != "ProvisionedThroughputExceededException" || !strings.Contains(err.Error(), "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.") {
		t.Fatalf("record 1001 in one second: got %v, want ProvisionedThroughputExceededException", err)
	}
	out, err := c.PutRecords(ctx, &sdk.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{{Data: []byte("late"), PartitionKey: aws.String("k")}}})
	if err != nil || *out.FailedRecordCount != 1 || *out.Records[0].ErrorCode != "ProvisionedThroughputExceededException" {
		t.Fatalf("PutRecords on a full shard: %v %+v", err, out)
	}
	clk.Advance(time.Second)
	if err := put(1001); err != nil {
		t.Fatalf("the next second: %v", err)
	}
	if n := len(readAll(t, c, "s")["shardId-000000000000"]); n != 1001 {
		t.Errorf("the shard holds %d records, want the 1001 accepted", n)
	}
}

func TestIteratorsStartWhereTheirTypeSaysAndExpireAfterFiveMinutes(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	c, _, _ := newClient(t, kinesis.Options{Clock: clk})
	createStream(t, c, "s", 1)
	ctx := awstest.Context(t)
	var seqs []string
	for i := 0; i < 3; i++ {
		out, err := c.PutRecord(ctx, &sdk.PutRecordInput{StreamName: aws.String("s"), Data: []byte(fmt.Sprint(i)), PartitionKey: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, *out.SequenceNumber)
	}
	first := func(typ types.ShardIteratorType, seq string) string {
		in := &sdk.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: typ}
		if seq != "" {
			in.StartingSequenceNumber = aws.String(seq)
		}
		it, err := c.GetShardIterator(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		got, err := c.GetRecords(ctx, &sdk.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if len(got.Records) == 0 {
			return ""
		}
		return string(got.Records[0].Data)
	}
	for _, tc := range []struct {
		typ  types.ShardIteratorType
		seq  string
		want string
	}{
		{types.ShardIteratorTypeTrimHorizon, "", "0"},
		{types.ShardIteratorTypeLatest, "", ""},
		{types.ShardIteratorTypeAtSequenceNumber, seqs[1], "1"},
		{types.ShardIteratorTypeAfterSequenceNumber, seqs[1], "2"},
	} {
		if got := first(tc.typ, tc.seq); got != tc.want {
			t.Errorf("%s: first record %q, want %q", tc.typ, got, tc.want)
		}
	}
	it, err := c.GetShardIterator(ctx, &sdk.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(5*time.Minute + time.Second)
	if _, err := c.GetRecords(ctx, &sdk.GetRecordsInput{ShardIterator: it.ShardIterator}); awstest.APICode(err) != "ExpiredIteratorException" {
		t.Errorf("a 5-minute-old iterator: got %v, want ExpiredIteratorException", err)
	}
}

func TestDescribeStreamSummaryReportsModeShardsAndEncryption(t *testing.T) {
	c, svc, _ := newClient(t, kinesis.Options{})
	if _, err := svc.CreateStream(kinesis.CreateStreamInput{StreamName: "enc", EncryptionType: "KMS", KeyID: "alias/aws/kinesis"}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeStreamSummary(awstest.Context(t), &sdk.DescribeStreamSummaryInput{StreamName: aws.String("enc")})
	if err != nil {
		t.Fatal(err)
	}
	s := out.StreamDescriptionSummary
	if s.StreamModeDetails.StreamMode != types.StreamModeOnDemand || *s.OpenShardCount != 4 || s.EncryptionType != types.EncryptionTypeKms ||
		*s.KeyId != "alias/aws/kinesis" || s.StreamStatus != types.StreamStatusActive || *s.RetentionPeriodHours != 24 {
		t.Errorf("summary %+v", s)
	}
	rec, err := c.PutRecord(awstest.Context(t), &sdk.PutRecordInput{StreamName: aws.String("enc"), Data: []byte("x"), PartitionKey: aws.String("k")})
	if err != nil || rec.EncryptionType != types.EncryptionTypeKms {
		t.Errorf("PutRecord on a KMS stream: %v %+v", err, rec)
	}
}

func TestRecordsSurviveARestartWithAStore(t *testing.T) {
	dir := t.TempDir()
	open := func() (*kinesis.Service, *store.Store) {
		st := store.New(dir)
		svc := kinesis.New(kinesis.Options{Store: st})
		if err := st.Open(svc.Section()); err != nil {
			t.Fatal(err)
		}
		return svc, st
	}
	svc, st := open()
	if _, err := svc.CreateStream(kinesis.CreateStreamInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	put, err := svc.PutRecord(kinesis.PutRecordInput{StreamName: "s", Data: []byte("kept"), PartitionKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	for _, snapshot := range []bool{false, true} {
		if err := st.Close(snapshot); err != nil {
			t.Fatal(err)
		}
		svc, st = open()
		it, err := svc.GetShardIterator(kinesis.GetShardIteratorInput{StreamName: "s", ShardID: put.ShardID, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber})
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.GetRecords(it, 0)
		if err != nil || len(got.Records) != 1 || string(got.Records[0].Data) != "kept" {
			t.Fatalf("after a restart (snapshot %v): %v %+v", snapshot, err, got)
		}
	}
	next, err := svc.PutRecord(kinesis.PutRecordInput{StreamName: "s", Data: []byte("next"), PartitionKey: "k"})
	if err != nil || next.SequenceNumber <= put.SequenceNumber {
		t.Errorf("a record after the restart: %v, sequence %s not after %s", err, next.SequenceNumber, put.SequenceNumber)
	}
	st.Close(true)
}
