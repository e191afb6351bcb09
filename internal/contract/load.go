package contract

// The load workers' stack (FirstclassLoad): its outputs, which `firstclass bench --from
// lambda` reads to find the state machine and the results bucket, and the limits it is built
// with. They are a public contract, like the API stack's keys.
const (
	DefaultLoadStackName = "FirstclassLoad"

	LoadStateMachineArnOutput = "LoadStateMachineArn"
	LoadResultsBucketOutput   = "LoadResultsBucket"
	LoadWorkerFunctionOutput  = "LoadWorkerFunctionName"
	LoadWorkerMemoryOutput    = "LoadWorkerMemoryMB"
	LoadWorkerTimeoutOutput   = "LoadWorkerTimeoutSeconds"
	LoadInlineMaxOutput       = "LoadInlineMapMaxWorkers"
)

// Load stack limits.
const (
	// LoadInlineMapMaxWorkers is the most workers the state machine runs in an inline Map
	// state, whose iterations run at most 40 at a time ("Map state" in the Step Functions
	// developer guide); more go to a Distributed Map state.
	LoadInlineMapMaxWorkers = 40
	// LoadWorkerMemoryMB gives each worker one full vCPU: Lambda allocates CPU in proportion
	// to memory, 1 vCPU at 1,769 MB ("Configuring Lambda function memory").
	LoadWorkerMemoryMB = 1769
	// LoadWorkerTimeoutSeconds is Lambda's limit, 15 minutes.
	LoadWorkerTimeoutSeconds = 900
	// LoadResultsPrefix is where workers keep their results in the bucket.
	LoadResultsPrefix = "runs/"
)
