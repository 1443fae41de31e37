import { describe, expect, it } from "vitest";
import { LocalAwsError } from "../errors.ts";
import {
  integrationRequestParameters,
  methodResponseHeaders,
  readRequestParameters,
  readResponseParameters,
} from "./integrationParameters.ts";
import type { TemplateRequest } from "./mappingTemplates.ts";

const request: TemplateRequest = {
  body: '{"name":"Ada","tags":["a"]}',
  requestId: "req-1",
  requestTimeEpoch: 1_795_400_000_000,
  httpMethod: "POST",
  resourcePath: "/items/{itemId}",
  stage: "dev",
  sourceIp: "10.0.0.1",
  parameters: { path: { itemId: "i-9" }, querystring: { source: "web" }, header: { "x-tenant": "t-1" } },
};

describe("integration request parameters", () => {
  it("maps the service proxy plugin's defaults: a static Action and the raw body as MessageBody", () => {
    const mappings = readRequestParameters("PostMessages (POST /messages)", {
      "integration.request.querystring.Action": "'SendMessage'",
      "integration.request.querystring.MessageBody": "method.request.body",
    });
    const { querystring } = integrationRequestParameters(mappings, request);
    expect(querystring.get("Action")).toBe("SendMessage");
    expect(querystring.get("MessageBody")).toBe(request.body);
  });

  it("maps path, query string, header, body JSONPath and context sources to query strings and headers", () => {
    const mappings = readRequestParameters("m", {
      "integration.request.querystring.item": "method.request.path.itemId",
      "integration.request.querystring.source": "method.request.querystring.source",
      "integration.request.querystring.absent": "method.request.querystring.absent",
      "integration.request.header.X-Tenant": "method.request.header.X-Tenant",
      "integration.request.header.X-Name": "method.request.body.name",
      "integration.request.header.X-Tags": "method.request.body.tags",
      "integration.request.header.X-Request": "context.requestId",
      "integration.request.header.X-Ip": "context.identity.sourceIp",
    });
    const { querystring, headers } = integrationRequestParameters(mappings, request);
    expect(Object.fromEntries(querystring)).toEqual({ item: "i-9", source: "web" });
    expect(headers).toEqual({ "x-tenant": "t-1", "x-name": "Ada", "x-tags": '["a"]', "x-request": "req-1", "x-ip": "10.0.0.1" });
  });

  // "Output from an API Gateway Lambda authorizer": principalId and the context keys are $context.authorizer.X.
  it("maps what a Lambda authorizer passed, context.authorizer.principalId and a context key, as strings", () => {
    const mappings = readRequestParameters("m", {
      "integration.request.header.X-User": "context.authorizer.principalId",
      "integration.request.header.X-Tier": "context.authorizer.tier",
    });
    const { headers } = integrationRequestParameters(mappings, { ...request, authorizer: { principalId: "u-1", integrationLatency: 3, tier: "gold" } });
    expect(headers).toEqual({ "x-user": "u-1", "x-tier": "gold" });
  });

  it("refuses at start a source it cannot run, naming the method and what it supports", () => {
    expect(() => readRequestParameters("PostItems (POST /items)", { "integration.request.querystring.v": "stageVariables.version" })).toThrow(
      LocalAwsError,
    );
    expect(() => readRequestParameters("PostItems (POST /items)", { "integration.request.path.id": "method.request.path.id" })).toThrow(
      /PostItems \(POST \/items\): the integration request parameter integration\.request\.path\.id .* maps integration\.request\.querystring\.X/,
    );
    expect(() => readRequestParameters("m", { "integration.request.header.X": "context.authorizer.claims.a.b" })).toThrow(/context\.X \(X one of/);
  });
});

describe("integration response parameters", () => {
  const answer = { headers: { "x-amzn-requestid": "sqs-1" }, body: '{"id":"m-1"}' };

  it("sets method response headers from static values, backend headers and the backend body", () => {
    const mappings = readResponseParameters("m", {
      "method.response.header.Access-Control-Allow-Origin": "'*'",
      "method.response.header.X-Backend-Request": "integration.response.header.x-amzn-RequestId",
      "method.response.header.X-Id": "integration.response.body.id",
      "method.response.header.X-Body": "integration.response.body",
    });
    expect(methodResponseHeaders(mappings, answer)).toEqual({
      "Access-Control-Allow-Origin": "*",
      "X-Backend-Request": "sqs-1",
      "X-Id": "m-1",
      "X-Body": '{"id":"m-1"}',
    });
  });

  it("refuses at start a target or source it cannot run", () => {
    expect(() => readResponseParameters("GetItems (GET /items)", { "method.response.multivalueheader.X": "'a'" })).toThrow(
      /GetItems \(GET \/items\): the integration response parameter method\.response\.multivalueheader\.X/,
    );
    expect(() => readResponseParameters("m", { "method.response.header.X": "context.requestId" })).toThrow(LocalAwsError);
  });
});
