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
});
