import { readFileSync } from "node:fs";
import { APIGatewayRequestAuthorizerEventSchema, APIGatewayTokenAuthorizerEventSchema } from "@aws-lambda-powertools/parser/schemas";
import { describe, expect, it } from "vitest";
import { LocalAwsError } from "../errors.ts";
import type { ApiRequest } from "./apiTypes.ts";
import { readIdentitySources } from "./identitySources.ts";
import { identityValues, requestAuthorizerEvent, tokenAuthorizerEvent } from "./restLambdaAuthorizer.ts";
import { asReceived, shapeOf } from "./fixtures/eventShape.ts";

/** Events AWS sent REST Lambda authorizers, recorded and published by Powertools for AWS Lambda (TypeScript); each fixture names its commit. */
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as { event: Record<string, unknown> };
const recordedRequest = fixture("restRequestAuthorizerEvent.aws.json").event;
const recordedToken = fixture("restTokenAuthorizerEvent.aws.json").event;

/** The recorded REQUEST authorizer's call as the local API reads it off the socket. */
function apiRequest(overrides: Partial<ApiRequest> = {}): ApiRequest {
  const sentHeaders = overrides.sentHeaders ?? [
    ["Host", "127.0.0.1:3000"],
    ["User-Agent", "HTTPie/3.2.2"],
    ["Accept", "*/*"],
    ["Authorization", "Bearer foo"],
  ];
  return {
    method: "POST",
    path: "/lambda-request",
    pathParameters: {},
    query: new URLSearchParams(),
    headers: Object.fromEntries(sentHeaders.map(([name, value]) => [name.toLowerCase(), value])),
    sentHeaders,
    body: "",
    requestId: "141d6671-99b4-40ca-9997-7a22f01eac74",
    requestTimeEpoch: 1718636523035,
    sourceIp: "127.0.0.1",
    ...overrides,
  };
}

const settings = { stage: "prod", accountId: "123456789012" };
const methodArn = "arn:aws:execute-api:eu-west-1:123456789012:local/prod/POST/lambda-request";

describe("the event of a REQUEST authorizer", () => {
  it("has the keys, and value types, of the event AWS sent for the same call: empty maps, not null, and no body", () => {
    const event = asReceived(requestAuthorizerEvent(apiRequest(), "/lambda-request", methodArn, settings));
    expect(shapeOf(event)).toEqual(shapeOf(recordedRequest));
    expect(event).toMatchObject({ type: "REQUEST", methodArn, resource: "/lambda-request", path: "/lambda-request", httpMethod: "POST", queryStringParameters: {} });
  });

  it("parses with Powertools' APIGatewayRequestAuthorizerEventSchema, as AWS's recorded event does", () => {
    expect(APIGatewayRequestAuthorizerEventSchema.safeParse(recordedRequest).success).toBe(true);
    const rich = requestAuthorizerEvent(
      apiRequest({ method: "GET", path: "/items/a1", pathParameters: { itemId: "a1" }, query: new URLSearchParams("tag=x&tag=y") }),
      "/items/{itemId}",
      methodArn,
      settings,
    );
    const parsed = APIGatewayRequestAuthorizerEventSchema.safeParse(asReceived(rich));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toMatchObject({ pathParameters: { itemId: "a1" }, queryStringParameters: { tag: "y" }, multiValueQueryStringParameters: { tag: ["x", "y"] } });
  });
});

describe("the event of a TOKEN authorizer", () => {
  it("is AWS's recorded one for the same token and method: the header's whole value, Bearer included", () => {
    const event = tokenAuthorizerEvent("Bearer foo", String(recordedToken.methodArn));
    expect(asReceived(event)).toEqual(recordedToken);
    expect(APIGatewayTokenAuthorizerEventSchema.safeParse(event).success).toBe(true);
  });
});

describe("identity sources", () => {
  it("reads headers in any case, query strings and $context variables; a missing or empty one means 401 without invoking", () => {
    const sources = readIdentitySources("Auth", "REQUEST", "method.request.header.X-Tenant, method.request.querystring.key, context.httpMethod");
    const request = apiRequest({ headers: { "x-tenant": "t-1" }, query: new URLSearchParams("key=a&key=b") });
    expect(identityValues(sources, request, "/lambda-request", "prod")).toEqual(["t-1", "b", "POST"]);
    expect(identityValues(sources, apiRequest({ headers: { "x-tenant": "" }, query: new URLSearchParams("key=a") }), "/", "prod")).toBeUndefined();
    expect(identityValues(sources, apiRequest({ headers: {}, query: new URLSearchParams("key=a") }), "/", "prod")).toBeUndefined();
  });

  it("refuses at start what the local stack cannot read (stage variables) and a TOKEN authorizer with other than one header", () => {
    expect(() => readIdentitySources("Auth", "REQUEST", "stageVariables.key")).toThrow(/Auth: the identity source stageVariables\.key is not emulated/);
    expect(() => readIdentitySources("Auth", "TOKEN", "method.request.querystring.token")).toThrow(LocalAwsError);
    expect(readIdentitySources("Auth", "REQUEST", undefined)).toEqual([]);
  });
});
