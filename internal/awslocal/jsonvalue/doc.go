// Package jsonvalue is the JSON that EventBridge and Step Functions work
// on: values decoded with json.Number so they pass through unchanged
// (Decode, Text, Equal) and the JSONPath subset both use (ParsePath):
// EventBridge for InputPath and InputPathsMap, the Step Functions
// interpreter for InputPath, Parameters, ResultPath, OutputPath, Choice
// variables and intrinsic function arguments.
//
// Its users are the awslocal/events and awslocal/sfn packages.
package jsonvalue
