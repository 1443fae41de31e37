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
