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
	config   api.Config
	err      error
}

var (
	once   sync.Once
	shared synthesized
	// customerKey is the app synthesized with firstclass:kmsKey=customer.
	customerKeyOnce sync.Once
	customerKey     synthesized
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

// app synthesizes the project's app with cdk-nag's AwsSolutions pack applied.
func app(t testing.TB) *synthesized {
	t.Helper()
	once.Do(func() { shared = synth(t, nil) })
	if shared.err != nil {
		t.Fatalf("synth: %v", shared.err)
	}
	return &shared
}

// appWithCustomerKey synthesizes the app with firstclass:kmsKey=customer, nag applied.
func appWithCustomerKey(t testing.TB) *synthesized {
	t.Helper()
	customerKeyOnce.Do(func() { customerKey = synth(t, map[string]any{api.ContextKMSKey: api.KMSCustomer}) })
	if customerKey.err != nil {
		t.Fatalf("synth with a customer-managed key: %v", customerKey.err)
	}
	return &customerKey
}

// synth synthesizes the app with cdk.json's context and overrides over it.
func synth(t testing.TB, overrides map[string]any) (out synthesized) {
	ctx := cdkContext(t)
	for k, v := range overrides {
		ctx[k] = v
	}
	a := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
	out.config, out.err = api.ParseConfig(func(k string) any { return ctx[k] })
	if out.err != nil {
		return out
	}
	dir, err := api.ModuleDir(".")
	if err != nil {
		out.err = err
		return out
	}
	func() {
		defer api.Recover(&out.err)
		out.stack = api.NewStack(a, &api.StackProps{Config: out.config, Routes: routes.Routes, ModuleDir: dir})
	}()
	if out.err != nil {
		return out
	}
	out.nag = &nagLog{}
	awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		AdditionalLoggers: &[]cdknag.INagLogger{out.nag},
	}), nil)
	func() {
		// An unsuppressed nag error fails the synth; the nag log says which.
		defer func() {
			if r := recover(); r != nil {
				out.err = fmt.Errorf("%v\n%s", r, out.nag.report())
			}
		}()
		out.template = assertions.Template_FromStack(out.stack.Stack, nil)
	}()
	if out.err != nil {
		return out
	}
	raw, _ := json.Marshal(out.template.ToJSON())
	out.err = json.Unmarshal(raw, &out.json)
	return out
}
