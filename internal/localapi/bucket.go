package localapi

import (
	"strings"

	"firstclass/internal/cfn"
)

// bucketProps are AWS::S3::Bucket's properties. Encryption, public access blocks, ownership
// controls, lifecycle rules and versioning change nothing a local client sees within one run
// (objects are kept in memory for the runner's life), so they are read past.
type bucketProps struct {
	BucketName                     string  `json:"BucketName"`
	BucketEncryption               ignored `json:"BucketEncryption"`
	PublicAccessBlockConfiguration ignored `json:"PublicAccessBlockConfiguration"`
	OwnershipControls              ignored `json:"OwnershipControls"`
	LifecycleConfiguration         ignored `json:"LifecycleConfiguration"`
	VersioningConfiguration        ignored `json:"VersioningConfiguration"`
	Tags                           ignored `json:"Tags"`
}

// bucketIdentity: a bucket without a literal name gets the lower-case name CloudFormation
// would make (stack-logicalid-…, at most 63 characters).
func bucketIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := literal(res, "BucketName")
	if name == "" {
		name = strings.ToLower(physicalName(r.stack, res.LogicalID, 63))
	}
	return &identity{ref: name, attrs: map[string]string{
		"Arn":                "arn:aws:s3:::" + name,
		"DomainName":         name + ".s3.amazonaws.com",
		"RegionalDomainName": name + ".s3." + r.aws.Region() + ".amazonaws.com",
	}}, nil
}

func (r *Runner) createBucket(res *cfn.Resource) error {
	var p bucketProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	err := r.aws.CreateBucket(r.vals[res.LogicalID].ref)
	if isCode(err, "BucketAlreadyOwnedByYou") {
		return nil // another stack of the app served by the same runner
	}
	return err
}
