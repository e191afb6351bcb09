package api

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/contract"
)

// LoadStackProps configure the load workers' stack.
type LoadStackProps struct {
	Config    Config
	ModuleDir string
}

// LoadStack is what `firstclass bench --from lambda` runs on: the load worker function (the
// bench's own generator, lambda/loadworker), a STANDARD state machine whose Map state starts
// N of them at once, and the bucket the workers keep their results in. It is a stack of its
// own, deployed with `cdk deploy FirstclassLoad`, so the API stack's template and logical IDs
// do not change with it.
type LoadStack struct {
	awscdk.Stack
	Worker  awslambda.Function
	Machine awsstepfunctions.StateMachine
	Results awss3.Bucket
}

// NewLoadStack builds the load workers' stack.
func NewLoadStack(scope constructs.Construct, props *LoadStackProps) *LoadStack {
	s := &LoadStack{Stack: awscdk.NewStack(scope, jsii.String(props.Config.LoadStackName), &awscdk.StackProps{
		Description: jsii.String("firstclass load workers: the bench's generator on Lambda, fanned out by a Step Functions Map state (firstclass bench --from lambda)"),
	})}
	s.Results = awss3.NewBucket(s.Stack, jsii.String("Results"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		// The bench reads a run's results as soon as the run ends; a day later they go,
		// and an empty bucket lets `cdk destroy` remove it.
		LifecycleRules: &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(1)), Prefix: jsii.String(contract.LoadResultsPrefix)}},
		RemovalPolicy:  removalPolicy(props.Config),
	})
	s.Worker = s.newWorker(props)
	s.Machine = s.newMachine()
	s.outputs()
	suppressLoadNagFindings(s, props.Config)
	return s
}

// newWorker is the worker function: arm64, one vCPU, Lambda's whole 15 minutes. Its role
// writes its own logs and puts objects under the results prefix, and invokes the target
// APIs when they require IAM; nothing else.
func (s *LoadStack) newWorker(props *LoadStackProps) awslambda.Function {
	fn := newGoFunction(s.Stack, "Worker", &TargetsProps{Config: props.Config, ModuleDir: props.ModuleDir}, "./lambda/loadworker",
		"firstclass load worker: runs the bench's generator for its share of the rate (./lambda/loadworker)")
	cfn := fn.Node().DefaultChild().(awslambda.CfnFunction)
	cfn.SetMemorySize(jsii.Number(contract.LoadWorkerMemoryMB))
	cfn.SetTimeout(jsii.Number(contract.LoadWorkerTimeoutSeconds))
	fn.AddEnvironment(jsii.String("LOAD_RESULTS_BUCKET"), s.Results.BucketName(), nil)
	fn.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: jsii.Strings(*s.Results.ArnForObjects(jsii.String(contract.LoadResultsPrefix + "*"))),
	}))
	if props.Config.AuthMode == AuthIAM {
		// The APIs' IDs are parameters, not cross-stack references: a reference would add
		// exports to the API stack and tie its updates to this one.
		var arns []*string
		for _, id := range []string{"TargetHttpApiId", "TargetRestApiId"} {
			p := awscdk.NewCfnParameter(s.Stack, jsii.String(id), &awscdk.CfnParameterProps{
				Type:           jsii.String("String"),
				AllowedPattern: jsii.String("[a-z0-9]{10}"),
				Description:    jsii.String("the id of the API the workers load (the host part of its URL in the API stack's outputs)"),
			})
			arns = append(arns, awscdk.Stack_Of(s.Stack).FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("execute-api"), Resource: p.ValueAsString(), ResourceName: jsii.String("*"),
			}))
		}
		fn.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("execute-api:Invoke"), Resources: &arns,
		}))
	}
	return fn
}

// newMachine is the fan-out: a Choice sends up to LoadInlineMapMaxWorkers workers to an
// inline Map (all of them run at once) and more to a Distributed Map. Each iteration gets its
// worker index and the task every worker shares (ItemSelector), so the execution's input does
// not grow with the number of workers beyond one integer each.
func (s *LoadStack) newMachine() awsstepfunctions.StateMachine {
	selector := &map[string]any{"worker.$": "$$.Map.Item.Value", "task.$": "$.task"}
	inline := awsstepfunctions.NewMap(s.Stack, jsii.String("Workers"), &awsstepfunctions.MapProps{
		Comment:        jsii.String("up to 40 workers, all at once"),
		ItemsPath:      jsii.String("$.workerIndexes"),
		ItemSelector:   selector,
		MaxConcurrency: jsii.Number(contract.LoadInlineMapMaxWorkers),
		ResultPath:     jsii.String("$.workers"),
	})
	inline.ItemProcessor(s.workerTask("Inline"), nil)
	distributed := awsstepfunctions.NewDistributedMap(s.Stack, jsii.String("ManyWorkers"), &awsstepfunctions.DistributedMapProps{
		Comment:          jsii.String("more than 40 workers: child executions, all at once"),
		ItemsPath:        jsii.String("$.workerIndexes"),
		ItemSelector:     selector,
		MaxConcurrency:   jsii.Number(10000),
		MapExecutionType: awsstepfunctions.StateMachineType_STANDARD,
		// Each worker's result is in the bucket under its own key, and a failed one is a
		// failed child execution; the Map's own output would outgrow 256 KB.
		ResultPath: awsstepfunctions.JsonPath_DISCARD(),
	})
	distributed.ItemProcessor(s.workerTask("Distributed"), nil)
	choice := awsstepfunctions.NewChoice(s.Stack, jsii.String("HowManyWorkers"), &awsstepfunctions.ChoiceProps{
		Comment: jsii.String("an inline Map runs at most 40 iterations at a time"),
	}).
		When(awsstepfunctions.Condition_NumberLessThanEquals(jsii.String("$.task.workers"), jsii.Number(contract.LoadInlineMapMaxWorkers)), inline, nil).
		Otherwise(distributed)
	m := awsstepfunctions.NewStateMachine(s.Stack, jsii.String("Machine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody:   awsstepfunctions.DefinitionBody_FromChainable(choice),
		StateMachineType: awsstepfunctions.StateMachineType_STANDARD,
		Timeout:          awscdk.Duration_Minutes(jsii.Number(20)),
		Comment:          jsii.String("firstclass bench --from lambda: N load workers from one start instant"),
	})
	// One action on one ARN: the worker itself (no versions or aliases, which a grant adds).
	m.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &[]*string{s.Worker.FunctionArn()},
	}))
	return m
}

// lambdaTransientErrors are the errors of an invocation that did not run the function, which a
// retry may clear ("Handling errors in Step Functions", Lambda service exceptions). A worker
// that ran and failed is not retried: its requests went out, and a second run would send them
// again under the same ids, after the start instant.
var lambdaTransientErrors = []string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"}

// workerTask is one iteration: invoke the worker with its item; on failure, an output that
// names the worker and the error instead of failing the whole run, so the bench reports each
// failed worker and merges the others.
func (s *LoadStack) workerTask(prefix string) awsstepfunctions.IChainable {
	task := awsstepfunctions.NewCustomState(s.Stack, jsii.String(prefix+"RunWorker"), &awsstepfunctions.CustomStateProps{
		StateJson: &map[string]any{
			"Type":     "Task",
			"Comment":  "the worker function, invoked directly: its response is the state's output",
			"Resource": s.Worker.FunctionArn(),
			// The worker's own timeout plus the time an invocation takes to start.
			"TimeoutSeconds": contract.LoadWorkerTimeoutSeconds + 60,
		},
	})
	task.AddRetry(&awsstepfunctions.RetryProps{
		Errors: jsii.Strings(lambdaTransientErrors...), Interval: awscdk.Duration_Seconds(jsii.Number(1)),
		MaxAttempts: jsii.Number(2), BackoffRate: jsii.Number(2),
	})
	failed := awsstepfunctions.NewPass(s.Stack, jsii.String(prefix+"WorkerFailed"), &awsstepfunctions.PassProps{
		Comment: jsii.String("the worker's failure, as its result"),
		Parameters: &map[string]any{
			"worker.$": "$.worker", "failed": true, "error.$": "$.error.Error", "cause.$": "$.error.Cause",
		},
	})
	task.AddCatch(failed, &awsstepfunctions.CatchProps{Errors: jsii.Strings("States.ALL"), ResultPath: jsii.String("$.error")})
	return task
}

// outputs are what the bench reads from `cdk deploy --outputs-file`.
func (s *LoadStack) outputs() {
	out := func(key, value, description string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(key), &awscdk.CfnOutputProps{Value: jsii.String(value), Description: jsii.String(description)})
	}
	out(contract.LoadStateMachineArnOutput, *s.Machine.StateMachineArn(), "state machine that fans the load workers out")
	out(contract.LoadResultsBucketOutput, *s.Results.BucketName(), "bucket the workers keep their results in")
	out(contract.LoadWorkerFunctionOutput, *s.Worker.FunctionName(), "the load worker function")
	out(contract.LoadWorkerMemoryOutput, strconv.Itoa(contract.LoadWorkerMemoryMB), "each worker's memory, which prices its GB-seconds")
	out(contract.LoadWorkerTimeoutOutput, strconv.Itoa(contract.LoadWorkerTimeoutSeconds), "each worker's timeout: the longest load one run can have")
	out(contract.LoadInlineMaxOutput, strconv.Itoa(contract.LoadInlineMapMaxWorkers), "more workers than this run in a Distributed Map")
	out(contract.RegionOutput, *awscdk.Aws_REGION(), "region the workers load from")
}

// suppressLoadNagFindings records the AwsSolutions findings the load stack accepts, with why.
func suppressLoadNagFindings(s *LoadStack, c Config) {
	suppress := nagSuppress
	suppress(s.Results, "AwsSolutions-S1", "The bucket holds only the bench's own results, written by the workers' role under "+
		contract.LoadResultsPrefix+" and expired after a day; server access logs would need a second bucket that outlives them.")
	suppress(s.Machine, "AwsSolutions-SF1", "Execution logging needs log-delivery permissions on every resource (\"*\"); "+
		"the bench reads each worker's iteration from the execution history (GetExecutionHistory), kept 90 days.")
	suppress(s.Machine, "AwsSolutions-SF2", "X-Ray would trace the fan-out, not the load it measures; the bench reports each worker itself.")
	suppress(s.Worker.Role(), "AwsSolutions-IAM5", "The worker writes one object per run and worker under "+contract.LoadResultsPrefix+
		" (runs/RUN/worker-N.json); the run id is chosen per run, so the key can only be a prefix.",
		`/^Resource::<Results[0-9A-F]{8}\.Arn>\/runs\/\*$/g`)
	suppress(s.Machine, "AwsSolutions-IAM5", "The Distributed Map runs its iterations as child executions of this machine: "+
		"Step Functions requires states:StartExecution on the machine and DescribeExecution, StopExecution and RedriveExecution "+
		"on its executions, whose names it chooses (\"IAM policies for Distributed Map states\"); the CDK's DistributedMap adds exactly these.",
		`/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*:\*$/g`)
	if c.AuthMode == AuthIAM {
		suppress(s.Worker.Role(), "AwsSolutions-IAM5", fmt.Sprintf("The worker invokes every route of the target APIs on the loaded stage: "+
			"execute-api:Invoke on each API's ARN with its stage, method and path left open, as the bench selects them per run (%s).", ContextAuthMode),
			`/^Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<Target(Http|Rest)ApiId>\/\*$/g`)
	}
}
