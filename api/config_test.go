package api

import (
	"strings"
	"testing"
)

func lookup(m map[string]any) func(string) any { return func(k string) any { return m[k] } }

func TestParseConfigDefaults(t *testing.T) {
	c, err := ParseConfig(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.StackName != "Firstclass" || c.LogRetentionDays != 30 || !c.RemoveOnDelete || c.AuthMode != "none" {
		t.Errorf("defaults = %+v", c)
	}
	if len(c.Stages) != 2 || c.Stages[0].Name != "dev" || c.Stages[1].Name != "prod" {
		t.Errorf("default stages = %+v", c.Stages)
	}
}

func TestParseConfigReadsCDKJSONShapesAndCommandLineStrings(t *testing.T) {
	for _, tt := range []struct {
		name string
		ctx  map[string]any
	}{
		{"cdk.json values", map[string]any{
			ContextStages:           map[string]any{"load": map[string]any{"throttleRateLimit": 5000.0, "throttleBurstLimit": 2000.0, "variables": map[string]any{"mode": "bench"}}},
			ContextLogRetentionDays: 7.0, ContextRemovalPolicy: "retain", ContextAuthMode: "iam",
		}},
		{"-c strings", map[string]any{
			ContextStages:           `{"load":{"throttleRateLimit":5000,"throttleBurstLimit":2000,"variables":{"mode":"bench"}}}`,
			ContextLogRetentionDays: "7", ContextRemovalPolicy: "retain", ContextAuthMode: "iam",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig(lookup(tt.ctx))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Stages) != 1 || c.Stages[0].Name != "load" || c.Stages[0].ThrottleRateLimit != 5000 || c.Stages[0].ThrottleBurstLimit != 2000 || c.Stages[0].Variables["mode"] != "bench" {
				t.Errorf("stages = %+v", c.Stages)
			}
			if c.LogRetentionDays != 7 || c.RemoveOnDelete || c.AuthMode != "iam" {
				t.Errorf("config = %+v", c)
			}
		})
	}
}

func TestParseConfigNamesEveryMistake(t *testing.T) {
	_, err := ParseConfig(lookup(map[string]any{
		ContextLogRetentionDays: 10.0,
		ContextRemovalPolicy:    "delete",
		ContextAuthMode:         "cognito",
		ContextStackName:        "1stack",
		ContextStages: map[string]any{
			"Dev":  map[string]any{"throttleRateLimit": 0.0, "throttleBurstLimit": 1.5},
			"prod": map[string]any{"throttleRateLimit": 10.0, "throttleBurstLimit": 5.0, "variables": map[string]any{"bad key": "x"}},
		},
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		`"firstclass:logRetentionDays": 10 is not a retention CloudWatch Logs accepts; use one of [1 3 5 7 14 30`,
		`"firstclass:removalPolicy": delete is not a removal policy`,
		`"firstclass:authMode": cognito is not an auth mode`,
		`"firstclass:stackName": 1stack is not a CloudFormation stack name`,
		`stage "Dev": a name is lower-case letters and digits`,
		`stage "Dev": throttleRateLimit must be above 0`,
		`stage "Dev": throttleBurstLimit must be a whole number`,
		`stage "prod": stage variable "bad key"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestParseConfigRejectsUnknownStageSettings(t *testing.T) {
	_, err := ParseConfig(lookup(map[string]any{ContextStages: map[string]any{"dev": map[string]any{"rateLimit": 10.0}}}))
	if err == nil || !strings.Contains(err.Error(), `unknown field "rateLimit"`) {
		t.Errorf("error = %v, want it to name the unknown field", err)
	}
}

func TestStageVariableNamesAreThoseEveryStageDefines(t *testing.T) {
	c := Config{Stages: []StageConfig{
		{Name: "dev", Variables: map[string]string{"mode": "a", "devOnly": "b"}},
		{Name: "prod", Variables: map[string]string{"mode": "c"}},
	}}
	if got := c.StageVariableNames(); len(got) != 1 || got[0] != "mode" {
		t.Errorf("StageVariableNames = %v, want [mode]", got)
	}
}

func TestParseConfigReadsAuthModesPerRoute(t *testing.T) {
	cases := []struct {
		name    string
		value   any
		mode    string
		routes  map[string]string
		wantErr string
	}{
		{"one mode", "jwt", "jwt", nil, ""},
		{"an object", map[string]any{"*": "lambda", "Greeting": "lambda-token"}, "lambda", map[string]string{"Greeting": "lambda-token"}, ""},
		{"its JSON text from -c", `{"*":"iam","Greeting":"none"}`, "iam", map[string]string{"Greeting": "none"}, ""},
		{"no default in the object", map[string]any{"Greeting": "jwt"}, "none", map[string]string{"Greeting": "jwt"}, ""},
		{"a bad mode for a route", map[string]any{"Greeting": "cognito"}, "", nil, `route "Greeting": cognito is not an auth mode`},
		{"bad JSON", `{"*":`, "", nil, "not a JSON object of modes by route"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseConfig(lookup(map[string]any{ContextAuthMode: c.value, ContextAPIKeys: "true"}))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.AuthMode != c.mode || len(cfg.RouteAuth) != len(c.routes) || !cfg.APIKeys {
				t.Fatalf("got %q %v apiKeys=%v", cfg.AuthMode, cfg.RouteAuth, cfg.APIKeys)
			}
			for r, m := range c.routes {
				if cfg.RouteAuthMode(r) != m {
					t.Errorf("route %s: %q, want %q", r, cfg.RouteAuthMode(r), m)
				}
			}
			if cfg.RouteAuthMode("Other") != c.mode {
				t.Errorf("another route: %q", cfg.RouteAuthMode("Other"))
			}
		})
	}
}
