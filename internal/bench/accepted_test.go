package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSeqShardMapsItsBitsToScheduleNumbers(t *testing.T) {
	s := SeqShard{Stride: 4, First: 1}
	for _, n := range []uint64{0, 1, 5, 200} { // requests 1, 5, 21, 801
		s.bits.set(n)
	}
	var got []uint64
	s.each(func(seq uint64) { got = append(got, seq) })
	if want := []uint64{1, 5, 21, 801}; !equalSeqs(got, want) {
		t.Errorf("each = %v, want %v", got, want)
	}
	for seq, want := range map[uint64]bool{1: true, 5: true, 21: true, 801: true, 0: false, 2: false, 9: false, 805: false} {
		if s.has(seq) != want {
			t.Errorf("has(%d) = %v, want %v", seq, !want, want)
		}
	}
}

func TestSeqShardJSONRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*bitset)
	}{
		{"empty", func(*bitset) {}},
		{"every request", func(b *bitset) {
			for i := range uint64(100000) {
				b.set(i)
			}
		}},
		{"alternating", func(b *bitset) {
			for i := uint64(0); i < 10000; i += 2 {
				b.set(i)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := SeqShard{Stride: 3, First: 2}
			tc.set(&in.bits)
			b, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			var out SeqShard
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if out.Stride != 3 || out.First != 2 || out.count() != in.count() {
				t.Fatalf("round trip: %+v, want %+v", out, in)
			}
			in.each(func(seq uint64) {
				if !out.has(seq) {
					t.Fatalf("request %d lost", seq)
				}
			})
			if tc.name == "every request" && len(b) > 600 {
				t.Errorf("100,000 accepted requests take %d bytes; a run of ones should deflate to a few hundred", len(b))
			}
		})
	}
}

func TestSeqShardJSONRejectsWhatItCannotTrust(t *testing.T) {
	good, _ := json.Marshal(SeqShard{Stride: 1, bits: bitset{0b1011}})
	for _, tc := range []struct{ name, in, match string }{
		{"a wrong count", strings.Replace(string(good), `"count":3`, `"count":4`, 1), "count 4"},
		{"stride 0", strings.Replace(string(good), `"stride":1`, `"stride":0`, 1), "stride 0"},
		{"not base64", `{"stride":1,"first":0,"count":0,"bits":"%%"}`, "bits"},
		{"not deflate", `{"stride":1,"first":0,"count":0,"bits":"AAAA"}`, "bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s SeqShard
			if err := json.Unmarshal([]byte(tc.in), &s); err == nil || !strings.Contains(err.Error(), tc.match) {
				t.Errorf("Unmarshal(%s) = %v, want an error about %q", tc.in, err, tc.match)
			}
		})
	}
}

func TestShardedScheduleSendsItsShareAtTheWholeSchedulesInstants(t *testing.T) {
	whole := &schedule{interval: 1e6}
	part := &schedule{interval: 1e6, stride: 4, first: 3}
	for hit := range uint64(5) {
		seq := part.seq(hit)
		if seq != 3+4*hit {
			t.Fatalf("seq(%d) = %d, want %d", hit, seq, 3+4*hit)
		}
		if part.offset(seq) != whole.offset(seq) {
			t.Errorf("request %d meant for %s in the shard, %s in the whole schedule", seq, part.offset(seq), whole.offset(seq))
		}
	}
	if whole.seq(7) != 7 {
		t.Errorf("unsharded seq(7) = %d", whole.seq(7))
	}
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStartLatenessCountsEachWorkersPlaceInTheSchedule(t *testing.T) {
	start := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	// At 40 a second, worker 3 of 4 sends request 3 first, meant for start + 75 ms.
	runs := []RunInfo{
		{Started: start, Rate: 40, Shard: &Shard{Index: 0, Of: 4}, FirstSent: start.Add(2 * time.Millisecond)},
		{Started: start, Rate: 40, Shard: &Shard{Index: 3, Of: 4}, FirstSent: start.Add(80 * time.Millisecond)},
	}
	src := NewSource("lambda", "us-east-1", "", runs)
	if src.LatestStartMs != 5 || src.StartSpreadMs != 3 {
		t.Errorf("latest %g ms, spread %g ms; want 5 and 3", src.LatestStartMs, src.StartSpreadMs)
	}
}
