package api

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"firstclass/internal/spec"
)

// Auth is what the auth modes need besides the APIs: a Cognito user pool whose app client
// gets access tokens with the client-credentials flow and the resource server's scope
// (modes jwt, lambda and lambda-token, which all take those tokens), and the Go Lambda
// authorizer (lambda, lambda-token). The API constructs ask it for their authorizers.
type Auth struct {
	constructs.Construct
	Pool     awscognito.UserPool
	Client   awscognito.UserPoolClient
	Domain   awscognito.UserPoolDomain
	Function awslambda.Function // the Lambda authorizer; nil without a lambda mode

	config Config
	// The authorizers, made once each and shared by the routes that use them.
	httpIAM, httpJWT, httpLambda awsapigatewayv2.IHttpRouteAuthorizer
	restCognito                  awsapigateway.IAuthorizer
	restRequest, restToken       awsapigateway.IAuthorizer
}

// Scope is the one resource-server scope every token must carry.
const (
	ResourceServerID = "firstclass"
	ScopeName        = "invoke"
	Scope            = ResourceServerID + "/" + ScopeName
)

// authorizerCacheTTL is how long API Gateway caches a Lambda authorizer's answer by identity
// source: its default, 5 minutes.
var authorizerCacheTTL = awscdk.Duration_Minutes(jsii.Number(5))

// NewAuth makes the user pool and the authorizer function the configured modes need.
func NewAuth(scope constructs.Construct, id string, props *TargetsProps, table spec.Table) *Auth {
	a := &Auth{Construct: constructs.NewConstruct(scope, jsii.String(id)), config: props.Config}
	names := table.Names()
	c := props.Config
	if !c.UsesAuth(names, AuthJWT, AuthLambda, AuthLambdaToken) {
		return a
	}
	a.Pool = awscognito.NewUserPool(a.Construct, jsii.String("UserPool"), &awscognito.UserPoolProps{
		// Machine clients only: nobody signs up or signs in; the password, MFA and threat
		// protection settings are for users an operator might add (cdk-nag COG1-3).
		SelfSignUpEnabled: jsii.Bool(false),
		PasswordPolicy: &awscognito.PasswordPolicy{MinLength: jsii.Number(12), RequireDigits: jsii.Bool(true),
			RequireLowercase: jsii.Bool(true), RequireUppercase: jsii.Bool(true), RequireSymbols: jsii.Bool(true)},
		Mfa:                          awscognito.Mfa_REQUIRED,
		MfaSecondFactor:              &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
		AccountRecovery:              awscognito.AccountRecovery_NONE,
		RemovalPolicy:                removalPolicy(c),
	})
	server := a.Pool.AddResourceServer(jsii.String("ResourceServer"), &awscognito.UserPoolResourceServerOptions{
		Identifier: jsii.String(ResourceServerID),
		Scopes:     &[]awscognito.ResourceServerScope{awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{ScopeName: jsii.String(ScopeName), ScopeDescription: jsii.String("call every firstclass route")})},
	})
	a.Client = a.Pool.AddClient(jsii.String("BenchClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret: jsii.Bool(true),
		AuthFlows:      &awscognito.AuthFlow{},
		OAuth: &awscognito.OAuthSettings{
			Flows:  &awscognito.OAuthFlows{ClientCredentials: jsii.Bool(true)},
			Scopes: &[]awscognito.OAuthScope{awscognito.OAuthScope_Custom(jsii.String(Scope))},
		},
		AccessTokenValidity:   awscdk.Duration_Hours(jsii.Number(1)),
		EnableTokenRevocation: jsii.Bool(true),
	})
	a.Client.Node().AddDependency(server)
	// A Cognito domain prefix is global per region: the stack name and the account make it
	// unique without a hard-coded name.
	a.Domain = a.Pool.AddDomain(jsii.String("Domain"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: awscdk.Fn_Join(jsii.String("-"),
			&[]*string{jsii.String(strings.ToLower(c.StackName)), awscdk.Aws_ACCOUNT_ID()})},
	})
	if c.UsesAuth(names, AuthLambda, AuthLambdaToken) {
		a.Function = newGoFunction(a.Construct, "Authorizer", props, "./lambda/authorizer", "firstclass: Lambda authorizer of both APIs (Cognito access tokens)")
		a.Function.AddEnvironment(jsii.String("ISSUER"), a.Pool.UserPoolProviderUrl(), nil)
		a.Function.AddEnvironment(jsii.String("AUDIENCE"), a.Client.UserPoolClientId(), nil)
		a.Function.AddEnvironment(jsii.String("SCOPE"), jsii.String(Scope), nil)
	}
	return a
}

// TokenURL is the user pool domain's token endpoint.
func (a *Auth) TokenURL() *string {
	return jsii.String(*a.Domain.BaseUrl(nil) + "/oauth2/token")
}

// httpRoute is a route's authorizer and scopes on the HTTP API; nil for none.
func (a *Auth) httpRoute(mode string) (awsapigatewayv2.IHttpRouteAuthorizer, *[]*string) {
	switch mode {
	case AuthIAM:
		if a.httpIAM == nil {
			a.httpIAM = awsapigatewayv2authorizers.NewHttpIamAuthorizer()
		}
		return a.httpIAM, nil
	case AuthJWT:
		if a.httpJWT == nil {
			a.httpJWT = awsapigatewayv2authorizers.NewHttpUserPoolAuthorizer(jsii.String("CognitoAuthorizer"), a.Pool,
				&awsapigatewayv2authorizers.HttpUserPoolAuthorizerProps{
					UserPoolClients: &[]awscognito.IUserPoolClient{a.Client},
					IdentitySource:  jsii.Strings("$request.header.Authorization"),
				})
		}
		return a.httpJWT, jsii.Strings(Scope)
	case AuthLambda, AuthLambdaToken:
		if a.httpLambda == nil {
			a.httpLambda = awsapigatewayv2authorizers.NewHttpLambdaAuthorizer(jsii.String("LambdaAuthorizer"), a.Function,
				&awsapigatewayv2authorizers.HttpLambdaAuthorizerProps{
					ResponseTypes:   &[]awsapigatewayv2authorizers.HttpLambdaResponseType{awsapigatewayv2authorizers.HttpLambdaResponseType_SIMPLE},
					IdentitySource:  jsii.Strings("$request.header.Authorization"),
					ResultsCacheTtl: authorizerCacheTTL,
				})
		}
		return a.httpLambda, nil
	}
	return nil, nil
}

// restMethod sets a method's authorization on the REST API.
func (a *Auth) restMethod(scope constructs.Construct, mode string, o *awsapigateway.MethodOptions) {
	switch mode {
	case AuthNone:
		o.AuthorizationType = awsapigateway.AuthorizationType_NONE
	case AuthIAM:
		o.AuthorizationType = awsapigateway.AuthorizationType_IAM
	case AuthJWT:
		if a.restCognito == nil {
			a.restCognito = awsapigateway.NewCognitoUserPoolsAuthorizer(scope, jsii.String("CognitoAuthorizer"), &awsapigateway.CognitoUserPoolsAuthorizerProps{
				CognitoUserPools: &[]awscognito.IUserPool{a.Pool},
				IdentitySource:   jsii.String("method.request.header.Authorization"),
				ResultsCacheTtl:  authorizerCacheTTL,
			})
		}
		o.AuthorizationType, o.Authorizer, o.AuthorizationScopes = awsapigateway.AuthorizationType_COGNITO, a.restCognito, jsii.Strings(Scope)
	case AuthLambda:
		if a.restRequest == nil {
			a.restRequest = awsapigateway.NewRequestAuthorizer(scope, jsii.String("RequestAuthorizer"), &awsapigateway.RequestAuthorizerProps{
				Handler:         a.Function,
				IdentitySources: &[]*string{awsapigateway.IdentitySource_Header(jsii.String("Authorization"))},
				ResultsCacheTtl: authorizerCacheTTL,
			})
		}
		o.AuthorizationType, o.Authorizer = awsapigateway.AuthorizationType_CUSTOM, a.restRequest
	case AuthLambdaToken:
		if a.restToken == nil {
			a.restToken = awsapigateway.NewTokenAuthorizer(scope, jsii.String("TokenAuthorizer"), &awsapigateway.TokenAuthorizerProps{
				Handler:         a.Function,
				IdentitySource:  jsii.String("method.request.header.Authorization"),
				ResultsCacheTtl: authorizerCacheTTL,
			})
		}
		o.AuthorizationType, o.Authorizer = awsapigateway.AuthorizationType_CUSTOM, a.restToken
	}
}
