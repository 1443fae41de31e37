import { describe, expect, it } from "vitest";
import { gatewayResponse } from "./gatewayResponses.ts";

describe("gatewayResponse", () => {
  it("answers with AWS's default status and message when the template does not customise it", () => {
    expect(gatewayResponse("MISSING_AUTHENTICATION_TOKEN", new Map(), { requestId: "r-1" })).toEqual({
      statusCode: 403,
      body: '{"message":"Missing Authentication Token"}',
    });
  });

  it("uses the template's status and substitutes $context variables, without Velocity", () => {
    const customised = new Map([
      [
        "BAD_REQUEST_BODY",
        {
          statusCode: 422,
          responseTemplates: {
            "application/json": '{"message":$context.error.messageString,"errors":"$context.error.validationErrorString","id":"$context.requestId"}',
          },
        },
      ],
    ]);
    const response = gatewayResponse("BAD_REQUEST_BODY", customised, { requestId: "r-2", validationErrorString: "[/kind is required]" });
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body)).toEqual({ message: "Invalid request body", errors: "[/kind is required]", id: "r-2" });
  });

  it("escapes validationErrorString for the JSON string the template puts it in, as AWS does", () => {
    const customised = new Map([
      ["BAD_REQUEST_BODY", { statusCode: 400, responseTemplates: { "application/json": '{"errors":"$context.error.validationErrorString"}' } }],
    ]);
    const validationErrorString = '[object has missing required properties (["name"])]';
    const response = gatewayResponse("BAD_REQUEST_BODY", customised, { requestId: "r-3", validationErrorString });
    expect(JSON.parse(response.body)).toEqual({ errors: validationErrorString });
  });

  // "How do I troubleshoot HTTP 403 Forbidden errors when using a Lambda authorizer" (AWS knowledge center) and
  // serverless-offline#1376, which recorded a failing authorizer's 500 on AWS: {"message": null}.
  it("answers a Lambda authorizer's refusals as AWS does: 403 with the deny's wording, 500 with a null message", () => {
    expect(gatewayResponse("ACCESS_DENIED", new Map(), { requestId: "r-4" })).toEqual({ statusCode: 403, body: '{"message":"User is not authorized to access this resource"}' });
    expect(gatewayResponse("ACCESS_DENIED", new Map(), { requestId: "r-4", message: "User is not authorized to access this resource with an explicit deny" }).body).toBe(
      '{"message":"User is not authorized to access this resource with an explicit deny"}',
    );
    expect(gatewayResponse("AUTHORIZER_CONFIGURATION_ERROR", new Map(), { requestId: "r-5" })).toEqual({ statusCode: 500, body: '{"message":null}' });
    expect(gatewayResponse("AUTHORIZER_FAILURE", new Map(), { requestId: "r-5" })).toEqual({ statusCode: 500, body: '{"message":null}' });
  });

  it("lets a customised response read the denying authorizer's context as $context.authorizer.X, empty when it passed none", () => {
    const customised = new Map([["ACCESS_DENIED", { statusCode: 403, responseTemplates: { "application/json": '{"reason":"$context.authorizer.reason","who":"$context.authorizer.principalId"}' } }]]);
    expect(JSON.parse(gatewayResponse("ACCESS_DENIED", customised, { requestId: "r-6", authorizer: { reason: "suspended" } }).body)).toEqual({ reason: "suspended", who: "" });
  });
});
