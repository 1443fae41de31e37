import { describe, expect, it } from "vitest";
import { readAccessModel } from "./accessModel.ts";
import type { CloudFormationTemplate } from "../cloudformation/intrinsics.ts";

const templateWithAuthorizer = (extra: Record<string, unknown>): CloudFormationTemplate => ({
  Resources: {
    Pool: { Type: "AWS::Cognito::UserPool", Properties: {} },
    Authorizer: {
      Type: "AWS::ApiGateway::Authorizer",
      Properties: { Type: "COGNITO_USER_POOLS", IdentitySource: "method.request.header.Authorization", ProviderARNs: [{ "Fn::GetAtt": ["Pool", "Arn"] }], ...extra },
    },
  },
});

describe("an authorizer's result TTL", () => {
  it("is API Gateway's 300 s when the template sets none, and what it sets otherwise, 0 included", () => {
    expect(readAccessModel(templateWithAuthorizer({})).authorizers.get("Authorizer")?.resultTtlSeconds).toBe(300);
    expect(readAccessModel(templateWithAuthorizer({ AuthorizerResultTtlInSeconds: 0 })).authorizers.get("Authorizer")?.resultTtlSeconds).toBe(0);
    expect(readAccessModel(templateWithAuthorizer({ AuthorizerResultTtlInSeconds: 60 })).authorizers.get("Authorizer")).toMatchObject({ tokenHeader: "authorization", resultTtlSeconds: 60 });
  });

  it("names the property when it is outside 0-3600", () => {
    expect(() => readAccessModel(templateWithAuthorizer({ AuthorizerResultTtlInSeconds: 4000 }))).toThrow(/Authorizer\.AuthorizerResultTtlInSeconds must be a whole number from 0 to 3600/);
  });
});

/** The AuthorizerUri osls 4.3.1 compiles for `authorizer: { name: <function> }` (compile/events/api-gateway/lib/authorizers.js). */
const authorizerUri = (functionArn: unknown) => ({
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":apigateway:", { Ref: "AWS::Region" }, ":lambda:path/2015-03-31/functions/", functionArn, "/invocations"]],
});
const lambdaAuthorizer = (properties: Record<string, unknown>): CloudFormationTemplate => ({
  Resources: {
    AuthApiGatewayAuthorizer: {
      Type: "AWS::ApiGateway::Authorizer",
      Properties: { Name: "auth", RestApiId: { Ref: "ApiGatewayRestApi" }, AuthorizerUri: authorizerUri({ "Fn::GetAtt": ["AuthLambdaFunction", "Arn"] }), ...properties },
    },
  },
});

describe("a Lambda authorizer of the template", () => {
  it("runs on the function its AuthorizerUri names, with the identity sources and validation expression osls compiles", () => {
    const token = readAccessModel(
      lambdaAuthorizer({ Type: "TOKEN", AuthorizerResultTtlInSeconds: 300, IdentitySource: "method.request.header.Authorization", IdentityValidationExpression: "^Bearer .+$" }),
    );
    expect(token.lambdaAuthorizers.get("AuthApiGatewayAuthorizer")).toEqual({
      logicalId: "AuthApiGatewayAuthorizer",
      type: "TOKEN",
      functionLogicalId: "AuthLambdaFunction",
      identitySources: [{ from: "header", name: "authorization" }],
      validationExpression: "^Bearer .+$",
      resultTtlSeconds: 300,
    });
    const request = readAccessModel(
      lambdaAuthorizer({ Type: "REQUEST", AuthorizerResultTtlInSeconds: 0, IdentitySource: "method.request.header.X-Key, method.request.querystring.tenant" }),
    );
    expect(request.lambdaAuthorizers.get("AuthApiGatewayAuthorizer")?.identitySources).toEqual([
      { from: "header", name: "x-key" },
      { from: "querystring", name: "tenant" },
    ]);
    // osls leaves a REQUEST authorizer without identity sources only when its cache is off.
    expect(readAccessModel(lambdaAuthorizer({ Type: "REQUEST", AuthorizerResultTtlInSeconds: 0 })).lambdaAuthorizers.get("AuthApiGatewayAuthorizer")?.identitySources).toEqual([]);
  });

  it("is refused at start on a function outside the template, or cached with nothing to key its results by", () => {
    expect(() => readAccessModel(lambdaAuthorizer({ Type: "TOKEN", AuthorizerUri: authorizerUri("arn:aws:lambda:eu-west-1:123456789012:function:shared-auth") }))).toThrow(
      /AuthApiGatewayAuthorizer: its AuthorizerUri names no function of this template/,
    );
    expect(() => readAccessModel(lambdaAuthorizer({ Type: "REQUEST", AuthorizerResultTtlInSeconds: 300 }))).toThrow(/needs an IdentitySource to key them by/);
  });
});
