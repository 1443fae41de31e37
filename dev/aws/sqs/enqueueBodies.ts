import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";

const ENTRIES_PER_BATCH = 10;
const BATCHES_IN_FLIGHT = 10;

/** Sends message bodies to a queue as another producer would: SendMessageBatch, ten at a time. */
export async function enqueueBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  const batches: string[][] = [];
  for (let start = 0; start < bodies.length; start += ENTRIES_PER_BATCH) batches.push(bodies.slice(start, start + ENTRIES_PER_BATCH));
  for (let start = 0; start < batches.length; start += BATCHES_IN_FLIGHT) {
    await Promise.all(
      batches.slice(start, start + BATCHES_IN_FLIGHT).map((batch) =>
        sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((body, index) => ({ Id: String(index), MessageBody: body })),
          }),
        ),
      ),
    );
  }
}
