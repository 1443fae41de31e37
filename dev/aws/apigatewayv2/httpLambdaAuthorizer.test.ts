import { readFileSync } from "node:fs";
import { APIGatewayProxyEventV2Schema, APIGatewayRequestAuthorizerEventSchema, APIGatewayRequestAuthorizerEventV2Schema } from "@aws-lambda-powertools/parser/schemas";
import { describe, expect, it } from "vitest";
import type { InvocationResult } from "../lambda/functionRuntime.ts";
import type { HttpApiRequest } from "./httpApiTypes.ts";
import { authorizerEventV1, authorizerEventV2, httpLambdaAuthorizer } from "./httpLambdaAuthorizer.ts";
import type { HttpLambdaAuthorizerDefinition } from "./httpLambdaAuthorizerModel.ts";
import { eventV1Of } from "./payloadV1.ts";
import { eventV2Of } from "./payloadV2.ts";

/** Events recorded on AWS and published by Powertools for AWS Lambda (TypeScript); each fixture names its commit. */
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as { event: Record<string, unknown> };
const recordedAuthorizerEvent = fixture("httpRequestAuthorizerEventV2.aws.json").event;
const recordedAuthorizedEvent = fixture("httpLambdaAuthorizedEventV2.aws.json").event;

const settings = { accountId: "123456789012", apiId: "local", region: "eu-west-1" };

/** The recorded call (POST /lambda, Authorization: Bearer foo) as the local HTTP API reads it off the socket. */
function requestOf(overrides: Partial<HttpApiRequest> = {}): HttpApiRequest {
  const sentHeaders =
    overrides.sentHeaders ??
    (overrides.headers && Object.entries(overrides.headers)) ?? [
      ["Host", "127.0.0.1:3001"],
      ["User-Agent", "HTTPie/3.2.2"],
      ["Accept", "*/*"],
      ["Authorization", "Bearer foo"],
    ];
  return {
    method: "POST",
    path: "/lambda",
    rawPath: "/lambda",
    routePath: "/lambda",
    rawQueryString: "",
    routeKey: "POST /lambda",
    stage: "$default",
    pathParameters: {},
    query: new URLSearchParams(),
    headers: Object.fromEntries(sentHeaders.map(([name, value]) => [name.toLowerCase(), value])),
    sentHeaders,
    body: "",
    requestId: "141d6671-99b4-40ca-9997-7a22f01eac74",
    requestTimeEpoch: 1718639559080,
    sourceIp: "127.0.0.1",
    ...overrides,
  };
}

/** Each key with its value's type; header maps as one type, their names being the client's and AWS's front end's. */
function shapeOf(value: unknown, key = ""): unknown {
  if (key === "headers") return "record of strings";
  if (Array.isArray(value)) return value.map((item) => shapeOf(item));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, shapeOf(item, name)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return value === null ? "null" : typeof value;
}

function definitionOf(overrides: Partial<HttpLambdaAuthorizerDefinition> = {}): HttpLambdaAuthorizerDefinition {
  return {
    kind: "lambda",
    logicalId: "HttpApiAuthorizerGate",
    name: "gate",
    functionLogicalId: "GateLambdaFunction",
    payloadFormatVersion: "2.0",
    simpleResponses: true,
    identitySources: ["$request.header.Authorization"],
    resultTtlSeconds: 0,
    ...overrides,
  };
}

/** A function that answers as told, and keeps the events it got. */
function authorizerFunction(answer: (event: Record<string, unknown>) => InvocationResult) {
  const events: Array<Record<string, unknown>> = [];
  return {
    events,
    invoke: async (event: unknown) => {
      events.push(event as Record<string, unknown>);
      return answer(event as Record<string, unknown>);
    },
  };
}

const succeeded = (payload: unknown): InvocationResult => ({ status: "succeeded", payload });
const policy = (effect: "Allow" | "Deny", resource: string) => ({
  principalId: "user-1",
  policyDocument: { Version: "2012-10-17", Statement: [{ Effect: effect, Action: "execute-api:Invoke", Resource: resource }] },
  context: { tenant: "t-1", level: 3 },
});

describe("the events of an HTTP API Lambda authorizer", () => {
  it("sends format 2.0 in the shape of the event AWS sent (Powertools apigw-http/authorizer-request.json), which the parser's schema parses", () => {
    const routeArn = "arn:aws:execute-api:eu-west-1:123456789012:local/$default/POST/lambda";
    const event = JSON.parse(JSON.stringify(authorizerEventV2(requestOf(), routeArn, ["Bearer foo"], settings)));
    expect(shapeOf(event)).toEqual(shapeOf(recordedAuthorizerEvent));
    expect(APIGatewayRequestAuthorizerEventV2Schema.parse(event)).toMatchObject({ type: "REQUEST", routeArn, identitySource: ["Bearer foo"], routeKey: "POST /lambda", rawPath: "/lambda" });
    expect(event).not.toHaveProperty("body");
  });

  it("sends format 1.0 as a REST REQUEST authorizer's event, identitySource and authorizationToken the values joined (aws-lambda-go apigw-v2-custom-authorizer-v1-request.json)", () => {
    const methodArn = "arn:aws:execute-api:eu-west-1:123456789012:local/$default/POST/lambda";
    const event = JSON.parse(JSON.stringify(authorizerEventV1(requestOf({ query: new URLSearchParams("tenant=t-1") }), methodArn, ["Bearer foo", "t-1"], settings)));
    expect(event).toMatchObject({ version: "1.0", type: "REQUEST", methodArn, identitySource: "Bearer foo,t-1", authorizationToken: "Bearer foo,t-1", httpMethod: "POST", path: "/lambda", pathParameters: {}, stageVariables: {} });
    expect(APIGatewayRequestAuthorizerEventSchema.parse(event)).toMatchObject({ methodArn, queryStringParameters: { tenant: "t-1" } });
  });

  it("hands a 2.0 integration the context as requestContext.authorizer.lambda, null when the authorizer gave none, as AWS's recorded event has it", () => {
    const none = eventV2Of(requestOf({ lambdaAuthorizer: { context: null, integrationLatency: 3 } }), settings);
    expect(shapeOf(JSON.parse(JSON.stringify(none)).requestContext)).toEqual(shapeOf(recordedAuthorizedEvent.requestContext));
    const given = eventV2Of(requestOf({ lambdaAuthorizer: { context: { tenant: "t-1", level: 3 }, integrationLatency: 3 } }), settings);
    expect(APIGatewayProxyEventV2Schema.parse(given).requestContext.authorizer).toEqual({ lambda: { tenant: "t-1", level: 3 } });
  });

  it("hands a 1.0 integration the context's keys beside principalId, as a REST proxy event carries them", () => {
    const event = eventV1Of(requestOf({ lambdaAuthorizer: { context: { tenant: "t-1" }, principalId: "user-1", integrationLatency: 3 } }), settings);
    expect(event.requestContext.authorizer).toEqual({ tenant: "t-1", principalId: "user-1", integrationLatency: 3 });
  });
});

describe("an HTTP API Lambda authorizer's verdict", () => {
  it("lets a simple { isAuthorized: true } through with its context, and answers { isAuthorized: false } with a 403", async () => {
    const fn = authorizerFunction((event) => succeeded({ isAuthorized: (event.headers as Record<string, string>).authorization === "Bearer foo", context: { tenant: "t-1" } }));
    const authorize = httpLambdaAuthorizer(definitionOf(), fn.invoke, settings);
    expect(await authorize(requestOf())).toMatchObject({ outcome: "authorized", lambda: { context: { tenant: "t-1" } } });
    expect(await authorize(requestOf({ headers: { authorization: "Bearer bar" } }))).toEqual({ outcome: "forbidden" });
  });

  it("answers 401 without invoking when an identity source is missing or empty", async () => {
    const fn = authorizerFunction(() => succeeded({ isAuthorized: true }));
    const authorize = httpLambdaAuthorizer(definitionOf({ identitySources: ["$request.header.Authorization", "$request.querystring.tenant"] }), fn.invoke, settings);
    expect(await authorize(requestOf())).toEqual({ outcome: "unauthorized" });
    expect(await authorize(requestOf({ query: new URLSearchParams("tenant=") }))).toEqual({ outcome: "unauthorized" });
    expect(fn.events).toHaveLength(0);
    expect(await authorize(requestOf({ query: new URLSearchParams("tenant=t-1") }))).toMatchObject({ outcome: "authorized" });
    expect(fn.events[0]!.identitySource).toEqual(["Bearer foo", "t-1"]);
  });

  it("evaluates an IAM policy against the route's ARN: Allow passes principalId and typed context, Deny or another route is a 403", async () => {
    const fn = authorizerFunction((event) => succeeded(policy((event.headers as Record<string, string>).authorization === "Bearer foo" ? "Allow" : "Deny", "arn:aws:execute-api:eu-west-1:123456789012:local/$default/POST/lambda")));
    const authorize = httpLambdaAuthorizer(definitionOf({ simpleResponses: false }), fn.invoke, settings);
    expect(await authorize(requestOf())).toMatchObject({ outcome: "authorized", lambda: { principalId: "user-1", context: { tenant: "t-1", level: 3 } } });
    expect(fn.events[0]!.routeArn).toBe("arn:aws:execute-api:eu-west-1:123456789012:local/$default/POST/lambda");
    expect(await authorize(requestOf({ headers: { authorization: "Bearer bar" } }))).toEqual({ outcome: "forbidden" });
    expect(await authorize(requestOf({ routePath: "/other" }))).toEqual({ outcome: "forbidden" });
  });

  it("keeps an answer for the TTL per identity: one invocation for the same identity, another for a new one or once the TTL is over", async () => {
    let clock = 1_000_000;
    const fn = authorizerFunction(() => succeeded({ isAuthorized: true, context: { n: 1 } }));
    const authorize = httpLambdaAuthorizer(definitionOf({ resultTtlSeconds: 60 }), fn.invoke, { ...settings, now: () => clock });
    await authorize(requestOf());
    expect(await authorize(requestOf())).toMatchObject({ outcome: "authorized", lambda: { integrationLatency: 0 } });
    expect(fn.events).toHaveLength(1);
    await authorize(requestOf({ headers: { authorization: "Bearer other" } }));
    expect(fn.events).toHaveLength(2);
    clock += 61_000;
    await authorize(requestOf());
    expect(fn.events).toHaveLength(3);
  });

  it("invokes for every request when no identity source is configured", async () => {
    const fn = authorizerFunction(() => succeeded({ isAuthorized: true }));
    const authorize = httpLambdaAuthorizer(definitionOf({ identitySources: [] }), fn.invoke, settings);
    await authorize(requestOf({ headers: {} }));
    await authorize(requestOf({ headers: {} }));
    expect(fn.events).toHaveLength(2);
  });

  it("answers 401 for a function that throws Unauthorized, 500 for one that fails or answers what API Gateway cannot read", async () => {
    const answers: InvocationResult[] = [
      { status: "failed", error: { errorType: "Error", errorMessage: "Unauthorized", stack: [] } },
      { status: "failed", error: { errorType: "TypeError", errorMessage: "boom", stack: [] } },
      succeeded({ allowed: true }),
      { status: "timed-out" },
    ];
    const fn = authorizerFunction(() => answers.shift()!);
    const authorize = httpLambdaAuthorizer(definitionOf(), fn.invoke, settings);
    const outcomes = [];
    for (let index = 0; index < 4; index += 1) outcomes.push((await authorize(requestOf())).outcome);
    expect(outcomes).toEqual(["unauthorized", "internalServerError", "internalServerError", "internalServerError"]);
  });
});
