package lambdalocal_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"firstclass/internal/lambdalocal"
)

// A function is built from its Go package, then invoked like the Lambda Invoke API: a
// function error is a Result, not an error.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "greeting-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	bin, err := lambdalocal.Build(ctx, "../..", "./lambda/greeting", dir) // the module root, from this package
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := lambdalocal.NewFunction(lambdalocal.FunctionConfig{
		Name: "greeting", Binary: bin, Timeout: 3 * time.Second, MemoryMB: 128, MaxConcurrency: 4,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	for _, event := range []string{`{"greeter":"Ann"}`, `{}`} {
		res, err := f.Invoke(ctx, []byte(event))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("cold=%v error=%q %s\n", res.ColdStart, res.FunctionError, res.Payload)
	}
	// Output:
	// cold=true error="" {"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, Ann!"}
	// cold=false error="Unhandled" {"errorMessage":"Missing the required greeter parameter.","errorType":"errorString"}
}

// A Node.js function of a CDK app runs from its asset directory with the machine's node.
// CheckRuntime, called for every function before anything starts, says which functions cannot
// run here and why (no node, one too old for the runtime, a Java runtime, an arm64 bootstrap on
// an amd64 machine…). Not run: it needs node, and an asset.
func ExampleCheckRuntime() {
	cfg := lambdalocal.FunctionConfig{
		Name: "orders", Runtime: "nodejs20.x", CodeDir: "cdk.out/asset.3f1c0a", Handler: "index.handler",
		Env: map[string]string{"TABLE": "orders"}, Timeout: 10 * time.Second, MemoryMB: 256,
	}
	if err := lambdalocal.CheckRuntime(cfg); err != nil {
		fmt.Println(err) // lambda function orders: runtime nodejs20.x needs Node.js 20 or newer, but …
		return
	}
	f, err := lambdalocal.NewFunction(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	res, err := f.Invoke(context.Background(), []byte(`{"id":"42"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("error=%q %s\n", res.FunctionError, res.Payload)
}
