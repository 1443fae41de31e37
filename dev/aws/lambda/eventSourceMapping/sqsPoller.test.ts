import type { ReceiveMessageRequest } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { SqsJsonClient } from "../../sqs/sqsJsonClient.ts";
import { SqsPoller } from "./sqsPoller.ts";

const queue = { logicalId: "WorkQueue", name: "work", url: "http://127.0.0.1:1/000000000000/work", arn: "arn:aws:sqs:eu-west-1:000000000000:work", visibilityTimeoutSeconds: 30 };

/**
 * A queue that holds one message and then stays empty, answering a long poll when its wait ends,
 * as SQS does; it notes when each receive ends, and whether its caller gave up on it.
 */
function queueWithOneMessage() {
  const receives: Array<{ endedAt: number; abandoned: boolean }> = [];
  let delivered = false;
  const sqs = {
    async receiveMessage(input: ReceiveMessageRequest, signal?: AbortSignal) {
      if (!delivered) {
        delivered = true;
        receives.push({ endedAt: Date.now(), abandoned: false });
        return { Messages: [{ MessageId: "m1", ReceiptHandle: "r1", Body: "{}" }] };
      }
      await new Promise((resolve) => setTimeout(resolve, (input.WaitTimeSeconds ?? 0) * 1_000));
      receives.push({ endedAt: Date.now(), abandoned: signal?.aborted ?? false });
      return { Messages: [] };
    },
  } as unknown as SqsJsonClient;
  return { sqs, receives };
}

describe("the poller's batching window", () => {
  it("hands a partial batch over when the window ends, and never leaves a receive in flight past it", async () => {
    const { sqs, receives } = queueWithOneMessage();
    const poller = new SqsPoller({ sqs, queue, batchSize: 10, maximumBatchingWindowSeconds: 1.5, longPollSeconds: 20, signal: new AbortController().signal });
    const started = Date.now();
    const batch = await poller.receiveBatch();
    const handedOverAt = Date.now();

    expect(batch.map((message) => message.MessageId)).toEqual(["m1"]);
    expect(handedOverAt - started).toBeGreaterThanOrEqual(1_500);
    // A receive still waiting when the batch goes could be handed a message nobody reads: its
    // receive would count, and the message would reach the DLQ a delivery early.
    for (const receive of receives) {
      expect(receive.abandoned).toBe(false);
      expect(receive.endedAt).toBeLessThanOrEqual(handedOverAt);
    }
  });
});
