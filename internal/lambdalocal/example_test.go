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
