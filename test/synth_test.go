package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"firstclass/api"
	"firstclass/internal/cfn"
	"firstclass/routes"
)

// synthesized is the app, synthesized once per test binary: a jsii synth costs seconds.
type synthesized struct {
	nag      *nagLog
	stack    *api.Stack
	template assertions.Template
	json     map[string]any // the template as plain data
	// load is the load workers' stack, synthesized in the same app.
	load         *api.LoadStack
	loadTemplate assertions.Template
	loadJSON     map[string]any
	config       api.Config
	err          error
}

var (
	synthMu sync.Mutex
	synths  = map[string]*synthesized{} // by the context overrides, as JSON
)

// cdkContext reads cdk.json's context, as the CDK CLI hands it to the app: over the CLI's
// defaults, which put construct paths in the metadata.
func cdkContext(t testing.TB) map[string]any {
	b, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Context map[string]any }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	ctx := cfn.CLIDefaultContext()
	for k, v := range f.Context {
		ctx[k] = v
	}
	return ctx
}

// app synthesizes the project's app with cdk-nag's AwsSolutions pack applied, with
// cdk.json's context.
func app(t testing.TB) *synthesized { t.Helper(); return appWith(t, nil) }

// appWith synthesizes the app with context overriding cdk.json's, once per test binary for
// each set of overrides.
func appWith(t testing.TB, overrides map[string]any) *synthesized {
	t.Helper()
	key, _ := json.Marshal(overrides)
	synthMu.Lock()
	defer synthMu.Unlock()
	s, ok := synths[string(key)]
	if !ok {
		s = synthesize(t, overrides)
		synths[string(key)] = s
	}
	if s.err != nil {
		t.Fatalf("synth %s: %v", key, s.err)
	}
	return s
}

func synthesize(t testing.TB, overrides map[string]any) *synthesized {
	shared := &synthesized{}
	func() {
		ctx := cdkContext(t)
		for k, v := range overrides {
			ctx[k] = v
		}
		a := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
		shared.config, shared.err = api.ParseConfig(func(k string) any { return ctx[k] })
		if shared.err != nil {
			return
		}
		dir, err := api.ModuleDir(".")
		if err != nil {
			shared.err = err
			return
		}
		func() {
			defer api.Recover(&shared.err)
			shared.stack = api.NewStack(a, &api.StackProps{Config: shared.config, Routes: routes.Routes, ModuleDir: dir})
			shared.load = api.NewLoadStack(a, &api.LoadStackProps{Config: shared.config, ModuleDir: dir})
		}()
		if shared.err != nil {
			return
		}
		shared.nag = &nagLog{}
		awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
			AdditionalLoggers: &[]cdknag.INagLogger{shared.nag},
		}), nil)
		func() {
			// An unsuppressed nag error fails the synth; the nag log says which.
			defer func() {
				if r := recover(); r != nil {
					shared.err = fmt.Errorf("%v\n%s", r, shared.nag.report())
				}
			}()
			shared.template = assertions.Template_FromStack(shared.stack.Stack, nil)
			shared.loadTemplate = assertions.Template_FromStack(shared.load.Stack, nil)
		}()
		if shared.err != nil {
			return
		}
		raw, _ := json.Marshal(shared.template.ToJSON())
		if shared.err = json.Unmarshal(raw, &shared.json); shared.err != nil {
			return
		}
		raw, _ = json.Marshal(shared.loadTemplate.ToJSON())
		shared.err = json.Unmarshal(raw, &shared.loadJSON)
	}()
	return shared
}
