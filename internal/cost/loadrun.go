package cost

// LineItem is one priced item of a single run (not a month).
type LineItem struct {
	Name     string
	Quantity float64
	Unit     string
	Cost     float64
}

// LoadRunCost prices what one `bench --from lambda` run itself uses: the workers' Lambda
// requests and arm64 GB-seconds, the state machine's standard transitions, and the S3
// requests of the results. A run is a small part of a month, so each is priced at its first
// tier.
func (p Prices) LoadRunCost(lambdaRequests, gbSeconds, transitions, s3Puts, s3Gets float64) []LineItem {
	first := func(r Rate, n float64) float64 { return n / r.Per * r.First() }
	out := []LineItem{
		{"Lambda requests (the workers' invocations)", lambdaRequests, "requests", first(p.Lambda.Requests, lambdaRequests)},
		{"Lambda arm64 duration", gbSeconds, "GB-s", first(p.Lambda.Arm64Duration, gbSeconds)},
		{"Step Functions standard state transitions", transitions, "transitions", first(p.StepFunctions.StandardTransitions, transitions)},
	}
	if len(p.S3.PutRequests.Tiers) > 0 && len(p.S3.GetRequests.Tiers) > 0 {
		out = append(out,
			LineItem{"S3 PUT of the workers' results", s3Puts, "requests", first(p.S3.PutRequests, s3Puts)},
			LineItem{"S3 GET of the workers' results", s3Gets, "requests", first(p.S3.GetRequests, s3Gets)})
	}
	return out
}
