package sfn

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// Task tokens: a .waitForTaskToken Task state issues one, puts it in the
// context object ($$.Task.Token) and waits until SendTaskSuccess,
// SendTaskFailure or its timeout ends it; SendTaskHeartbeat resets its
// HeartbeatSeconds clock. Tokens live in memory only: an execution resumed
// after a restart runs from its first state again and issues new ones.

type tokenTable struct {
	mu      sync.Mutex
	pending map[string]*pendingTask
	done    map[string]bool // tokens of tasks that ended, for TaskTimedOut
}

type pendingTask struct {
	token  string
	result chan taskOutcome // buffered 1: the first answer wins
	beats  chan struct{}
}

type taskOutcome struct {
	output  any
	failure *TaskFailure
}

// errNoErrorFailure marks a SendTaskFailure without error or cause, whose
// Catch output has both null.
var errNoErrorFailure = &TaskFailure{}

func newTokenTable() *tokenTable {
	return &tokenTable{pending: map[string]*pendingTask{}, done: map[string]bool{}}
}

func (t *tokenTable) issue() *pendingTask {
	b := make([]byte, 48)
	rand.Read(b)
	p := &pendingTask{token: "AQ" + base64.RawURLEncoding.EncodeToString(b), result: make(chan taskOutcome, 1), beats: make(chan struct{}, 1)}
	t.mu.Lock()
	t.pending[p.token] = p
	t.mu.Unlock()
	return p
}

func (t *tokenTable) finish(p *pendingTask) {
	t.mu.Lock()
	delete(t.pending, p.token)
	t.done[p.token] = true
	t.mu.Unlock()
}

// lookup finds a waiting task by token, with the errors SendTask* answer:
// InvalidToken for a token never issued, TaskTimedOut for one whose task
// has ended ("Provided task does not exist anymore", as AWS says when a
// token is used twice).
func (t *tokenTable) lookup(token string) (*pendingTask, *awsproto.Error) {
	if token == "" {
		return nil, sfnErr("ValidationException", "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.pending[token]; p != nil {
		return p, nil
	}
	if t.done[token] {
		return nil, sfnErr("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
	}
	return nil, sfnErr("InvalidToken", "Invalid Token: 'Invalid token'")
}

// wait blocks until the task's token is answered or ctx ends.
func (p *pendingTask) wait(ctx context.Context) (any, *TaskFailure) {
	select {
	case o := <-p.result:
		return o.output, o.failure
	case <-ctx.Done():
		return nil, nil // the caller reads ctx's cause
	}
}

func (p *pendingTask) answer(o taskOutcome) {
	select {
	case p.result <- o:
	default: // answered already
	}
}

func (svc *Service) sendTaskSuccess(token, output string) error {
	p, err := svc.tokens.lookup(token)
	if err != nil {
		return err
	}
	v, derr := jsonvalue.Decode([]byte(output))
	if derr != nil {
		return sfnErr("InvalidOutput", "Invalid Output: '%v'", derr)
	}
	if len(output) > maxPayload {
		return sfnErr("InvalidOutput", "Invalid Output: 'the output exceeds the maximum size of 262144 bytes'")
	}
	p.answer(taskOutcome{output: v})
	return nil
}

func (svc *Service) sendTaskFailure(token string, errName, cause *string) error {
	p, err := svc.tokens.lookup(token)
	if err != nil {
		return err
	}
	f := errNoErrorFailure
	if errName != nil || cause != nil {
		f = &TaskFailure{}
		if errName != nil {
			f.Name = *errName
		}
		if cause != nil {
			f.Cause = *cause
		}
	}
	p.answer(taskOutcome{failure: f})
	return nil
}

func (svc *Service) sendTaskHeartbeat(token string) error {
	p, err := svc.tokens.lookup(token)
	if err != nil {
		return err
	}
	select {
	case p.beats <- struct{}{}:
	default:
	}
	return nil
}

// SendTaskSuccess ends the waiting task with this token with output.
func (svc *Service) SendTaskSuccess(token, output string) error {
	return svc.sendTaskSuccess(token, output)
}

// SendTaskFailure fails the waiting task with this token.
func (svc *Service) SendTaskFailure(token, errName, cause string) error {
	return svc.sendTaskFailure(token, &errName, &cause)
}

// SendTaskHeartbeat tells the waiting task with this token that its worker
// is still at it.
func (svc *Service) SendTaskHeartbeat(token string) error { return svc.sendTaskHeartbeat(token) }

func sendTaskSuccessOp(svc *Service, _ context.Context, in struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"`
}) (any, error) {
	return struct{}{}, svc.sendTaskSuccess(in.TaskToken, in.Output)
}

func sendTaskFailureOp(svc *Service, _ context.Context, in struct {
	TaskToken string  `json:"taskToken"`
	Error     *string `json:"error"`
	Cause     *string `json:"cause"`
}) (any, error) {
	return struct{}{}, svc.sendTaskFailure(in.TaskToken, in.Error, in.Cause)
}

func sendTaskHeartbeatOp(svc *Service, _ context.Context, in struct {
	TaskToken string `json:"taskToken"`
}) (any, error) {
	return struct{}{}, svc.sendTaskHeartbeat(in.TaskToken)
}
