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
});
