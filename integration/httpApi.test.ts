import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APIGatewayProxyEventV2Schema } from "@aws-lambda-powertools/parser/schemas";
import { SQSClient } from "@aws-sdk/client-sqs";
import { generateKeyPair, SignJWT } from "jose";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queueDepth, startLocalAws, type LocalAws } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "httpApiService");
const stage = `h${randomBytes(3).toString("hex")}`;

let backend: StartedBackend;
let stack: LocalAws;
let db: pg.Pool;
let sqs: SQSClient;
let url: string;

beforeAll(async () => {
  backend = await startIntegrationBackend();
  const database = `http_api_${stage}`;
  const admin = new pg.Client(backend.database);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  db = new pg.Pool({ ...backend.database, database, max: 2 });
  await db.query("CREATE TABLE entries (message_id text PRIMARY KEY, body text NOT NULL, request_id text)");
  const { user, password, host, port } = backend.database;
  stack = await startLocalAws({ backend, serviceDir, stage, apiPort: 0, params: { databaseUrl: `postgres://${user}:${password}@${host}:${port}/${database}` } });
  url = stack.httpApiUrl!;
  sqs = new SQSClient(stack.clientConfig);
});

afterAll(async () => {
  sqs?.destroy();
  await db?.end();
  await stack?.stop();
  await backend?.stop();
});

/** The console's first server-sent event, which carries the pipeline it draws. */
async function consoleHello(): Promise<{ pipeline: { routes: unknown[] } }> {
  const controller = new AbortController();
  const response = await fetch(`${stack.apiUrl}/_local/events`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const helloOf = () => text.split("\n\n").find((block) => /^event: ?hello$/m.test(block) && text.includes(`${block}\n\n`));
  try {
    while (!helloOf()) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    controller.abort();
  }
  return JSON.parse(/^data: ?(.*)$/m.exec(helloOf() ?? "")![1]!);
}

const entriesQueueUrl = () => stack.queues.find((queue) => queue.logicalId === "EntriesQueue")!.url;
const bearer = async () => `Bearer ${(await stack.userPools[0]!.userToken("ada")).access_token}`;

describeOnBackend("an HTTP API (httpApi events) served as API Gateway v2 serves it", () => {
  it("serves the HTTP API on its own port, apart from the REST API's, with its routes", () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(stack.apiUrl);
    expect(stack.httpApiRoutes).toEqual(expect.arrayContaining(["GET /items/{id}", "GET /me", "GET /me/admin", "ANY /files/{proxy+}", "GET /legacy", "$default", "POST /entries"]));
  });

  it("hands a route's function a payload 2.0 event that Powertools' APIGatewayProxyEventV2Schema parses", async () => {
    const response = await fetch(`${url}/items/7?tag=a&tag=b`, { headers: { "X-Trace": "one", cookie: "seen=1; theme=dark" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("apigw-requestid")).toMatch(/^[A-Za-z0-9+=-]{16}$/);
    const { id, event } = await response.json();
    expect(id).toBe("7");
    const parsed = APIGatewayProxyEventV2Schema.parse(event);
    // Shapes from AWS's example events (aws/aws-lambda-go events/testdata/apigw-v2-request-no-authorizer.json).
    expect(parsed).toMatchObject({
      version: "2.0",
      routeKey: "GET /items/{id}",
      rawPath: "/items/7",
      rawQueryString: "tag=a&tag=b",
      cookies: ["seen=1", "theme=dark"],
      queryStringParameters: { tag: "a,b" },
      pathParameters: { id: "7" },
      isBase64Encoded: false,
      requestContext: { routeKey: "GET /items/{id}", stage: "$default", http: { method: "GET", path: "/items/7", protocol: "HTTP/1.1" } },
    });
    expect(event.headers["x-trace"]).toBe("one");
    expect(event.requestContext.requestId).toBe(response.headers.get("apigw-requestid"));
    expect(event).not.toHaveProperty("body");
  });

  it("selects ANY /{proxy+} for any method under its path, and $default for what no route matches", async () => {
    const files = await fetch(`${url}/files/a/b.txt`, { method: "DELETE" });
    expect(files.status).toBe(200);
    expect(await files.json()).toEqual({ method: "DELETE", proxy: "a/b.txt", routeKey: "ANY /files/{proxy+}" });
    expect(files.headers.get("set-cookie")).toBe("seen=1; Path=/");
    const fallback = await fetch(`${url}/nowhere/at/all`, { method: "PUT" });
    expect(fallback.status).toBe(404);
    expect(await fallback.json()).toEqual({ fallback: "/nowhere/at/all", routeKey: "$default" });
  });

  it("gives a payload 1.0 integration the REST-shaped event", async () => {
    const response = await fetch(`${url}/legacy`);
    expect(await response.json()).toEqual({ version: "1.0", httpMethod: "GET", resource: "/legacy" });
  });

  it("lets a local user pool's token through its JWT authorizer, the claims reaching the function as strings", async () => {
    const response = await fetch(`${url}/me`, { headers: { authorization: await bearer() } });
    expect(response.status).toBe(200);
    // An answer without statusCode: 200 with it as JSON ("Create AWS Lambda proxy integrations for HTTP APIs", format 2.0 response).
    expect(response.headers.get("content-type")).toBe("application/json");
    const { claims, scopes } = await response.json();
    expect(claims).toMatchObject({ username: "ada", token_use: "access", iss: stack.userPools[0]!.issuer, exp: expect.stringMatching(/^\d+$/) });
    expect(scopes).toBeNull();
  });

  it("hands the token's scopes on a route that asks for one it holds, and answers 403 Forbidden where it holds none", async () => {
    const signedIn = await fetch(`${url}/me/signed-in`, { headers: { authorization: await bearer() } });
    expect(signedIn.status).toBe(200);
    expect((await signedIn.json()).scopes).toEqual(["aws.cognito.signin.user.admin"]);
    const admin = await fetch(`${url}/me/admin`, { headers: { authorization: await bearer() } });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toEqual({ message: "Forbidden" });
  });

  it("answers 401 Unauthorized without a token, with one another key signed and with what is no JWT", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ client_id: "x", token_use: "access" }).setProtectedHeader({ alg: "RS256", kid: "other" }).setIssuer(stack.userPools[0]!.issuer).setExpirationTime("5m").sign(privateKey);
    for (const headers of [{}, { authorization: `Bearer ${forged}` }, { authorization: "Bearer not-a-jwt" }] as Record<string, string>[]) {
      const response = await fetch(`${url}/me`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: "Unauthorized" });
    }
  });

  it("answers a preflight itself and adds the allowed origin to answers, as provider.httpApi.cors configures", async () => {
    const preflight = await fetch(`${url}/items/1`, { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-method": "GET" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(preflight.headers.get("access-control-max-age")).toBe("600");
    const answer = await fetch(`${url}/items/1`, { headers: { origin: "https://app.example.com" } });
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const elsewhere = await fetch(`${url}/items/1`, { headers: { origin: "https://evil.example.com" } });
    expect(elsewhere.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("stores a message sent through the SQS-SendMessage integration as a row, and queues nothing for a refused token", async () => {
    const refused = randomUUID();
    const refusedAnswer = await fetch(`${url}/entries`, { method: "POST", body: JSON.stringify({ key: refused }) });
    expect(refusedAnswer.status).toBe(401);

    const accepted = randomUUID();
    const response = await fetch(`${url}/entries`, {
      method: "POST",
      headers: { authorization: await bearer(), "content-type": "application/json", "x-request-id": accepted },
      body: JSON.stringify({ key: accepted }),
    });
    expect(response.status).toBe(200);
    const { SendMessageResponse } = await response.json();
    expect(SendMessageResponse.SendMessageResult.MessageId).toMatch(/[0-9a-f-]{36}/);

    const rows = await eventually(
      async () => (await db.query<{ body: string; request_id: string }>("SELECT body, request_id FROM entries")).rows,
      (found) => found.some((row) => row.body.includes(accepted)),
      { what: "the accepted entry's row" },
    );
    expect(rows.find((row) => row.body.includes(accepted))!.request_id).toBe(accepted);
    expect(rows.some((row) => row.body.includes(refused))).toBe(false);
    const depth = await queueDepth(sqs, entriesQueueUrl());
    expect(depth.visible + depth.inFlight).toBe(0);

    // The console's trace follows the HTTP API's request to its message, as for a REST route.
    const messageId = SendMessageResponse.SendMessageResult.MessageId;
    const trace = await (await fetch(`${stack.apiUrl}/_local/trace?q=${accepted}`)).json();
    expect(trace.requests).toEqual([expect.objectContaining({ route: "POST /entries", statusCode: 200, sentMessageIds: [messageId] })]);
  });

  it("shows its routes in /_local/status and in the console's pipeline, the SQS route reaching its queue", async () => {
    const status = await (await fetch(`${stack.apiUrl}/_local/status`)).json();
    expect(status.httpApi).toEqual({ url, routes: stack.httpApiRoutes });
    const { pipeline } = await consoleHello();
    expect(pipeline.routes).toEqual(
      expect.arrayContaining([
        { method: "POST", path: "/entries", kind: "sqs", target: `http-api-service-${stage}-entries` },
        { method: "GET", path: "/items/{id}", kind: "lambda-proxy", target: `http-api-service-${stage}-item` },
      ]),
    );
  });

  it("serves a saved serverless.yml's new HTTP API routes after a reapply, on the same port", async () => {
    const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "simpleHttpEndpoint");
    const configFile = `serverless.reapply-${stage}.yml`;
    const written = (path: string) =>
      `service: reapplied\nframeworkVersion: ">=3"\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  currentTime:\n    handler: handler.endpoint\n    events:\n      - httpApi: GET ${path}\n`;
    await writeFile(join(exampleDir, configFile), written("/time"));
    const example = await startLocalAws({ backend, serviceDir: exampleDir, configFile, stage, apiPort: 0 });
    try {
      const before = example.httpApiUrl;
      await writeFile(join(exampleDir, configFile), written("/clock"));
      const change = await example.reapply();
      expect(change).toMatchObject({ applied: true, changes: expect.arrayContaining(["HTTP API route GET /clock added", "HTTP API route GET /time removed"]) });
      expect(example.httpApiUrl).toBe(before);
      expect((await fetch(`${before}/clock`)).status).toBe(200);
      expect(await (await fetch(`${before}/time`)).json()).toEqual({ message: "Not Found" });
    } finally {
      await example.stop();
      await rm(join(exampleDir, configFile), { force: true });
    }
  });
});
