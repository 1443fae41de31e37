import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFauxqsThread } from "../backends/fauxqsThread.ts";
import { freePort } from "../backends/freePort.ts";
import { SqsCallError, SqsJsonClient } from "./sqsJsonClient.ts";

describe("the lean SQS client, against a real SQS endpoint", () => {
  let fauxqs: { stop(): Promise<void> };
  let sdk: SQSClient;
  let client: SqsJsonClient;
  let queueUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    fauxqs = await startFauxqsThread(port, "127.0.0.1");
    const config = { endpoint: `http://127.0.0.1:${port}`, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
    sdk = new SQSClient(config);
    client = new SqsJsonClient(config);
    queueUrl = (await sdk.send(new CreateQueueCommand({ QueueName: "lean" }))).QueueUrl!;
  });

  afterAll(async () => {
    client?.destroy();
    sdk?.destroy();
    await fauxqs?.stop();
  });

  it("sends a batch, receives it with its string and binary attributes as the SDK types them, and deletes it", async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250]);
    const sent = await client.sendMessageBatch({
      QueueUrl: queueUrl,
      Entries: [
        { Id: "a", MessageBody: "first", MessageAttributes: { correlationId: { DataType: "String", StringValue: "c-1" } } },
        { Id: "b", MessageBody: "second", MessageAttributes: { raw: { DataType: "Binary", BinaryValue: bytes } } },
      ],
    });
    expect(sent.Successful?.map((entry) => entry.Id).sort()).toEqual(["a", "b"]);

    const { Messages = [] } = await client.receiveMessage({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    const byBody = new Map(Messages.map((message) => [message.Body, message]));
    expect(byBody.get("first")?.MessageAttributes?.correlationId?.StringValue).toBe("c-1");
    expect(byBody.get("second")?.MessageAttributes?.raw?.BinaryValue).toEqual(Buffer.from(bytes));
    expect(byBody.get("first")?.Attributes?.ApproximateReceiveCount).toBe("1");

    const deleted = await client.deleteMessageBatch({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })) });
    expect(deleted.Successful).toHaveLength(2);
    expect((await client.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 0 })).Messages ?? []).toEqual([]);
  });

  it("rejects with SQS's error code and HTTP status, as the SDK's errors carry them", async () => {
    const failure = client.sendMessage({ QueueUrl: `${queueUrl}-missing`, MessageBody: "x" });
    await expect(failure).rejects.toBeInstanceOf(SqsCallError);
    await expect(failure).rejects.toMatchObject({ name: "QueueDoesNotExist", $metadata: { httpStatusCode: 400 } });
  });

  it("ends a long poll when its signal aborts", async () => {
    const aborting = new AbortController();
    const poll = client.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }, aborting.signal);
    setTimeout(() => aborting.abort(), 100);
    await expect(poll).rejects.toMatchObject({ name: "AbortError" });
  });

  it("signs each request with SigV4 as AWS's documentation computes it, request after request", async () => {
    const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        seen.push({ headers: request.headers, body });
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
    const signing = new SqsJsonClient({ endpoint: `http://127.0.0.1:${port}`, region: "eu-west-1", credentials });
    try {
      await signing.deleteMessageBatch({ QueueUrl: "http://q/1", Entries: [] });
      await signing.deleteMessageBatch({ QueueUrl: "http://q/2", Entries: [] });
    } finally {
      signing.destroy();
      server.close();
    }
    for (const { headers, body } of seen) {
      expect(headers.authorization).toBe(expectedAuthorization(headers, body, credentials, "eu-west-1"));
    }
  });
});

/** SigV4 by the steps of AWS's documentation, independent of the signer the client uses. */
function expectedAuthorization(headers: IncomingHttpHeaders, body: string, credentials: { accessKeyId: string; secretAccessKey: string }, region: string): string {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text).digest();
  const amzDate = String(headers["x-amz-date"]);
  const day = amzDate.slice(0, 8);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(headers.authorization))![1]!.split(";");
  const canonicalRequest = ["POST", "/", "", ...signedHeaders.map((name) => `${name}:${String(headers[name]).trim()}`), "", signedHeaders.join(";"), sha256(body)].join("\n");
  const scope = `${day}/${region}/sqs/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), "sqs"), "aws4_request");
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`;
}
