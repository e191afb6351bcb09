package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

//go:embed prices.json
var defaultPrices []byte

// DefaultPricesJSON is the embedded price file, for `firstclass cost --print-prices`.
func DefaultPricesJSON() []byte { return append([]byte(nil), defaultPrices...) }

// Tier is one volume tier of a rate: Price applies to the units of a month from the previous
// tier's UpTo to this one's. The last tier has no UpTo.
type Tier struct {
	UpTo  float64 `json:"upTo,omitempty"`
	Price float64 `json:"price"`
}

// Rate is a monthly, volume-tiered price: Price dollars per Per units.
type Rate struct {
	Unit  string  `json:"unit"`
	Per   float64 `json:"per"`
	Tiers []Tier  `json:"tiers"`
}

// Cost is what units in one month cost, each tier priced at its own rate.
func (r Rate) Cost(units float64) float64 {
	if units <= 0 {
		return 0
	}
	total, done := 0.0, 0.0
	for _, t := range r.Tiers {
		top := t.UpTo
		if top == 0 {
			top = math.Inf(1)
		}
		n := math.Min(units, top) - done
		if n > 0 {
			total += n / r.Per * t.Price
			done += n
		}
		if units <= top {
			break
		}
	}
	return total
}

// First is the first tier's price per Per units: the list price most pages quote.
func (r Rate) First() float64 { return r.Tiers[0].Price }

func (r Rate) check(name string) error {
	if r.Per <= 0 {
		return fmt.Errorf("%s: per must be > 0 (prices are per this many %s)", name, r.Unit)
	}
	if len(r.Tiers) == 0 {
		return fmt.Errorf("%s: no tiers; give at least one {\"price\": ...}", name)
	}
	prev := 0.0
	for i, t := range r.Tiers {
		if t.Price < 0 {
			return fmt.Errorf("%s: tier %d: negative price %g", name, i+1, t.Price)
		}
		last := i == len(r.Tiers)-1
		switch {
		case last && t.UpTo != 0:
			return fmt.Errorf("%s: the last tier must have no upTo (it prices everything above the tier before)", name)
		case !last && t.UpTo <= prev:
			return fmt.Errorf("%s: tier %d: upTo %g must be above the previous tier's %g", name, i+1, t.UpTo, prev)
		}
		prev = t.UpTo
	}
	return nil
}

// Source says where a price block comes from and when it was read.
type Source struct {
	Source  string   `json:"source"`
	ReadVia []string `json:"readVia,omitempty"`
	AsOf    string   `json:"asOf"`
	Rule    string   `json:"rule"`
}

// Prices are the list prices firstclass's cost rules use, one block per service.
type Prices struct {
	Region   string   `json:"region"`
	Currency string   `json:"currency"`
	ReadOn   string   `json:"readOn"`
	Notes    []string `json:"notes,omitempty"`

	HTTPAPI struct {
		Source
		MeterIncrementBytes int64 `json:"meterIncrementBytes"`
		MaxPayloadBytes     int64 `json:"maxPayloadBytes"`
		Requests            Rate  `json:"requests"`
	} `json:"httpApi"`
	RESTAPI struct {
		Source
		MaxPayloadBytes int64 `json:"maxPayloadBytes"`
		Requests        Rate  `json:"requests"`
	} `json:"restApi"`
	SQS struct {
		Source
		ChunkBytes      int64 `json:"chunkBytes"`
		MaxMessageBytes int64 `json:"maxMessageBytes"`
		Requests        Rate  `json:"requests"`
	} `json:"sqs"`
	EventBridge struct {
		Source
		ChunkBytes    int64 `json:"chunkBytes"`
		MaxEventBytes int64 `json:"maxEventBytes"`
		Events        Rate  `json:"events"`
		Archive       Rate  `json:"archive"`
	} `json:"eventBridge"`
	StepFunctions struct {
		Source
		MaxInputBytes              int64 `json:"maxInputBytes"`
		StandardTransitions        Rate  `json:"standardTransitions"`
		ExpressRequests            Rate  `json:"expressRequests"`
		ExpressDuration            Rate  `json:"expressDuration"`
		ExpressDurationIncrementMs int64 `json:"expressDurationIncrementMs"`
		ExpressMemoryIncrementMB   int64 `json:"expressMemoryIncrementMB"`
	} `json:"stepFunctions"`
	Cognito struct {
		Source
		M2MTokenRequests Rate `json:"m2mTokenRequests"`
		M2MAppClients    Rate `json:"m2mAppClients"`
	} `json:"cognito"`
	Lambda struct {
		Source
		MaxSyncPayloadBytes int64 `json:"maxSyncPayloadBytes"`
		Requests            Rate  `json:"requests"`
		Arm64Duration       Rate  `json:"arm64Duration"`
		DurationIncrementMs int64 `json:"durationIncrementMs"`
	} `json:"lambda"`
	CloudWatchLogs struct {
		Source
		Ingestion Rate `json:"ingestion"`
	} `json:"cloudWatchLogs"`
	Kinesis struct {
		Source
		MaxRecordBytes int64 `json:"maxRecordBytes"`
		// On-demand: each stream by the hour, data in by the GB with every record rounded up
		// to IngestIncrementBytes.
		OnDemandStreamHours  Rate  `json:"onDemandStreamHours"`
		OnDemandIngest       Rate  `json:"onDemandIngest"`
		IngestIncrementBytes int64 `json:"ingestIncrementBytes"`
		// Provisioned: each shard by the hour, and PUT payload units of PayloadUnitBytes.
		ShardHours       Rate  `json:"shardHours"`
		PutPayloadUnits  Rate  `json:"putPayloadUnits"`
		PayloadUnitBytes int64 `json:"payloadUnitBytes"`
	} `json:"kinesis"`
	AppConfig struct {
		Source
		ConfigurationRequests  Rate `json:"configurationRequests"`
		ConfigurationsReceived Rate `json:"configurationsReceived"`
	} `json:"appConfig"`
	// S3 prices the results of bench --from lambda; a price file without it prices those
	// runs without their S3 requests.
	S3 struct {
		Source
		PutRequests Rate `json:"putRequests"`
		GetRequests Rate `json:"getRequests"`
	} `json:"s3"`
}

// Default returns the embedded prices.
func Default() Prices {
	p, err := Load(bytes.NewReader(defaultPrices))
	if err != nil {
		panic("cost: embedded prices.json: " + err.Error())
	}
	return p
}

// LoadFile reads a price file (the shape of the embedded prices.json).
func LoadFile(path string) (Prices, error) {
	f, err := os.Open(path)
	if err != nil {
		return Prices{}, fmt.Errorf("prices: %w", err)
	}
	defer f.Close()
	p, err := Load(f)
	if err != nil {
		return Prices{}, fmt.Errorf("prices %s: %w", path, err)
	}
	return p, nil
}

// Load decodes and checks a price file. Unknown keys are errors, so a misspelt price is not
// silently left at zero.
func Load(r io.Reader) (Prices, error) {
	var p Prices
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Prices{}, fmt.Errorf("%w (start from `firstclass cost --print-prices`)", err)
	}
	return p, p.check()
}

func (p Prices) check() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	positive := func(name string, v int64) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be > 0", name))
		}
	}
	sourced := func(name string, s Source) {
		if s.Source == "" || s.AsOf == "" {
			errs = append(errs, fmt.Errorf("%s: give the source URL and the asOf date of its prices", name))
		}
	}
	sourced("httpApi", p.HTTPAPI.Source)
	positive("httpApi.meterIncrementBytes", p.HTTPAPI.MeterIncrementBytes)
	positive("httpApi.maxPayloadBytes", p.HTTPAPI.MaxPayloadBytes)
	add(p.HTTPAPI.Requests.check("httpApi.requests"))
	sourced("restApi", p.RESTAPI.Source)
	positive("restApi.maxPayloadBytes", p.RESTAPI.MaxPayloadBytes)
	add(p.RESTAPI.Requests.check("restApi.requests"))
	sourced("sqs", p.SQS.Source)
	positive("sqs.chunkBytes", p.SQS.ChunkBytes)
	positive("sqs.maxMessageBytes", p.SQS.MaxMessageBytes)
	add(p.SQS.Requests.check("sqs.requests"))
	sourced("eventBridge", p.EventBridge.Source)
	positive("eventBridge.chunkBytes", p.EventBridge.ChunkBytes)
	positive("eventBridge.maxEventBytes", p.EventBridge.MaxEventBytes)
	add(p.EventBridge.Events.check("eventBridge.events"))
	add(p.EventBridge.Archive.check("eventBridge.archive"))
	sourced("stepFunctions", p.StepFunctions.Source)
	positive("stepFunctions.maxInputBytes", p.StepFunctions.MaxInputBytes)
	positive("stepFunctions.expressDurationIncrementMs", p.StepFunctions.ExpressDurationIncrementMs)
	positive("stepFunctions.expressMemoryIncrementMB", p.StepFunctions.ExpressMemoryIncrementMB)
	add(p.StepFunctions.StandardTransitions.check("stepFunctions.standardTransitions"))
	add(p.StepFunctions.ExpressRequests.check("stepFunctions.expressRequests"))
	add(p.StepFunctions.ExpressDuration.check("stepFunctions.expressDuration"))
	sourced("lambda", p.Lambda.Source)
	positive("lambda.maxSyncPayloadBytes", p.Lambda.MaxSyncPayloadBytes)
	positive("lambda.durationIncrementMs", p.Lambda.DurationIncrementMs)
	add(p.Lambda.Requests.check("lambda.requests"))
	add(p.Lambda.Arm64Duration.check("lambda.arm64Duration"))
	sourced("cloudWatchLogs", p.CloudWatchLogs.Source)
	add(p.CloudWatchLogs.Ingestion.check("cloudWatchLogs.ingestion"))
	if p.S3.Source.Source != "" {
		sourced("s3", p.S3.Source)
		add(p.S3.PutRequests.check("s3.putRequests"))
		add(p.S3.GetRequests.check("s3.getRequests"))
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// Sources lists every price block's name, source and date, for reports.
func (p Prices) Sources() []NamedSource {
	return []NamedSource{
		{"API Gateway HTTP API", p.HTTPAPI.Source},
		{"API Gateway REST API", p.RESTAPI.Source},
		{"SQS", p.SQS.Source},
		{"EventBridge", p.EventBridge.Source},
		{"Step Functions", p.StepFunctions.Source},
		{"Lambda", p.Lambda.Source},
		{"Cognito", p.Cognito.Source},
		{"CloudWatch Logs", p.CloudWatchLogs.Source},
		{"S3", p.S3.Source},
	}
}

// NamedSource is a service's name and where its prices come from.
type NamedSource struct {
	Service string
	Source
}
