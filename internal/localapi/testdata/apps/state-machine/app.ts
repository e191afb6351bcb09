// An order workflow written the way AWS's Step Functions examples write one: Node.js Lambda
// tasks (LambdaInvoke with and without payloadResponseOnly), a Catch and a Retry on the
// functions' own error names, an SQS callback with a task token, and a rule that sends the
// shop's events to a CloudWatch Logs log group and to an audit function.
import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

class OrderWorkflowStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const handler = (name: string) =>
      new lambda.Function(this, name, {
        runtime: lambda.Runtime.NODEJS_20_X,
        handler: `${name.toLowerCase()}.handler`,
        code: lambda.Code.fromAsset('handlers'),
        timeout: cdk.Duration.seconds(10),
      });
    const checkFn = handler('Check');
    const chargeFn = handler('Charge');
    const auditFn = handler('Audit');

    const approvals = new sqs.Queue(this, 'Approvals', { enforceSSL: true });

    const check = new tasks.LambdaInvoke(this, 'Check order', {
      lambdaFunction: checkFn,
      outputPath: '$.Payload',
    });
    const invalid = new sfn.Pass(this, 'Invalid order');
    const approve = new tasks.SqsSendMessage(this, 'Wait for approval', {
      queue: approvals,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      messageBody: sfn.TaskInput.fromObject({
        token: sfn.JsonPath.taskToken,
        order: sfn.JsonPath.entirePayload,
      }),
      resultPath: '$.approval',
      taskTimeout: sfn.Timeout.duration(cdk.Duration.minutes(5)),
    });
    const charge = new tasks.LambdaInvoke(this, 'Charge card', {
      lambdaFunction: chargeFn,
      payloadResponseOnly: true,
      resultPath: '$.payment',
    });
    charge.addRetry({ errors: ['PaymentDeclined'], interval: cdk.Duration.seconds(1), maxAttempts: 2 });

    const definition = check
      .addCatch(invalid, { errors: ['InvalidOrder'], resultPath: '$.error' })
      .next(approve)
      .next(charge)
      .next(new sfn.Succeed(this, 'Done'));

    const workflow = new sfn.StateMachine(this, 'OrderWorkflow', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: cdk.Duration.minutes(10),
    });

    const eventLog = new logs.LogGroup(this, 'OrderEventsLog', {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const rule = new events.Rule(this, 'OrderEvents', {
      eventPattern: { source: ['shop.orders'] },
    });
    rule.addTarget(new targets.CloudWatchLogGroup(eventLog));
    rule.addTarget(new targets.LambdaFunction(auditFn, {
      event: events.RuleTargetInput.fromObject({ orderId: events.EventField.fromPath('$.detail.orderId') }),
    }));

    new cdk.CfnOutput(this, 'WorkflowArn', { value: workflow.stateMachineArn });
    new cdk.CfnOutput(this, 'ApprovalsQueueUrl', { value: approvals.queueUrl });
    new cdk.CfnOutput(this, 'OrderEventsLogGroup', { value: eventLog.logGroupName });
  }
}

const app = new cdk.App();
new OrderWorkflowStack(app, 'OrderWorkflowApp');
