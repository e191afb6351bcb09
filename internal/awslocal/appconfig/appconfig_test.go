package appconfig_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"firstclass/internal/awslocal/appconfig"
	"firstclass/internal/awslocal/awstest"
	"firstclass/internal/awslocal/store"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
)

type hosted struct {
	c                   *sdk.Client
	svc                 *appconfig.Service
	url                 string
	app, env, prof, str string
}

// newHosted serves a Service and creates, through the SDK, an application
// with an environment and a hosted profile whose version 1 is deployed.
func newHosted(t *testing.T, content string) *hosted {
	t.Helper()
	svc := appconfig.New(appconfig.Options{})
	hs := httptest.NewServer(http.HandlerFunc(svc.ServeREST))
	t.Cleanup(hs.Close)
	h := &hosted{c: sdk.NewFromConfig(awstest.Config(hs.URL)), svc: svc, url: hs.URL}
	ctx := awstest.Context(t)
	app, err := h.c.CreateApplication(ctx, &sdk.CreateApplicationInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	env, err := h.c.CreateEnvironment(ctx, &sdk.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("prod")})
	if err != nil {
		t.Fatalf("CreateEnvironment: %v", err)
	}
	prof, err := h.c.CreateConfigurationProfile(ctx, &sdk.CreateConfigurationProfileInput{ApplicationId: app.Id, Name: aws.String("settings"), LocationUri: aws.String("hosted")})
	if err != nil {
		t.Fatalf("CreateConfigurationProfile: %v", err)
	}
	str, err := h.c.CreateDeploymentStrategy(ctx, &sdk.CreateDeploymentStrategyInput{Name: aws.String("now"), DeploymentDurationInMinutes: aws.Int32(0), GrowthFactor: aws.Float32(100), FinalBakeTimeInMinutes: 0, ReplicateTo: types.ReplicateToNone})
	if err != nil {
		t.Fatalf("CreateDeploymentStrategy: %v", err)
	}
	h.app, h.env, h.prof, h.str = *app.Id, *env.Id, *prof.Id, *str.Id
	h.deploy(t, content)
	return h
}

// deploy stores content as the next hosted version and deploys it.
func (h *hosted) deploy(t *testing.T, content string) int32 {
	t.Helper()
	ctx := awstest.Context(t)
	v, err := h.c.CreateHostedConfigurationVersion(ctx, &sdk.CreateHostedConfigurationVersionInput{ApplicationId: &h.app, ConfigurationProfileId: &h.prof,
		Content: []byte(content), ContentType: aws.String("application/json")})
	if err != nil {
		t.Fatalf("CreateHostedConfigurationVersion: %v", err)
	}
	d, err := h.c.StartDeployment(ctx, &sdk.StartDeploymentInput{ApplicationId: &h.app, EnvironmentId: &h.env, ConfigurationProfileId: &h.prof,
		ConfigurationVersion: aws.String(strconv.Itoa(int(v.VersionNumber))), DeploymentStrategyId: &h.str})
	if err != nil {
		t.Fatalf("StartDeployment: %v", err)
	}
	if d.State != types.DeploymentStateComplete {
		t.Fatalf("deployment state %s, want COMPLETE", d.State)
	}
	return v.VersionNumber
}

func TestGetConfigurationAnswersEmptyToAClientThatHasTheDeployedVersion(t *testing.T) {
	h := newHosted(t, `{"discount":10}`)
	ctx := awstest.Context(t)
	get := func(app, clientVersion string) (*sdk.GetConfigurationOutput, error) {
		in := &sdk.GetConfigurationInput{Application: &app, Environment: aws.String("prod"), Configuration: aws.String("settings"), ClientId: aws.String("c-1")}
		if clientVersion != "" {
			in.ClientConfigurationVersion = &clientVersion
		}
		return h.c.GetConfiguration(ctx, in)
	}
	first, err := get(h.app, "")
	if err != nil {
		t.Fatalf("GetConfiguration: %v", err)
	}
	if string(first.Content) != `{"discount":10}` || *first.ConfigurationVersion != "1" || *first.ContentType != "application/json" {
		t.Errorf("first call: %q version %s type %s", first.Content, *first.ConfigurationVersion, *first.ContentType)
	}
	byName, err := get("orders", "1")
	if err != nil || len(byName.Content) != 0 || *byName.ConfigurationVersion != "1" {
		t.Errorf("the version the client has, by names: %v %q", err, byName.Content)
	}
	h.deploy(t, `{"discount":20}`)
	newer, err := get(h.app, "1")
	if err != nil || string(newer.Content) != `{"discount":20}` || *newer.ConfigurationVersion != "2" {
		t.Errorf("after version 2 is deployed: %v %q", err, newer.Content)
	}
	if _, err := get("nope", ""); awstest.APICode(err) != "ResourceNotFoundException" {
		t.Errorf("an unknown application: got %v, want ResourceNotFoundException", err)
	}
}

func TestConfigurationSessionsAnswerEmptyUntilANewVersionIsDeployed(t *testing.T) {
	h := newHosted(t, `{"v":1}`)
	post := func(body string) (int, string) {
		resp, err := http.Post(h.url+"/configurationsessions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(`{"ApplicationIdentifier":"orders","EnvironmentIdentifier":"prod","ConfigurationProfileIdentifier":"settings"}`)
	var started struct{ InitialConfigurationToken string }
	if json.Unmarshal([]byte(body), &started); status != 201 || started.InitialConfigurationToken == "" {
		t.Fatalf("StartConfigurationSession: %d %s", status, body)
	}
	poll := func(token string) (int, string, string) {
		resp, err := http.Get(h.url + "/configuration?configuration_token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("Next-Poll-Configuration-Token")
	}
	s1, b1, next := poll(started.InitialConfigurationToken)
	s2, b2, next2 := poll(next)
	h.deploy(t, `{"v":2}`)
	s3, b3, _ := poll(next2)
	for _, tc := range []struct {
		name         string
		status       int
		body, wanted string
	}{{"first poll", s1, b1, `{"v":1}`}, {"nothing new", s2, b2, ""}, {"after a deployment", s3, b3, `{"v":2}`}} {
		if tc.status != 200 || tc.body != tc.wanted {
			t.Errorf("%s: %d %q, want 200 %q", tc.name, tc.status, tc.body, tc.wanted)
		}
	}
	if status, _, _ := poll(started.InitialConfigurationToken); status != 400 {
		t.Errorf("a used token: %d, want 400 BadRequestException", status)
	}
	if status, _ := post(`{"ApplicationIdentifier":"orders","EnvironmentIdentifier":"nope","ConfigurationProfileIdentifier":"settings"}`); status != 404 {
		t.Errorf("a session on an unknown environment: %d, want 404", status)
	}
}

// The AWS CLI speaks AppConfig Data to the local endpoint (the SDK for Go's
// appconfigdata module is not among the modules this project can fetch).
func TestTheAWSCLIReadsAHostedConfigurationThroughAppConfigData(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI (aws) is not installed; install awscli to run this test")
	}
	h := newHosted(t, `{"flag":true}`)
	run := func(args ...string) string {
		cmd := exec.Command(cli, append([]string{"--endpoint-url", h.url, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	var started struct{ InitialConfigurationToken string }
	json.Unmarshal([]byte(run("appconfigdata", "start-configuration-session", "--application-identifier", h.app,
		"--environment-identifier", h.env, "--configuration-profile-identifier", h.prof)), &started)
	file := filepath.Join(t.TempDir(), "config.json")
	run("appconfigdata", "get-latest-configuration", "--configuration-token", started.InitialConfigurationToken, file)
	if got, _ := os.ReadFile(file); string(got) != `{"flag":true}` {
		t.Errorf("the CLI read %q", got)
	}
}

func TestTheControlPlaneSurvivesARestartWithAStore(t *testing.T) {
	dir := t.TempDir()
	open := func() (*appconfig.Service, *store.Store) {
		st := store.New(dir)
		svc := appconfig.New(appconfig.Options{Store: st})
		if err := st.Open(svc.Section()); err != nil {
			t.Fatal(err)
		}
		return svc, st
	}
	svc, st := open()
	app, _ := svc.CreateApplication(appconfig.Application{ID: "app1234", Name: "a"})
	env, _ := svc.CreateEnvironment(appconfig.Environment{ApplicationID: app.ID, Name: "e"})
	prof, _ := svc.CreateProfile(appconfig.Profile{ApplicationID: app.ID, Name: "p", LocationURI: "hosted"})
	v, _ := svc.CreateHostedVersion(appconfig.HostedVersion{ApplicationID: app.ID, ConfigurationProfileID: prof.ID, Content: []byte(`{"kept":1}`), ContentType: "application/json"}, 0)
	if _, err := svc.StartDeployment(appconfig.Deployment{ApplicationID: app.ID, EnvironmentID: env.ID, ConfigurationProfileID: prof.ID, ConfigurationVersion: "1", DeploymentStrategyID: "AppConfig.AllAtOnce"}); err != nil || v.VersionNumber != 1 {
		t.Fatalf("StartDeployment: %v (version %d)", err, v.VersionNumber)
	}
	for _, snapshot := range []bool{false, true} {
		st.Close(snapshot)
		svc, st = open()
		got, err := svc.GetConfiguration("app1234", "e", "p", "c", "")
		if err != nil || string(got.Content) != `{"kept":1}` {
			t.Fatalf("after a restart (snapshot %v): %v %q", snapshot, err, got.Content)
		}
	}
	st.Close(true)
}
