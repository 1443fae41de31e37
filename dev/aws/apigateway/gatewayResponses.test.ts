import { describe, expect, it } from "vitest";
import { gatewayResponse } from "./gatewayResponses.ts";
import { readRestApi } from "./restApiModel.ts";

describe("gatewayResponse", () => {
  it("answers with AWS's default status and message when the template does not customise it", () => {
    expect(gatewayResponse("MISSING_AUTHENTICATION_TOKEN", new Map(), { requestId: "r-1" })).toEqual({
      statusCode: 403,
      body: '{"message":"Missing Authentication Token"}', headers: {},
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
    expect(gatewayResponse("ACCESS_DENIED", new Map(), { requestId: "r-4" })).toEqual({ statusCode: 403, body: '{"message":"User is not authorized to access this resource"}', headers: {} });
    expect(gatewayResponse("ACCESS_DENIED", new Map(), { requestId: "r-4", message: "User is not authorized to access this resource with an explicit deny" }).body).toBe(
      '{"message":"User is not authorized to access this resource with an explicit deny"}',
    );
    expect(gatewayResponse("AUTHORIZER_CONFIGURATION_ERROR", new Map(), { requestId: "r-5" })).toEqual({ statusCode: 500, body: '{"message":null}', headers: {} });
    expect(gatewayResponse("AUTHORIZER_FAILURE", new Map(), { requestId: "r-5" })).toEqual({ statusCode: 500, body: '{"message":null}', headers: {} });
  });

  it("lets a customised response read the denying authorizer's context as $context.authorizer.X, empty when it passed none", () => {
    const customised = new Map([["ACCESS_DENIED", { statusCode: 403, responseTemplates: { "application/json": '{"reason":"$context.authorizer.reason","who":"$context.authorizer.principalId"}' } }]]);
    expect(JSON.parse(gatewayResponse("ACCESS_DENIED", customised, { requestId: "r-6", authorizer: { reason: "suspended" } }).body)).toEqual({ reason: "suspended", who: "" });
  });
});

// "Gateway response types for API Gateway": an uncustomised type "defaults to the DEFAULT_4XX type" (or DEFAULT_5XX);
// "Resetting this status code to null reverts the status codes of all other 4XX responses to their original values".
describe("gatewayResponse with a customised DEFAULT_4XX or DEFAULT_5XX", () => {
  const fallbackTemplate = { "application/json": '{"error":$context.error.messageString,"type":"$context.error.responseType"}' };

  it("applies a customised DEFAULT_4XX to an authorizer's 401 and 403 and a usage plan's 429, keeping each type's status when it sets none", () => {
    // As `resources` declares it (the framework's own gateway responses compile to the same resource), without a StatusCode.
    const { gatewayResponses: customised } = readRestApi({
      Resources: { Default4xx: { Type: "AWS::ApiGateway::GatewayResponse", Properties: { ResponseType: "DEFAULT_4XX", RestApiId: { Ref: "ApiGatewayRestApi" }, ResponseTemplates: fallbackTemplate } } },
    });
    expect(gatewayResponse("UNAUTHORIZED", customised, { requestId: "r-7" })).toEqual({ statusCode: 401, body: '{"error":"Unauthorized","type":"UNAUTHORIZED"}', headers: {} });
    expect(gatewayResponse("ACCESS_DENIED", customised, { requestId: "r-7" })).toEqual({
      statusCode: 403,
      body: '{"error":"User is not authorized to access this resource","type":"ACCESS_DENIED"}', headers: {},
    });
    expect(gatewayResponse("QUOTA_EXCEEDED", customised, { requestId: "r-7" })).toEqual({ statusCode: 429, body: '{"error":"Limit Exceeded","type":"QUOTA_EXCEEDED"}', headers: {} });
    expect(gatewayResponse("AUTHORIZER_FAILURE", customised, { requestId: "r-7" })).toEqual({ statusCode: 500, body: '{"message":null}', headers: {} });
  });

  it("gives every 4xx type DEFAULT_4XX's status when it sets one, and 5xx types DEFAULT_5XX's", () => {
    const customised = new Map([
      ["DEFAULT_4XX", { statusCode: 400, responseTemplates: fallbackTemplate }],
      ["DEFAULT_5XX", { statusCode: 503, responseTemplates: {} }],
    ]);
    expect(gatewayResponse("UNAUTHORIZED", customised, { requestId: "r-8" }).statusCode).toBe(400);
    expect(gatewayResponse("THROTTLED", customised, { requestId: "r-8" }).statusCode).toBe(400);
    expect(gatewayResponse("AUTHORIZER_CONFIGURATION_ERROR", customised, { requestId: "r-8" })).toEqual({ statusCode: 503, body: '{"message":null}', headers: {} });
    expect(gatewayResponse("INTEGRATION_FAILURE", customised, { requestId: "r-8" }).statusCode).toBe(503);
  });

  it("lets a type customised on its own win over DEFAULT_4XX", () => {
    const customised = new Map([
      ["DEFAULT_4XX", { statusCode: 400, responseTemplates: fallbackTemplate }],
      ["UNAUTHORIZED", { statusCode: 401, responseTemplates: { "application/json": '{"login":"required"}' } }],
    ]);
    expect(gatewayResponse("UNAUTHORIZED", customised, { requestId: "r-9" })).toEqual({ statusCode: 401, body: '{"login":"required"}', headers: {} });
    expect(gatewayResponse("ACCESS_DENIED", customised, { requestId: "r-9" }).statusCode).toBe(400);
  });
});

// "Set up a gateway response for a REST API": gatewayresponse.header.X from a static 'value' or method.request.header|querystring|path.Y.
describe("a customised gateway response's headers", () => {
  const templateWith = (responseParameters: Record<string, string>) => ({
    Resources: {
      Default4xx: {
        Type: "AWS::ApiGateway::GatewayResponse",
        Properties: { ResponseType: "DEFAULT_4XX", RestApiId: { Ref: "ApiGatewayRestApi" }, ResponseParameters: responseParameters },
      },
    },
  });

  it("adds a DEFAULT_4XX's CORS headers to an authorizer's 401, static or read from the request", () => {
    const { gatewayResponses } = readRestApi(
      templateWith({ "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin", "gatewayresponse.header.Access-Control-Allow-Headers": "'Authorization'" }),
    );
    const request = { headers: { origin: "https://app.example.com" }, query: new URLSearchParams(), pathParameters: {} };
    expect(gatewayResponse("UNAUTHORIZED", gatewayResponses, { requestId: "r-10", request }).headers).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-headers": "Authorization",
    });
    expect(gatewayResponse("UNAUTHORIZED", gatewayResponses, { requestId: "r-10" }).headers).toEqual({ "access-control-allow-headers": "Authorization" });
  });

  it("refuses at start a mapping the local stack cannot make, naming the resource", () => {
    expect(() => readRestApi(templateWith({ "gatewayresponse.header.X-Stage": "stageVariables.name" }))).toThrow(/Default4xx \(AWS::ApiGateway::GatewayResponse\): the response parameter gatewayresponse.header.X-Stage: stageVariables.name is not emulated/);
  });
});
