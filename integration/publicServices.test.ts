import { createHmac, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema } from "@aws-lambda-powertools/parser/schemas";
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAws, type LocalAws, type LocalAwsOptions } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";

/**
 * Public Serverless Framework services no one here wrote, each in integration/fixtures/<name> with
 * its SOURCE.md, started as published: the original where AWS would deploy it, else the variant
 * SOURCE.md names (a runtime AWS no longer accepts). The expected answers come from each service's
 * own source (its README, the framework's integration suite that deploys it on AWS) or AWS's docs.
 */
const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), "fixtures", name);
const stage = () => `p${randomBytes(3).toString("hex")}`;
const NODEJS20 = "serverless-nodejs20.yml";

let backend: StartedBackend;
let sqs: SQSClient;
const stacks: Record<string, LocalAws> = {};
const logs: string[] = [];
const workerLogs: string[] = [];
const refusals: Record<string, unknown> = {};

const start = (name: string, configFile: string, options: Partial<LocalAwsOptions> = {}) =>
  startLocalAws({ backend, serviceDir: fixture(name), configFile, stage: stage(), apiPort: 0, ...options });
const refusalOf = (promise: Promise<LocalAws>) =>
  promise.then(
    async (stack) => {
      await stack.stop();
      return new Error("it started");
    },
    (error: unknown) => error,
  );

/** The queue the framework's sqs service reads and does not define; a backend whose containers outlive a run may hold it already. */
const EXISTING_QUEUE = "service-basic";
async function deleteExistingQueue(): Promise<void> {
  const found = await sqs.send(new GetQueueUrlCommand({ QueueName: EXISTING_QUEUE })).catch(() => undefined);
  if (found?.QueueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: found.QueueUrl }));
}

beforeAll(async () => {
  backend = await startIntegrationBackend();
  sqs = new SQSClient({ endpoint: backend.awsEndpoint, region: "us-east-1", credentials: backend.credentials });
  await deleteExistingQueue();
  const [restApi, webhook, apiGateway, requestSchema, requestParameters, sqsWorker, scheduledCron, httpApi, dynamicHtml, apiGatewayExtended, sqsWorkerDlq] = await Promise.all([
    start("examplesRestApi", NODEJS20),
    start("githubWebhookListener", NODEJS20),
    start("frameworkApiGateway", NODEJS20),
    start("frameworkRequestSchema", "serverless-nodejs20-json-models.yml"),
    start("frameworkRequestParameters", NODEJS20),
    start("examplesSqsWorker", "serverless.yml", { onLog: (_fn, line) => logs.push(line) }),
    start("examplesScheduledCron", "serverless.yml"),
    start("examplesHttpApi", "serverless.yml"),
    start("examplesDynamicHtml", NODEJS20),
    start("frameworkApiGatewayExtended", NODEJS20),
    start("examplesSqsWorkerDlq", NODEJS20, { onLog: (_fn, line) => workerLogs.push(line) }),
    // As published, each is refused for what AWS refuses too; and the sqs service before its queue exists.
    refusalOf(start("examplesRestApi", "serverless.yml")).then((error) => (refusals.nodejs18 = error)),
    refusalOf(start("frameworkApiGateway", "serverless.yml")).then((error) => (refusals.nodejs16 = error)),
    refusalOf(start("frameworkRequestSchema", NODEJS20)).then((error) => (refusals.textModel = error)),
    refusalOf(start("frameworkSqs", NODEJS20)).then((error) => (refusals.missingQueue = error)),
    refusalOf(start("examplesSqsWorkerDlq", "serverless.yml")).then((error) => (refusals.frameworkV2 = error)),
  ]);
  Object.assign(stacks, { restApi, webhook, apiGateway, requestSchema, requestParameters, sqsWorker, scheduledCron, httpApi, dynamicHtml, apiGatewayExtended, sqsWorkerDlq });
  // The framework's own suite creates the queue before the deploy (test/integration/aws/sqs.test.js).
  await sqs.send(new CreateQueueCommand({ QueueName: EXISTING_QUEUE }));
  stacks.sqs = await start("frameworkSqs", NODEJS20, { onLog: (_fn, line) => logs.push(line) });
});

afterAll(async () => {
  await Promise.all(Object.values(stacks).map((stack) => stack.stop()));
  if (sqs) await deleteExistingQueue();
  sqs?.destroy();
  await backend?.stop();
});

/** A request as curl sends it: any method with any body (fetch refuses a GET with one), headers in the case given. */
function send(url: string, { method = "GET", headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { ...headers, ...(body !== undefined && { "Content-Length": String(Buffer.byteLength(body)) }) } }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

describeOnBackend("public Serverless Framework services, run as published", () => {
  it("refuses each as published where AWS refuses it too, naming the fix", () => {
    expect(String(refusals.nodejs18)).toMatch(/runtime: .*use nodejs20\.x or later/);
    expect(String(refusals.nodejs16)).toMatch(/runtime: .*use nodejs20\.x or later/);
    expect(String(refusals.frameworkV2)).toMatch(/frameworkVersion '2' admits no Serverless Framework v3 release.*set frameworkVersion: '3'/);
    expect(String(refusals.textModel)).toMatch(/model ApiGatewayMethodTestDashmultipleGetTextPlainModel \(text\/plain\) has the schema "foo", which is no JSON schema/);
  });

  // serverless/examples aws-node-rest-api; its README shows the answer on AWS.
  it("aws-node-rest-api: answers GET / with its message and the proxy event, which parses with Powertools' schema", async () => {
    expect(stacks.restApi!.warnings).toEqual(expect.arrayContaining([expect.stringContaining("provider.lambdaHashingVersion '20201221' is left out")]));
    const response = await fetch(`${stacks.restApi!.apiUrl}/?source=corpus`);
    expect(response.status).toBe(200);
    const { message, input } = (await response.json()) as { message: string; input: Record<string, unknown> };
    expect(message).toBe("Go Serverless v2.0! Your function executed successfully!");
    expect(APIGatewayProxyEventSchema.safeParse(input).success).toBe(true);
    expect(input).toMatchObject({ resource: "/", path: "/", httpMethod: "GET", queryStringParameters: { source: "corpus" }, pathParameters: null });
  });

  // serverless/examples aws-node-github-webhook-listener: GitHub signs the body with HMAC-SHA1 in X-Hub-Signature.
  it("github-webhook-listener: takes a signed delivery, reading X-Hub-Signature in the case GitHub sends it", async () => {
    const body = JSON.stringify({ action: "opened", number: 1 });
    const signature = `sha1=${createHmac("sha1", "REPLACE-WITH-YOUR-SECRET-HERE").update(body, "utf-8").digest("hex")}`;
    const headers = { "Content-Type": "application/json", "X-Hub-Signature": signature, "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "72d3162e" };
    const url = `${stacks.webhook!.apiUrl}/webhook`;
    const accepted = await send(url, { method: "POST", headers, body });
    expect(accepted.status).toBe(200);
    expect((JSON.parse(accepted.body) as { input: { headers: Record<string, string>; body: string } }).input).toMatchObject({ headers: { "X-Hub-Signature": signature }, body });

    const forged = await send(url, { method: "POST", headers: { ...headers, "X-Hub-Signature": "sha1=0000" }, body });
    expect([forged.status, forged.headers["content-type"], forged.body]).toEqual([401, "text/plain", "X-Hub-Signature incorrect. Github webhook token doesn't match"]);
    const unsigned = await send(url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    expect([unsigned.status, unsigned.body]).toEqual([401, "No X-Hub-Signature found on request"]);
  });

  // cors: true, as the framework's v3 suite checks it on AWS (test/integration/aws/api-gateway.test.js, "simple CORS").
  it("github-webhook-listener: answers the CORS preflight cors: true compiles", async () => {
    const preflight = await send(`${stacks.webhook!.apiUrl}/webhook`, { method: "OPTIONS" });
    expect(preflight.status).toBe(200);
    expect(preflight.headers["access-control-allow-origin"]).toBe("*");
    expect(preflight.headers["access-control-allow-methods"]).toBe("OPTIONS,POST");
    expect(preflight.headers["access-control-allow-headers"]).toBe("Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id");
    expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
  });

  // serverless/serverless v3 test/fixtures/programmatic/api-gateway; the message is the one its AWS suite expects.
  it("the framework's api-gateway service: its async and callback handlers answer on each route, a path parameter included", async () => {
    const { apiUrl } = stacks.apiGateway!;
    for (const [method, path] of [["GET", "/"], ["POST", "/minimal-1"]] as const) {
      const response = await fetch(`${apiUrl}${path}`, { method });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { message: string }).message).toBe("Hello from API Gateway! - (minimal)");
    }
    const foo = await send(`${apiUrl}/foo`, { headers: { "X-Custom-Header": "kept" } });
    expect(JSON.parse(foo.body)).toMatchObject({ path: "/foo", method: "GET", headers: { "X-Custom-Header": "kept" } });
    // Its handler answers /bar/timeout after two seconds, inside the default six-second timeout.
    const late = await fetch(`${apiUrl}/bar/timeout`);
    expect([late.status, ((await late.json()) as { path: string }).path]).toEqual([200, "/bar/timeout"]);
    const unknown = await fetch(`${apiUrl}/nowhere`);
    expect([unknown.status, await unknown.json()]).toEqual([403, { message: "Missing Authentication Token" }]);
  });

  /**
   * These two services' handler (target.js) returns its answer from a plain function: on nodejs20.x
   * Lambda's runtime ignores that value and, the event loop empty, answers null ("if the handler
   * signature is sync … send a successful invocation with a null payload": the interface client's
   * src/Runtime.js, _setDefaultExitListener), which API Gateway answers with its 502. So a request the
   * validator lets through gets that 502 here as on AWS, and one it refuses gets its 400.
   */
  const REACHED_THE_FUNCTION = { status: 502, body: { message: "Internal server error" } };
  const answerOf = async (url: string, options: Parameters<typeof send>[1] = {}) => {
    const response = await send(url, options);
    return { status: response.status, body: JSON.parse(response.body) as unknown };
  };

  // serverless/serverless v3 test/fixtures/programmatic/request-schema; answers as "Request validation for REST APIs in API Gateway" says.
  it("the framework's request-schema service: a body its model refuses gets 400 Invalid request body, a valid one reaches the function", async () => {
    const { apiUrl } = stacks.requestSchema!;
    const json = { "Content-Type": "application/json" };
    for (const path of ["/test-model-full", "/test-model-simple", "/test-direct-simple", "/test-direct-full", "/test-multiple"]) {
      expect([path, await answerOf(`${apiUrl}${path}`, { headers: json, body: '{"id":"one"}' })]).toEqual([path, { status: 400, body: { message: "Invalid request body" } }]);
      expect([path, await answerOf(`${apiUrl}${path}`, { headers: json, body: '{"id":1}' })]).toEqual([path, REACHED_THE_FUNCTION]);
    }
    // "If no matching content type is found, request validation is not performed."
    expect(await answerOf(`${apiUrl}/test-multiple`, { headers: { "Content-Type": "text/plain" }, body: "anything" })).toEqual(REACHED_THE_FUNCTION);
  });

  // serverless/serverless v3 test/fixtures/programmatic/request-parameters; the 400's wording is that of
  // "Test basic request validation in API Gateway" (api-gateway-request-validation-test.html).
  it("the framework's request-parameters service: a required query string or header absent or blank gets 400, naming it", async () => {
    const { apiUrl } = stacks.requestParameters!;
    const answer = async (path: string, headers: Record<string, string> = {}) => [path, await answerOf(`${apiUrl}${path}`, { headers })];
    const missing = (name: string) => ({ status: 400, body: { message: `Missing required request parameters: [${name}]` } });
    expect(await answer("/querystrings-required")).toEqual(["/querystrings-required", missing("url")]);
    expect(await answer("/querystrings-required?url=")).toEqual(["/querystrings-required?url=", missing("url")]);
    expect(await answer("/querystrings-required?url=https://example.com")).toEqual(["/querystrings-required?url=https://example.com", REACHED_THE_FUNCTION]);
    expect(await answer("/headers-required")).toEqual(["/headers-required", missing("foo")]);
    expect(await answer("/headers-required", { Foo: "bar" })).toEqual(["/headers-required", REACHED_THE_FUNCTION]);
    for (const path of ["/no-params", "/querystrings-not-required", "/headers-not-required"]) {
      expect(await answer(path)).toEqual([path, REACHED_THE_FUNCTION]);
    }
    // Its schema ({ $schema } alone) takes any JSON body; the required query string is still checked first.
    const withSchema = (query: string) => answerOf(`${apiUrl}/params-with-schema${query}`, { headers: { "Content-Type": "application/json" }, body: "{}" });
    expect([await withSchema(""), await withSchema("?url=x")]).toEqual([missing("url"), REACHED_THE_FUNCTION]);
  });

  // serverless/serverless v3 test/fixtures/programmatic/sqs reads a queue it does not define, by ARN.
  it("the framework's sqs service: refused while its queue does not exist, naming the queue", () => {
    expect(String(refusals.missingQueue)).toMatch(
      /the sqs event of service-p[0-9a-f]{6}-sqsBasic reads arn:aws:sqs:us-east-1:\d{12}:service-basic, a queue this service does not define and the backend does not hold/,
    );
  });

  // Its AWS suite (test/integration/aws/sqs.test.js) sends "Hello from SQS!" and expects the function name and the message in the log.
  it("the framework's sqs service: a message sent to the existing queue reaches the function and leaves the queue", async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: EXISTING_QUEUE }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "Hello from SQS!" }));
    await eventually(async () => logs.join("\n"), (text) => text.includes("--- START sqsBasic ---") && text.includes("Hello from SQS!"), { what: "the message in sqsBasic's log" });
    // The status lists the queue it reads, as the console draws it, though the service does not define it.
    expect((await stacks.sqs!.status()).queues.map((queue) => queue.name)).toEqual([EXISTING_QUEUE]);
    await eventually(
      async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes,
      (attributes) => attributes?.ApproximateNumberOfMessages === "0" && attributes.ApproximateNumberOfMessagesNotVisible === "0",
      { what: "service-basic empty once the batch succeeded" },
    );
  });

  // serverless/examples (v4 branch) aws-node-sqs-worker: its consumer logs each record's body.
  it("aws-node-sqs-worker: its ARN built with ${aws:accountId} names the local account, and a message reaches the consumer", async () => {
    const queue = stacks.sqsWorker!.queues.find((candidate) => candidate.name === "MyFirstQueue")!;
    expect(queue.arn).toBe(`arn:aws:sqs:us-east-1:${backend.accountId}:MyFirstQueue`);
    const body = `job-${randomBytes(4).toString("hex")}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    await eventually(async () => logs.join("\n"), (text) => text.includes(`Message Body:  ${body}`), { what: "the body in the consumer's log" });
  });

  /**
   * serverless/examples aws-node-sqs-worker as it was before it moved to Lift (master, fe32f4d4): its
   * queue's RedrivePolicy moves a message to workerDlq after maxReceiveCount (5) receives. Its README
   * shows the producer's answer. The DLQ's rule is RedrivePolicy's ("Using dead-letter queues in Amazon
   * SQS": SQS moves a message to the deadLetterTargetArn once it was received maxReceiveCount times
   * without being deleted); "Creating and configuring an Amazon SQS event source mapping" (Lambda's
   * guide) says a batch whose invocation fails returns to the queue, visible again after the timeout.
   */
  describe("aws-node-sqs-worker before Lift: a producer, a consumer and a dead-letter queue", () => {
    const queueNamed = (prefix: string) => stacks.sqsWorkerDlq!.queues.find((queue) => queue.name.startsWith(prefix))!;
    const emptied = (url: string, what: string) =>
      eventually(
        async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes,
        (attributes) => attributes?.ApproximateNumberOfMessages === "0" && attributes.ApproximateNumberOfMessagesNotVisible === "0",
        { what },
      );

    it("a message its producer sends (with the attribute its consumer reads) is consumed and leaves the queue", async () => {
      const body = JSON.stringify({ name: `John-${randomBytes(4).toString("hex")}` });
      const produced = await fetch(`${stacks.sqsWorkerDlq!.apiUrl}/produce`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      expect([produced.status, await produced.json()]).toEqual([200, { message: "Message accepted!" }]);
      await eventually(async () => workerLogs.join("\n"), (text) => text.includes(`Message Body:  ${body}`), { what: "the body in the consumer's log" });
      expect(workerLogs).toContain("Message Attributte:  Attribute Value");
      await emptied(queueNamed("workerQueue-").url, "workerQueue empty once the consumer succeeded");
      const empty = await fetch(`${stacks.sqsWorkerDlq!.apiUrl}/produce`, { method: "POST" });
      expect([empty.status, await empty.json()]).toEqual([400, { message: "No body was found" }]);
    });

    it("a message without that attribute fails the consumer, is received maxReceiveCount times, then is in the DLQ with its body intact", async () => {
      const source = queueNamed("workerQueue-");
      const deadLetters = queueNamed("workerDlq-");
      expect([source.deadLetterQueueLogicalId, source.maxReceiveCount]).toEqual(["WorkerDLQ", 5]);
      const body = JSON.stringify({ name: `no-attribute-${randomBytes(4).toString("hex")}` });
      const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }));
      // A backend that outlives a run may hold earlier runs' dead letters: this run's is found by its body.
      const found = await eventually(
        async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetters.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages?.find((message) => message.Body === body),
        (message) => message !== undefined,
        { what: "the failed message in workerDlq", timeoutMs: 30_000 },
      );
      expect([found!.MessageId, found!.Body]).toEqual([MessageId, body]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetters.url, ReceiptHandle: found!.ReceiptHandle }));
      await emptied(source.url, "workerQueue empty once the message moved");
      // Each of the five receives was one failed invocation, whose error line names the message; the
      // first at least (the others too unless a loaded machine ran past the 1 s timeout) is the
      // TypeError the handler throws reading the missing attribute.
      const failures = workerLogs.filter((line) => line.includes(MessageId!));
      expect(failures).toHaveLength(5);
      expect(failures[0]).toContain("TypeError: Cannot read properties of undefined (reading 'stringValue')");
    });
  });

  // serverless/examples (v4 branch) aws-node-scheduled-cron: schedules are not emulated, and the start says so for each.
  it("aws-node-scheduled-cron: starts as published and names each schedule nothing invokes locally", () => {
    expect(stacks.scheduledCron!.warnings).toEqual(
      expect.arrayContaining([
        "RateHandlerEventsRuleSchedule1: the schedule rate(1 minute) (an EventBridge rule) is not emulated; nothing invokes RateHandlerLambdaFunction on it locally",
        "CronHandlerEventsRuleSchedule1: the schedule cron(0/2 * ? * MON-FRI *) (an EventBridge rule) is not emulated; nothing invokes CronHandlerLambdaFunction on it locally",
      ]),
    );
  });

  // serverless/examples (v4 branch) aws-node-http-api; its README shows the answer on AWS.
  it("aws-node-http-api: answers GET / on the HTTP API with its message and a payload 2.0 event Powertools' schema parses", async () => {
    const response = await fetch(`${stacks.httpApi!.httpApiUrl}/?source=corpus`);
    expect(response.status).toBe(200);
    const { message, input } = (await response.json()) as { message: string; input: Record<string, unknown> };
    expect(message).toBe("Go Serverless v2.0! Your function executed successfully!");
    expect(APIGatewayProxyEventV2Schema.safeParse(input).success).toBe(true);
    expect(input).toMatchObject({ version: "2.0", routeKey: "GET /", rawPath: "/", rawQueryString: "source=corpus", queryStringParameters: { source: "corpus" } });
  });

  // serverless/examples aws-node-serve-dynamic-html-via-http-endpoint: bundled by serverless-esbuild, ES module syntax and a callback.
  it("serve-dynamic-html: answers its HTML page with the name from the query string", async () => {
    const response = await fetch(`${stacks.dynamicHtml!.httpApiUrl}/landing-page?name=Ada`);
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/html"]);
    expect(await response.text()).toContain("<p>Hey Ada!</p>");
    expect(await (await fetch(`${stacks.dynamicHtml!.httpApiUrl}/landing-page`)).text()).toContain("<p>Hey Unknown!</p>");
  });

  // serverless/serverless v3 test/fixtures/programmatic/api-gateway-extended, with what its AWS suite
  // (test/integration/aws/api-gateway.test.js) expects of the deployed service.
  describe("the framework's api-gateway-extended service, as its AWS suite checks it", () => {
    const url = (path: string) => `${stacks.apiGatewayExtended!.apiUrl}${path}`;
    const messageOf = async (response: Response) => ((await response.json()) as { message: string }).message;

    it("answers its minimal routes on GET, POST, PUT and DELETE", async () => {
      for (const [method, path] of [["GET", "/"], ["POST", "/minimal-1"], ["PUT", "/minimal-2"], ["DELETE", "/minimal-3"]] as const) {
        expect([method, await messageOf(await fetch(url(path), { method }))]).toEqual([method, "Hello from API Gateway! - (minimal)"]);
      }
    });

    it("answers the CORS preflights of cors: true and of the object form", async () => {
      const allowHeaders = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id";
      const simple = await fetch(url("/simple-cors"), { method: "OPTIONS" });
      expect(["access-control-allow-headers", "access-control-allow-methods", "access-control-allow-credentials", "access-control-allow-origin"].map((name) => simple.headers.get(name))).toEqual([allowHeaders, "OPTIONS,GET", null, "*"]);
      const complex = await fetch(url("/complex-cors"), { method: "OPTIONS" });
      expect(["access-control-allow-headers", "access-control-allow-methods", "access-control-allow-credentials", "access-control-allow-origin"].map((name) => complex.headers.get(name))).toEqual([allowHeaders, "OPTIONS,GET", "true", "*"]);
    });

    it("runs its custom authorizer: 401 without or with a wrong token, the principal in the event with the right one", async () => {
      expect((await fetch(url("/custom-auth"))).status).toBe(401);
      expect((await fetch(url("/custom-auth"), { headers: { Authorization: "Bearer ShouldNotBeAuthorized" } })).status).toBe(401);
      const allowed = await fetch(url("/custom-auth"), { headers: { Authorization: "Bearer ShouldBeAuthorized" } });
      const { message, event } = (await allowed.json()) as { message: string; event: { requestContext: { authorizer: { principalId: string } }; headers: Record<string, string> } };
      expect([message, event.requestContext.authorizer.principalId, event.headers.Authorization]).toEqual(["Hello from API Gateway! - (customAuthorizers)", "SomeRandomId", "Bearer ShouldBeAuthorized"]);
    });

    it("takes its API key (the value serverless.yml gives it) on the private route, and refuses a request without one", async () => {
      const keyed = await fetch(url("/api-keys"), { headers: { "X-API-Key": "service-api-key-1" } });
      expect([keyed.status, await messageOf(keyed)]).toEqual([200, "Hello from API Gateway! - (apiKeys)"]);
      expect((await fetch(url("/api-keys"))).status).toBe(403);
    });

    it("answers 504 when the function of its integration: lambda route times out", async () => {
      expect((await fetch(url("/integration-lambda-timeout"))).status).toBe(504);
    });
  });
});
