// A REST API with one Lambda proxy integration per resource, written the way AWS's examples
// write them (aws-cdk-examples typescript/api-cors-lambda-crud-dynamodb, the CDK workshop):
// Node.js handlers in CommonJS and ES modules, async and callback style, on nodejs18.x to
// nodejs22.x, a Python handler, an HTTP proxy to a backend whose URL is a template parameter,
// CORS preflight on every resource, and the CDK's own deploy-time custom resources.
import * as cdk from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

class RestLambdaStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const greeting = new cdk.CfnParameter(this, 'Greeting', { type: 'String', default: 'Hello' });
    const backendUrl = new cdk.CfnParameter(this, 'BackendUrl', {
      type: 'String',
      default: 'http://127.0.0.1:9',
      description: 'Base URL of the backend the /backend resource proxies to',
    });

    const items = new lambda.Function(this, 'ItemsFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/items'),
      environment: { GREETING: greeting.valueAsString },
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    const item = new lambda.Function(this, 'ItemFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/item'),
    });
    const callback = new lambda.Function(this, 'CallbackFunction', {
      runtime: lambda.Runtime.NODEJS_18_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/callback'),
    });
    const echo = new lambda.Function(this, 'EchoFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/echo'),
    });
    const shapes = new lambda.Function(this, 'ShapesFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/shapes'),
    });
    const py = new lambda.Function(this, 'PythonFunction', {
      runtime: lambda.Runtime.PYTHON_3_9,
      handler: 'app.handler',
      code: lambda.Code.fromAsset('handlers/py'),
      environment: { GREETING: greeting.valueAsString },
    });

    const api = new apigateway.RestApi(this, 'ItemsApi', {
      restApiName: 'Items Service',
      deployOptions: { stageName: 'prod' },
      defaultCorsPreflightOptions: {
        allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'Authorization'],
        maxAge: cdk.Duration.minutes(10),
      },
    });
    const itemsResource = api.root.addResource('items');
    itemsResource.addMethod('GET', new apigateway.LambdaIntegration(items));
    itemsResource.addMethod('POST', new apigateway.LambdaIntegration(items));
    itemsResource.addResource('{id}').addMethod('GET', new apigateway.LambdaIntegration(item));
    api.root.addResource('callback').addMethod('GET', new apigateway.LambdaIntegration(callback));
    api.root.addResource('echo').addResource('{proxy+}').addMethod('ANY', new apigateway.LambdaIntegration(echo));
    api.root.addResource('shapes').addMethod('GET', new apigateway.LambdaIntegration(shapes));
    api.root.addResource('py').addMethod('GET', new apigateway.LambdaIntegration(py));

    api.root.addResource('backend').addResource('{proxy+}').addMethod('ANY',
      new apigateway.HttpIntegration(`${backendUrl.valueAsString}/{proxy}`, {
        proxy: true,
        httpMethod: 'ANY',
        options: { requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } },
      }),
      { requestParameters: { 'method.request.path.proxy': true } });
    api.root.addResource('status').addMethod('GET',
      new apigateway.HttpIntegration(`${backendUrl.valueAsString}/status`, {
        proxy: false,
        httpMethod: 'GET',
        options: {
          integrationResponses: [
            { statusCode: '200', responseTemplates: { 'application/json': '{"backend": $input.json(\'$\')}' } },
            { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '{"message": "backend unavailable"}' } },
          ],
        },
      }),
      { methodResponses: [{ statusCode: '200' }, { statusCode: '503' }] });

    // A deploy-time custom resource: reads the API's own stage at deploy.
    new cr.AwsCustomResource(this, 'DescribeStage', {
      onUpdate: {
        service: 'APIGateway',
        action: 'getStage',
        parameters: { restApiId: api.restApiId, stageName: 'prod' },
        physicalResourceId: cr.PhysicalResourceId.of('prod-stage'),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [api.deploymentStage.stageArn] }),
    });

    new cdk.CfnOutput(this, 'ApiUrl', { value: api.url });
  }
}

const app = new cdk.App();
new RestLambdaStack(app, 'RestLambdaApp');
