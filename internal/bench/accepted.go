package bench

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// SeqShard is the accepted requests of one route × kind that one generator sent: bit n is
// set when the generator's n-th request, schedule request First + n·Stride, got a 2xx. A
// generator that loads the whole schedule has Stride 1 and First 0.
type SeqShard struct {
	Stride uint64
	First  uint64
	bits   bitset
}

// Accepted is the accepted requests of one route × kind across the generators that loaded it
// together (Config.Shard): their shards are disjoint by construction. It is what the delivery
// check needs of a run whose load ran elsewhere (Config.LoadOnly, bench.Check).
type Accepted []SeqShard

func (s *SeqShard) has(seq uint64) bool {
	stride := max(s.Stride, 1)
	if seq < s.First || (seq-s.First)%stride != 0 {
		return false
	}
	return s.bits.has((seq - s.First) / stride)
}

func (s *SeqShard) count() uint64 { return s.bits.count() }

// each calls fn with every accepted schedule request number, in order.
func (s *SeqShard) each(fn func(uint64)) {
	stride := max(s.Stride, 1)
	s.bits.each(func(n uint64) { fn(s.First + n*stride) })
}

func (a Accepted) has(seq uint64) bool {
	for i := range a {
		if a[i].has(seq) {
			return true
		}
	}
	return false
}

func (a Accepted) count() uint64 {
	var n uint64
	for i := range a {
		n += a[i].count()
	}
	return n
}

func (a Accepted) each(fn func(uint64)) {
	for i := range a {
		a[i].each(fn)
	}
}

// seqShardJSON is a shard on the wire: the bitset's little-endian 64-bit words, deflated and
// base64-encoded. A run where (nearly) every request was accepted is a run of one-bits that
// deflates to a few bytes, and the worst case (2xx and errors alternating at random) stays
// one bit a request.
type seqShardJSON struct {
	Stride uint64 `json:"stride"`
	First  uint64 `json:"first"`
	Count  uint64 `json:"count"`
	Bits   string `json:"bits"`
}

// MarshalJSON implements json.Marshaler.
func (s SeqShard) MarshalJSON() ([]byte, error) {
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestSpeed) // the level is valid
	word := make([]byte, 8)
	for _, w := range s.bits {
		binary.LittleEndian.PutUint64(word, w)
		fw.Write(word)
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return json.Marshal(seqShardJSON{Stride: max(s.Stride, 1), First: s.First, Count: s.count(), Bits: base64.StdEncoding.EncodeToString(raw.Bytes())})
}

// maxShardBytes bounds a decoded shard: a billion requests, as bench ids number.
const maxShardBytes = 1e9/8 + 8

// UnmarshalJSON implements json.Unmarshaler, checking the count against the bits.
func (s *SeqShard) UnmarshalJSON(b []byte) error {
	var j seqShardJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Stride == 0 {
		return fmt.Errorf("accepted: stride 0; a shard's stride is 1 or more")
	}
	raw, err := base64.StdEncoding.DecodeString(j.Bits)
	if err != nil {
		return fmt.Errorf("accepted: bits: %w", err)
	}
	words, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), maxShardBytes))
	if err != nil {
		return fmt.Errorf("accepted: bits: %w", err)
	}
	if len(words)%8 != 0 {
		return fmt.Errorf("accepted: bits: %d bytes is not a whole number of 64-bit words", len(words))
	}
	bits := make(bitset, len(words)/8)
	for i := range bits {
		bits[i] = binary.LittleEndian.Uint64(words[8*i:])
	}
	*s = SeqShard{Stride: j.Stride, First: j.First, bits: bits}
	if n := s.count(); n != j.Count {
		return fmt.Errorf("accepted: count %d, but the bits hold %d", j.Count, n)
	}
	return nil
}

// Count is how many requests the set holds.
func (a Accepted) Count() uint64 { return a.count() }
