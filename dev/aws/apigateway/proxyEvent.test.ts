import { readFileSync } from "node:fs";
import { APIGatewayProxyEventSchema } from "@aws-lambda-powertools/parser/schemas";
import { describe, expect, it } from "vitest";
import type { ApiRequest } from "./apiTypes.ts";
import { proxyEventOf, requestTimeOf } from "./proxyEvent.ts";
import { extendedRequestIdOf } from "./requestIds.ts";
import { asReceived, shapeOf } from "./fixtures/eventShape.ts";

/**
 * An event AWS sent to a function behind a REST API's Lambda proxy integration, recorded and
 * published by Powertools for AWS Lambda (TypeScript): packages/parser/tests/events/apigw-rest/no-auth.json
 * (the fixture names its commit).
 */
const recorded = JSON.parse(readFileSync(new URL("./fixtures/restProxyEvent.aws.json", import.meta.url), "utf8")).event as Record<string, unknown>;

/** The recorded request as the local API reads it off the socket: the client's own headers only. */
function apiRequest(overrides: Partial<ApiRequest> = {}): ApiRequest {
  const sentHeaders = overrides.sentHeaders ?? [
    ["Host", "127.0.0.1:3000"],
    ["User-Agent", "HTTPie/3.2.2"],
    ["Accept-Encoding", "gzip, deflate"],
    ["Accept", "*/*"],
  ];
  return {
    method: "POST",
    path: "/no-auth",
    pathParameters: {},
    query: new URLSearchParams(),
    headers: Object.fromEntries(sentHeaders.map(([name, value]) => [name.toLowerCase(), value])),
    sentHeaders,
    body: "",
    requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0",
    requestTimeEpoch: 1718635693506,
    sourceIp: "127.0.0.1",
    ...overrides,
  };
}

describe("the REST API's Lambda proxy event", () => {
  it("has the keys, and value types, of the event AWS sent for the same request", () => {
    expect(shapeOf(asReceived(proxyEventOf(apiRequest(), "/no-auth", { stage: "local", accountId: "000000000000" })))).toEqual(shapeOf(recorded));
  });

  it("parses with Powertools' APIGatewayProxyEventSchema, as AWS's recorded event does", () => {
    expect(APIGatewayProxyEventSchema.safeParse(recorded).success).toBe(true);
    const plain = proxyEventOf(apiRequest(), "/no-auth", { stage: "local", accountId: "000000000000" });
    const rich = proxyEventOf(
      apiRequest({
        method: "GET",
        path: "/items/a1",
        pathParameters: { itemId: "a1" },
        query: new URLSearchParams("tag=x&tag=y"),
        body: "{}",
        authorizer: { claims: { sub: "u-1", "cognito:username": "ana" } },
        apiKey: { id: "k1", value: "secret" },
      }),
      "/items/{itemId}",
      { stage: "local", accountId: "000000000000" },
    );
    for (const event of [plain, rich]) {
      const parsed = APIGatewayProxyEventSchema.safeParse(asReceived(event));
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });

  it("names the client's headers as it wrote them, and adds X-Forwarded-* as AWS spells them", () => {
    const event = proxyEventOf(
      apiRequest({ sentHeaders: [["Host", "127.0.0.1:3000"], ["Content-Type", "application/json"], ["x-api-key", "secret"]] }),
      "/no-auth",
      { stage: "local", accountId: "000000000000" },
    );
    expect(event.headers).toEqual({
      Host: "127.0.0.1:3000",
      "Content-Type": "application/json",
      "x-api-key": "secret",
      "X-Forwarded-For": "127.0.0.1",
      "X-Forwarded-Port": "3000",
      "X-Forwarded-Proto": "http",
    });
    // The recorded event's own X-Forwarded-* names: API Gateway's front end sets them.
    const recordedHeaders = Object.keys(recorded.headers as object);
    expect(recordedHeaders).toEqual(expect.arrayContaining(["X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"]));
  });

  it("gives a repeated header's last value in headers and every value, in order, in multiValueHeaders", () => {
    const event = proxyEventOf(
      apiRequest({ sentHeaders: [["Host", "127.0.0.1:3000"], ["X-Tag", "first"], ["x-tag", "second"], ["X-Forwarded-For", "203.0.113.7"]] }),
      "/no-auth",
      { stage: "local", accountId: "000000000000" },
    );
    expect(event.headers["X-Tag"]).toBe("second");
    expect(event.multiValueHeaders["X-Tag"]).toEqual(["first", "second"]);
    // As AWS's "15.248.3.126, 130.176.209.21": what the client sent, then the address it came from.
    expect(event.headers["X-Forwarded-For"]).toBe("203.0.113.7, 127.0.0.1");
  });

  it("keeps the last value of a repeated query parameter in queryStringParameters and all of them in multiValueQueryStringParameters", () => {
    // AWS's documented behaviour (API Gateway developer guide, "Support for multi-value headers and
    // query string parameters"; aws/aws-lambda-go#42: `?type=foo&type=bar` gives `type: "bar"`).
    const event = proxyEventOf(apiRequest({ query: new URLSearchParams("type=foo&name=me&type=bar") }), "/no-auth", { stage: "local", accountId: "000000000000" });
    expect(event.queryStringParameters).toEqual({ type: "bar", name: "me" });
    expect(event.multiValueQueryStringParameters).toEqual({ type: ["foo", "bar"], name: ["me"] });
    expect(proxyEventOf(apiRequest(), "/no-auth", { stage: "local", accountId: "000000000000" }).queryStringParameters).toBeNull();
  });

  it("writes requestTime as AWS wrote it for the recorded requestTimeEpoch", () => {
    const context = recorded.requestContext as { requestTime: string; requestTimeEpoch: number };
    expect(requestTimeOf(context.requestTimeEpoch)).toBe(context.requestTime);
    // The pair in the API Gateway developer guide's example of the proxy integration's input format.
    expect(requestTimeOf(1428582896000)).toBe("09/Apr/2015:12:34:56 +0000");
    expect(proxyEventOf(apiRequest(), "/no-auth", { stage: "local", accountId: "000000000000" }).requestContext.requestTime).toBe(context.requestTime);
  });

  it("tells the function the stage, the resource, the domain and the caller as AWS does", () => {
    const event = proxyEventOf(apiRequest({ apiKey: { id: "k1", value: "secret" } }), "/no-auth", { stage: "local", accountId: "000000000000" });
    expect(event.requestContext).toMatchObject({
      stage: "local",
      accountId: "000000000000",
      resourcePath: "/no-auth",
      path: "/no-auth",
      httpMethod: "POST",
      protocol: "HTTP/1.1",
      domainName: "127.0.0.1",
      domainPrefix: "127",
      requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0",
      identity: { sourceIp: "127.0.0.1", userAgent: "HTTPie/3.2.2", apiKey: "secret", apiKeyId: "k1" },
    });
    // AWS's look: 16 base64 characters, as "ZhDrKF5dDoEEHfA=".
    expect(event.requestContext.extendedRequestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(event.requestContext.extendedRequestId).toBe(extendedRequestIdOf(event.requestContext.requestId));
  });
});
