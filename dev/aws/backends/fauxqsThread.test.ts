import { mkdtemp, rm } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFauxqsThread } from "./fauxqsThread.ts";
import { freePort } from "./freePort.ts";

describe("fauxqs on its thread, keeping its state in a folder", () => {
  let dataDir: string;
  let fauxqs: { stop(): Promise<void> };
  let sqs: SQSClient;
  let stored: DatabaseSync;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "fauxqs-thread-"));
    const port = await freePort();
    fauxqs = await startFauxqsThread(port, "127.0.0.1", { dataDir });
    sqs = new SQSClient({ endpoint: `http://127.0.0.1:${port}`, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    // A second connection, as after a restart: it sees only what was committed.
    stored = new DatabaseSync(join(dataDir, "fauxqs.db"), { readOnly: true });
  });

  afterAll(async () => {
    stored?.close();
    sqs?.destroy();
    await fauxqs?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const rowsOf = (queue: string) =>
    stored.prepare("SELECT message_id AS id, receipt_handle AS receiptHandle FROM sqs_messages WHERE queue_name = ?").all(queue) as Array<{ id: string; receiptHandle: string | null }>;

  it("has every write it answered committed on disk by the time the answer arrives: sent, received, deleted", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "committed" }));
    const entries = Array.from({ length: 10 }, (_, index) => ({ Id: `m${index}`, MessageBody: `body ${index}` }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    expect(rowsOf("committed").map((row) => row.id).sort()).toEqual(sent.Successful!.map((entry) => entry.MessageId).sort());

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(10);
    expect(rowsOf("committed").every((row) => row.receiptHandle !== null)).toBe(true);

    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle! })) }));
    expect(rowsOf("committed")).toEqual([]);
  });
});
