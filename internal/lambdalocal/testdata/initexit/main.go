// Command initexit is a test fixture: a Lambda function that fails during init, before it
// ever asks for an invocation, as a function whose configuration is missing would.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("INITEXIT_OK") == "" {
		fmt.Fprintln(os.Stderr, "initexit: INITEXIT_OK is not set")
		os.Exit(3)
	}
	lambda.Start(func() (string, error) { return "ok", nil })
}
