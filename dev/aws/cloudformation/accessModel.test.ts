import { describe, expect, it } from "vitest";
import { readAccessModel } from "./accessModel.ts";
import type { CloudFormationTemplate } from "./intrinsics.ts";

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
