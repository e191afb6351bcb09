package test

import (
	"encoding/json"
	"strings"
	"testing"

	"firstclass/internal/contract"
)

// loadView is the load workers' stack, for the template helpers.
func loadView(t *testing.T) *synthesized {
	s := app(t)
	return &synthesized{json: s.loadJSON}
}

func TestLoadTemplateMatchesGolden(t *testing.T) {
	matchGolden(t, "FirstclassLoad.template.json", normalizedJSON(t, app(t).loadJSON), "TestLoadTemplateMatchesGolden")
}

func TestLoadWorkerIsTheBenchOnOneVCPUForFifteenMinutes(t *testing.T) {
	s := loadView(t)
	id, p := s.find(t, "AWS::Lambda::Function", "the worker", func(p map[string]any) bool {
		return strings.Contains(resolve(p["Description"]), "load worker")
	})
	for key, want := range map[string]string{
		"Runtime": "provided.al2023", "Handler": "bootstrap", "MemorySize": "1769", "Timeout": "900",
	} {
		if got := resolve(p[key]); got != want {
			t.Errorf("%s %s = %s, want %s", id, key, got, want)
		}
	}
	if a := resolveList(p["Architectures"]); a != "[arm64]" {
		t.Errorf("architectures = %s, want arm64", a)
	}
	env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
	bucket := s.resources("AWS::S3::Bucket")
	if len(bucket) != 1 || refID(env["LOAD_RESULTS_BUCKET"]) != bucket[0] {
		t.Errorf("LOAD_RESULTS_BUCKET = %v, want a Ref to the one bucket %v", env["LOAD_RESULTS_BUCKET"], bucket)
	}
	meta := s.json["Resources"].(map[string]any)[id].(map[string]any)["Metadata"].(map[string]any)
	if meta[contract.GoPackageMetadata] != "./lambda/loadworker" {
		t.Errorf("metadata %s = %v, want ./lambda/loadworker (the local runner builds it from there)", contract.GoPackageMetadata, meta[contract.GoPackageMetadata])
	}
}

// Least privilege: the worker writes its logs and its results; the machine invokes the worker
// and runs its own child executions (Distributed Map). Nothing else, no "*" action.
func TestLoadRolesAreLeastPrivilege(t *testing.T) {
	s := loadView(t)
	fn, p := s.find(t, "AWS::Lambda::Function", "the worker", func(p map[string]any) bool { return true })
	_ = fn
	worker := strings.Join(s.rolePermissions(refID(p["Role"])), "\n")
	for _, want := range []string{
		"Allow [logs:CreateLogStream logs:PutLogEvents] on ${WorkerLogs",
		"Allow s3:PutObject on ${Results",
	} {
		if !strings.Contains(worker, want) {
			t.Errorf("worker role lacks %q:\n%s", want, worker)
		}
	}
	if n := strings.Count(worker, "\n") + 1; n != 2 {
		t.Errorf("worker role has %d statements, want 2 (logs, results):\n%s", n, worker)
	}
	if strings.Contains(worker, "execute-api") {
		t.Errorf("with firstclass:authMode=none the APIs are open: the worker needs no execute-api permission:\n%s", worker)
	}
	if !strings.Contains(worker, "/runs/*") {
		t.Errorf("the worker may put objects outside runs/:\n%s", worker)
	}
	_, m := s.find(t, "AWS::StepFunctions::StateMachine", "the machine", func(map[string]any) bool { return true })
	machine := s.rolePermissions(refID(m["RoleArn"]))
	var invoke []string
	for _, st := range machine {
		if strings.Contains(st, "lambda:") {
			invoke = append(invoke, st)
		}
		if strings.Contains(st, " * ") || strings.HasSuffix(st, " *") || strings.Contains(st, "[*]") {
			t.Errorf("machine role statement on every resource: %s", st)
		}
	}
	if len(invoke) != 1 || !strings.HasPrefix(invoke[0], "Allow lambda:InvokeFunction on ${Worker") || strings.Contains(invoke[0], ":*") {
		t.Errorf("machine's Lambda permissions = %v, want lambda:InvokeFunction on the worker's ARN alone", invoke)
	}
}

// The fan-out: up to 40 workers in an inline Map, more in a Distributed Map; each iteration
// gets its index and the shared task, retries only invocations that did not run, and turns a
// failure into a result naming the worker.
func TestLoadMachineFansOutInlineUpTo40AndDistributedBeyond(t *testing.T) {
	s := loadView(t)
	_, m := s.find(t, "AWS::StepFunctions::StateMachine", "the machine", func(map[string]any) bool { return true })
	if m["StateMachineType"] != "STANDARD" {
		t.Errorf("type = %v, want STANDARD (GetExecutionHistory shows each worker's iteration)", m["StateMachineType"])
	}
	def := resolve(m["DefinitionString"])
	var asl struct {
		StartAt string
		States  map[string]map[string]any
	}
	// The definition embeds the worker's ARN; replace it to parse the JSON.
	plain := strings.ReplaceAll(def, "${Worker11F36D0F.Arn}", "arn:aws:lambda:us-east-1:000000000000:function:worker")
	if err := json.Unmarshal([]byte(plain), &asl); err != nil {
		t.Fatalf("definition: %v\n%s", err, def)
	}
	choice := asl.States[asl.StartAt]
	if choice["Type"] != "Choice" {
		t.Fatalf("start state %s is %v, want the Choice", asl.StartAt, choice["Type"])
	}
	b, _ := json.Marshal(choice)
	if !strings.Contains(string(b), `"NumericLessThanEquals":40`) || !strings.Contains(string(b), `"Variable":"$.task.workers"`) {
		t.Errorf("choice = %s, want $.task.workers <= 40 to the inline Map", b)
	}
	inline, dist := asl.States["Workers"], asl.States["ManyWorkers"]
	if inline["Type"] != "Map" || inline["MaxConcurrency"] != float64(40) || inline["ItemsPath"] != "$.workerIndexes" {
		t.Errorf("inline map = %v", inline)
	}
	if mode := dist["ItemProcessor"].(map[string]any)["ProcessorConfig"].(map[string]any)["Mode"]; dist["Type"] != "Map" || mode != "DISTRIBUTED" {
		t.Errorf("distributed map = %v (mode %v)", dist["Type"], mode)
	}
	for name, st := range map[string]map[string]any{"inline": inline, "distributed": dist} {
		sel, _ := json.Marshal(st["ItemSelector"])
		if string(sel) != `{"task.$":"$.task","worker.$":"$$.Map.Item.Value"}` {
			t.Errorf("%s item selector = %s", name, sel)
		}
		proc := st["ItemProcessor"].(map[string]any)
		states := proc["States"].(map[string]any)
		task := states[proc["StartAt"].(string)].(map[string]any)
		tb, _ := json.Marshal(task)
		for _, want := range []string{`"Type":"Task"`, `"Resource":"arn:aws:lambda:us-east-1:000000000000:function:worker"`,
			`"Lambda.TooManyRequestsException"`, `"ErrorEquals":["States.ALL"]`, `"ResultPath":"$.error"`} {
			if !strings.Contains(string(tb), want) {
				t.Errorf("%s task lacks %s: %s", name, want, tb)
			}
		}
		if strings.Contains(string(tb), `"States.ALL"],"Interval`) || strings.Contains(string(tb), `"Lambda.Unknown"`) {
			t.Errorf("%s task retries a worker that ran: %s", name, tb)
		}
	}
}

func TestLoadOutputsAreTheContractTheBenchReads(t *testing.T) {
	outs := app(t).loadJSON["Outputs"].(map[string]any)
	for _, key := range []string{contract.LoadStateMachineArnOutput, contract.LoadResultsBucketOutput, contract.LoadWorkerFunctionOutput,
		contract.LoadWorkerMemoryOutput, contract.LoadWorkerTimeoutOutput, contract.LoadInlineMaxOutput, contract.RegionOutput} {
		if _, ok := outs[key]; !ok {
			t.Errorf("no output %s", key)
		}
	}
}

// With firstclass:authMode=iam the worker may invoke the two target APIs, named by the load
// stack's parameters (no cross-stack reference changes the API stack), and nothing more.
func TestLoadWorkerInvokesTheTargetAPIsWhenTheyRequireIAM(t *testing.T) {
	s := &synthesized{json: appWith(t, map[string]any{"firstclass:authMode": "iam"}).loadJSON}
	_, p := s.find(t, "AWS::Lambda::Function", "the worker", func(map[string]any) bool { return true })
	perms := strings.Join(s.rolePermissions(refID(p["Role"])), "\n")
	want := "Allow execute-api:Invoke on [arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${TargetHttpApiId}/* " +
		"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${TargetRestApiId}/*]"
	if !strings.Contains(perms, want) {
		t.Errorf("worker role:\n%s\nwant %s", perms, want)
	}
	for _, param := range []string{"TargetHttpApiId", "TargetRestApiId"} {
		if _, ok := s.json["Parameters"].(map[string]any)[param]; !ok {
			t.Errorf("no parameter %s", param)
		}
	}
}
