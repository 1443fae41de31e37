import type { Message } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import type { FunctionRuntime, InvocationResult } from "../functionRuntime.ts";
import type { ProvisionedQueue } from "../../sqs/provisionQueues.ts";
import type { SqsJsonClient } from "../../sqs/sqsJsonClient.ts";
import { batchOutcome } from "./batchOutcome.ts";
import { eventPollersFor, nextTarget, pollerLimits, type ScalingSettings } from "./scalingRules.ts";
import { SqsPoller } from "./sqsPoller.ts";
import { nextThrottleRetry } from "./throttleRetry.ts";
import { payloadSizedBatches, toSqsRecord, type RecordSource } from "./sqsRecord.ts";

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

const DEFAULT_LONG_POLL_SECONDS = 20;
const DEFAULT_IDLE_SCALE_DOWN_MS = 60_000;

/**
 * Lambda's SQS event source mapping, emulated: its pollers receive batches (sqsPoller.ts), invoke
 * the function, and delete what succeeded (batchOutcome.ts); their number follows AWS's scaling
 * rules (scalingRules.ts), one step a second. Reserved concurrency is not known to the poller, so
 * a batch it cannot run is retried until its visibility timeout ends and then returns to the queue.
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
  readonly #scaling: ScalingSettings;
  readonly #records: RecordSource;
  readonly #abort = new AbortController();
  readonly #poller: SqsPoller;
  readonly #pollers = new Set<Promise<void>>();
  /** Concurrent batches wanted; fractional so that a per-minute rate adds up second by second. */
  #target: number;
  #scaler: NodeJS.Timeout | undefined;
  #backlogSeen = false;
  #lastMessagesAt = Date.now();
  readonly #idleScaleDownMs: number;
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
    this.#scaling = {
      maximumConcurrency: settings.maximumConcurrency,
      provisionedPollers: settings.provisionedPollers,
      reservedConcurrency: settings.target.settings.reservedConcurrency,
    };
    this.#records = { queueArn: settings.queue.arn, region: settings.region, accountId: settings.accountId };
    this.#idleScaleDownMs = settings.timing?.idleScaleDownMs ?? DEFAULT_IDLE_SCALE_DOWN_MS;
    this.#poller = new SqsPoller({
      sqs: settings.sqs,
      queue: settings.queue,
      batchSize: settings.batchSize,
      maximumBatchingWindowSeconds: settings.maximumBatchingWindowSeconds,
      longPollSeconds: settings.timing?.longPollSeconds ?? DEFAULT_LONG_POLL_SECONDS,
      signal: this.#abort.signal,
    });
    this.#target = pollerLimits(this.#scaling).activeFloor;
  }

  get stats(): EventSourceStats {
    const provisioned = this.#settings.provisionedPollers;
    const limits = pollerLimits(this.#scaling);
    return {
      queue: this.#settings.queue.name,
      function: this.#settings.target.name,
      mode: provisioned ? "provisioned" : "standard",
      pollers: this.#pollers.size,
      pollerLimits: { minimum: limits.idleFloor, maximum: limits.cap },
      ...(provisioned && {
        eventPollers: { current: eventPollersFor(provisioned, this.#targetPollers), minimum: provisioned.minimum, maximum: provisioned.maximum },
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

  #scale(): void {
    const seen = { backlogSeen: this.#backlogSeen, idleForMs: Date.now() - this.#lastMessagesAt };
    this.#target = nextTarget(this.#scaling, this.#target, seen, this.#idleScaleDownMs);
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
      deleting = this.#poller
        .delete(messages, (count) => (this.#stats.deleted += count))
        .catch((error: Error) => {
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
        const messages = await this.#receiveBatch();
        if (messages.length === 0) continue;
        // The next scaling step, within a second, takes an idle mapping back to its active floor.
        this.#lastMessagesAt = Date.now();
        if (messages.length >= this.#settings.batchSize) this.#backlogSeen = true;
        // The rest of a cut batch is not handed back with ChangeMessageVisibility: fauxqs with a
        // data directory (the dev stack's kept state) loses a message whose visibility is changed.
        for (const batch of payloadSizedBatches(messages, this.#records)) {
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

  #receiveBatch(): Promise<Message[]> {
    if (this.#settings.maximumBatchingWindowSeconds === 0) return this.#poller.receiveBatch();
    const gathered = this.#receiving.then(() => this.#poller.receiveBatch());
    this.#receiving = gathered.catch(() => {});
    return gathered;
  }

  /** Invokes the function with the batch; returns the messages to delete (those that succeeded). */
  async #process(messages: Message[]): Promise<Message[]> {
    const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, this.#records)) };
    this.#stats.batches += 1;
    this.#stats.records += messages.length;
    const result = await this.#invokeUntilVisibilityEnds(event);
    if (!result) return [];
    const outcome = batchOutcome(result, event.Records.map((record) => record.messageId), this.#settings.reportBatchItemFailures);
    if (outcome.failed === "all") {
      this.#stats.failedBatches += 1;
      this.#stats.failedRecords += messages.length;
      return [];
    }
    const { failed } = outcome;
    this.#stats.failedRecords += failed.size;
    return messages.filter((message) => !failed.has(message.MessageId!));
  }

  /** A throttled batch is retried until the messages' visibility timeout ends; then undefined, and they go back to the queue. */
  async #invokeUntilVisibilityEnds(event: SQSEvent): Promise<InvocationResult | undefined> {
    const visibilityEnds = Date.now() + this.#settings.queue.visibilityTimeoutSeconds * 1_000;
    for (;;) {
      this.#stats.inFlightBatches += 1;
      this.#stats.peakConcurrentBatches = Math.max(this.#stats.peakConcurrentBatches, this.#stats.inFlightBatches);
      let result: InvocationResult;
      try {
        result = await this.#settings.target.invoke(event);
      } finally {
        this.#stats.inFlightBatches -= 1;
      }
      if (result.status !== "throttled") return result;
      this.#stats.throttledBatches += 1;
      const retryAt = nextThrottleRetry(Date.now(), visibilityEnds);
      if (retryAt === undefined || this.#abort.signal.aborted) return undefined;
      await sleep(retryAt - Date.now(), this.#abort.signal);
    }
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
