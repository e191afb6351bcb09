package api

import (
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/contract"
	"firstclass/routes"
)

// TargetsProps configures the targets.
type TargetsProps struct {
	Config    Config
	ModuleDir string // where go.mod is; Lambda code is built from there
}

// Targets are the AWS resources both APIs send to. Their construct IDs make the logical IDs
// of stateful resources: renaming one replaces a queue and loses its messages.
type Targets struct {
	constructs.Construct
	Queue           awssqs.Queue
	DeadLetterQueue awssqs.Queue
	// Jobs is the queue consumed over HTTP (GET and DELETE /jobs), with its own dead-letter
	// queue; Scratch the one DELETE /scratch purges, with none (nag.go says why).
	Jobs                awssqs.Queue
	JobsDeadLetterQueue awssqs.Queue
	Scratch             awssqs.Queue
	Bus                 awsevents.EventBus
	AuditQueue          awssqs.Queue
	AuditDLQ            awssqs.Queue
	Workflow            awsstepfunctions.StateMachine
	ExpressWorkflow     awsstepfunctions.StateMachine
	Greeting            awslambda.Function
	Stream              awskinesis.Stream
	Settings            *Settings
	// Key is the customer-managed key of the queue, its dead-letter queue and the stream,
	// nil unless firstclass:kmsKey=customer.
	Key awskms.Key

	byName map[string]target // by the names routes/targets.go gives them
}

// NewTargets creates the queue, the jobs queue, the scratch queue, the bus with its archive and audit rule, the two state
// machines, the greeting function, the stream and the hosted configuration.
func NewTargets(scope constructs.Construct, id string, props *TargetsProps) *Targets {
	t := &Targets{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	removal := removalPolicy(props.Config)
	var key awskms.IKey
	if props.Config.KMSKey == KMSCustomer {
		t.Key = awskms.NewKey(t.Construct, jsii.String("Key"), &awskms.KeyProps{
			Description:       jsii.String("firstclass: encrypts the queues (the audit queues excepted), their dead-letter queues and the stream"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     removal,
		})
		key = t.Key
	}

	t.DeadLetterQueue = newQueue(t.Construct, "DeadLetterQueue", removal, nil, key)
	t.Queue = newQueue(t.Construct, "Queue", removal, t.DeadLetterQueue, key)
	t.JobsDeadLetterQueue = newQueue(t.Construct, "JobsDeadLetterQueue", removal, nil, key)
	t.Jobs = newQueue(t.Construct, "Jobs", removal, t.JobsDeadLetterQueue, key)
	t.Scratch = newScratchQueue(t.Construct, "Scratch", removal, key)

	t.Bus = awsevents.NewEventBus(t.Construct, jsii.String("Bus"), &awsevents.EventBusProps{
		Description: jsii.String("firstclass: events put through both APIs"),
	})
	t.Bus.ApplyRemovalPolicy(removal)
	// Every event on this bus comes from this account, so matching the account matches them all.
	everyEvent := &awsevents.EventPattern{Account: jsii.Strings(*awscdk.Aws_ACCOUNT_ID())}
	t.Bus.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
		Description:  jsii.String("firstclass: every event on the bus, for replay"),
		EventPattern: everyEvent,
		Retention:    awscdk.Duration_Days(jsii.Number(float64(props.Config.LogRetentionDays))),
	})
	t.AuditDLQ = newQueue(t.Construct, "AuditDeadLetterQueue", removal, nil, nil)
	t.AuditQueue = newQueue(t.Construct, "AuditQueue", removal, t.AuditDLQ, nil)
	awsevents.NewRule(t.Construct, jsii.String("AuditRule"), &awsevents.RuleProps{
		Description:  jsii.String("firstclass: copies every event to the audit queue so deliveries can be counted"),
		EventBus:     t.Bus,
		EventPattern: everyEvent,
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(t.AuditQueue, &awseventstargets.SqsQueueProps{
			DeadLetterQueue: t.AuditDLQ,
		})},
	})

	t.Workflow = awsstepfunctions.NewStateMachine(t.Construct, jsii.String("Workflow"), &awsstepfunctions.StateMachineProps{
		Comment:          jsii.String("firstclass: started by POST /workflow, stopped by POST /workflow/stop"),
		StateMachineType: awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:   awsstepfunctions.DefinitionBody_FromChainable(workflowDefinition(t.Construct, "Workflow")),
		Timeout:          awscdk.Duration_Minutes(jsii.Number(5)),
		RemovalPolicy:    removal,
	})
	t.ExpressWorkflow = awsstepfunctions.NewStateMachine(t.Construct, jsii.String("ExpressWorkflow"), &awsstepfunctions.StateMachineProps{
		Comment:          jsii.String("firstclass: run synchronously by POST /workflow/sync"),
		StateMachineType: awsstepfunctions.StateMachineType_EXPRESS,
		DefinitionBody:   awsstepfunctions.DefinitionBody_FromChainable(expressDefinition(t.Construct, "ExpressWorkflow")),
		Timeout:          awscdk.Duration_Seconds(jsii.Number(30)),
		RemovalPolicy:    removal,
	})

	t.Greeting = newGoFunction(t.Construct, "Greeting", props, "./lambda/greeting", "firstclass: GET /greeting (./lambda/greeting)")
	t.Stream = newStream(t.Construct, removal, key)
	t.Settings = newSettings(t.Construct, removal)
	t.byName = map[string]target{
		routes.Queue.Name:           queueTarget{q: t.Queue, k: key},
		routes.Jobs.Name:            queueTarget{q: t.Jobs, k: key},
		routes.Scratch.Name:         queueTarget{q: t.Scratch, k: key},
		routes.Stream.Name:          streamTarget{s: t.Stream, k: key},
		routes.Settings.Name:        configTarget{s: t.Settings},
		routes.Bus.Name:             busTarget{b: t.Bus},
		routes.Workflow.Name:        machineTarget{m: t.Workflow},
		routes.ExpressWorkflow.Name: machineTarget{m: t.ExpressWorkflow, express: true},
		routes.Greeter.Name:         functionTarget{fn: t.Greeting},
	}
	return t
}

// newQueue makes a queue of queueProps with a dead-letter queue after 5 receives, or, when
// dlq is nil, a dead-letter queue itself: those keep what failed for as long as SQS allows,
// to be looked at.
func newQueue(scope constructs.Construct, id string, removal awscdk.RemovalPolicy, dlq awssqs.IQueue, key awskms.IKey) awssqs.Queue {
	props := queueProps(removal, key)
	if dlq != nil {
		props.DeadLetterQueue = &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(5)}
	} else {
		props.RetentionPeriod = awscdk.Duration_Days(jsii.Number(14))
	}
	return awssqs.NewQueue(scope, jsii.String(id), props)
}

// newScratchQueue is the queue DELETE /scratch purges: queueProps as they are, keeping
// messages as long as the others (4 days: what is on it stays until a purge deletes it, which
// is what the bench checks), and with no dead-letter queue, since nothing receives from it,
// so no message can fail to be processed.
func newScratchQueue(scope constructs.Construct, id string, removal awscdk.RemovalPolicy, key awskms.IKey) awssqs.Queue {
	return awssqs.NewQueue(scope, jsii.String(id), queueProps(removal, key))
}

// queueProps are every queue's: encrypted, refusing plain HTTP, keeping messages 4 days. The
// encryption is SSE-SQS, or with a key (the audit queues never get one: EventBridge would need
// the key too) SSE-KMS with it, and then every integration role sending to the queue is also
// allowed kms:GenerateDataKey and kms:Decrypt on that key, which the CDK's HttpSqsIntegration
// leaves out (serviceIntegration).
func queueProps(removal awscdk.RemovalPolicy, key awskms.IKey) *awssqs.QueueProps {
	props := &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(4)),
		RemovalPolicy:   removal,
	}
	if key != nil {
		props.Encryption, props.EncryptionMasterKey = awssqs.QueueEncryption_KMS, key
	}
	return props
}

// workflowDefinition is the STANDARD machine: it rejects an input asking to be rejected and
// otherwise records the input with when and as what it ran. Three state transitions a run,
// which is what Step Functions bills a standard execution by. An input with a numeric
// "holdSeconds" first waits that long in Hold (one transition more), so that a client, or the
// bench, has a RUNNING execution to stop with POST /workflow/stop; without it a run takes the
// same three states as before.
func workflowDefinition(scope constructs.Construct, id string) awsstepfunctions.IChainable {
	reject := awsstepfunctions.NewFail(scope, jsii.String(id+"Rejected"), &awsstepfunctions.FailProps{
		StateName: jsii.String("Rejected"),
		Error:     jsii.String("Rejected"),
		Cause:     jsii.String("the input asked to be rejected with \"reject\": true"),
	})
	accept := awsstepfunctions.NewPass(scope, jsii.String(id+"Accept"), &awsstepfunctions.PassProps{
		StateName: jsii.String("Accept"),
		Parameters: &map[string]interface{}{
			"input.$":      "$",
			"execution.$":  "$$.Execution.Name",
			"acceptedAt.$": "$$.State.EnteredTime",
		},
	})
	accept.Next(awsstepfunctions.NewSucceed(scope, jsii.String(id+"Done"), &awsstepfunctions.SucceedProps{StateName: jsii.String("Done")}))
	hold := awsstepfunctions.NewWait(scope, jsii.String(id+"Hold"), &awsstepfunctions.WaitProps{
		StateName: jsii.String("Hold"),
		Comment:   jsii.String("waits holdSeconds (a non-negative integer; the machine times out after 5 minutes)"),
		Time:      awsstepfunctions.WaitTime_SecondsPath(jsii.String("$.holdSeconds")),
	})
	hold.Next(accept)
	return awsstepfunctions.NewChoice(scope, jsii.String(id+"Check"), &awsstepfunctions.ChoiceProps{StateName: jsii.String("Check")}).
		When(rejectRequested(), reject, nil).
		When(awsstepfunctions.Condition_And(
			awsstepfunctions.Condition_IsPresent(jsii.String("$.holdSeconds")),
			awsstepfunctions.Condition_IsNumeric(jsii.String("$.holdSeconds")),
		), hold, nil).
		Otherwise(accept)
}

// expressDefinition is the EXPRESS machine: a Parallel state stamps the input with the
// execution's identity, then the same rejection rule as the standard machine applies, so a
// synchronous caller sees both a SUCCEEDED and a FAILED execution on demand.
func expressDefinition(scope constructs.Construct, id string) awsstepfunctions.IChainable {
	echo := awsstepfunctions.NewPass(scope, jsii.String(id+"Echo"), &awsstepfunctions.PassProps{StateName: jsii.String("Echo")})
	stamp := awsstepfunctions.NewPass(scope, jsii.String(id+"Stamp"), &awsstepfunctions.PassProps{
		StateName: jsii.String("Stamp"),
		Parameters: &map[string]interface{}{
			"execution.$": "$$.Execution.Id",
			"startedAt.$": "$$.Execution.StartTime",
		},
	})
	enrich := awsstepfunctions.NewParallel(scope, jsii.String(id+"Enrich"), &awsstepfunctions.ParallelProps{
		StateName: jsii.String("Enrich"),
		ResultSelector: &map[string]interface{}{
			"input.$": "$[0]",
			"meta.$":  "$[1]",
		},
	}).Branch(echo).Branch(stamp)
	reject := awsstepfunctions.NewFail(scope, jsii.String(id+"Rejected"), &awsstepfunctions.FailProps{
		StateName: jsii.String("Rejected"),
		Error:     jsii.String("Rejected"),
		Cause:     jsii.String("the input asked to be rejected with \"reject\": true"),
	})
	done := awsstepfunctions.NewSucceed(scope, jsii.String(id+"Done"), &awsstepfunctions.SucceedProps{StateName: jsii.String("Done")})
	check := awsstepfunctions.NewChoice(scope, jsii.String(id+"Check"), &awsstepfunctions.ChoiceProps{StateName: jsii.String("Check")}).
		When(awsstepfunctions.Condition_And(
			awsstepfunctions.Condition_IsPresent(jsii.String("$.input.reject")),
			awsstepfunctions.Condition_BooleanEquals(jsii.String("$.input.reject"), jsii.Bool(true)),
		), reject, nil).
		Otherwise(done)
	return enrich.Next(check)
}

func rejectRequested() awsstepfunctions.Condition {
	return awsstepfunctions.Condition_And(
		awsstepfunctions.Condition_IsPresent(jsii.String("$.reject")),
		awsstepfunctions.Condition_BooleanEquals(jsii.String("$.reject"), jsii.Bool(true)),
	)
}

// newGoFunction makes a Go function on provided.al2023/arm64, built by goBuild, with its own
// log group (retention from the context) and a role that may write to that group only.
func newGoFunction(scope constructs.Construct, id string, props *TargetsProps, pkg, description string) awslambda.Function {
	logGroup := awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     retentionDays(props.Config.LogRetentionDays),
		RemovalPolicy: removalPolicy(props.Config),
	})
	role := awsiam.NewRole(scope, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("firstclass: runs the " + id + " function; writes its own logs only"),
	})
	logGroup.GrantWrite(role)
	fn := awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String(filepath.Join(props.ModuleDir, pkg)), &awss3assets.AssetOptions{
			AssetHashType: awscdk.AssetHashType_OUTPUT,
			Bundling: &awscdk.BundlingOptions{
				// Never pulled: goBuild always bundles or stops the synth.
				Image: awscdk.DockerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/golang:1.26")),
				Local: &goBuild{moduleDir: props.ModuleDir, pkg: pkg},
			},
		}),
		MemorySize:  jsii.Number(128),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(3)),
		Role:        role,
		LogGroup:    logGroup,
		Description: jsii.String(description),
	})
	fn.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(contract.GoPackageMetadata), pkg)
	return fn
}

func removalPolicy(c Config) awscdk.RemovalPolicy {
	if c.RemoveOnDelete {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// retentions are the retention periods CloudWatch Logs accepts, in days.
var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

func retentionDays(days int) awslogs.RetentionDays { return retentions[days] }
