import { batchOutcome, eventPollersFor, nextTarget, nextThrottleRetry, pollerLimits, type ScalingSettings } from "../aws/rules.ts";
import type { EventQueue } from "./eventQueue.ts";
import type { LambdaPool } from "./lambdaPool.ts";
import type { PlanMetrics } from "./metrics.ts";
import type { FailureReason, QueueModel, Slice } from "./queueModel.ts";
import type { Random } from "./random.ts";

/** One SQS event source mapping and the function it invokes, as the plan runs it. */
export interface MappingModelSettings {
  functionName: string;
  batchSize: number;
  maximumBatchingWindowMs: number;
  reportBatchItemFailures: boolean;
  scaling: ScalingSettings;
  timeoutMs: number;
  memoryMegabytes: number;
  /** A batch's handler time, drawn per batch. */
  batchDurationMs: () => number;
  /** The records Lambda's 6 MB invocation payload holds at this message size: a batch is cut there. */
  maxRecordsPerInvocation: number;
  /** Share of records the handler reports failed (or, without ReportBatchItemFailures, that fail their batch). */
  recordFailureShare: number;
  coldStartMs: number;
  /** One ReceiveMessage call's round trip. */
  receiveMs: number;
  /** Standard mode drops to its idle floor after this long without messages (the runner's 60 s). */
  idleScaleDownMs: number;
  /** Lambda's long poll (WaitTimeSeconds 20). */
  longPollMs: number;
}

interface Poller {
  /** Bumped when a long poll ends early, so its scheduled end is ignored. */
  generation: number;
  longPolling: boolean;
}

interface Gathering {
  poller: Poller;
  slices: Slice[];
  count: number;
  receivedAt: number;
}

const MAX_RECEIVE_BATCH = 10;

/**
 * The pollers of one mapping on the virtual clock, following the stack's own rules
 * (dev/aws/rules.ts): how many run (scalingRules), how a throttled batch is retried until its
 * visibility timeout (throttleRetry), what an outcome deletes (batchOutcome). Like the runner, a
 * poller receives, invokes, and receives again at once, deleting what succeeded on the way.
 */
export class EventSourceModel {
  readonly settings: MappingModelSettings;
  readonly queue: QueueModel;
  readonly #clock: EventQueue;
  readonly #pool: LambdaPool;
  readonly #metrics: PlanMetrics;
  readonly #random: Random;
  readonly #pollers = new Set<Poller>();
  readonly #longPolling = new Set<Poller>();
  readonly #waitingToGather: Poller[] = [];
  #gathering: Gathering | undefined;
  #target: number;
  #backlogSeen = false;
  #lastMessagesAt = 0;
  peakPollers = 0;
  peakEventPollers = 0;
  throttledAttempts = 0;
  /** Messages this mapping's function handled and deleted, and when the last one was. */
  handled = 0;
  lastHandledAt: number | undefined;
  /** Whether a handled message is a stored punch, counted in the plan's rows and latencies (the ingress queue's). */
  countsRows = false;

  constructor(settings: MappingModelSettings, queue: QueueModel, clock: EventQueue, pool: LambdaPool, metrics: PlanMetrics, random: Random) {
    this.settings = settings;
    this.queue = queue;
    this.#clock = clock;
    this.#pool = pool;
    this.#metrics = metrics;
    this.#random = random;
    this.#target = pollerLimits(settings.scaling).activeFloor;
  }

  get pollers(): number {
    return this.#pollers.size;
  }

  start(): void {
    this.#fillPollers();
  }

  /** One scaling step, once a virtual second, as the runner's timer does. */
  scale(): void {
    const seen = { backlogSeen: this.#backlogSeen, idleForMs: this.#clock.now - this.#lastMessagesAt };
    this.#target = nextTarget(this.settings.scaling, this.#target, seen, this.settings.idleScaleDownMs);
    this.#backlogSeen = false;
    this.#fillPollers();
  }

  /** Messages arrived: a long poll returns at once with them, and a batching window takes them. */
  messagesArrived(): void {
    if (this.#gathering) this.#topUpGathering();
    for (const poller of [...this.#longPolling]) {
      if (this.queue.visible === 0) break;
      this.#longPolling.delete(poller);
      poller.longPolling = false;
      poller.generation += 1;
      this.#receive(poller);
    }
  }

  #fillPollers(): void {
    while (this.#pollers.size < Math.floor(this.#target)) {
      const poller: Poller = { generation: 0, longPolling: false };
      this.#pollers.add(poller);
      this.peakPollers = Math.max(this.peakPollers, this.#pollers.size);
      const provisioned = this.settings.scaling.provisionedPollers;
      if (provisioned) this.peakEventPollers = Math.max(this.peakEventPollers, eventPollersFor(provisioned, this.#pollers.size));
      this.#next(poller);
    }
  }

  /** A poller's loop: on while the mapping wants it, as the runner's `pollers.size <= targetPollers`. */
  #next(poller: Poller): void {
    if (this.#pollers.size > Math.floor(this.#target)) {
      this.#pollers.delete(poller);
      return;
    }
    if (this.settings.maximumBatchingWindowMs > 0 && this.#gathering) {
      // With a batching window one poller gathers at a time, as in the runner.
      this.#waitingToGather.push(poller);
      return;
    }
    this.#clock.at(this.#clock.now + this.settings.receiveMs, () => this.#receive(poller));
  }

  #receive(poller: Poller): void {
    const { batchSize, maximumBatchingWindowMs } = this.settings;
    if (maximumBatchingWindowMs > 0 && this.#gathering) {
      // Another poller is gathering: it takes what arrives until its window ends.
      this.#waitingToGather.push(poller);
      return;
    }
    const wanted = Math.min(maximumBatchingWindowMs > 0 ? batchSize : Math.min(batchSize, MAX_RECEIVE_BATCH), this.settings.maxRecordsPerInvocation);
    const { slices, count } = this.queue.receive(wanted);
    this.#metrics.sqs.receive += Math.max(1, Math.ceil(count / MAX_RECEIVE_BATCH));
    if (count === 0) return this.#longPoll(poller);
    this.#lastMessagesAt = this.#clock.now;
    if (count >= wanted) this.#backlogSeen = true;
    if (maximumBatchingWindowMs > 0 && count < wanted) {
      this.#gathering = { poller, slices, count, receivedAt: this.#clock.now };
      const gathering = this.#gathering;
      this.#clock.at(this.#clock.now + maximumBatchingWindowMs, () => this.#gathered(gathering));
      return;
    }
    this.#invoke(poller, slices, count, this.#clock.now);
  }

  #longPoll(poller: Poller): void {
    poller.longPolling = true;
    this.#longPolling.add(poller);
    const generation = poller.generation;
    this.#clock.at(this.#clock.now + this.settings.longPollMs, () => {
      if (poller.generation !== generation || !poller.longPolling) return;
      this.#longPolling.delete(poller);
      poller.longPolling = false;
      this.#metrics.sqs.emptyReceive += 1;
      this.#next(poller);
    });
  }

  #topUpGathering(): void {
    const gathering = this.#gathering!;
    const { slices, count } = this.queue.receive(Math.min(this.settings.batchSize, this.settings.maxRecordsPerInvocation) - gathering.count);
    if (count === 0) return;
    this.#metrics.sqs.receive += Math.ceil(count / MAX_RECEIVE_BATCH);
    this.#lastMessagesAt = this.#clock.now;
    gathering.slices.push(...slices);
    gathering.count += count;
    if (gathering.count >= Math.min(this.settings.batchSize, this.settings.maxRecordsPerInvocation)) {
      this.#backlogSeen = true;
      this.#gathered(gathering);
    }
  }

  #gathered(gathering: Gathering): void {
    if (this.#gathering !== gathering) return;
    this.#gathering = undefined;
    this.#invoke(gathering.poller, gathering.slices, gathering.count, gathering.receivedAt);
    for (const waiting of this.#waitingToGather.splice(0)) this.#next(waiting);
  }

  /** Invokes the function with the batch, retrying a throttle until the visibility timeout ends. */
  #invoke(poller: Poller, slices: Slice[], count: number, receivedAt: number): void {
    const visibilityEndsAt = receivedAt + this.queue.settings.visibilityTimeoutMs;
    const started = this.#pool.start(this.settings.functionName, this.#clock.now);
    if (!started.started) {
      if (started.reason === "throttled") {
        this.throttledAttempts += 1;
        this.#metrics.throttlesThisSecond += 1;
      } else this.#metrics.errorsThisSecond += 1;
      const retryAt = started.reason === "throttled" ? nextThrottleRetry(this.#clock.now, visibilityEndsAt) : undefined;
      if (retryAt !== undefined) return this.#clock.at(retryAt, () => this.#invoke(poller, slices, count, receivedAt));
      const reason: FailureReason = started.reason;
      this.#clock.at(visibilityEndsAt, () => this.queue.makeVisible(slices, reason));
      return this.#next(poller);
    }
    const { timeoutMs } = this.settings;
    const handlerMs = this.settings.batchDurationMs() + (started.coldStart ? this.settings.coldStartMs : 0);
    const timedOut = handlerMs >= timeoutMs;
    const durationMs = Math.min(handlerMs, timeoutMs);
    this.#metrics.invoked(this.settings.functionName, this.settings.memoryMegabytes, durationMs);
    if (this.#clock.now + durationMs > visibilityEndsAt) {
      // Still running when the messages become visible again: a second delivery of the same punches.
      this.#clock.at(visibilityEndsAt, () => this.queue.redeliverCopy(slices));
    }
    this.#clock.at(this.#clock.now + durationMs, () => {
      this.#pool.finish(this.settings.functionName, this.#clock.now);
      this.#settle(slices, count, timedOut, visibilityEndsAt);
      this.#next(poller);
    });
  }

  /** Deletes what succeeded (batchOutcome decides); the rest becomes visible at its visibility timeout. */
  #settle(slices: Slice[], count: number, timedOut: boolean, visibilityEndsAt: number): void {
    const failing = timedOut ? 0 : this.#failingRecords(count);
    const ids = Array.from({ length: count }, (_, index) => String(index));
    // A handler that fails records reports them with ReportBatchItemFailures, and throws without it.
    const result = timedOut
      ? { status: "timed-out" as const }
      : failing > 0 && !this.settings.reportBatchItemFailures
        ? { status: "failed" as const }
        : { status: "succeeded" as const, payload: { batchItemFailures: ids.slice(count - failing).map((itemIdentifier) => ({ itemIdentifier })) } };
    const outcome = batchOutcome(result as Parameters<typeof batchOutcome>[0], ids, this.settings.reportBatchItemFailures);
    const failedCount = outcome.failed === "all" ? count : outcome.failed.size;
    // Lambda's Errors counts invocations that threw or timed out, not records a partial batch response names.
    if (result.status !== "succeeded") this.#metrics.errorsThisSecond += 1;
    const { kept, failed } = splitSlices(slices, count - failedCount);
    const now = this.#clock.now;
    let deleted = 0;
    for (const slice of kept) {
      deleted += slice.count;
      if (slice.redelivered) {
        this.#metrics.redeliveriesAbsorbed += slice.count;
        continue;
      }
      this.handled += slice.count;
      this.lastHandledAt = now;
      if (this.countsRows) this.#metrics.recordStored(slice.count, slice.sentAt, now);
    }
    if (deleted > 0) {
      this.queue.delete(deleted);
      this.#metrics.sqs.delete += Math.ceil(deleted / MAX_RECEIVE_BATCH);
    }
    if (failed.length > 0) {
      const reason: FailureReason = timedOut ? "timed out" : "handler error";
      this.#clock.at(visibilityEndsAt, () => this.queue.makeVisible(failed, reason));
    }
  }

  #failingRecords(count: number): number {
    const share = this.settings.recordFailureShare;
    if (share <= 0) return 0;
    let failing = 0;
    for (let record = 0; record < count; record += 1) if (this.#random() < share) failing += 1;
    return failing;
  }
}

/** The first `keep` messages of the batch, and the rest. */
function splitSlices(slices: readonly Slice[], keep: number): { kept: Slice[]; failed: Slice[] } {
  const kept: Slice[] = [];
  const failed: Slice[] = [];
  let left = keep;
  for (const slice of slices) {
    if (left >= slice.count) {
      kept.push(slice);
      left -= slice.count;
    } else if (left > 0) {
      kept.push({ ...slice, count: left });
      failed.push({ ...slice, count: slice.count - left });
      left = 0;
    } else failed.push(slice);
  }
  return { kept, failed };
}
