import { describe, expect, it } from "vitest";
import { lambdaIntegrationResponse } from "./lambdaIntegrationRoute.ts";
import type { IntegrationResponse } from "./restApiModel.ts";

/**
 * The integration responses the framework compiles for `integration: lambda`, their patterns as its
 * DEFAULT_STATUS_CODES write them (osls lib/plugins/aws/package/compile/events/api-gateway/lib/validate.js).
 */
const FRAMEWORK_PATTERNS: Record<number, string> = {
  200: "",
  400: "[\\s\\S]*\\[400\\][\\s\\S]*",
  404: "[\\s\\S]*\\[404\\][\\s\\S]*",
  500: "[\\s\\S]*(Process\\s?exited\\s?before\\s?completing\\s?request|\\[500\\])[\\s\\S]*",
  504: "([\\s\\S]*\\[504\\][\\s\\S]*)|(.*Task timed out after \\d+\\.\\d+ seconds$)",
};
const responses: IntegrationResponse[] = Object.entries(FRAMEWORK_PATTERNS).map(([statusCode, selectionPattern]) => ({
  statusCode: Number(statusCode),
  selectionPattern,
  responseParameters: [],
  responseTemplates: {},
}));
const statusOf = (errorMessage: string | undefined) => lambdaIntegrationResponse(responses, errorMessage)?.statusCode;

// "Set up Lambda custom integrations in API Gateway": a Lambda error's errorMessage is matched against the selection patterns.
describe("the integration response a Lambda custom integration selects", () => {
  it("takes the default for a success and for an error no pattern matches", () => {
    expect([statusOf(undefined), statusOf("boom")]).toEqual([200, 200]);
  });

  it("matches the whole errorMessage, as Java's matches does: [404] anywhere in it, and Lambda's timeout wording", () => {
    expect(statusOf("[404] no item 17")).toBe(404);
    expect(statusOf("2026-12-02T15:00:00.000Z r-1 Task timed out after 1.00 seconds")).toBe(504);
    expect(statusOf("Task timed out after 1.00 seconds and then some")).toBe(200);
    expect(statusOf("Process exited before completing request")).toBe(500);
  });
});
