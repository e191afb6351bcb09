package test

import (
	"strings"
	"testing"

	"firstclass/api"
	"firstclass/internal/spec"
	"firstclass/routes"
)

// The stack with firstclass:kmsKey=customer: one customer-managed key, rotated, encrypts the
// queues (the audit queues excepted), their dead-letter queues and the stream, and every
// integration role of a route on them may use that key as its one action needs and nothing
// else besides that action.

func TestTheDefaultStackUsesAWSManagedEncryption(t *testing.T) {
	s := app(t)
	if keys := s.resources("AWS::KMS::Key"); len(keys) != 0 {
		t.Errorf("the default stack creates keys %v", keys)
	}
	stream := s.props(targetIDs(s)[routes.Stream.Name])
	enc, _ := stream["StreamEncryption"].(map[string]any)
	if enc["EncryptionType"] != "KMS" || enc["KeyId"] != "alias/aws/kinesis" {
		t.Errorf("stream encryption %v, want KMS with alias/aws/kinesis", enc)
	}
	if mode, _ := stream["StreamModeDetails"].(map[string]any); mode["StreamMode"] != "ON_DEMAND" {
		t.Errorf("stream mode %v, want ON_DEMAND", mode)
	}
	for _, q := range s.resources("AWS::SQS::Queue") {
		if s.props(q)["SqsManagedSseEnabled"] != true {
			t.Errorf("queue %s is not SSE-SQS: %v", q, s.props(q))
		}
	}
	for _, role := range s.resources("AWS::IAM::Role") {
		for _, perm := range s.rolePermissions(role) {
			if strings.Contains(perm, "kms:") {
				t.Errorf("role %s may use a key with no key in the stack: %s", role, perm)
			}
		}
	}
}

func TestACustomerKeyEncryptsTheQueueAndStreamAndEveryRoleOnThemMayUseIt(t *testing.T) {
	s := appWithCustomerKey(t)
	keys := s.resources("AWS::KMS::Key")
	if len(keys) != 1 || keys[0] != "TargetsKeyF7AAAE98" {
		t.Fatalf("keys %v, want the one pinned TargetsKeyF7AAAE98", keys)
	}
	key := keys[0]
	if s.props(key)["EnableKeyRotation"] != true {
		t.Errorf("key %s does not rotate", key)
	}
	stream := s.props(targetIDs(s)[routes.Stream.Name])
	if enc, _ := stream["StreamEncryption"].(map[string]any); enc["EncryptionType"] != "KMS" || resolve(enc["KeyId"]) != "${"+key+".Arn}" {
		t.Errorf("stream encryption %v, want the customer key", enc)
	}
	t.Run("every queue but the audit ones is encrypted with it", func(t *testing.T) {
		for _, q := range []string{targetIDs(s)[routes.Queue.Name], "TargetsDeadLetterQueue8A80BD4F", targetIDs(s)[routes.Jobs.Name],
			logicalID(s, s.stack.Targets.JobsDeadLetterQueue), targetIDs(s)[routes.Scratch.Name]} {
			if got := resolve(s.props(q)["KmsMasterKeyId"]); got != "${"+key+".Arn}" {
				t.Errorf("queue %s KmsMasterKeyId = %s, want the customer key", q, got)
			}
		}
	})
	// What each action needs of the key (Amazon SQS Developer Guide, "Key management"): a
	// producer generates data keys and decrypts, a consumer only decrypts, and a delete or a
	// purge reads no message.
	keyPerm := map[string]string{
		"sqs:SendMessage":    "Allow [kms:Decrypt kms:GenerateDataKey] on ${" + key + ".Arn}",
		"kinesis:PutRecord":  "Allow [kms:Decrypt kms:GenerateDataKey] on ${" + key + ".Arn}",
		"sqs:ReceiveMessage": "Allow kms:Decrypt on ${" + key + ".Arn}",
		"sqs:DeleteMessage":  "",
		"sqs:PurgeQueue":     "",
	}
	keyed := map[string]bool{routes.Queue.Name: true, routes.Jobs.Name: true, routes.Scratch.Name: true, routes.Stream.Name: true}
	for _, r := range routes.Routes {
		if !keyed[r.Target.Name] {
			continue
		}
		action := wantHTTPAction[r.HTTP.Subtype]
		want, ok := keyPerm[action]
		if !ok {
			t.Errorf("route %s: what %s needs of the key is not in this test", r.Name, action)
			continue
		}
		for _, role := range routeRoles(s, r) {
			perms := s.rolePermissions(role)
			var got []string
			for _, p := range perms {
				if strings.Contains(p, "kms:") {
					got = append(got, p)
				}
			}
			if len(perms) != len(got)+1 || strings.Join(got, "|") != want {
				t.Errorf("route %s: role %s may %v, want its action and %q", r.Name, role, perms, want)
			}
		}
	}
}

func TestACustomerKeyStackIsNagClean(t *testing.T) {
	s := appWithCustomerKey(t)
	for _, f := range s.nag.findings {
		t.Errorf("unsuppressed finding: %s", f)
	}
	for _, e := range s.nag.errors {
		t.Errorf("rule error: %s", e)
	}
}

// routeRoles are the roles of a route's two integrations: the HTTP API's and the REST API's.
func routeRoles(s *synthesized, r spec.Route) []string {
	var out []string
	for _, id := range s.resources("AWS::ApiGatewayV2::Route") {
		if s.props(id)["RouteKey"] != r.Key() {
			continue
		}
		in := strings.TrimSuffix(strings.TrimPrefix(resolve(s.props(id)["Target"]), "integrations/${"), "}")
		out = append(out, refID(s.props(in)["CredentialsArn"]))
	}
	for _, id := range s.resources("AWS::ApiGateway::Method") {
		p := s.props(id)
		if p["HttpMethod"] == r.Method && restResourcePath(s, p["ResourceId"]) == r.Path {
			out = append(out, refID(p["Integration"].(map[string]any)["Credentials"]))
		}
	}
	if len(out) != 2 {
		panic("route " + r.Name + ": want an HTTP and a REST integration role")
	}
	return out
}

// appWithCustomerKey is the app synthesized with firstclass:kmsKey=customer, nag applied.
func appWithCustomerKey(t testing.TB) *synthesized {
	t.Helper()
	return appWith(t, map[string]any{api.ContextKMSKey: api.KMSCustomer})
}
