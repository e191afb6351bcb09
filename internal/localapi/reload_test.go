package localapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/cfn"
	"firstclass/internal/contract"
)

// assemblyOf wraps a template as the app's assembly.
func assemblyOf(tmpl *cfn.Template) *cfn.Assembly {
	return &cfn.Assembly{Stacks: []*cfn.Stack{{Name: "Firstclass", Template: tmpl}}}
}

// sqsIntegration is the golden template's HTTP API SQS-SendMessage integration.
func sqsIntegration(t *testing.T, tmpl *cfn.Template) *cfn.Resource {
	t.Helper()
	for _, res := range tmpl.OfType("AWS::ApiGatewayV2::Integration") {
		if res.Properties["IntegrationSubtype"] == "SQS-SendMessage" {
			return res
		}
	}
	t.Fatal("no SQS-SendMessage integration in the golden template")
	return nil
}

// receiveAll drains the queue, returning the bodies.
func receiveAll(t *testing.T, aws *awslocal.Server, queueURL string) []string {
	t.Helper()
	var bodies []string
	for {
		msgs, err := aws.ReceiveMessage(context.Background(), awslocal.ReceiveMessageInput{QueueURL: queueURL, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			return bodies
		}
		for _, m := range msgs {
			bodies = append(bodies, m.Body)
		}
	}
}

func TestAChangedMappingTakesEffectAfterAReloadWithoutLosingQueuedMessages(t *testing.T) {
	s := serve(t, golden(t), Options{NoThrottle: true})
	url := s.url(contract.HTTP, "dev", "/queue")
	if resp := do(t, "POST", url, `{"before":"reload"}`); resp.status != 200 {
		t.Fatalf("before the reload: %d %s", resp.status, resp.body)
	}

	// Requests keep coming while the reload happens; none may fail.
	var sent, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Post(s.url(contract.REST, "dev", "/queue"), "application/json", strings.NewReader(`{"during":"reload"}`))
				sent.Add(1)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}

	changed := golden(t)
	sqsIntegration(t, changed).Properties["RequestParameters"].(map[string]any)["MessageBody"] = "tagged $request.header.X-Tag"
	time.Sleep(50 * time.Millisecond)
	rl, err := s.r.Reload(context.Background(), assemblyOf(changed))
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if f := failed.Load(); f > 0 {
		t.Errorf("%d of %d requests sent during the reload failed", f, sent.Load())
	}
	want := "~ HTTP API HttpApi9292168F POST /queue: Integration.RequestParameters.MessageBody changed"
	if !containsLine(rl.Changes, want) {
		t.Errorf("changes %q\nwant the line %q", rl.Changes, want)
	}

	if resp := do(t, "POST", url, `{"after":"reload"}`, "X-Tag", "t-1"); resp.status != 200 {
		t.Fatalf("after the reload: %d %s", resp.status, resp.body)
	}
	bodies := receiveAll(t, s.r.AWS(), s.out["QueueUrl"])
	var before, after, during int
	for _, b := range bodies {
		switch b {
		case `{"before":"reload"}`:
			before++
		case "tagged t-1":
			after++
		case `{"during":"reload"}`:
			during++
		default:
			t.Errorf("unexpected message %q", b)
		}
	}
	if before != 1 || after != 1 || int64(during) != sent.Load()-failed.Load() {
		t.Errorf("queue holds %d messages from before the reload (want 1), %d mapped by the new mapping (want 1), %d of the %d accepted during it",
			before, after, during, sent.Load()-failed.Load())
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestAFailedReloadKeepsTheOldRoutesServing(t *testing.T) {
	s := serve(t, golden(t), Options{NoThrottle: true})
	broken := golden(t)
	broken.Resources["Unknown"] = &cfn.Resource{LogicalID: "Unknown", Type: "AWS::Nothing::Here", Properties: map[string]any{}}
	if _, err := s.r.Reload(context.Background(), assemblyOf(broken)); err == nil || !strings.Contains(err.Error(), "AWS::Nothing::Here") {
		t.Fatalf("Reload of a template the runner cannot emulate: %v, want an error naming the resource type", err)
	}
	for _, kind := range contract.Kinds {
		if resp := do(t, "POST", s.url(kind, "dev", "/queue"), `{}`); resp.status != 200 {
			t.Errorf("%s API after a failed reload: %d %s", kind, resp.status, resp.body)
		}
	}
}

func TestReloadOpensAPortForANewAPIAndClosesARemovedOnes(t *testing.T) {
	s := serve(t, golden(t), Options{NoThrottle: true})
	restURL := s.url(contract.REST, "dev", "/queue")
	without := golden(t)
	for id, res := range without.Resources {
		if strings.HasPrefix(res.Type, "AWS::ApiGateway::") {
			delete(without.Resources, id)
		}
	}
	for key := range without.Outputs {
		if strings.HasPrefix(key, "RestApi") {
			delete(without.Outputs, key)
		}
	}
	rl, err := s.r.Reload(context.Background(), assemblyOf(without))
	if err != nil {
		t.Fatalf("Reload without the REST API: %v", err)
	}
	if !containsPrefix(rl.Changes, "- REST API RestApi135E9C73 POST /queue") {
		t.Errorf("changes %q: want the REST routes removed", rl.Changes)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Post(restURL, "application/json", strings.NewReader(`{}`))
		if err != nil {
			break // the port is closed
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the removed REST API's port still answers %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := s.r.Reload(context.Background(), assemblyOf(golden(t))); err != nil {
		t.Fatalf("Reload with the REST API again: %v", err)
	}
	out, err := s.r.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	u := JoinURL(out[contract.APIURLOutput(contract.REST, "dev")], "/queue")
	if resp := do(t, "POST", u, `{}`); resp.status != 200 {
		t.Errorf("the REST API on its new port: %d %s", resp.status, resp.body)
	}
}

func containsPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func TestExecutionsSurviveAReloadAndAChangedDefinitionRunsTheNextOnes(t *testing.T) {
	s := serve(t, golden(t), Options{NoThrottle: true, Inspector: true})
	url := s.url(contract.HTTP, "dev", "/workflow")
	if resp := do(t, "POST", url, `{"orderId":"o-1"}`, "X-Execution-Name", "before-reload"); resp.status != 200 {
		t.Fatalf("before the reload: %d %s", resp.status, resp.body)
	}
	changed := golden(t)
	changed.Resources["TargetsWorkflow2F799B67"].Properties["DefinitionString"] = `{"StartAt":"Changed","States":{"Changed":{"Type":"Pass","End":true}}}`
	if _, err := s.r.Reload(context.Background(), assemblyOf(changed)); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if resp := do(t, "POST", url, `{"orderId":"o-2"}`, "X-Execution-Name", "after-reload"); resp.status != 200 {
		t.Fatalf("after the reload: %d %s", resp.status, resp.body)
	}
	states := map[string][]string{} // execution → the states it went through
	eventually(t, 5*time.Second, func() bool {
		clear(states)
		done := 0
		for _, m := range s.r.AWS().InspectStateMachines(10) {
			for _, x := range m.Executions {
				for _, h := range x.History {
					if strings.HasSuffix(h.Type, "Entered") {
						states[x.Name] = append(states[x.Name], h.State)
					}
				}
				if x.Status != "RUNNING" {
					done++
				}
			}
		}
		return done == 2
	})
	if got := strings.Join(states["before-reload"], ","); got == "" || got == "Changed" {
		t.Errorf("the execution started before the reload went through %q, want the old definition's states", got)
	}
	if got := strings.Join(states["after-reload"], ","); got != "Changed" {
		t.Errorf("the execution started after the reload went through %q, want the new definition's Changed", got)
	}
}

// eventually polls ok until it holds or limit passes.
func eventually(t *testing.T, limit time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s", limit)
		}
	}
}

func TestAReloadKeepsAnUnchangedFunctionWarmAndReplacesAChangedOne(t *testing.T) {
	s := serve(t, golden(t), Options{NoThrottle: true})
	greet := func() {
		t.Helper()
		if resp := do(t, "GET", s.url(contract.REST, "dev", "/greeting?greeter=Ada"), ""); resp.status != 200 || resp.body != "Hello, Ada!" {
			t.Fatalf("greeting: %d %s", resp.status, resp.body)
		}
	}
	const id = "TargetsGreeting84A449DE"
	greet()
	first := s.r.functions[id]
	rl, err := s.r.Reload(context.Background(), assemblyOf(golden(t)))
	if err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if s.r.functions[id] != first || containsPrefix(rl.Changes, "~ function") {
		t.Errorf("an unchanged function was replaced (changes %q)", rl.Changes)
	}
	changed := golden(t)
	changed.Resources[id].Properties["MemorySize"] = 256.0
	if rl, err = s.r.Reload(context.Background(), assemblyOf(changed)); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if s.r.functions[id] == first || !containsLine(rl.Changes, "~ function "+id+": rebuilt, its warm instances replaced") {
		t.Errorf("a function with another memory size was kept (changes %q)", rl.Changes)
	}
	greet()
}
