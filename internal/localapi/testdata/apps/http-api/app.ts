// An HTTP API as aws-samples' serverless patterns write one: Lambda proxy routes with payload
// 2.0 and 1.0, an HTTP proxy to a backend whose URL is a template parameter, the $default
// route, and a CORS configuration the gateway answers itself.
import * as cdk from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration, HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

class HttpApiStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const backendUrl = new cdk.CfnParameter(this, 'BackendUrl', { type: 'String', default: 'http://127.0.0.1:9' });

    const hello = new lambda.Function(this, 'HelloFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/hello'),
    });
    const fallback = new lambda.Function(this, 'FallbackFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('handlers/fallback'),
    });
    const py = new lambda.Function(this, 'PythonFunction', {
      runtime: lambda.Runtime.PYTHON_3_11,
      handler: 'app.handler',
      code: lambda.Code.fromAsset('handlers/py'),
    });

    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      corsPreflight: {
        allowOrigins: ['https://app.example.com'],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
        allowHeaders: ['content-type', 'authorization'],
        exposeHeaders: ['x-request-id'],
        allowCredentials: true,
        maxAge: cdk.Duration.minutes(10),
      },
      defaultIntegration: new HttpLambdaIntegration('Fallback', fallback),
    });
    api.addRoutes({ path: '/hello/{name}', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Hello', hello) });
    api.addRoutes({
      path: '/v1/hello',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('PythonV1', py, { payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0 }),
    });
    api.addRoutes({
      path: '/backend/{proxy+}',
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpUrlIntegration('Backend', `${backendUrl.valueAsString}/{proxy}`),
    });

    new cdk.CfnOutput(this, 'HttpApiUrl', { value: api.url! });
  }
}

const app = new cdk.App();
new HttpApiStack(app, 'HttpApiApp');
