// Command firstclass is the CDK app: cdk.json runs it (`go run .`) to synthesize the stack.
// It only composes: context → config → stack. The constructs are in api/, the routes in
// routes/.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"firstclass/api"
	"firstclass/routes"
)

func main() {
	err := synth()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "firstclass:", err)
		os.Exit(1)
	}
}

func synth() (err error) {
	app := awscdk.NewApp(nil)
	cfg, err := api.ParseConfig(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return err
	}
	dir, err := api.ModuleDir(".")
	if err != nil {
		return err
	}
	defer api.Recover(&err)
	api.NewStack(app, &api.StackProps{Config: cfg, Routes: routes.Routes, ModuleDir: dir})
	app.Synth(nil)
	return nil
}
