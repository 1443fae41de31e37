import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { FunctionRuntime, InvocationResult } from "./functionRuntime.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";

export interface EventSourceSettings {
  sqs: SQSClient;
  queue: ProvisionedQueue;
  target: FunctionRuntime;
  region: string;
  /** Lambda's pollers send as this account: the records' SenderId. */
  accountId: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
}

export interface EventSourceStats {
  queue: string;
  function: string;
  pollers: number;
  batches: number;
  records: number;
  deleted: number;
  failedRecords: number;
  failedBatches: number;
  throttledBatches: number;
  inFlightBatches: number;
  peakConcurrentBatches: number;
}

/** Lambda's SQS poller starts with five concurrent batches and grows while there is a backlog. */
const INITIAL_POLLERS = 5;
const MAX_POLLERS_PER_MAPPING = 1_000;
/** +300 concurrent batches per minute, AWS's documented scaling rate, as +5 per second. */
const SCALE_UP_PER_SECOND = 5;
const MAX_RECEIVE_BATCH = 10;
const LONG_POLL_SECONDS = 20;
const THROTTLE_RETRY_MS = 200;

/**
 * Lambda's SQS event source mapping, emulated: pollers receive batches (batchSize, batching
 * window), invoke the function, and delete what succeeded. A thrown or timed-out invocation
 * deletes nothing; with ReportBatchItemFailures only the reported records stay. Concurrency is
 * capped by maximumConcurrency; reserved concurrency is not known to the poller, so a batch it
 * cannot run is retried until its visibility timeout ends and then returns to the queue.
 */
export class EventSourceRunner {
  readonly #settings: EventSourceSettings;
  readonly #abort = new AbortController();
  readonly #pollers = new Set<Promise<void>>();
  #targetPollers: number;
  #scaler: NodeJS.Timeout | undefined;
  #backlogSeen = false;
  /**
   * With a batching window, one poller gathers a batch at a time, so the window fills one batch
   * rather than five partial ones; without one, pollers receive side by side.
   */
  #receiving: Promise<unknown> = Promise.resolve();
  readonly #stats = {
    batches: 0,
    records: 0,
    deleted: 0,
    failedRecords: 0,
    failedBatches: 0,
    throttledBatches: 0,
    inFlightBatches: 0,
    peakConcurrentBatches: 0,
  };

  constructor(settings: EventSourceSettings) {
    this.#settings = settings;
    this.#targetPollers = this.#floor;
  }

  get stats(): EventSourceStats {
    return {
      queue: this.#settings.queue.name,
      function: this.#settings.target.name,
      pollers: this.#pollers.size,
      ...this.#stats,
    };
  }

  start(): void {
    this.#fillPollers();
    this.#scaler = setInterval(() => this.#scale(), 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#scaler);
    this.#abort.abort();
    await Promise.allSettled(this.#pollers);
  }

  get #cap(): number {
    return Math.min(this.#settings.maximumConcurrency ?? MAX_POLLERS_PER_MAPPING, MAX_POLLERS_PER_MAPPING);
  }

  /** Reserved concurrency 0 is the kill switch: the mapping receives nothing at all. */
  get #floor(): number {
    return this.#settings.target.settings.reservedConcurrency === 0 ? 0 : Math.min(INITIAL_POLLERS, this.#cap);
  }

  #scale(): void {
    this.#targetPollers = this.#backlogSeen
      ? Math.min(this.#cap, this.#targetPollers + SCALE_UP_PER_SECOND)
      : Math.max(this.#floor, this.#targetPollers - SCALE_UP_PER_SECOND);
    this.#backlogSeen = false;
    this.#fillPollers();
  }

  #fillPollers(): void {
    while (this.#pollers.size < this.#targetPollers && !this.#abort.signal.aborted) {
      const poller: Promise<void> = this.#poll().finally(() => this.#pollers.delete(poller));
      this.#pollers.add(poller);
    }
  }

  async #poll(): Promise<void> {
    while (!this.#abort.signal.aborted && this.#pollers.size <= this.#targetPollers) {
      try {
        let messages: Message[];
        if (this.#settings.maximumBatchingWindowSeconds > 0) {
          const gathered = this.#receiving.then(() => this.#receiveBatch());
          this.#receiving = gathered.catch(() => {});
          messages = await gathered;
        } else {
          messages = await this.#receiveBatch();
        }
        if (messages.length === 0) continue;
        if (messages.length >= this.#settings.batchSize) this.#backlogSeen = true;
        await this.#process(messages);
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        console.error(`[${this.#settings.queue.name}] poller error, retrying: ${(error as Error).message}`);
        await sleep(1_000, this.#abort.signal);
      }
    }
  }

  /** A batch is handed over when it is full or the batching window has passed, whichever is first. */
  async #receiveBatch(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.#settings;
    const batch = await this.#receive(Math.min(batchSize, MAX_RECEIVE_BATCH), LONG_POLL_SECONDS);
    if (batch.length === 0 || maximumBatchingWindowSeconds === 0) return batch;

    const windowEnds = Date.now() + maximumBatchingWindowSeconds * 1_000;
    while (batch.length < batchSize && Date.now() < windowEnds) {
      const waitSeconds = Math.min(LONG_POLL_SECONDS, Math.ceil((windowEnds - Date.now()) / 1_000));
      const more = await this.#receive(Math.min(batchSize - batch.length, MAX_RECEIVE_BATCH), waitSeconds, windowEnds);
      batch.push(...more);
    }
    return batch;
  }

  async #receive(maxMessages: number, waitSeconds: number, notAfter?: number): Promise<Message[]> {
    const signal = notAfter === undefined ? this.#abort.signal : AbortSignal.any([this.#abort.signal, AbortSignal.timeout(Math.max(1, notAfter - Date.now()))]);
    try {
      const { Messages = [] } = await this.#settings.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#settings.queue.url,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: signal },
      );
      return Messages;
    } catch (error) {
      if (notAfter !== undefined && !this.#abort.signal.aborted && Date.now() >= notAfter) return [];
      throw error;
    }
  }

  async #process(messages: Message[]): Promise<void> {
    const receivedAt = Date.now();
    const visibilityEnds = receivedAt + this.#settings.queue.visibilityTimeoutSeconds * 1_000;
    const event: SQSEvent = { Records: messages.map((message) => this.#toRecord(message)) };
    this.#stats.batches += 1;
    this.#stats.records += messages.length;

    let result: InvocationResult;
    for (;;) {
      this.#stats.inFlightBatches += 1;
      this.#stats.peakConcurrentBatches = Math.max(this.#stats.peakConcurrentBatches, this.#stats.inFlightBatches);
      try {
        result = await this.#settings.target.invoke(event);
      } finally {
        this.#stats.inFlightBatches -= 1;
      }
      if (result.status !== "throttled") break;
      this.#stats.throttledBatches += 1;
      // Throttled: retried until the messages' visibility timeout ends, then they go back to the queue.
      if (Date.now() + THROTTLE_RETRY_MS >= visibilityEnds || this.#abort.signal.aborted) return;
      await sleep(THROTTLE_RETRY_MS, this.#abort.signal);
    }

    const failedIds = this.#failedMessageIds(result, event);
    if (failedIds === "all") {
      this.#stats.failedBatches += 1;
      this.#stats.failedRecords += messages.length;
      return;
    }
    this.#stats.failedRecords += failedIds.size;
    await this.#delete(messages.filter((message) => !failedIds.has(message.MessageId!)));
  }

  /** AWS's rules for what an invocation's outcome means for each message of the batch. */
  #failedMessageIds(result: InvocationResult, event: SQSEvent): Set<string> | "all" {
    if (result.status !== "succeeded") return "all";
    if (!this.#settings.reportBatchItemFailures) return new Set();
    const payload = result.payload as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null | undefined;
    const failures = payload?.batchItemFailures ?? [];
    if (!Array.isArray(failures)) return "all";
    const batchIds = new Set(event.Records.map((record) => record.messageId));
    const failedIds = new Set<string>();
    for (const failure of failures) {
      // An empty or unknown identifier makes Lambda treat the whole batch as failed.
      if (typeof failure?.itemIdentifier !== "string" || !batchIds.has(failure.itemIdentifier)) return "all";
      failedIds.add(failure.itemIdentifier);
    }
    return failedIds;
  }

  async #delete(messages: Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += MAX_RECEIVE_BATCH) {
      const chunk = messages.slice(start, start + MAX_RECEIVE_BATCH);
      const { Failed = [] } = await this.#settings.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#settings.queue.url,
          Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      this.#stats.deleted += chunk.length - Failed.length;
    }
  }

  #toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? "",
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? this.#settings.accountId,
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? "String",
            ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
            ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }),
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: this.#settings.queue.arn,
      awsRegion: this.#settings.region,
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
