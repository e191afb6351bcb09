package bench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// The stream and configuration probes: every accepted record read back from the stream's
// shards, every configuration answer compared with what AppConfig holds.

// streamRead reads every shard of a stream from its trim horizon and finds the bench ids in
// the records' data, until every accepted one is found or the deadline passes.
type streamRead struct {
	api      *kinesis.Client
	stream   string
	run      string
	route    string
	want     int
	accepted func(ID) bool
	deadline time.Time
}

func (s *streamRead) find(ctx context.Context) (*seenSet, error) {
	for {
		seen, err := s.readAll(ctx)
		if err != nil {
			return nil, err
		}
		if seen.new >= s.want || time.Now().After(s.deadline) {
			return seen, nil
		}
		select {
		case <-ctx.Done():
			return seen, nil
		case <-time.After(time.Second):
		}
	}
}

// readAll reads the stream once, shard by shard.
func (s *streamRead) readAll(ctx context.Context) (*seenSet, error) {
	seen := newSeenSet()
	var token *string
	for {
		in := &kinesis.ListShardsInput{NextToken: token}
		if token == nil {
			in.StreamName = aws.String(s.stream)
		}
		out, err := s.api.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListShards %s: %w", s.stream, err)
		}
		for _, sh := range out.Shards {
			if err := s.readShard(ctx, *sh.ShardId, seen); err != nil {
				return nil, err
			}
		}
		if token = out.NextToken; token == nil {
			return seen, nil
		}
	}
}

func (s *streamRead) readShard(ctx context.Context, shard string, seen *seenSet) error {
	it, err := s.api.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(s.stream), ShardId: aws.String(shard),
		ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		return fmt.Errorf("GetShardIterator %s: %w", shard, err)
	}
	next := it.ShardIterator
	for next != nil {
		out, err := s.api.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next})
		if err != nil {
			return fmt.Errorf("GetRecords %s: %w", shard, err)
		}
		for _, r := range out.Records {
			if id, ok := findBenchID(string(r.Data)); ok && id.Run == s.run && id.Route == s.route {
				seen.add(id, s.accepted)
			}
		}
		// An open shard always has a next iterator: an empty read at the tip ends it.
		if len(out.Records) == 0 || (out.MillisBehindLatest != nil && *out.MillisBehindLatest == 0 && len(out.Records) < 10000) {
			return nil
		}
		next = out.NextShardIterator
	}
	return nil
}

// hostedConfiguration reads the configuration that a "APPLICATION/ENVIRONMENT/PROFILE"
// output names, as a client of its own.
func hostedConfiguration(ctx context.Context, cfg aws.Config, output string) ([]byte, error) {
	parts := strings.Split(output, "/")
	if len(parts) != 3 {
		return nil, fmt.Errorf("configuration output %q: want APPLICATION_ID/ENVIRONMENT_ID/PROFILE_ID", output)
	}
	out, err := appconfig.NewFromConfig(cfg).GetConfiguration(ctx, &appconfig.GetConfigurationInput{
		Application: &parts[0], Environment: &parts[1], Configuration: &parts[2], ClientId: aws.String("firstclass-bench")})
	if err != nil {
		return nil, fmt.Errorf("GetConfiguration %s: %w", output, err)
	}
	return out.Content, nil
}

// bodyDigests groups the seqs of a route's 2xx answers by their body's digest, for a probe
// that compares answers with one expected body.
type bodyDigests map[[32]byte][]uint64

// newBodyDigests is an empty set when want, else nil (nothing recorded).
func newBodyDigests(want bool) bodyDigests {
	if want {
		return bodyDigests{}
	}
	return nil
}

func (b bodyDigests) add(body []byte, seq uint64) {
	k := sha256.Sum256(body)
	b[k] = append(b[k], seq)
}

// matching are the seqs whose answer was exactly want.
func (b bodyDigests) matching(want []byte) map[uint64]int {
	seen := map[uint64]int{}
	for _, seq := range b[sha256.Sum256(want)] {
		seen[seq] = 1
	}
	return seen
}
