import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queueDepth, startLocalAws, type LocalAws } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";

/** A service that uses serverless-apigateway-service-proxy as its README shows, with nothing customised. */
const serviceDir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "proxyDefaults");

/** One record as the consumer logged it. */
interface Delivery {
  received: string;
  messageId: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string };
  messageAttributes: Record<string, unknown>;
}

const ALLOW_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent";

let backend: StartedBackend;
let stack: LocalAws;
/** The fixture's serverless.yml names no stage: the one it is packaged with is the stack's. */
const stage = `p${randomBytes(3).toString("hex")}`;
let sqs: SQSClient;
const deliveries: Delivery[] = [];

beforeAll(async () => {
  backend = await startIntegrationBackend();
  stack = await startLocalAws({
    backend,
    serviceDir,
    stage,
    apiPort: 0,
    onLog: (_fn, line) => {
      if (line.startsWith('{"received"')) deliveries.push(JSON.parse(line) as Delivery);
    },
  });
  sqs = new SQSClient(stack.clientConfig);
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  await backend?.stop();
});

const queueUrl = (queue: "work" | "dlq") => stack.queues.find((candidate) => candidate.name.endsWith(queue === "work" ? "-work" : "-work-dlq"))!.url;
/** aws-sdk v2, where something in node_modules brings it: not a dependency of its own. */
const sdkV2 = (() => {
  try {
    // Its notice that v2 is past its support, printed on load, says nothing about this suite.
    process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
    return createRequire(import.meta.url)("aws-sdk") as {
      SQS: new (config: object) => { sendMessage(input: object): { promise(): Promise<{ MessageId?: string }> } };
    };
  } catch {
    return undefined;
  }
})();

/** A queue URL named on LocalStack's host is LocalStack's own, kept as it gives it. */
const isLocalstackUrl = (url: string) => new URL(url).hostname.endsWith("localhost.localstack.cloud");

const deliveriesOf = (body: string) => deliveries.filter((delivery) => delivery.received === body);
const post = (body: string) =>
  fetch(`${stack.apiUrl}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body });

describeOnBackend("a service written with serverless-apigateway-service-proxy's defaults", () => {
  it("runs on the stage it was packaged with, though its serverless.yml names none (the framework's default would be dev)", () => {
    expect(stack.stage).toBe(stage);
    expect(stack.queues.map((queue) => queue.name)).toContain(`proxy-defaults-${stage}-work`);
  });

  it("answers the CORS preflight: the request's Origin echoed, the compiled methods and headers allowed", async () => {
    const response = await fetch(`${stack.apiUrl}/messages`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(response.headers.get("access-control-allow-methods")).toBe("OPTIONS,POST");
    expect(response.headers.get("access-control-allow-headers")).toBe(ALLOW_HEADERS);
  });

  it("answers the CORS preflight without an Origin with '*'", async () => {
    const response = await fetch(`${stack.apiUrl}/messages`, { method: "OPTIONS" });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("queues a POSTed JSON body as it is: 200 with SQS's SendMessage answer and the CORS header, and the consumer gets that body", async () => {
    const body = JSON.stringify({ order: randomBytes(4).toString("hex"), note: "a & b = c" });
    const response = await post(body);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const answer = (await response.json()) as { SendMessageResponse: { SendMessageResult: { MessageId: string } } };
    const messageId = answer.SendMessageResponse.SendMessageResult.MessageId;
    expect(messageId).toEqual(expect.any(String));
    // The keys SQS had no value for are there, null, as in the answer AWS's serverless patterns show.
    expect(answer.SendMessageResponse.SendMessageResult).toEqual({
      MD5OfMessageAttributes: null,
      MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      MD5OfMessageSystemAttributes: null,
      MessageId: messageId,
      SequenceNumber: null,
    });

    const [delivery] = await eventually(async () => deliveriesOf(body), (found) => found.length > 0, { what: "the consumer to get the message" });
    expect(delivery).toMatchObject({ received: body, messageId, attributes: { ApproximateReceiveCount: "1" }, messageAttributes: {} });
    expect(Number(delivery!.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("hands out a queue URL that an SDK v3 client set up as a function's (AWS_ENDPOINT_URL) sends to without a warning", async (context) => {
    const url = queueUrl("work");
    if (isLocalstackUrl(url)) context.skip("LocalStack's queue URLs (localhost.localstack.cloud) are kept as LocalStack gives them");
    const said: string[] = [];
    const record = (...words: unknown[]) => said.push(words.map(String).join(" "));
    const previous = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = stack.awsEndpoint;
    const client = new SQSClient({ region: stack.region, credentials: stack.credentials, logger: { debug() {}, info() {}, warn: record, error: record } });
    try {
      const body = JSON.stringify({ sdk: "v3", run: randomBytes(4).toString("hex") });
      expect((await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))).MessageId).toEqual(expect.any(String));
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = previous;
    }
    // The SDK sends to a queue URL's host and says so when it cannot read it ("TypeError: Invalid URL").
    expect(said).toEqual([]);
  });

  it.skipIf(!sdkV2)("hands out a queue URL aws-sdk v2 can send to: it always sends to the queue URL's host", async (context) => {
    const url = queueUrl("work");
    if (isLocalstackUrl(url)) context.skip("LocalStack's queue URLs (localhost.localstack.cloud) are kept as LocalStack gives them");
    const { accessKeyId, secretAccessKey } = stack.credentials;
    const sqsV2 = new sdkV2!.SQS({ region: stack.region, endpoint: stack.awsEndpoint, accessKeyId, secretAccessKey, maxRetries: 0 });
    const body = JSON.stringify({ sdk: "v2", run: randomBytes(4).toString("hex") });
    expect((await sqsV2.sendMessage({ QueueUrl: url, MessageBody: body }).promise()).MessageId).toEqual(expect.any(String));
  });

  it("retries only the record the consumer reports failed, then moves it to the DLQ, while the others are deleted after one delivery", async () => {
    const run = randomBytes(4).toString("hex");
    const succeeding = [1, 2, 3].map((index) => JSON.stringify({ run, index }));
    const failing = JSON.stringify({ run, fail: true });
    const responses = await Promise.all([...succeeding, failing].map(post));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);

    const [deadLetter] = await eventually(
      async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl("dlq"), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [],
      (messages) => messages.some((message) => message.Body === failing),
      { what: "the failing record in the DLQ", timeoutMs: 30_000 },
    ).then((messages) => messages.filter((message) => message.Body === failing));
    expect(deadLetter?.Body).toBe(failing);

    expect(deliveriesOf(failing).map((delivery) => delivery.attributes.ApproximateReceiveCount)).toEqual(["1", "2"]);
    for (const body of succeeding) expect(deliveriesOf(body)).toHaveLength(1);
    // The failing record was redelivered after the visibility timeout; had the others not been
    // deleted, they would have come back with it.
    expect(await queueDepth(sqs, queueUrl("work"))).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
