import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoundedRing } from "../lambda/boundedRing.ts";
import { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { RequestEntry } from "../apigateway/httpApi.ts";
import { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import { SqsJsonClient } from "../sqs/sqsJsonClient.ts";
import type { HttpApiModel, HttpIntegration } from "./httpApiModel.ts";
import { httpApiRoutes } from "./httpApiRoutes.ts";
import { startHttpApiServer } from "./httpApiServer.ts";

let serviceDir: string;
const runtimes: FunctionRuntime[] = [];
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), "http-api-"));
  await writeFile(join(serviceDir, "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(
    join(serviceDir, "handlers.mjs"),
    [
      'export const ok = async (event) => ({ statusCode: 200, body: JSON.stringify({ routeKey: event.routeKey, rawPath: event.rawPath, stage: event.requestContext.stage }) });',
      'export const throws = async () => { throw new Error("boom"); };',
      'export const malformed = async () => ({ statusCode: "teapot" });',
      "export const slow = async () => { await new Promise((resolve) => setTimeout(resolve, 2000)); return { statusCode: 200 }; };",
    ].join("\n"),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all(runtimes.map((runtime) => runtime.stop()));
  await rm(serviceDir, { recursive: true, force: true });
});

function runtimeFor(handler: string, reservedConcurrency?: number): FunctionRuntime {
  const runtime = new FunctionRuntime({
    name: handler,
    arn: `arn:aws:lambda:eu-west-1:000000000000:function:${handler}`,
    handler: `handlers.${handler}`,
    runtime: "nodejs22.x",
    serviceDir,
    timeoutSeconds: 10,
    memoryMegabytes: 128,
    environment: {},
    ...(reservedConcurrency !== undefined && { reservedConcurrency }),
  });
  runtimes.push(runtime);
  return runtime;
}

const lambda = (functionLogicalId: string, timeoutMs = 30_000): HttpIntegration => ({ kind: "lambda", logicalId: `${functionLogicalId}Integration`, functionLogicalId, payloadFormatVersion: "2.0", timeoutMs });

/** An HTTP API of these routes on its own server, wired as the deployment wires it. */
async function serve(routes: Array<[routeKey: string, integration: HttpIntegration]>, options: { stageName?: string; throttling?: HttpApiModel["throttling"]; reserved?: number } = {}) {
  const api: HttpApiModel = {
    logicalId: "HttpApi",
    name: "test",
    stageName: options.stageName ?? "$default",
    routes: routes.map(([routeKey, integration]) => ({ logicalId: routeKey, routeKey, integration })),
    authorizers: new Map(),
    throttling: options.throttling ?? { byRouteKey: new Map() },
  };
  const functions = new Map<string, FunctionRuntime>();
  const { routes: served } = httpApiRoutes({
    api,
    accountId: "000000000000",
    registry: new ResourceRegistry({ accountId: "000000000000", region: "eu-west-1", stackName: "test" }),
    queues: [],
    // Never called: these routes send nothing to SQS.
    messages: new SqsJsonClient({ endpoint: "http://127.0.0.1:9", region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } }),
    userPools: [],
    runtimeOf: (logicalId) => functions.get(logicalId) ?? functions.set(logicalId, runtimeFor(logicalId, options.reserved)).get(logicalId)!,
  });
  const server = await startHttpApiServer({ port: 0, stageName: api.stageName, routes: served, requests: new BoundedRing<RequestEntry>(100) });
  servers.push(server);
  return server.url;
}

// The answers of "Troubleshooting issues with HTTP API Lambda integrations" and "Create routes for HTTP APIs".
describe("the answers an HTTP API gives itself", () => {
  it("answers 404 Not Found where no route matches and there is no $default, naming its request id", async () => {
    const url = await serve([["GET /items/{id}", lambda("ok")]]);
    const response = await fetch(`${url}/elsewhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: "Not Found" });
    expect(response.headers.get("apigw-requestid")).toMatch(/^[A-Za-z0-9+=-]{16}$/);
    expect(await (await fetch(`${url}/items/1`)).json()).toEqual({ routeKey: "GET /items/{id}", rawPath: "/items/1", stage: "$default" });
  });

  it("answers 500 Internal Server Error when the function throws or answers what payload 2.0 cannot read", async () => {
    const url = await serve([["GET /throws", lambda("throws")], ["GET /malformed", lambda("malformed")]]);
    for (const path of ["/throws", "/malformed"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: "Internal Server Error" });
    }
  });

  it("answers 503 Service Unavailable once the integration's timeout passes, before the function is done", async () => {
    const url = await serve([["GET /slow", lambda("slow", 300)]]);
    const response = await fetch(`${url}/slow`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: "Service Unavailable" });
  });

  it("answers 429 Too Many Requests past a route's throttle", async () => {
    const throttling = { byRouteKey: new Map([["GET /items/{id}", { burstLimit: 1, rateLimit: 0.001 }]]) };
    const url = await serve([["GET /items/{id}", lambda("ok")]], { throttling });
    expect((await fetch(`${url}/items/1`)).status).toBe(200);
    const throttled = await fetch(`${url}/items/1`);
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({ message: "Too Many Requests" });
  });

  it("answers 413 for a body over the 10 MB an HTTP API takes", async () => {
    const url = await serve([["POST /items", lambda("ok")]]);
    const response = await fetch(`${url}/items`, { method: "POST", body: "x".repeat(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });

  it("serves a named stage under its name, as the first segment of the path, which rawPath keeps", async () => {
    const url = await serve([["GET /items/{id}", lambda("ok")]], { stageName: "v1" });
    // The Lambda developer guide's HTTP API example event: stage "default", rawPath "/default/…".
    expect(await (await fetch(`${url}/v1/items/1`)).json()).toEqual({ routeKey: "GET /items/{id}", rawPath: "/v1/items/1", stage: "v1" });
    expect((await fetch(`${url}/items/1`)).status).toBe(404);
  });
});
