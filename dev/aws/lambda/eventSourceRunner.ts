import type { Message } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { FunctionRuntime, InvocationResult } from "./functionRuntime.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import type { SqsJsonClient } from "../sqs/sqsJsonClient.ts";

export interface EventSourceSettings {
  sqs: SqsJsonClient;
  queue: ProvisionedQueue;
  target: FunctionRuntime;
  region: string;
  /** Lambda's pollers send as this account: the records' SenderId. */
  accountId: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  /** ProvisionedPollerConfig: provisioned mode, between these numbers of event pollers. */
  provisionedPollers?: { minimum: number; maximum: number };
  /** How long the runner waits at each step; tests shorten them. */
  timing?: EventSourceTiming;
}

/**
 * The runner's clocks. AWS publishes neither figure: these are what the runner uses, and what a
 * test may shorten to watch a scale-down without waiting minutes.
 */
export interface EventSourceTiming {
  /**
   * How long the queue must give nothing before standard mode drops from five concurrent batches
   * to two (AWS: "when traffic is low"). Default 60 s.
   */
  idleScaleDownMs?: number;
  /** ReceiveMessage's WaitTimeSeconds, as Lambda's long polling uses: a poller retires after its poll ends. Default 20. */
  longPollSeconds?: number;
}

/** What the mapping is doing, for /_local/status and the console. */
export interface EventSourceStats {
  queue: string;
  function: string;
  /** standard: Lambda scales on its own; provisioned: ProvisionedPollerConfig bounds the event pollers. */
  mode: "standard" | "provisioned";
  /** Batches being received or invoked side by side now, each by its own polling loop. */
  pollers: number;
  /**
   * The bounds `pollers` moves between in this mode: the floor it keeps when the queue is idle, and
   * the most it scales up to (maximumConcurrency, AWS's per-mapping ceiling, or ten per event poller).
   */
  pollerLimits: { minimum: number; maximum: number };
  /** Provisioned mode: the event pollers those loops amount to (ten invocations each) and their configured bounds. */
  eventPollers?: { current: number; minimum: number; maximum: number };
  batches: number;
  records: number;
  deleted: number;
  failedRecords: number;
  failedBatches: number;
  throttledBatches: number;
  inFlightBatches: number;
  peakConcurrentBatches: number;
}

/*
 * Standard mode, from https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html:
 * "Lambda starts processing five batches at a time with five concurrent invocations", adds "up to
 * 300 more concurrent invokes per minute" up to 1,250, and "when traffic is low … scales back the
 * processing to five concurrent invokes, and can optimize to as few as 2 concurrent invokes …
 * However, this optimization is not available when you enable the maximum concurrency setting."
 */
const INITIAL_POLLERS = 5;
const IDLE_POLLERS = 2;
const MAX_POLLERS_PER_MAPPING = 1_250;
/** +300 concurrent batches per minute, as +5 per second. */
const STANDARD_SCALE_PER_SECOND = 300 / 60;
/*
 * Provisioned mode, from the same page and
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-provisioned-mode:
 * "each event poller can handle up to 1 MB/sec of throughput, up to 10 concurrent invokes, or up
 * to 10 Amazon SQS polling API calls per second", and Lambda scales the pollers between the
 * minimum and maximum "quickly adding up to 1,000 concurrency per minute".
 */
const INVOCATIONS_PER_EVENT_POLLER = 10;
const PROVISIONED_SCALE_PER_SECOND = 1_000 / 60;
/*
 * "Lambda passes all of the records in the batch to the function in a single call, up to the
 * payload limit for synchronous invocation (6 MB)" (BatchSize, in
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html): the records past
 * it wait for a later batch.
 */
const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_RECEIVE_BATCH = 10;
const DEFAULT_LONG_POLL_SECONDS = 20;
const DEFAULT_IDLE_SCALE_DOWN_MS = 60_000;
const THROTTLE_RETRY_MS = 200;

/**
 * Lambda's SQS event source mapping, emulated: pollers receive batches (batchSize, batching
 * window, the 6 MB payload limit), invoke the function, and delete what succeeded. A thrown or
 * timed-out invocation deletes nothing; with ReportBatchItemFailures only the reported records
 * stay. In standard mode the pollers scale as AWS documents, capped by maximumConcurrency; in
 * provisioned mode between ten invocations per minimum and per maximum event poller. Reserved
 * concurrency is not known to the poller, so a batch it cannot run is retried until its
 * visibility timeout ends and then returns to the queue.
 *
 * @example
 * const runner = new EventSourceRunner({ sqs, queue, target, region, accountId, batchSize: 10,
 *   maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true, provisionedPollers: { minimum: 2, maximum: 3 } });
 * runner.start();
 * console.log(runner.stats.eventPollers); // { current: 2, minimum: 2, maximum: 3 }
 * await runner.stop();
 */
export class EventSourceRunner {
  readonly #settings: EventSourceSettings;
  readonly #abort = new AbortController();
  readonly #pollers = new Set<Promise<void>>();
  /** Concurrent batches wanted; fractional so that a per-minute rate adds up second by second. */
  #target: number;
  #scaler: NodeJS.Timeout | undefined;
  #backlogSeen = false;
  #lastMessagesAt = Date.now();
  readonly #idleScaleDownMs: number;
  readonly #longPollSeconds: number;
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
    this.#idleScaleDownMs = settings.timing?.idleScaleDownMs ?? DEFAULT_IDLE_SCALE_DOWN_MS;
    this.#longPollSeconds = settings.timing?.longPollSeconds ?? DEFAULT_LONG_POLL_SECONDS;
    this.#target = this.#activeFloor;
  }

  get stats(): EventSourceStats {
    const provisioned = this.#settings.provisionedPollers;
    return {
      queue: this.#settings.queue.name,
      function: this.#settings.target.name,
      mode: provisioned ? "provisioned" : "standard",
      pollers: this.#pollers.size,
      pollerLimits: { minimum: this.#idleFloor, maximum: this.#cap },
      ...(provisioned && {
        eventPollers: {
          current: Math.max(provisioned.minimum, Math.ceil(this.#targetPollers / INVOCATIONS_PER_EVENT_POLLER)),
          minimum: provisioned.minimum,
          maximum: provisioned.maximum,
        },
      }),
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

  get #targetPollers(): number {
    return Math.floor(this.#target);
  }

  /** The most batches at once: maximumConcurrency or AWS's ceiling, or ten per maximum event poller. */
  get #cap(): number {
    const provisioned = this.#settings.provisionedPollers;
    if (provisioned) return provisioned.maximum * INVOCATIONS_PER_EVENT_POLLER;
    return Math.min(this.#settings.maximumConcurrency ?? MAX_POLLERS_PER_MAPPING, MAX_POLLERS_PER_MAPPING);
  }

  /** Reserved concurrency 0 is the kill switch: the mapping receives nothing at all. */
  get #killed(): boolean {
    return this.#settings.target.settings.reservedConcurrency === 0;
  }

  /** What the mapping runs while messages come: five batches in standard mode, the minimum pollers' worth in provisioned mode. */
  get #activeFloor(): number {
    if (this.#killed) return 0;
    const provisioned = this.#settings.provisionedPollers;
    if (provisioned) return provisioned.minimum * INVOCATIONS_PER_EVENT_POLLER;
    return Math.min(INITIAL_POLLERS, this.#cap);
  }

  /** What an idle queue keeps: two batches in standard mode, unless maximumConcurrency is set. */
  get #idleFloor(): number {
    if (this.#killed || this.#settings.provisionedPollers || this.#settings.maximumConcurrency !== undefined) return this.#activeFloor;
    return IDLE_POLLERS;
  }

  #scale(): void {
    const rate = this.#settings.provisionedPollers ? PROVISIONED_SCALE_PER_SECOND : STANDARD_SCALE_PER_SECOND;
    const idle = Date.now() - this.#lastMessagesAt >= this.#idleScaleDownMs;
    const floor = idle ? this.#idleFloor : this.#activeFloor;
    this.#target = this.#backlogSeen ? Math.min(this.#cap, this.#target + rate) : Math.max(floor, this.#target - rate);
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
    // A batch's DeleteMessageBatch runs while the poller receives the next one: the messages stay
    // in flight until it lands, far inside their visibility timeout. One at a time per poller.
    let deleting: Promise<void> = Promise.resolve();
    const deleteInBackground = async (messages: Message[]) => {
      await deleting;
      deleting = this.#delete(messages).catch((error: Error) => {
        if (!this.#abort.signal.aborted) console.error(`[${this.#settings.queue.name}] delete failed, the messages return after their visibility timeout: ${error.message}`);
      });
    };
    try {
      await this.#pollUntilStopped(deleteInBackground);
    } finally {
      await deleting;
    }
  }

  async #pollUntilStopped(deleteInBackground: (messages: Message[]) => Promise<void>): Promise<void> {
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
        // The next scaling step, within a second, takes an idle mapping back to its active floor.
        this.#lastMessagesAt = Date.now();
        if (messages.length >= this.#settings.batchSize) this.#backlogSeen = true;
        for (const batch of this.#payloadSizedBatches(messages)) {
          const succeeded = await this.#process(batch);
          if (succeeded.length > 0) await deleteInBackground(succeeded);
        }
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        console.error(`[${this.#settings.queue.name}] poller error, retrying: ${(error as Error).message}`);
        await sleep(1_000, this.#abort.signal);
      }
    }
  }

  /**
   * A batch is handed over when it is full, when the batching window has passed, or when its
   * payload reaches 6 MB, whichever is first.
   */
  async #receiveBatch(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.#settings;
    const batch = await this.#receive(Math.min(batchSize, MAX_RECEIVE_BATCH), this.#longPollSeconds);
    if (batch.length === 0 || maximumBatchingWindowSeconds === 0) return batch;

    const windowEnds = Date.now() + maximumBatchingWindowSeconds * 1_000;
    let bodyBytes = batch.reduce((total, message) => total + Buffer.byteLength(message.Body ?? ""), 0);
    while (batch.length < batchSize && Date.now() < windowEnds && bodyBytes < MAX_INVOCATION_PAYLOAD_BYTES) {
      const waitSeconds = Math.min(this.#longPollSeconds, Math.ceil((windowEnds - Date.now()) / 1_000));
      const more = await this.#receive(Math.min(batchSize - batch.length, MAX_RECEIVE_BATCH), waitSeconds, windowEnds);
      batch.push(...more);
      bodyBytes += more.reduce((total, message) => total + Buffer.byteLength(message.Body ?? ""), 0);
    }
    return batch;
  }

  /**
   * The received messages cut into invocations of at most 6 MB of records each (always at least
   * one record). The poller runs them one after another: a batch past the payload limit is
   * delivered in part, and the rest follows in a later invocation. The rest is not handed back to
   * the queue with ChangeMessageVisibility: fauxqs with a data directory (the dev stack's kept
   * state) loses a message whose visibility is changed.
   */
  #payloadSizedBatches(messages: Message[]): Message[][] {
    const batches: Message[][] = [];
    // The event is {"Records":[r1,r2,…]}: its size is the records' JSON, their commas and the envelope.
    const envelopeBytes = Buffer.byteLength('{"Records":[]}');
    let batch: Message[] = [];
    let payloadBytes = envelopeBytes;
    for (const message of messages) {
      const recordBytes = Buffer.byteLength(JSON.stringify(this.#toRecord(message)));
      // Each record after the first also costs its comma.
      if (batch.length > 0 && payloadBytes + 1 + recordBytes > MAX_INVOCATION_PAYLOAD_BYTES) {
        batches.push(batch);
        batch = [];
        payloadBytes = envelopeBytes;
      }
      payloadBytes += recordBytes + (batch.length > 0 ? 1 : 0);
      batch.push(message);
    }
    if (batch.length > 0) batches.push(batch);
    return batches;
  }

  async #receive(maxMessages: number, waitSeconds: number, notAfter?: number): Promise<Message[]> {
    const signal = notAfter === undefined ? this.#abort.signal : AbortSignal.any([this.#abort.signal, AbortSignal.timeout(Math.max(1, notAfter - Date.now()))]);
    try {
      const { Messages = [] } = await this.#settings.sqs.receiveMessage(
        {
          QueueUrl: this.#settings.queue.url,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        },
        signal,
      );
      return Messages;
    } catch (error) {
      if (notAfter !== undefined && !this.#abort.signal.aborted && Date.now() >= notAfter) return [];
      throw error;
    }
  }

  /** Invokes the function with the batch; returns the messages to delete (those that succeeded). */
  async #process(messages: Message[]): Promise<Message[]> {
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
      if (Date.now() + THROTTLE_RETRY_MS >= visibilityEnds || this.#abort.signal.aborted) return [];
      await sleep(THROTTLE_RETRY_MS, this.#abort.signal);
    }

    const failedIds = this.#failedMessageIds(result, event);
    if (failedIds === "all") {
      this.#stats.failedBatches += 1;
      this.#stats.failedRecords += messages.length;
      return [];
    }
    this.#stats.failedRecords += failedIds.size;
    return messages.filter((message) => !failedIds.has(message.MessageId!));
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
      const { Failed = [] } = await this.#settings.sqs.deleteMessageBatch({
        QueueUrl: this.#settings.queue.url,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      });
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
