import { APIGatewayProxyEventV2Schema } from "@aws-lambda-powertools/parser/schemas";
import { describe, expect, it } from "vitest";
import type { HttpApiRequest } from "./httpApiTypes.ts";
import { eventV1Of, responseV1Of } from "./payloadV1.ts";
import { eventV2Of, responseV2Of } from "./payloadV2.ts";

const settings = { accountId: "000000000000", apiId: "local" };

function requestOf(overrides: Partial<HttpApiRequest> = {}): HttpApiRequest {
  return {
    method: "GET",
    path: "/items/7",
    rawPath: "/items/7",
    routePath: "/items/7",
    rawQueryString: "tag=a&tag=b&one=1",
    routeKey: "GET /items/{id}",
    stage: "$default",
    pathParameters: { id: "7" },
    query: new URLSearchParams("tag=a&tag=b&one=1"),
    headers: { host: "127.0.0.1:3001", "user-agent": "curl/8.5.0" },
    sentHeaders: [
      ["Host", "127.0.0.1:3001"],
      ["User-Agent", "curl/8.5.0"],
      ["X-Tag", "1"],
      ["x-tag", "2"],
      ["Cookie", "seen=1; theme=dark"],
    ],
    body: "",
    requestId: "9f2b4a4e-0d0c-4c58-9a53-2f6f4a1d1b11",
    requestTimeEpoch: Date.UTC(2020, 3, 21, 15, 8, 21, 67),
    sourceIp: "::ffff:127.0.0.1",
    ...overrides,
  };
}

/** Each value's type, key by key: the shape an event has whatever its values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shapeOf(item)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return value === null ? "null" : typeof value;
}

describe("the payload format 2.0 event", () => {
  it("has the keys and value types of AWS's example event for a request without body or authorizer", () => {
    const { headers: _headers, cookies: _cookies, queryStringParameters: _query, pathParameters: _path, ...event } = eventV2Of(requestOf({ sentHeaders: [["Host", "127.0.0.1:3001"]] }), settings);
    // aws/aws-lambda-go events/testdata/apigw-v2-request-no-authorizer.json, without its
    // requestContext.authentication (mutual TLS, which the local API has not).
    expect(shapeOf(event)).toEqual(
      shapeOf({
        version: "2.0",
        routeKey: "$default",
        rawPath: "/",
        rawQueryString: "",
        requestContext: {
          accountId: "123456789012",
          apiId: "aaaaaaaaaa",
          domainName: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
          domainPrefix: "aaaaaaaaaa",
          http: { method: "GET", path: "/", protocol: "HTTP/1.1", sourceIp: "1.2.3.4", userAgent: "curl/7.58.0" },
          requestId: "LV7fzho-PHcEJPw=",
          routeKey: "$default",
          stage: "$default",
          time: "21/Apr/2020:15:08:21 +0000",
          timeEpoch: 1587481701067,
        },
        isBase64Encoded: false,
      }),
    );
    expect(event.requestContext.time).toBe("21/Apr/2020:15:08:21 +0000");
    expect(event.requestContext.requestId).toMatch(/^[A-Za-z0-9+=-]{16}$/);
  });

  it("parses with Powertools' APIGatewayProxyEventV2Schema", () => {
    expect(() => APIGatewayProxyEventV2Schema.parse(eventV2Of(requestOf({ method: "POST", body: '{"a":1}' }), settings))).not.toThrow();
  });

  it("lower-cases header names, joins a repeated header's and query parameter's values with commas, and puts cookies apart", () => {
    const event = eventV2Of(requestOf(), settings);
    // "Payload format differences" in "Create AWS Lambda proxy integrations for HTTP APIs".
    expect(event.headers).toMatchObject({ host: "127.0.0.1:3001", "user-agent": "curl/8.5.0", "x-tag": "1,2", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "http", "x-forwarded-port": "3001" });
    expect(event.headers).not.toHaveProperty("cookie");
    expect(event.cookies).toEqual(["seen=1", "theme=dark"]);
    expect(event.queryStringParameters).toEqual({ tag: "a,b", one: "1" });
    expect(event.pathParameters).toEqual({ id: "7" });
    expect(event.requestContext.http).toEqual({ method: "GET", path: "/items/7", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "curl/8.5.0" });
  });

  it("hands a JWT authorizer's claims and scopes in requestContext.authorizer.jwt, as AWS's JWT example event does", () => {
    // aws/aws-lambda-go events/testdata/apigw-v2-request-jwt-authorizer.json
    const jwt = { claims: { claim1: "value1", claim2: "value2" }, scopes: ["scope1", "scope2"] };
    expect(eventV2Of(requestOf({ jwt }), settings).requestContext.authorizer).toEqual({ jwt });
    expect(eventV2Of(requestOf(), settings).requestContext).not.toHaveProperty("authorizer");
  });
});

describe("a function's answer under payload format 2.0", () => {
  it("is used as given when it has a statusCode: headers, cookies as Set-Cookie, a base64 body decoded", () => {
    expect(responseV2Of({ statusCode: 201, headers: { "X-Id": "1" }, cookies: ["a=1", "b=2"], body: "created" })).toEqual({
      statusCode: 201,
      headers: { "x-id": "1", "set-cookie": ["a=1", "b=2"] },
      body: "created",
    });
    expect(responseV2Of({ statusCode: 200, body: Buffer.from("hi").toString("base64"), isBase64Encoded: true })!.body).toEqual(Buffer.from("hi"));
  });

  it("is a 200 with content-type application/json and the answer as JSON when it has no statusCode", () => {
    // "Lambda function response for format 2.0": API Gateway infers the response.
    expect(responseV2Of({ message: "hi" })).toEqual({ statusCode: 200, headers: { "content-type": "application/json" }, body: '{"message":"hi"}' });
    expect(responseV2Of("hello")).toEqual({ statusCode: 200, headers: { "content-type": "application/json" }, body: '"hello"' });
  });

  it("is unreadable (a 500) with a statusCode that is no status", () => {
    expect(responseV2Of({ statusCode: "abc" })).toBeUndefined();
  });
});

describe("payload format 1.0 on an HTTP API", () => {
  it("is the REST proxy event with version 1.0, the route's path as resource, and multi-value maps", () => {
    const event = eventV1Of(requestOf(), settings);
    expect(event).toMatchObject({ version: "1.0", resource: "/items/{id}", path: "/items/7", httpMethod: "GET", multiValueQueryStringParameters: { tag: ["a", "b"], one: ["1"] } });
    expect(event.requestContext).toMatchObject({ stage: "$default", apiId: "local", routeKey: "GET /items/{id}" });
  });

  it("needs a statusCode in the answer, else it is a 500", () => {
    expect(responseV1Of({ body: "x" })).toBeUndefined();
    expect(responseV1Of({ statusCode: 200, multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"] }, body: "x" })).toEqual({ statusCode: 200, headers: { "set-cookie": ["a=1", "b=2"] }, body: "x" });
  });
});
