import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { ApiRequest } from "./apiTypes.ts";
import type { LambdaAuthorizerDefinition } from "./identitySources.ts";
import { restLambdaAuthorizer } from "./restLambdaAuthorizer.ts";

/**
 * An authorizer as a user writes one, after AWS's blueprint (api-gateway-authorizer-nodejs): the
 * token says what it answers, and each event it receives is written to its log.
 */
const AUTHORIZER = `
export const handler = async (event) => {
  console.log(JSON.stringify(event));
  const token = event.authorizationToken ?? event.headers?.Authorization ?? "";
  const policy = (effect, resource) => ({ Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] });
  if (token === "deny") return { principalId: "u-2", policyDocument: policy("Deny", event.methodArn), context: { reason: "suspended" } };
  if (token === "unauthorized") throw new Error("Unauthorized");
  if (token === "broken") throw new Error("the user table is unreachable");
  if (token === "no-policy") return { principalId: "u-3" };
  return { principalId: "u-1", policyDocument: policy("Allow", event.methodArn), context: { tenant: "t-1", level: 3, admin: false } };
};`;

let serviceDir: string;
let runtime: FunctionRuntime;
const region = "eu-west-1";
const accountId = "000000000000";

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), "lambda-authorizer-"));
  await writeFile(join(serviceDir, "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(join(serviceDir, "authorizer.js"), AUTHORIZER);
  runtime = new FunctionRuntime({ name: "authorizer", arn: `arn:aws:lambda:${region}:${accountId}:function:authorizer`, handler: "authorizer.handler", serviceDir, timeoutSeconds: 10, memoryMegabytes: 128, environment: {} });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(serviceDir, { recursive: true, force: true });
});

const tokenAuthorizer = (overrides: Partial<LambdaAuthorizerDefinition> = {}) =>
  restLambdaAuthorizer(
    { logicalId: "TokenAuthorizer", type: "TOKEN", functionLogicalId: "AuthorizerLambdaFunction", identitySources: [{ from: "header", name: "authorization" }], resultTtlSeconds: 300, ...overrides },
    (event, traced) => runtime.invoke(event, traced),
    { region, accountId, stage: "dev" },
  );

function call(method: string, path: string, headers: Record<string, string>): ApiRequest {
  return {
    method,
    path,
    pathParameters: {},
    query: new URLSearchParams(),
    headers,
    sentHeaders: Object.entries(headers).map(([name, value]) => [name.replace(/^./, (first) => first.toUpperCase()), value]),
    body: "",
    requestId: "r-1",
    requestTimeEpoch: 1_718_636_523_035,
    sourceIp: "127.0.0.1",
  };
}
const invocations = () => runtime.stats.invocations;
const on = { resourcePath: "/items/{id}", scopes: [] };

describe("a TOKEN authorizer on its function", () => {
  it("lets an allowed call through with the principal, the context as strings and the latency, as requestContext.authorizer has them", async () => {
    const decision = await tokenAuthorizer({ resultTtlSeconds: 0 })(call("GET", "/items/1", { authorization: "ana" }), on);
    expect(decision).toEqual({ authorized: true, authorizer: { principalId: "u-1", integrationLatency: expect.any(Number), tenant: "t-1", level: "3", admin: "false" } });
    // requestContext.authorizer as AWS sent it (fixtures/restProxyEventAuthorizer.aws.json): principalId and the context as strings, the latency a number.
    const recorded = JSON.parse(readFileSync(new URL("./fixtures/restProxyEventAuthorizer.aws.json", import.meta.url), "utf8")).authorizer as Record<string, unknown>;
    const passed = (decision as { authorizer: Record<string, unknown> }).authorizer;
    const typesOf = (values: Record<string, unknown>, contextKey: string) => ({ principalId: typeof values.principalId, integrationLatency: typeof values.integrationLatency, context: typeof values[contextKey] });
    expect(typesOf(passed, "level")).toEqual(typesOf(recorded, "tenantId"));
  });

  it("answers 401 without invoking the function when the header is missing or the token does not match IdentityValidationExpression", async () => {
    const authorize = tokenAuthorizer({ validationExpression: "^[a-z]+$" });
    const before = invocations();
    expect(await authorize(call("GET", "/items/1", {}), on)).toEqual({ authorized: false, refusal: "UNAUTHORIZED" });
    expect(await authorize(call("GET", "/items/1", { authorization: "Bearer ana" }), on)).toEqual({ authorized: false, refusal: "UNAUTHORIZED" });
    expect(invocations()).toBe(before);
  });

  // "How do I troubleshoot HTTP 403 Forbidden errors when using a Lambda authorizer" (AWS knowledge center) words the 403s;
  // a thrown "Unauthorized" is the 401 of "Use API Gateway Lambda authorizers".
  it("refuses as API Gateway does: Unauthorized 401, an explicit Deny 403 with its wording, a failure or an unreadable answer 500", async () => {
    const authorize = tokenAuthorizer({ resultTtlSeconds: 0 });
    const refusal = (token: string) => authorize(call("GET", "/items/1", { authorization: token }), on);
    expect(await refusal("unauthorized")).toEqual({ authorized: false, refusal: "UNAUTHORIZED" });
    expect(await refusal("deny")).toEqual({
      authorized: false,
      refusal: "ACCESS_DENIED",
      message: "User is not authorized to access this resource with an explicit deny",
      authorizer: { reason: "suspended" },
    });
    expect(await refusal("broken")).toMatchObject({ authorized: false, refusal: "AUTHORIZER_CONFIGURATION_ERROR" });
    expect(await refusal("no-policy")).toMatchObject({ authorized: false, refusal: "AUTHORIZER_CONFIGURATION_ERROR" });
  });

  it("invokes the function once per token within the TTL, and evaluates the kept policy against each method: one it does not cover is a 403", async () => {
    const authorize = tokenAuthorizer();
    const before = invocations();
    expect(await authorize(call("GET", "/items/1", { authorization: "ben" }), on)).toMatchObject({ authorized: true });
    expect(await authorize(call("GET", "/items/1", { authorization: "ben" }), on)).toMatchObject({ authorized: true, authorizer: { integrationLatency: 0 } });
    expect(invocations()).toBe(before + 1);
    // The kept policy names GET /items/1 only (Resource: event.methodArn), the knowledge center's caching pitfall.
    expect(await authorize(call("GET", "/items/2", { authorization: "ben" }), on)).toEqual({
      authorized: false,
      refusal: "ACCESS_DENIED",
      message: "User is not authorized to access this resource",
      authorizer: { tenant: "t-1", level: "3", admin: "false" },
    });
    expect(invocations()).toBe(before + 1);
    await authorize(call("GET", "/items/1", { authorization: "cy" }), on);
    expect(invocations()).toBe(before + 2);
  });
});

describe("a REQUEST authorizer on its function", () => {
  it("keys its kept answers by the values of all its identity sources", async () => {
    const authorize = restLambdaAuthorizer(
      {
        logicalId: "RequestAuthorizer",
        type: "REQUEST",
        functionLogicalId: "AuthorizerLambdaFunction",
        identitySources: [{ from: "header", name: "authorization" }, { from: "querystring", name: "tenant" }],
        resultTtlSeconds: 300,
      },
      (event, traced) => runtime.invoke(event, traced),
      { region, accountId, stage: "dev" },
    );
    const withTenant = (tenant: string) => ({ ...call("GET", "/items/1", { authorization: "dee" }), query: new URLSearchParams({ tenant }) });
    const before = invocations();
    await authorize(withTenant("t-1"), on);
    await authorize(withTenant("t-1"), on);
    expect(invocations()).toBe(before + 1);
    await authorize(withTenant("t-2"), on);
    expect(invocations()).toBe(before + 2);
    expect(await authorize(call("GET", "/items/1", { authorization: "dee" }), on)).toEqual({ authorized: false, refusal: "UNAUTHORIZED" });
    expect(invocations()).toBe(before + 2);
  });
});
