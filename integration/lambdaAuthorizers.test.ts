import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";

/** A REST API with a TOKEN and a REQUEST authorizer, written as a team writes them. */
const serviceDir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "lambdaAuthorizers");

let backend: StartedBackend;
let stack: LocalAws;
const stage = `a${randomBytes(3).toString("hex")}`;
/** Each test's own callers, so one test's cached answers are not another's. */
const user = (name: string) => `Bearer ${name}-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  backend = await startIntegrationBackend();
  stack = await startLocalAws({ backend, serviceDir, stage, apiPort: 0 });
});

afterAll(async () => {
  await stack?.stop();
  await backend?.stop();
});

/** How often the authorizer function ran, from the function runtime's own history. */
const invocationsOf = (authorizer: "tokenAuthorizer" | "tenantAuthorizer") =>
  stack.functions.find((runtime) => runtime.name.endsWith(`-${authorizer}`))!.history.invocations.values().length;
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.apiUrl}${path}`, { headers });

describeOnBackend("REST Lambda authorizers, run on their functions", () => {
  it("lets a TOKEN authorizer's caller through, with principalId, context and integrationLatency in requestContext.authorizer", async () => {
    const token = user("ana");
    const response = await get("/me", { authorization: token });
    expect(response.status).toBe(200);
    const { authorizer, schemaIssues } = (await response.json()) as { authorizer: Record<string, unknown>; schemaIssues: unknown[] };
    // As Powertools' recorded event has it (apigw-rest/lambda-authorizer-auth.json): context values as strings, the latency a number.
    expect(authorizer).toEqual({ principalId: token.slice("Bearer ".length), integrationLatency: expect.any(Number), tier: "gold", seats: "3", admin: "false" });
    // The handler checked its event with Powertools' APIGatewayProxyEventSchema.
    expect(schemaIssues).toEqual([]);
  });

  it("passes the authorizer's context to a mapping template as $context.authorizer", async () => {
    const token = user("cy");
    const response = await get("/me/summary", { authorization: token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: token.slice("Bearer ".length), tier: "gold", seats: "3" });
  });

  it("answers 401 without invoking the authorizer when the token is missing or fails IdentityValidationExpression", async () => {
    const before = invocationsOf("tokenAuthorizer");
    for (const headers of [{}, { authorization: "Basic YW5hOnNlY3JldA==" }] as Record<string, string>[]) {
      const response = await get("/me", headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: "Unauthorized" });
    }
    expect(invocationsOf("tokenAuthorizer")).toBe(before);
  });

  // Refusals as "How do I troubleshoot HTTP 403 Forbidden errors when using a Lambda authorizer" (AWS knowledge center) words them.
  it("answers 401 for a thrown Unauthorized, 403 through the customised ACCESS_DENIED for a Deny, 500 for a failing authorizer", async () => {
    const unauthorized = await get("/me", { authorization: "Bearer expired" });
    expect([unauthorized.status, await unauthorized.json()]).toEqual([401, { message: "Unauthorized" }]);
    const denied = await get("/me", { authorization: "Bearer banned" });
    expect([denied.status, await denied.json()]).toEqual([403, { message: "User is not authorized to access this resource with an explicit deny", reason: "suspended" }]);
    const broken = await get("/me", { authorization: "Bearer broken" });
    expect([broken.status, await broken.json()]).toEqual([500, { message: null }]);
  });

  it("invokes the TOKEN authorizer once for a token within its TTL, and its kept policy for one method refuses another (403)", async () => {
    const token = user("dee");
    const before = invocationsOf("tokenAuthorizer");
    for (let call = 0; call < 3; call += 1) expect((await get("/me", { authorization: token })).status).toBe(200);
    expect(invocationsOf("tokenAuthorizer")).toBe(before + 1);
    // The policy names GET /me only (Resource: event.methodArn): the pitfall of the knowledge center's
    // "Why is my API Gateway proxy resource with a Lambda authorizer that has caching activated returning HTTP 403".
    const other = await get("/reports/r-1", { authorization: token });
    expect([other.status, await other.json()]).toEqual([403, { message: "User is not authorized to access this resource", reason: "" }]);
    expect(invocationsOf("tokenAuthorizer")).toBe(before + 1);
  });

  it("runs a REQUEST authorizer on a header and a query string: a missing one is 401 unasked, and its wildcard policy is kept per tenant", async () => {
    const tenant = `t${randomBytes(3).toString("hex")}`;
    const before = invocationsOf("tenantAuthorizer");
    expect((await get(`/tenants/${tenant}/items`, { "x-tenant-key": `key-${tenant}` })).status).toBe(401);
    expect(invocationsOf("tenantAuthorizer")).toBe(before);
    const first = await get(`/tenants/${tenant}/items?tenant=${tenant}`, { "x-tenant-key": `key-${tenant}` });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ path: `/tenants/${tenant}/items`, authorizer: { principalId: `tenant-${tenant}`, tenantId: tenant } });
    expect((await get(`/tenants/${tenant}/items?tenant=${tenant}`, { "x-tenant-key": `key-${tenant}` })).status).toBe(200);
    expect(invocationsOf("tenantAuthorizer")).toBe(before + 1);
    expect((await get(`/tenants/${tenant}/items?tenant=${tenant}`, { "x-tenant-key": "key-other" })).status).toBe(401);
    expect(invocationsOf("tenantAuthorizer")).toBe(before + 2);
  });

  it("meters a caller under the API key the authorizer names (usageIdentifierKey), the key source being AUTHORIZER", async () => {
    const paid = await get("/usage", { authorization: user("paid-fay") });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ apiKey: "paid-tier-key-0123456789abcdef" });
    // An x-api-key header counts for nothing under AUTHORIZER: without a usageIdentifierKey the key is missing.
    const free = await get("/usage", { authorization: user("gus"), "x-api-key": "paid-tier-key-0123456789abcdef" });
    expect([free.status, await free.json()]).toEqual([403, { message: "Forbidden" }]);
  });

  it("shows the authorizer's invocation in the console's trace of the request, before the function it let through", async () => {
    const response = await get("/me", { authorization: user("eve") });
    const requestId = response.headers.get("x-amzn-requestid")!;
    const trace = (await (await get(`/_local/trace?q=${requestId}`)).json()) as { invocations: Array<{ functionName: string }> };
    expect(trace.invocations.map(({ functionName }) => functionName.replace(/^.*-/, ""))).toEqual(["tokenAuthorizer", "whoAmI"]);
  });

  it("lists the authorizer functions in /_local/status with their invocations, like every function of the service", async () => {
    const status = (await (await get("/_local/status")).json()) as { functions: Array<{ name: string; invocations: number }> };
    expect(status.functions.find((fn) => fn.name.endsWith("-tokenAuthorizer"))?.invocations).toBe(invocationsOf("tokenAuthorizer"));
  });
});
