package bench

import (
	"context"
	"fmt"

	"firstclass/internal/contract"
	"firstclass/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// localRegion is the region of the local runner when its outputs do not say.
const localRegion = "us-east-1"

// AWSConfig is the SDK configuration the bench reads the stack's targets with: the same code
// for a deployed stack and for the local runner. With outputs from `firstclass local`
// (AwsEndpoint set) every client goes to that endpoint with placeholder credentials, which the
// local services do not check, and nothing reaches AWS; otherwise the default chain
// (environment, shared config, SSO, instance role) applies. The region is the outputs' Region
// when they have one.
func AWSConfig(ctx context.Context, out contract.Outputs) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	region := out[contract.RegionOutput]
	if ep := out[contract.AWSEndpointOutput]; ep != "" {
		if region == "" {
			region = localRegion
		}
		opts = append(opts,
			config.WithBaseEndpoint(ep),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("firstclass-local", "firstclass-local", "")),
		)
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS SDK configuration: %w", err)
	}
	// The SDK's client can lose an answer the server sent whole when it closes the request
	// body early (sdkhttp); a lost ReceiveMessage answer hides the messages it carried.
	cfg.HTTPClient = sdkhttp.Client(cfg.HTTPClient)
	return cfg, nil
}
