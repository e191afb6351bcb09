package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"firstclass/internal/contract"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func TestConfigCheckSaysWhatToFix(t *testing.T) {
	out := contract.Outputs{contract.APIURLOutput(contract.HTTP, "dev"): "http://127.0.0.1:1/dev/"}
	good := Config{Outputs: out, Rate: 10, Duration: time.Second, Routes: routes.Routes}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no model", func(c *Config) { c.Rate = 0 }, "give a rate (open model"},
		{"both models", func(c *Config) { c.Workers = 2 }, "rate and workers both set"},
		{"no duration", func(c *Config) { c.Duration = 0 }, "give how long to measure, e.g. 30s"},
		{"negative warm-up", func(c *Config) { c.Warmup = -time.Second }, "warm-up -1s: give 0 or more"},
		{"empty payload", func(c *Config) { c.Payload = []byte("  ") }, "the payload is empty; give a JSON object"},
		{"bad run id", func(c *Config) { c.RunID = "Run-1" }, "use 1 to 16 lower-case letters and digits"},
		{"no outputs", func(c *Config) { c.Outputs = nil }, "no outputs: read them with routes.ReadOutputs"},
		{"unknown kind", func(c *Config) { c.Kinds = []contract.Kind{"grpc"} }, `API kind "grpc": use "http" or "rest"`},
		{"a route twice", func(c *Config) { c.Routes = []spec.Route{routes.GreetingRoute, routes.GreetingRoute} }, "route Greeting is selected twice"},
		{"too many requests", func(c *Config) { c.Rate = 1e6; c.Duration = time.Hour }, "a billion requests or more"},
	}
	if err := good.Check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.mutate(&c)
			if err := c.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// Run stops before sending anything when the outputs lack what the run needs.
func TestRunNamesTheMissingOutput(t *testing.T) {
	out := contract.Outputs{contract.APIURLOutput(contract.HTTP, "prod"): "http://127.0.0.1:1/prod/"}
	_, err := Run(context.Background(), Config{Outputs: out, Rate: 1, Duration: time.Second, Kinds: []contract.Kind{contract.HTTP}, Routes: routes.Routes})
	if err == nil || !strings.Contains(err.Error(), `stage "dev": the outputs have no HttpApiDevUrl for the http API; its stages are prod`) {
		t.Errorf("wrong stage: %v", err)
	}
	out[contract.APIURLOutput(contract.HTTP, "dev")] = "http://127.0.0.1:1/dev/"
	_, err = Run(context.Background(), Config{Outputs: out, Rate: 1, Duration: time.Second, Kinds: []contract.Kind{contract.HTTP}, Routes: []spec.Route{routes.SendToQueueRoute}})
	if err == nil || !strings.Contains(err.Error(), `route SendToQueue: the delivery check reads QueueUrl (or pass --no-delivery-check): outputs: no "QueueUrl"`) {
		t.Errorf("no queue URL: %v", err)
	}
	_, err = Run(context.Background(), Config{Outputs: out, Rate: 1, Duration: time.Second, Kinds: []contract.Kind{contract.HTTP}, PayloadSize: 10, NoDeliveryCheck: true, Routes: routes.Routes})
	if err == nil || !strings.Contains(err.Error(), "route SendToQueue: payload size 10 is below") {
		t.Errorf("payload too small: %v", err)
	}
}
