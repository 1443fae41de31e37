import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";

const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), "fixtures", name);
const stage = () => `w${randomBytes(3).toString("hex")}`;

let backend: StartedBackend;
let stack: LocalAws;
let sqs: SQSClient;

beforeAll(async () => {
  backend = await startIntegrationBackend();
  stack = await startLocalAws({ backend, serviceDir: fixture("v3Service"), stage: stage(), apiPort: 0 });
  sqs = new SQSClient(stack.clientConfig);
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  await backend?.stop();
});

describeOnBackend("Serverless Framework v3 services, started as they are written", () => {
  it("starts a v3 service (service: { name }, frameworkVersion '3', a plugin by relative path) and names what it rewrote and does not emulate", () => {
    expect(stack.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining("frameworkVersion '3' is packaged by osls"),
        expect.stringContaining("service: { name: v3-service } (object form)"),
        // The relative plugin ran: its alarm is in the template, listed as not emulated.
        expect.stringMatching(/not emulated, deployed on AWS only: .*AWS::CloudWatch::Alarm \(1\)/),
      ]),
    );
  });

  it("answers through a callback-style CommonJS handler on nodejs20.x, with Lambda's context", async () => {
    const response = await fetch(`${stack.apiUrl}/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: "hello", functionName: expect.stringMatching(/^v3-service-w[0-9a-f]{6}-hello$/), remaining: true });
  });

  it("runs a TypeScript handler written for esbuild that sends with the AWS SDK the runtime provides", async () => {
    const response = await fetch(`${stack.apiUrl}/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "nightly" }) });
    expect(response.status).toBe(202);
    const queueUrl = stack.queues.find((queue) => queue.logicalId === "JobsQueue")!.url;
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
    expect(Messages.map(({ Body }) => JSON.parse(Body!))).toEqual([{ name: "nightly" }]);
  });

  it("gives in its status the two credential keys a client needs, nothing the SDK keeps on them", async () => {
    // The stack's own clients have used the backend's credentials by now (the queues, the send above).
    expect(Object.keys((await stack.status()).credentials).sort()).toEqual(["accessKeyId", "secretAccessKey"]);
  });

  // serverless/examples aws-node-simple-http-endpoint, unchanged: nodejs18.x and an httpApi event.
  it("refuses the public example as written, naming the runtime's fix", async () => {
    await expect(startLocalAws({ backend, serviceDir: fixture("simpleHttpEndpoint"), stage: stage(), apiPort: 0 })).rejects.toThrow(/provider\.runtime: .*use nodejs20\.x or later/);
  });

  it("runs the example on nodejs20.x: its httpApi route answers on the HTTP API's own port as on AWS", async () => {
    const example = await startLocalAws({ backend, serviceDir: fixture("simpleHttpEndpoint"), configFile: "serverless-nodejs20.yml", stage: stage(), apiPort: 0 });
    try {
      expect(example.httpApiRoutes).toEqual(["GET /time"]);
      const response = await fetch(`${example.httpApiUrl}/time`);
      expect(response.status).toBe(200);
      expect((await response.json()).message).toMatch(/^Hello, the current time is \d{2}:\d{2}:\d{2} /);
      // No route for it and no $default: an HTTP API's own 404 ("Create routes for HTTP APIs", Routing API requests).
      const missing = await fetch(`${example.httpApiUrl}/elsewhere`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ message: "Not Found" });
    } finally {
      await example.stop();
    }
  });
});
