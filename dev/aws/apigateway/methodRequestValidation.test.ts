import { describe, expect, it } from "vitest";
import type { ApiRequest } from "./apiTypes.ts";
import { validatedRoute } from "./methodRequestValidation.ts";
import { readRequestValidation } from "./requestValidatorModel.ts";

const request = (overrides: Partial<ApiRequest> = {}): ApiRequest => ({
  method: "GET",
  path: "/validation",
  pathParameters: {},
  query: new URLSearchParams(),
  headers: {},
  sentHeaders: [],
  body: "",
  requestId: "r-1",
  requestTimeEpoch: 0,
  sourceIp: "127.0.0.1",
  ...overrides,
});
const integration = async () => ({ statusCode: 200, body: "OK" });

// The expected answers are those of "Test basic request validation in API Gateway"
// (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html):
// GET /validation without q1, or with q1 blank, is a 400 {"message": "Missing required request parameters: [q1]"}.
describe("a method's request validator, as API Gateway runs it before the integration", () => {
  const validators = new Map([["Params", { ValidateRequestParameters: true, ValidateRequestBody: false }], ["Body", { ValidateRequestBody: true }]]);
  const models = new Map([["Pet", { Schema: { type: "object", required: ["id"] } }]]);

  it("answers 400 Missing required request parameters for a required query string absent or blank, and passes one present", async () => {
    const method = { RequestValidatorId: { Ref: "Params" }, RequestParameters: { "method.request.querystring.q1": true, "method.request.querystring.q2": false } };
    const route = validatedRoute(readRequestValidation(method, validators, models), integration, new Map());
    for (const query of ["", "q1=", "q2=dog"]) {
      const answer = await route(request({ query: new URLSearchParams(query) }));
      expect(answer.statusCode).toBe(400);
      expect(JSON.parse(String(answer.body))).toEqual({ message: "Missing required request parameters: [q1]" });
    }
    expect(await route(request({ query: new URLSearchParams("q1=cat") }))).toEqual({ statusCode: 200, body: "OK" });
  });

  it("reads a required header in any case", async () => {
    const method = { RequestValidatorId: { Ref: "Params" }, RequestParameters: { "method.request.header.Foo": true } };
    const route = validatedRoute(readRequestValidation(method, validators, models), integration, new Map());
    expect((await route(request())).statusCode).toBe(400);
    expect((await route(request({ headers: { foo: "bar" } }))).statusCode).toBe(200);
  });

  it("checks the body against the model of its content type only, as the docs say: no model for the type, no check", async () => {
    const method = { RequestValidatorId: { Ref: "Body" }, RequestModels: { "application/json": { Ref: "Pet" } } };
    const route = validatedRoute(readRequestValidation(method, validators, models), integration, new Map());
    const invalid = await route(request({ body: "{}" }));
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(String(invalid.body))).toEqual({ message: "Invalid request body" });
    expect((await route(request({ body: '{"id":1}' }))).statusCode).toBe(200);
    expect((await route(request({ body: "{}", headers: { "content-type": "text/plain" } }))).statusCode).toBe(200);
  });

  it("validates nothing for a method without a validator, whatever its parameters say", async () => {
    const validation = readRequestValidation({ RequestParameters: { "method.request.querystring.q1": true } }, validators, models);
    expect(validation).toEqual({ bodyModels: {}, requiredParameters: [] });
    expect(validatedRoute(validation, integration, new Map())).toBe(integration);
  });
});
