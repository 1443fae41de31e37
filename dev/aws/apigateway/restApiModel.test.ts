import { describe, expect, it } from "vitest";
import type { CloudFormationTemplate } from "../cloudformation/intrinsics.ts";
import { readRestApi } from "./restApiModel.ts";

/**
 * The deployment osls 4.3.1 compiles (lib/plugins/aws/package/compile/events/api-gateway/lib/deployment.js):
 * `StageName: provider.getApiGatewayStage()`, the `--stage` given unless provider.apiGateway.stage names another.
 */
const deployment = (stageName: string) => ({
  Type: "AWS::ApiGateway::Deployment",
  Properties: { RestApiId: { Ref: "ApiGatewayRestApi" }, StageName: stageName },
});

describe("the REST API's stage", () => {
  it("is the StageName the template deploys the API to", () => {
    const template = { Resources: { ApiGatewayDeployment1700000000000: deployment("local") } } as CloudFormationTemplate;
    expect(readRestApi(template).stageName).toBe("local");
  });

  it("is the Stage resource's when the template declares one", () => {
    const template = {
      Resources: {
        ApiGatewayDeployment1700000000000: { Type: "AWS::ApiGateway::Deployment", Properties: { RestApiId: { Ref: "ApiGatewayRestApi" } } },
        ApiGatewayStage: { Type: "AWS::ApiGateway::Stage", Properties: { StageName: "v1", DeploymentId: { Ref: "ApiGatewayDeployment1700000000000" } } },
      },
    } as CloudFormationTemplate;
    expect(readRestApi(template).stageName).toBe("v1");
  });

  it("is left to the service's stage when the template names none", () => {
    expect(readRestApi({ Resources: {} } as CloudFormationTemplate).stageName).toBeUndefined();
  });
});

describe("a method behind a Lambda authorizer", () => {
  // What osls 4.3.1 compiles for an http event with `authorizer: { name: auth }` on a Lambda proxy method.
  const template = (restApi: Record<string, unknown>) =>
    ({
      Resources: {
        ApiGatewayRestApi: { Type: "AWS::ApiGateway::RestApi", Properties: { Name: "svc", ...restApi } },
        ApiGatewayMethodMeGet: {
          Type: "AWS::ApiGateway::Method",
          Properties: {
            HttpMethod: "GET",
            ResourceId: { "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"] },
            AuthorizationType: "CUSTOM",
            AuthorizerId: { Ref: "AuthApiGatewayAuthorizer" },
            Integration: { Type: "AWS_PROXY", Uri: { "Fn::Join": ["", ["arn:", { "Fn::GetAtt": ["MeLambdaFunction", "Arn"] }, "/invocations"]] } },
          },
        },
      },
    }) as CloudFormationTemplate;

  it("names its authorizer, and the API reads its keys from the x-api-key header unless ApiKeySourceType says AUTHORIZER", () => {
    expect(readRestApi(template({})).routes[0]).toMatchObject({ authorization: { authorizerLogicalId: "AuthApiGatewayAuthorizer", scopes: [] } });
    expect(readRestApi(template({})).apiKeySource).toBe("HEADER");
    expect(readRestApi(template({ ApiKeySourceType: "AUTHORIZER" })).apiKeySource).toBe("AUTHORIZER");
  });
});

