package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The one histogram shape every report uses, so that histograms of different runs and machines
// merge bucket for bucket: microseconds from 1 µs to one hour at three significant digits (a
// value is off by at most 0.1 %).
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	histDigits  = 3
)

// Histogram is an HDR histogram of durations. It is stored in reports losslessly, in the
// HdrHistogram V2 compressed encoding, so that merging two reports gives exactly the histogram
// one run over both samples would have.
type Histogram struct {
	h *hdrhistogram.Histogram
	// clamped counts values above the histogram's range, recorded as its highest value.
	clamped int64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{h: hdrhistogram.New(histLowest, histHighest, histDigits)}
}

// Record adds one duration. Negative durations count as zero, durations over an hour as an
// hour.
func (h *Histogram) Record(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	if us > histHighest {
		us = histHighest
		h.clamped++
	}
	_ = h.h.RecordValue(us) // in range by construction
}

// Count is the number of recorded values.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Quantile is the duration at percentile p (0 to 100).
func (h *Histogram) Quantile(p float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	if p <= 0 {
		return time.Duration(h.h.Min()) * time.Microsecond
	}
	return time.Duration(h.h.ValueAtPercentile(p)) * time.Microsecond
}

// Max is the largest recorded duration (to the histogram's precision).
func (h *Histogram) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Max()) * time.Microsecond
}

// Mean is the mean recorded duration.
func (h *Histogram) Mean() time.Duration {
	return time.Duration(h.h.Mean() * float64(time.Microsecond))
}

// Merge adds every value of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil {
		return
	}
	h.h.Merge(o.h) // same range: nothing is dropped
	h.clamped += o.clamped
}

// Equal reports whether h and o hold the same counts in the same buckets.
func (h *Histogram) Equal(o *Histogram) bool { return h.h.Equals(o.h) }

// CurvePoint is one point of a percentile curve.
type CurvePoint struct {
	Percentile float64       // 0 to 100
	Value      time.Duration // the largest value at or below Percentile
}

// Curve is the percentile distribution, denser towards the tail (HdrHistogram's reporting
// ticks), for plotting.
func (h *Histogram) Curve() []CurvePoint {
	if h.Count() == 0 {
		return nil
	}
	var out []CurvePoint
	for _, b := range h.h.CumulativeDistributionWithTicks(5) {
		out = append(out, CurvePoint{Percentile: b.Quantile, Value: time.Duration(b.ValueAt) * time.Microsecond})
	}
	return out
}

// histogramJSON is a histogram in a report: its shape, its count (a check on the encoding) and
// the HdrHistogram V2 compressed, base64 encoding that HdrHistogram's other implementations and
// tools (HistogramLogAnalyzer, hdr-plot) read too.
type histogramJSON struct {
	Unit    string `json:"unit"`
	Lowest  int64  `json:"lowest"`
	Highest int64  `json:"highest"`
	Digits  int64  `json:"digits"`
	Count   int64  `json:"count"`
	Clamped int64  `json:"clamped,omitempty"`
	HDR     string `json:"hdr"`
}

// MarshalJSON writes the lossless encoding.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	enc, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("histogram: %w", err)
	}
	return json.Marshal(histogramJSON{Unit: "us", Lowest: h.h.LowestTrackableValue(), Highest: h.h.HighestTrackableValue(),
		Digits: h.h.SignificantFigures(), Count: h.Count(), Clamped: h.clamped, HDR: string(enc)})
}

// UnmarshalJSON reads the lossless encoding and checks it against the stated count. A
// histogram of another shape is re-recorded into the standard one (exact when its buckets are
// no coarser).
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var j histogramJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Unit != "us" {
		return fmt.Errorf("histogram: unit %q, want \"us\"", j.Unit)
	}
	dec, err := decodeHDR(j.HDR)
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	if dec.TotalCount() != j.Count {
		return fmt.Errorf("histogram: the encoding holds %d values but count says %d; the report is damaged", dec.TotalCount(), j.Count)
	}
	n := NewHistogram()
	if dec.LowestTrackableValue() == histLowest && dec.HighestTrackableValue() == histHighest && dec.SignificantFigures() == histDigits {
		n.h = dec
	} else if dropped := n.h.Merge(dec); dropped > 0 {
		return fmt.Errorf("histogram: %d values are outside 0 to %d µs", dropped, histHighest)
	}
	n.clamped = j.Clamped
	*h = *n
	return nil
}

// decodeHDR decodes the V2 encoding; the library indexes its input without checking lengths,
// so a damaged encoding is an error here rather than a panic.
func decodeHDR(s string) (h *hdrhistogram.Histogram, err error) {
	if len(s) < 12 {
		return nil, errors.New("hdr encoding too short")
	}
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("damaged hdr encoding (%v)", r)
		}
	}()
	return hdrhistogram.Decode([]byte(s))
}

// ms is a duration in milliseconds, for reports.
func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }
