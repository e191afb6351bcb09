package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"firstclass/internal/awslocal/awsproto"
	"firstclass/internal/awslocal/jsonvalue"
)

// arn:aws:states:::states:startExecution starts a child execution of
// another state machine: StateMachineArn, Input (a JSON value, or a string
// taken as the input's text; {} when absent) and Name. Request-response
// returns {ExecutionArn, StartDate, SdkHttpMetadata, SdkResponseMetadata};
// .sync and .sync:2 wait for the child and return its description
// (ExecutionArn, Input, Output, Status, StartDate, StopDate…, with Input and
// Output as JSON text, or as JSON values for .sync:2). A child that does not
// succeed fails the task with States.TaskFailed and that description as the
// cause; a refused start with StepFunctions.<Code>Exception.

func (svc *Service) registerStartExecution() {
	svc.RegisterIntegration("states:startExecution", Integration{Patterns: []string{"sync", "sync:2", "waitForTaskToken"}, Call: svc.startExecutionTask})
}

func (svc *Service) startExecutionTask(ctx context.Context, t *TaskCall) (any, *TaskFailure) {
	p, _ := t.Parameters.(map[string]any)
	in := StartExecutionInput{Input: "{}"}
	in.StateMachineArn, _ = p["StateMachineArn"].(string)
	in.Name, _ = p["Name"].(string)
	if v, ok := p["Input"]; ok && v != nil {
		in.Input = jsonText(v)
	}
	e, err := svc.startExecution(in, true)
	if err != nil {
		code := "StepFunctions"
		var ae *awsproto.Error
		if errors.As(err, &ae) {
			code = ae.Code
		}
		return nil, ServiceFailure("StepFunctions."+code+"Exception", "AWSStepFunctions", err)
	}
	if t.Pattern != "sync" && t.Pattern != "sync:2" {
		return SdkResult(map[string]any{"ExecutionArn": e.arn, "StartDate": millis(e.start)}, "application/x-amz-json-1.0"), nil
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		// The task timed out or the parent stopped: AWS stops the child.
		svc.stopExecution(e.arn, "", "")
		return nil, nil
	}
	d := e.syncDescription(t.Pattern == "sync:2")
	if e.info().Status != "SUCCEEDED" {
		return nil, &TaskFailure{Name: errStatesTaskFailed, Cause: jsonvalue.Text(d)}
	}
	return d, nil
}

func millis(t interface{ UnixMilli() int64 }) json.Number {
	return json.Number(fmt.Sprint(t.UnixMilli()))
}

// syncDescription is a finished child execution as .sync returns it: the
// DescribeExecution members with the SDK's capitalized names.
func (e *execution) syncDescription(asJSON bool) map[string]any {
	x := e.info()
	d := map[string]any{"ExecutionArn": x.ARN, "Name": x.Name, "StateMachineArn": x.StateMachineARN, "Status": x.Status,
		"StartDate": millis(x.StartDate), "StopDate": millis(x.StopDate), "Input": x.Input,
		"InputDetails": map[string]any{"Included": true}}
	if asJSON {
		d["Input"] = decodePayload([]byte(x.Input))
	}
	switch x.Status {
	case "SUCCEEDED":
		d["Output"] = x.Output
		if asJSON {
			d["Output"] = decodePayload([]byte(x.Output))
		}
		d["OutputDetails"] = map[string]any{"Included": true}
	default:
		if x.Error != "" {
			d["Error"] = x.Error
		}
		if x.Cause != "" {
			d["Cause"] = x.Cause
		}
	}
	return d
}
