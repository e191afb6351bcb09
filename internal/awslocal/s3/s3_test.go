package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"firstclass/internal/awslocal"
	"firstclass/internal/sdkhttp"
)

// The SDK's own client, path-style, against the local endpoint: what the load workers and the
// bench do with it.
func client(t *testing.T, checksums aws.RequestChecksumCalculation) (*sdks3.Client, *awslocal.Server) {
	t.Helper()
	srv, err := awslocal.New(awslocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	c := sdks3.New(sdks3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("x", "x", ""),
		RequestChecksumCalculation: checksums,
		HTTPClient:                 sdkhttp.Client(nil),
	})
	return c, srv
}

func TestObjectsRoundTripThroughTheSDK(t *testing.T) {
	for name, mode := range map[string]aws.RequestChecksumCalculation{
		"with the SDK's default trailing checksum": aws.RequestChecksumCalculationWhenSupported,
		"without checksums":                        aws.RequestChecksumCalculationWhenRequired,
	} {
		t.Run(name, func(t *testing.T) {
			c, srv := client(t, mode)
			ctx := context.Background()
			if err := srv.CreateBucket("results"); err != nil {
				t.Fatal(err)
			}
			body := bytes.Repeat([]byte(`{"worker":1}`), 20000)
			if _, err := c.PutObject(ctx, &sdks3.PutObjectInput{Bucket: aws.String("results"), Key: aws.String("runs/r1/0.json"),
				Body: bytes.NewReader(body), ContentType: aws.String("application/json")}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			out, err := c.GetObject(ctx, &sdks3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String("runs/r1/0.json")})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, _ := io.ReadAll(out.Body)
			if !bytes.Equal(got, body) || aws.ToString(out.ContentType) != "application/json" {
				t.Errorf("GetObject = %d bytes (%s), want the %d put", len(got), aws.ToString(out.ContentType), len(body))
			}
		})
	}
}

func TestMissingKeysAndBucketsAnswerAsS3Does(t *testing.T) {
	c, srv := client(t, aws.RequestChecksumCalculationWhenRequired)
	ctx := context.Background()
	srv.CreateBucket("results")
	_, err := c.GetObject(ctx, &sdks3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String("nope")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject of a missing key = %v, want NoSuchKey", err)
	}
	_, err = c.PutObject(ctx, &sdks3.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("PutObject to a missing bucket = %v, want NoSuchBucket", err)
	}
	if err := srv.CreateBucket("results"); err == nil || !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		t.Errorf("CreateBucket twice = %v", err)
	}
	if err := srv.CreateBucket("Bad_Name"); err == nil || !strings.Contains(err.Error(), "InvalidBucketName") {
		t.Errorf("CreateBucket(Bad_Name) = %v", err)
	}
	_, err = c.ListObjectsV2(ctx, &sdks3.ListObjectsV2Input{Bucket: aws.String("results")})
	if err == nil || !strings.Contains(err.Error(), "NotImplemented") {
		t.Errorf("ListObjectsV2 = %v, want NotImplemented", err)
	}
}
