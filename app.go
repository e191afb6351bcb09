// Command firstclass is the CDK app: cdk.json runs it (`go run .`) to synthesize the stacks:
// the APIs and their targets (Firstclass), and the load workers (FirstclassLoad). It only
// composes: context → config → stacks. The constructs are in api/, the routes in
// routes/.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"firstclass/api"
	"firstclass/internal/spec"
	"firstclass/routes"
)

func main() {
	err := synth(awscdk.NewApp(nil), routes.Routes)
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "firstclass:", err)
		os.Exit(1)
	}
}

// synth builds the stack for table into app and synthesizes it. A route table or context
// mistake comes back as an error naming the construct path.
func synth(app awscdk.App, table spec.Table) (err error) {
	cfg, err := api.ParseConfig(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return err
	}
	dir, err := api.ModuleDir(".")
	if err != nil {
		return err
	}
	defer api.Recover(&err)
	api.NewStack(app, &api.StackProps{Config: cfg, Routes: table, ModuleDir: dir})
	// The load workers' stack, deployed on its own (cdk deploy FirstclassLoad) when a run
	// needs more than one machine: it does not change the API stack.
	api.NewLoadStack(app, &api.LoadStackProps{Config: cfg, ModuleDir: dir})
	app.Synth(nil)
	return nil
}
