// A parent stack with template parameters and a nested stack that holds the service: the
// nested stack gets the parent's parameter as its own and hands its API URL back as an output.
import * as cdk from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

interface ServiceProps extends cdk.NestedStackProps {
  readonly greeting: string;
}

class ServiceStack extends cdk.NestedStack {
  public readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id, props);
    const fn = new lambda.Function(this, 'GreetFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('lambda'),
      environment: { GREETING: props.greeting },
    });
    const api = new apigateway.LambdaRestApi(this, 'ServiceApi', { handler: fn, proxy: false });
    api.root.addResource('greet').addMethod('GET');
    this.apiUrl = api.url;
  }
}

class ParentStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const greeting = new cdk.CfnParameter(this, 'Greeting', { type: 'String', default: 'Hello' });
    const service = new ServiceStack(this, 'Service', { greeting: greeting.valueAsString });
    new cdk.CfnOutput(this, 'ServiceUrl', { value: service.apiUrl });
  }
}

const app = new cdk.App();
new ParentStack(app, 'NestedApp');
