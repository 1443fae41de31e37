import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteDeadLetter, peekDeadLetters, redriveDeadLetter } from "./redriveDeadLetters.ts";

// fauxqs keeping its state on disk, as `npm run dev` runs it: the case where changing a message's
// visibility loses it, so reading a dead-letter queue must not do that.
describe("reading and redriving one dead letter, on a fauxqs that keeps its state", () => {
  let stateDir: string;
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  let sqs: SQSClient;
  let deadLetters: string;
  let source: string;
  let listed: Awaited<ReturnType<typeof peekDeadLetters>> = [];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "dead-letters-"));
    server = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false, dataDir: stateDir });
    sqs = new SQSClient({ endpoint: `http://127.0.0.1:${server.port}`, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    deadLetters = (await sqs.send(new CreateQueueCommand({ QueueName: "work-dlq" }))).QueueUrl!;
    source = (await sqs.send(new CreateQueueCommand({ QueueName: "work" }))).QueueUrl!;
  });

  afterAll(async () => {
    sqs.destroy();
    await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const depth = async (queueUrl: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  };

  it("lists the messages with their failure reason and loses none of them", async () => {
    for (const body of ["first", "second", "third"]) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: deadLetters, MessageBody: body, MessageAttributes: { failureReason: { DataType: "String", StringValue: `bad ${body}` } } }),
      );
    }
    listed = await peekDeadLetters(sqs, deadLetters);
    expect(listed.map((letter) => [letter.body, letter.attributes.failureReason])).toEqual([
      ["first", "bad first"],
      ["second", "bad second"],
      ["third", "bad third"],
    ]);
    expect(await depth(deadLetters)).toBe(3);
  });

  it("moves one message back to its source, right after a read hid it, and deletes another", async () => {
    // The read above still hides them: finding each waits for it to come back.
    const [first, second] = listed;
    expect(await redriveDeadLetter(sqs, deadLetters, source, first!.messageId)).toBe(true);
    expect(await deleteDeadLetter(sqs, deadLetters, second!.messageId)).toBe(true);
    expect(await redriveDeadLetter(sqs, deadLetters, source, second!.messageId)).toBe(false);

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
    expect(Messages.map((message) => [message.Body, message.MessageAttributes?.failureReason?.StringValue])).toEqual([["first", "bad first"]]);
    expect(await depth(deadLetters)).toBe(1);
  }, 15_000);
});
