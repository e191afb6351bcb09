package localapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"firstclass/internal/awslocal"
	"firstclass/internal/lambdalocal"
)

// functionInvoker is the runner's Lambda for the local AWS (awslocal.LambdaInvoker): Step
// Functions Lambda tasks and EventBridge Lambda targets invoke the stack's functions through
// it, so their real processes answer. A function is named as Lambda's Invoke API names it: a
// name, a full or partial ARN, with or without a qualifier. It invokes the functions of the
// generation being served (Reload swaps r's fields); while a generation loads, its functions
// exist too, so that its state machines and rules check against its own template.
type functionInvoker struct {
	r *Runner // the served generation: its fields under r.mu

	mu      sync.Mutex
	loading *Runner // the generation Reload is loading, nil when none
	// joined are the runners serving other stacks on the same local AWS (Options.Join):
	// their functions are invoked as the first runner's are.
	joined []*Runner
	// ready is closed once the runner has loaded its functions: an execution resumed from the
	// state directory may reach a Lambda task before they exist.
	ready chan struct{}
	// ctx ends when the runner closes, cancelling queued asynchronous retries.
	ctx    context.Context
	cancel context.CancelFunc
	async  sync.WaitGroup
}

func newFunctionInvoker() *functionInvoker {
	ctx, cancel := context.WithCancel(context.Background())
	return &functionInvoker{ready: make(chan struct{}), ctx: ctx, cancel: cancel}
}

// setLoading makes the functions of gen (a generation being loaded) exist for checks.
func (l *functionInvoker) setLoading(gen *Runner) {
	l.mu.Lock()
	l.loading = gen
	l.mu.Unlock()
}

// asyncRetryDelays are Lambda's waits before the two retries of a failed asynchronous
// invocation ("Lambda retries the function twice more, with a one-minute wait between the
// first two attempts, and two minutes between the second and third", Lambda Developer Guide,
// "Error handling and automatic retries").
var asyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// functionName is the function's name in any of the forms Invoke accepts.
func functionName(function string) string {
	s := function
	if i := strings.Index(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

// logicalFunction is the logical ID of gen's function with this name, "" for none. The
// caller holds gen.mu or owns gen (a generation being loaded).
func logicalFunction(gen *Runner, function string) string {
	name := functionName(function)
	for _, res := range gen.tmpl.OfType("AWS::Lambda::Function") {
		// A deploy-time custom resource provider is declared but never started.
		if v := gen.vals[res.LogicalID]; v != nil && v.ref == name && !gen.deployTime[res.LogicalID] {
			return res.LogicalID
		}
	}
	return ""
}

func (l *functionInvoker) arn(function string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s:$LATEST", l.r.aws.Region(), l.r.aws.Account(), functionName(function))
}

// join makes the functions of r, a runner that joined this invoker's (Options.Join), invocable.
func (l *functionInvoker) join(r *Runner) {
	l.mu.Lock()
	l.joined = append(l.joined, r)
	l.mu.Unlock()
}

// served is the served generation and the runners that joined it.
func (l *functionInvoker) served() []*Runner {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r == nil { // the first generation, loading in New
		return nil
	}
	return append([]*Runner{l.r}, l.joined...)
}

// Exists reports whether the served stack, one that joined it, or the one being loaded,
// declares the function.
func (l *functionInvoker) Exists(function string) bool {
	l.mu.Lock()
	loading := l.loading
	l.mu.Unlock()
	if loading != nil && logicalFunction(loading, function) != "" {
		return true
	}
	for _, r := range l.served() {
		r.mu.RLock()
		found := logicalFunction(r, function) != ""
		r.mu.RUnlock()
		if found {
			return true
		}
	}
	return false
}

func (l *functionInvoker) function(ctx context.Context, function string) (*lambdalocal.Function, error) {
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var fn *lambdalocal.Function
	for _, r := range l.served() {
		r.mu.RLock()
		fn = r.functions[logicalFunction(r, function)]
		r.mu.RUnlock()
		if fn != nil {
			break
		}
	}
	if fn == nil {
		return nil, &awslocal.Error{Code: "ResourceNotFoundException", Status: 404, Message: "Function not found: " + l.arn(function)}
	}
	return fn, nil
}

// Invoke runs one RequestResponse invocation on the function's local process.
func (l *functionInvoker) Invoke(ctx context.Context, function string, payload []byte) (awslocal.LambdaResult, error) {
	fn, err := l.function(ctx, function)
	if err != nil {
		return awslocal.LambdaResult{}, err
	}
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		return awslocal.LambdaResult{}, invokeAPIError(err)
	}
	return awslocal.LambdaResult{Payload: res.Payload, FunctionError: res.FunctionError, ExecutedVersion: "$LATEST", RequestID: res.RequestID}, nil
}

// invokeAPIError is lambdalocal's error for the caller as the Invoke API's error.
func invokeAPIError(err error) error {
	switch {
	case errors.Is(err, lambdalocal.ErrTooManyRequests):
		return &awslocal.Error{Code: "TooManyRequestsException", Status: 429, Message: "Rate Exceeded."}
	case errors.Is(err, lambdalocal.ErrRequestTooLarge):
		return &awslocal.Error{Code: "RequestTooLargeException", Status: 413, Message: err.Error()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return &awslocal.Error{Code: "ServiceException", Status: 500, Message: err.Error()}
}

// InvokeAsync accepts an Event invocation and runs it in the background, retried twice on a
// function error as Lambda retries. Its outcome goes to the function's log.
func (l *functionInvoker) InvokeAsync(function string, payload []byte) error {
	if !l.Exists(function) {
		return &awslocal.Error{Code: "ResourceNotFoundException", Status: 404, Message: "Function not found: " + l.arn(function)}
	}
	if len(payload) > 256*1024 {
		return &awslocal.Error{Code: "RequestTooLargeException", Status: 413, Message: fmt.Sprintf("%d byte payload is too large for the Event invocation type (limit 262144 bytes)", len(payload))}
	}
	body := append([]byte(nil), payload...)
	l.async.Add(1)
	go func() {
		defer l.async.Done()
		l.runAsync(function, body)
	}()
	return nil
}

func (l *functionInvoker) runAsync(function string, payload []byte) {
	logs := prefixWriter(l.r.opts.Logs, functionName(function))
	for attempt := 0; ; attempt++ {
		res, err := l.Invoke(l.ctx, function, payload)
		if err == nil && res.FunctionError == "" {
			return
		}
		if l.ctx.Err() != nil {
			return
		}
		why := fmt.Sprint(err)
		if err == nil {
			why = string(res.Payload)
		}
		if attempt == len(asyncRetryDelays) {
			fmt.Fprintf(logs, "asynchronous invocation failed after %d attempts, dropped: %s\n", attempt+1, why)
			return
		}
		fmt.Fprintf(logs, "asynchronous invocation failed, retrying in %s: %s\n", asyncRetryDelays[attempt], why)
		select {
		case <-time.After(asyncRetryDelays[attempt]):
		case <-l.ctx.Done():
			return
		}
	}
}

// close cancels queued retries and waits for the running asynchronous invocations.
func (l *functionInvoker) close() {
	l.cancel()
	l.async.Wait()
}
