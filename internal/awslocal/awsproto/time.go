package awsproto

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

const hexDigits = "0123456789abcdef"

// NewUUID returns a random version 4 UUID. The runtime's per-thread ChaCha8
// generator is fast and needs no lock; the IDs name local resources and are
// not secrets.
func NewUUID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexDigits[c>>4]
		out[j+1] = hexDigits[c&0xf]
		j += 2
	}
	return string(out[:])
}

// NewRequestID returns an x-amzn-RequestId.
func NewRequestID() string { return NewUUID() }

// EpochTime marshals as AWS's JSON protocols send timestamps: epoch seconds
// as a JSON number. AWS's Java serializer prints doubles >= 1e7 in
// scientific notation with millisecond precision, e.g.
// "startDate":1.652716274909E9 (seen in Step Functions and EventBridge
// answers); the SDKs read any JSON number.
type EpochTime time.Time

// MarshalJSON writes the time as FormatEpoch does.
func (t EpochTime) MarshalJSON() ([]byte, error) {
	return []byte(FormatEpoch(time.Time(t))), nil
}

// UnmarshalJSON reads epoch seconds, or an RFC 3339 string as some clients
// send.
func (t *EpochTime) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		s := strings.Trim(string(b), `"`)
		tt, perr := time.Parse(time.RFC3339Nano, s)
		if perr != nil {
			return err
		}
		*t = EpochTime(tt)
		return nil
	}
	sec, frac := math.Modf(f)
	*t = EpochTime(time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6))
	return nil
}

// FormatEpoch renders t like Java's Double.toString of epoch seconds with
// millisecond precision: "1.652716274909E9", "1.6527162E9".
func FormatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	f := float64(ms) / 1e3
	if f < 1e7 && f > -1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.652716274909e+09
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// Millis is t in epoch milliseconds as text (SQS's SentTimestamp).
func Millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// UnixSeconds is t in epoch seconds as text (SQS's CreatedTimestamp).
func UnixSeconds(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Default identity of the emulated account, the values LocalStack and most
// local tooling use, so ARNs built elsewhere for "the local account" match.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)

// Identity is the emulated account: its region and ID appear in every ARN
// and queue URL.
type Identity struct {
	Region  string
	Account string
}

// OrDefault is id with DefaultRegion and DefaultAccount where it is empty.
func (id Identity) OrDefault() Identity {
	if id.Region == "" {
		id.Region = DefaultRegion
	}
	if id.Account == "" {
		id.Account = DefaultAccount
	}
	return id
}
