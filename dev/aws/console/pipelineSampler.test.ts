import { describe, expect, it } from "vitest";
import { readRestApi } from "../apigateway/restApiModel.ts";
import type { CloudFormationTemplate } from "../cloudformation/intrinsics.ts";
import { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import type { ServiceModel } from "../cloudformation/serviceModel.ts";
import { pipelineMapOf } from "./pipelineSampler.ts";

/** Two methods as osls 4.3.1 compiles them: one behind a TOKEN authorizer on a function, one behind a Cognito authorizer, and one open. */
const method = (name: string, access: Record<string, unknown>) => ({
  Type: "AWS::ApiGateway::Method",
  Properties: {
    HttpMethod: "GET",
    ResourceId: { Ref: `ApiGatewayResource${name}` },
    ...access,
    Integration: { Type: "AWS_PROXY", Uri: { "Fn::Join": ["", ["arn:", { "Fn::GetAtt": ["MeLambdaFunction", "Arn"] }, "/invocations"]] } },
  },
});
const template = {
  Resources: {
    ApiGatewayRestApi: { Type: "AWS::ApiGateway::RestApi", Properties: { Name: "svc" } },
    ApiGatewayResourceToken: { Type: "AWS::ApiGateway::Resource", Properties: { ParentId: { "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"] }, PathPart: "token" } },
    ApiGatewayResourcePool: { Type: "AWS::ApiGateway::Resource", Properties: { ParentId: { "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"] }, PathPart: "pool" } },
    ApiGatewayResourceOpen: { Type: "AWS::ApiGateway::Resource", Properties: { ParentId: { "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"] }, PathPart: "open" } },
    ApiGatewayMethodTokenGet: method("Token", { AuthorizationType: "CUSTOM", AuthorizerId: { Ref: "AuthApiGatewayAuthorizer" } }),
    ApiGatewayMethodPoolGet: method("Pool", { AuthorizationType: "COGNITO_USER_POOLS", AuthorizerId: { Ref: "PoolAuthorizer" } }),
    ApiGatewayMethodOpenGet: method("Open", { AuthorizationType: "NONE" }),
    AuthApiGatewayAuthorizer: {
      Type: "AWS::ApiGateway::Authorizer",
      Properties: {
        Name: "auth",
        Type: "TOKEN",
        AuthorizerUri: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":apigateway:", { Ref: "AWS::Region" }, ":lambda:path/2015-03-31/functions/", { "Fn::GetAtt": ["AuthLambdaFunction", "Arn"] }, "/invocations"]] },
      },
    },
    PoolAuthorizer: { Type: "AWS::ApiGateway::Authorizer", Properties: { Name: "pool", Type: "COGNITO_USER_POOLS", ProviderARNs: [{ "Fn::GetAtt": ["UserPool", "Arn"] }] } },
  },
} as CloudFormationTemplate;
const model = {
  functions: [
    { logicalId: "MeLambdaFunction", name: "svc-dev-me" },
    { logicalId: "AuthLambdaFunction", name: "svc-dev-auth" },
  ],
  eventSourceMappings: [],
} as unknown as ServiceModel;

describe("the console's pipeline map of a REST API", () => {
  it("puts each route's authorizer in front of it: a Lambda one with its function's name, a Cognito one by its name, none on an open route", () => {
    const { routes } = pipelineMapOf(model, readRestApi(template), new ResourceRegistry({ accountId: "000000000000", region: "eu-west-1", stackName: "svc-dev" }), template);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: "GET", path: "/token", kind: "lambda-proxy", target: "svc-dev-me", authorizer: { kind: "lambda", name: "auth", function: "svc-dev-auth" } },
        { method: "GET", path: "/pool", kind: "lambda-proxy", target: "svc-dev-me", authorizer: { kind: "cognito", name: "pool", function: null } },
        { method: "GET", path: "/open", kind: "lambda-proxy", target: "svc-dev-me" },
      ]),
    );
  });
});
