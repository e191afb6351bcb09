package mapping

import (
	"strings"
	"testing"
)

// TestSubtypeCatalogueMatchesAWSReference pins every subtype and parameter
// name, spelt as AWS's "Integration subtype reference" spells them, with
// required parameters marked "!".
func TestSubtypeCatalogueMatchesAWSReference(t *testing.T) {
	want := map[string]string{
		"EventBridge-PutEvents":            "Detail! DetailType! Source! Time EventBusName Resources Region TraceHeader",
		"SQS-SendMessage":                  "QueueUrl! MessageBody! DelaySeconds MessageAttributes MessageDeduplicationId MessageGroupId MessageSystemAttributes Region",
		"SQS-ReceiveMessage":               "QueueUrl! AttributeNames MaxNumberOfMessages MessageAttributeNames ReceiveRequestAttemptId VisibilityTimeout WaitTimeSeconds Region",
		"SQS-DeleteMessage":                "ReceiptHandle! QueueUrl! Region",
		"SQS-PurgeQueue":                   "QueueUrl! Region",
		"AppConfig-GetConfiguration":       "Application! Environment! Configuration! ClientId! ClientConfigurationVersion Region",
		"Kinesis-PutRecord":                "StreamName! Data! PartitionKey! SequenceNumberForOrdering ExplicitHashKey Region",
		"StepFunctions-StartExecution":     "StateMachineArn! Name Input Region",
		"StepFunctions-StartSyncExecution": "StateMachineArn! Name Input Region TraceHeader",
		"StepFunctions-StopExecution":      "ExecutionArn! Cause Error Region",
	}
	all := Subtypes()
	if len(all) != len(want) {
		t.Errorf("catalogue has %d subtypes, want %d", len(all), len(want))
	}
	for _, st := range all {
		t.Run(st.Name, func(t *testing.T) {
			var got []string
			for _, p := range st.Parameters {
				name := p.Name
				if p.Required {
					name += "!"
				}
				got = append(got, name)
				if p.Name != "Region" && p.Member == "" {
					t.Errorf("parameter %s has no service member", p.Name)
				}
			}
			if w, ok := want[st.Name]; !ok {
				t.Errorf("unexpected subtype %s", st.Name)
			} else if strings.Join(got, " ") != w {
				t.Errorf("parameters\n got %s\nwant %s", strings.Join(got, " "), w)
			}
			if st.Version != "1.0" || st.Service == "" || st.Action == "" || st.Protocol == "" || st.EndpointPrefix == "" || st.Reference == "" {
				t.Errorf("incomplete entry: %+v", st)
			}
			if !strings.HasSuffix(st.IAMAction, ":"+st.Action) {
				t.Errorf("IAM action %q does not name action %q", st.IAMAction, st.Action)
			}
			if strings.HasPrefix(st.Protocol, "awsJson") != (st.Target != "") {
				t.Errorf("protocol %s with X-Amz-Target %q", st.Protocol, st.Target)
			}
			if _, ok := st.Parameter(st.Resource); !ok || st.Resource == "Region" {
				t.Errorf("Resource %q is not one of its parameters naming a resource", st.Resource)
			}
			if !strings.HasSuffix(st.Name, "-"+st.Action) {
				t.Errorf("subtype %s does not end with its action %s", st.Name, st.Action)
			}
		})
	}
}

func TestLookupSubtype(t *testing.T) {
	st, ok := LookupSubtype("SQS-SendMessage")
	if !ok || st.Action != "SendMessage" || st.IAMAction != "sqs:SendMessage" {
		t.Fatalf("LookupSubtype(SQS-SendMessage) = %+v, %v", st, ok)
	}
	if got := strings.Join(st.Required(), ","); got != "QueueUrl,MessageBody" {
		t.Errorf("Required() = %s", got)
	}
	if p, ok := st.Parameter("DelaySeconds"); !ok || p.Required {
		t.Errorf("Parameter(DelaySeconds) = %+v, %v", p, ok)
	}
	if _, ok := st.Parameter("delayseconds"); ok {
		t.Error("parameter names are case-sensitive")
	}
	if _, ok := LookupSubtype("sqs-sendmessage"); ok {
		t.Error("subtype names are case-sensitive")
	}
	sync, _ := LookupSubtype("StepFunctions-StartSyncExecution")
	if sync.EndpointPrefix != "sync-states" {
		t.Errorf("StartSyncExecution endpoint prefix = %q, want sync-states", sync.EndpointPrefix)
	}
}

func TestSubtypesReturnsACopy(t *testing.T) {
	a := Subtypes()
	a[0] = nil
	if Subtypes()[0] == nil {
		t.Error("Subtypes exposes the catalogue slice")
	}
}

func TestContextCatalogue(t *testing.T) {
	tests := []struct {
		name      string
		found     bool
		family    string
		atRequest bool
	}{
		{"requestId", true, "", true},
		{"identity.sourceIp", true, "", true},
		{"identity.clientCert.validity.notAfter", true, "", true},
		{"authorizer.claims.sub", true, "authorizer.claims.", true},
		{"authorizer.claims.cognito:groups", true, "authorizer.claims.", true},
		{"authorizer.tenantId", true, "authorizer.", true},
		{"authorizer.principalId", true, "", true},
		{"integrationLatency", true, "", false},
		{"status", true, "", false},
		{"requestid", false, "", false},
		{"authorizer", false, "", false},
		{"identity", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := LookupContextVariable(tt.name)
			if ok != tt.found {
				t.Fatalf("found = %v, want %v", ok, tt.found)
			}
			if !ok {
				return
			}
			if tt.family != "" && (!v.Family || v.Name != tt.family) {
				t.Errorf("matched %+v, want family %s", v, tt.family)
			}
			if v.AtRequest != tt.atRequest {
				t.Errorf("AtRequest = %v, want %v", v.AtRequest, tt.atRequest)
			}
		})
	}
	all := ContextVariables()
	for i := 1; i < len(all); i++ {
		if all[i-1].Name >= all[i].Name {
			t.Errorf("ContextVariables not sorted at %s", all[i].Name)
		}
	}
}
