import type { Message } from "@aws-sdk/client-sqs";
import { setTimeout } from "node:timers/promises";
import type { ProvisionedQueue } from "../../sqs/provisionQueues.ts";
import type { SqsJsonClient } from "../../sqs/sqsJsonClient.ts";
import { MAX_INVOCATION_PAYLOAD_BYTES } from "./sqsRecord.ts";

const MAX_RECEIVE_BATCH = 10;
/** Between the short polls of a batching window's last second. */
const SHORT_POLL_PAUSE_MS = 50;

export interface PollerSettings {
  sqs: SqsJsonClient;
  queue: ProvisionedQueue;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** ReceiveMessage's WaitTimeSeconds, as Lambda's long polling uses. */
  longPollSeconds: number;
  /** Ends every receive in flight when the mapping stops (what it was handed returns after its visibility timeout). */
  signal: AbortSignal;
}

/**
 * The SQS side of an event source mapping: receives a batch (up to batchSize, within the batching
 * window, up to the 6 MB payload) and deletes what succeeded, ten messages per call as SQS takes them.
 *
 * @example
 * const poller = new SqsPoller({ sqs, queue, batchSize: 10, maximumBatchingWindowSeconds: 0, longPollSeconds: 20, signal });
 * const messages = await poller.receiveBatch();
 * await poller.delete(messages, (count) => (deleted += count));
 */
export class SqsPoller {
  readonly #settings: PollerSettings;

  constructor(settings: PollerSettings) {
    this.#settings = settings;
  }

  /**
   * A batch is handed over when it is full, when the batching window has passed, or when its
   * payload reaches 6 MB, whichever is first.
   */
  async receiveBatch(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds, longPollSeconds } = this.#settings;
    const batch = await this.#receive(Math.min(batchSize, MAX_RECEIVE_BATCH), longPollSeconds);
    if (batch.length === 0 || maximumBatchingWindowSeconds === 0) return batch;

    const windowEnds = Date.now() + maximumBatchingWindowSeconds * 1_000;
    let bodyBytes = batch.reduce((total, message) => total + Buffer.byteLength(message.Body ?? ""), 0);
    while (batch.length < batchSize && Date.now() < windowEnds && bodyBytes < MAX_INVOCATION_PAYLOAD_BYTES) {
      // A receive is never cut off at the window's end: a message SQS hands to a request its
      // client has given up on stays hidden with its receive counted, and reaches the DLQ a
      // delivery early. So the long polls end by themselves inside the window (whole seconds),
      // and its last second is gathered by short polls.
      const waitSeconds = Math.min(longPollSeconds, Math.floor((windowEnds - Date.now()) / 1_000));
      const more = await this.#receive(Math.min(batchSize - batch.length, MAX_RECEIVE_BATCH), waitSeconds);
      batch.push(...more);
      bodyBytes += more.reduce((total, message) => total + Buffer.byteLength(message.Body ?? ""), 0);
      if (more.length === 0 && waitSeconds === 0) {
        await setTimeout(Math.max(0, Math.min(SHORT_POLL_PAUSE_MS, windowEnds - Date.now())), undefined, { signal: this.#settings.signal });
      }
    }
    return batch;
  }

  /**
   * Deletes the messages, telling `onDeleted` how many each call deleted (a stale receipt handle
   * deletes nothing, on AWS too).
   */
  async delete(messages: readonly Message[], onDeleted: (count: number) => void): Promise<void> {
    for (let start = 0; start < messages.length; start += MAX_RECEIVE_BATCH) {
      const chunk = messages.slice(start, start + MAX_RECEIVE_BATCH);
      const { Failed = [] } = await this.#settings.sqs.deleteMessageBatch({
        QueueUrl: this.#settings.queue.url,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      });
      onDeleted(chunk.length - Failed.length);
    }
  }

  async #receive(maxMessages: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.#settings.sqs.receiveMessage(
      {
        QueueUrl: this.#settings.queue.url,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      },
      this.#settings.signal,
    );
    return Messages;
  }
}
