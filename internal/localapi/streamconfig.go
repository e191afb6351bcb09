package localapi

import (
	"fmt"
	"strconv"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
)

// Kinesis streams and AppConfig's hosted configurations, created in the local AWS from their
// typed properties, and the KMS keys that encrypt them on AWS.

func init() {
	for typ, p := range map[string]*provider{
		"AWS::Kinesis::Stream":                       {identity: streamIdentity, create: (*Runner).createStream, phase: phaseStreams},
		"AWS::AppConfig::Application":                {identity: appConfigIdentity("ApplicationId"), create: (*Runner).createApplication, phase: phaseConfigApps},
		"AWS::AppConfig::DeploymentStrategy":         {identity: appConfigIdentity("Id"), create: (*Runner).createStrategy, phase: phaseConfigApps},
		"AWS::AppConfig::Environment":                {identity: appConfigIdentity("EnvironmentId"), create: (*Runner).createEnvironment, phase: phaseConfigParts},
		"AWS::AppConfig::ConfigurationProfile":       {identity: appConfigIdentity("ConfigurationProfileId"), create: (*Runner).createProfile, phase: phaseConfigParts},
		"AWS::AppConfig::HostedConfigurationVersion": {identity: hostedVersionIdentity, create: (*Runner).createHostedVersion, phase: phaseConfigVersions},
		"AWS::AppConfig::Deployment":                 {identity: appConfigIdentity("DeploymentNumber"), create: (*Runner).createDeployment, phase: phaseConfigDeploys},
		"AWS::KMS::Key":                              {identity: keyIdentity, skipped: "the local services keep data unencrypted: a key has no local behaviour"},
	} {
		providers[typ] = p
	}
}

// streamProps are AWS::Kinesis::Stream's properties.
type streamProps struct {
	Name                 string `json:"Name"`
	ShardCount           scalar `json:"ShardCount"`
	RetentionPeriodHours scalar `json:"RetentionPeriodHours"`
	StreamModeDetails    *struct {
		StreamMode string `json:"StreamMode"`
	} `json:"StreamModeDetails"`
	StreamEncryption *struct {
		EncryptionType string `json:"EncryptionType"`
		KeyId          string `json:"KeyId"`
	} `json:"StreamEncryption"`
	Tags                     ignored `json:"Tags"`
	DesiredShardLevelMetrics ignored `json:"DesiredShardLevelMetrics"`
}

func streamIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	name := r.nameOr(res, "Name", 128)
	return &identity{ref: name, attrs: map[string]string{"Arn": r.aws.StreamARN(name)}}, nil
}

func (r *Runner) createStream(res *cfn.Resource) error {
	var p streamProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	in := awslocal.CreateStreamInput{StreamName: r.vals[res.LogicalID].ref}
	if n, ok := p.ShardCount.number(); ok {
		c := int(n)
		in.ShardCount = &c
	}
	if p.StreamModeDetails != nil {
		in.StreamModeDetails = &awslocal.StreamModeDetails{StreamMode: p.StreamModeDetails.StreamMode}
	} else if in.ShardCount == nil {
		// CloudFormation's default is one provisioned shard, not CreateStream's on-demand.
		one := 1
		in.ShardCount, in.StreamModeDetails = &one, &awslocal.StreamModeDetails{StreamMode: "PROVISIONED"}
	}
	if h, ok := p.RetentionPeriodHours.number(); ok {
		in.RetentionPeriodHours = int(h)
	}
	if e := p.StreamEncryption; e != nil {
		in.EncryptionType, in.KeyID = e.EncryptionType, e.KeyId
	}
	_, err := r.aws.CreateStream(in)
	if isCode(err, "ResourceInUseException") {
		return nil // from the last run (--state-dir), with its records
	}
	return err
}

// appConfigID is a stable AppConfig-shaped ID (7 lower-case letters and digits) for a
// logical ID, so the IDs a template's Refs resolve to do not change between runs.
func appConfigID(r *Runner, res *cfn.Resource) string { return localID(r.stack, res.LogicalID)[:7] }

// appConfigIdentity is the identity of an AppConfig resource whose Ref is its ID, also
// its attribute attr.
func appConfigIdentity(attr string) func(r *Runner, res *cfn.Resource) (*identity, error) {
	return func(r *Runner, res *cfn.Resource) (*identity, error) {
		id := appConfigID(r, res)
		return &identity{ref: id, attrs: map[string]string{attr: id}}, nil
	}
}

type appProps struct {
	Name        string  `json:"Name"`
	Description string  `json:"Description"`
	Tags        ignored `json:"Tags"`
}

// exists: an AppConfig resource from the last run (--state-dir) stays as it is.
func exists(err error) error {
	if isCode(err, "ConflictException") {
		return nil
	}
	return err
}

func (r *Runner) createApplication(res *cfn.Resource) error {
	var p appProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	_, err := r.aws.AppConfig().CreateApplication(awslocal.AppConfigApplication{ID: r.vals[res.LogicalID].ref, Name: p.Name, Description: p.Description})
	return exists(err)
}

type environmentProps struct {
	ApplicationId           string  `json:"ApplicationId"`
	Name                    string  `json:"Name"`
	Description             string  `json:"Description"`
	Monitors                ignored `json:"Monitors"`
	DeletionProtectionCheck ignored `json:"DeletionProtectionCheck"`
	Tags                    ignored `json:"Tags"`
}

func (r *Runner) createEnvironment(res *cfn.Resource) error {
	var p environmentProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	_, err := r.aws.AppConfig().CreateEnvironment(awslocal.AppConfigEnvironment{ApplicationID: p.ApplicationId, ID: r.vals[res.LogicalID].ref, Name: p.Name, Description: p.Description})
	return exists(err)
}

type profileProps struct {
	ApplicationId           string  `json:"ApplicationId"`
	Name                    string  `json:"Name"`
	Description             string  `json:"Description"`
	LocationUri             string  `json:"LocationUri"`
	Type                    string  `json:"Type"`
	Validators              ignored `json:"Validators"`
	RetrievalRoleArn        ignored `json:"RetrievalRoleArn"`
	KmsKeyIdentifier        ignored `json:"KmsKeyIdentifier"`
	DeletionProtectionCheck ignored `json:"DeletionProtectionCheck"`
	Tags                    ignored `json:"Tags"`
}

func (r *Runner) createProfile(res *cfn.Resource) error {
	var p profileProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	if p.LocationUri != "hosted" {
		return cannot("use a hosted configuration (LocationUri \"hosted\")", "configuration profile location %s is not emulated: the local AppConfig hosts configurations only", p.LocationUri)
	}
	_, err := r.aws.AppConfig().CreateProfile(awslocal.AppConfigProfile{ApplicationID: p.ApplicationId, ID: r.vals[res.LogicalID].ref,
		Name: p.Name, Description: p.Description, LocationURI: p.LocationUri, Type: p.Type})
	return exists(err)
}

type hostedVersionProps struct {
	ApplicationId          string  `json:"ApplicationId"`
	ConfigurationProfileId string  `json:"ConfigurationProfileId"`
	Content                string  `json:"Content"`
	ContentType            string  `json:"ContentType"`
	Description            string  `json:"Description"`
	VersionLabel           string  `json:"VersionLabel"`
	LatestVersionNumber    ignored `json:"LatestVersionNumber"`
}

// createHostedVersion stores the content as the profile's next version, unless its latest
// version (from the last run, --state-dir) is this content already; the resource's Ref, the
// version number the deployment names, is the number it got.
func (r *Runner) createHostedVersion(res *cfn.Resource) error {
	var p hostedVersionProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	svc := r.aws.AppConfig()
	if cur, err := svc.LatestHostedVersion(p.ApplicationId, p.ConfigurationProfileId); err == nil && string(cur.Content) == p.Content && cur.ContentType == p.ContentType {
		r.vals[res.LogicalID].ref = strconv.Itoa(cur.VersionNumber)
		return nil
	}
	v, err := svc.CreateHostedVersion(awslocal.AppConfigHostedVersion{ApplicationID: p.ApplicationId, ConfigurationProfileID: p.ConfigurationProfileId,
		Content: []byte(p.Content), ContentType: p.ContentType, Description: p.Description, VersionLabel: p.VersionLabel}, 0)
	if err != nil {
		return err
	}
	r.vals[res.LogicalID].ref = strconv.Itoa(v.VersionNumber)
	r.vals[res.LogicalID].attrs["VersionNumber"] = strconv.Itoa(v.VersionNumber)
	return nil
}

type strategyProps struct {
	Name                        string  `json:"Name"`
	Description                 string  `json:"Description"`
	DeploymentDurationInMinutes scalar  `json:"DeploymentDurationInMinutes"`
	FinalBakeTimeInMinutes      scalar  `json:"FinalBakeTimeInMinutes"`
	GrowthFactor                scalar  `json:"GrowthFactor"`
	GrowthType                  string  `json:"GrowthType"`
	ReplicateTo                 string  `json:"ReplicateTo"`
	Tags                        ignored `json:"Tags"`
}

func (r *Runner) createStrategy(res *cfn.Resource) error {
	var p strategyProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	in := awslocal.AppConfigStrategy{ID: r.vals[res.LogicalID].ref, Name: p.Name, Description: p.Description, GrowthType: p.GrowthType, ReplicateTo: p.ReplicateTo}
	if n, ok := p.DeploymentDurationInMinutes.number(); ok {
		in.DeploymentDurationInMinutes = int(n)
	}
	if n, ok := p.FinalBakeTimeInMinutes.number(); ok {
		in.FinalBakeTimeInMinutes = int(n)
	}
	in.GrowthFactor, _ = p.GrowthFactor.number()
	_, err := r.aws.AppConfig().CreateStrategy(in)
	return err
}

type deploymentProps struct {
	ApplicationId              string  `json:"ApplicationId"`
	EnvironmentId              string  `json:"EnvironmentId"`
	ConfigurationProfileId     string  `json:"ConfigurationProfileId"`
	ConfigurationVersion       scalar  `json:"ConfigurationVersion"`
	DeploymentStrategyId       string  `json:"DeploymentStrategyId"`
	Description                string  `json:"Description"`
	KmsKeyIdentifier           ignored `json:"KmsKeyIdentifier"`
	DynamicExtensionParameters ignored `json:"DynamicExtensionParameters"`
	Tags                       ignored `json:"Tags"`
}

// createDeployment deploys the version at once: the local AppConfig does not roll out over
// a strategy's duration or bake time (reported at start by the strategy's provider note).
func (r *Runner) createDeployment(res *cfn.Resource) error {
	var p deploymentProps
	if err := r.decodeProps(res, &p); err != nil {
		return err
	}
	_, err := r.aws.AppConfig().StartDeployment(awslocal.AppConfigDeployment{ApplicationID: p.ApplicationId, EnvironmentID: p.EnvironmentId,
		ConfigurationProfileID: p.ConfigurationProfileId, ConfigurationVersion: string(p.ConfigurationVersion),
		DeploymentStrategyID: p.DeploymentStrategyId, Description: p.Description})
	return err
}

// keyIdentity names a KMS key locally: a key ID and its ARN, which policies name. The local
// services keep data unencrypted, so the key does nothing else.
func keyIdentity(r *Runner, res *cfn.Resource) (*identity, error) {
	id := localID(r.stack, res.LogicalID)
	keyID := fmt.Sprintf("%s-%s-%s-%s-%s", "0000"+id[:4], id[4:8], "4000", "8000", "0000"+id[:8])
	return &identity{ref: keyID, attrs: map[string]string{"Arn": fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", r.aws.Region(), r.aws.Account(), keyID), "KeyId": keyID}}, nil
}

// hostedVersionIdentity: a version's Ref is its number, known once it is created; until
// then it is the first version's.
func hostedVersionIdentity(*Runner, *cfn.Resource) (*identity, error) {
	return &identity{ref: "1", attrs: map[string]string{"VersionNumber": "1"}}, nil
}
