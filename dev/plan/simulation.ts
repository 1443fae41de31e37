import { Edge, type EdgeCounts, type EdgeSettings } from "./edge.ts";
import { EventQueue } from "./eventQueue.ts";
import { EventSourceModel, type MappingModelSettings } from "./eventSourceModel.ts";
import { LambdaPool, type LambdaPoolSettings } from "./lambdaPool.ts";
import { PlanMetrics, type FunctionUsage, type SqsRequests } from "./metrics.ts";
import { QueueModel, type QueueSettings } from "./queueModel.ts";
import { seededRandom } from "./random.ts";

/** Everything a run needs, settled: from serverless.yml, the flags and a what-if. */
export interface PlanModel {
  /** The file's own settings, or the what-if's text. */
  name: string;
  /** API Gateway in front of the first queue; none sends the arrivals straight into it. */
  edge?: EdgeSettings;
  /** The queue the arrivals go to (its logical id). */
  ingressQueue: string;
  queues: Array<QueueSettings & { logicalId: string }>;
  mappings: Array<MappingModelSettings & { queueLogicalId: string; reservedConcurrency?: number; usesDatabase: boolean }>;
  lambda: LambdaPoolSettings;
  seed: number;
}

export interface PlanLoad {
  /** Requests a second at the API, from second 0. */
  arrivalsPerSecond: number[];
  /** Messages already waiting in the ingress queue at the start (a standing backlog). */
  backlog?: number;
  /**
   * Messages a second into other queues beside the punches, e.g. offline clocks' claim checks:
   * they load those queues' consumers and the account's concurrency, not the rows.
   */
  streams?: Array<{ queueLogicalId: string; arrivalsPerSecond: number[] }>;
}

export interface TimelinePoint {
  /** Virtual seconds since the first arrival. */
  t: number;
  arrivals: number;
  accepted: number;
  refused: number;
  queueVisible: number;
  queueInFlight: number;
  oldestAgeSeconds: number;
  concurrency: number;
  pollers: number;
  connections: number;
  deadLettered: number;
  stored: number;
  /** The consumers' throttled invocations and failed ones in this second (Lambda's Throttles and Errors). */
  throttles: number;
  errors: number;
}

export interface PlanRun {
  name: string;
  /** The queue the punches go to: its consumers' figures are the plan's. */
  ingressQueue: string;
  expected: number;
  stored: number;
  /** From the first arrival to the last row, or null when the horizon came first. */
  lastStoredAtMs: number | null;
  /** When the last request reached the API, a retried one included. */
  lastArrivalAtMs: number;
  latencyMs: { p50: number; p95: number; max: number } | null;
  edge: EdgeCounts | null;
  queue: { peakVisible: number; peakInFlight: number; peakOldestAgeSeconds: number; deadLettered: number; deadLetterReasons: Record<string, number> };
  functions: Array<
    { name: string; queue: string; peakConcurrency: number; peakPollers: number; peakEventPollers: number; throttles: number; coldStarts: number; handled: number; lastHandledAtMs: number | null } & FunctionUsage
  >;
  peakConnections: number;
  refusedConnections: number;
  redeliveriesAbsorbed: number;
  sqsRequests: SqsRequests;
  timeline: TimelinePoint[];
  virtualSeconds: number;
}

const TICK_MS = 100;
const SAMPLE_MS = 1_000;
/** A plan that has not drained after this much virtual time stops and says so. */
const HORIZON_MS = 6 * 3_600_000;

/**
 * Runs a shift change on the virtual clock: arrivals in ticks of 100 ms through the edge into
 * the queue, the event sources' pollers event by event (each receive, invocation and visibility
 * timeout at its own millisecond), scaling and sampling once a virtual second. Event-driven rather
 * than stepped: a 40 ms handler is neither rounded up to a step nor made to wait for one, and a
 * million punches are some hundred thousand events.
 *
 * @example
 * const run = simulate(model, { arrivalsPerSecond: arrivalsPerSecond(60_000, 600, "flat") });
 * run.lastStoredAtMs; // when the last punch was a row
 */
export function simulate(model: PlanModel, load: PlanLoad, onProgress?: (virtualMs: number, stored: number, expected: number) => void): PlanRun {
  return new ShiftChangeRun(model, load, onProgress).run();
}

class ShiftChangeRun {
  readonly #model: PlanModel;
  readonly #load: PlanLoad;
  readonly #onProgress: ((virtualMs: number, stored: number, expected: number) => void) | undefined;
  readonly #clock = new EventQueue();
  readonly #metrics = new PlanMetrics();
  readonly #queues: Map<string, QueueModel>;
  readonly #ingress: QueueModel;
  readonly #pool: LambdaPool;
  readonly #sources: EventSourceModel[];
  readonly #ingressSources: EventSourceModel[];
  readonly #edge: Edge | undefined;
  readonly #expected: number;
  readonly #timeline: TimelinePoint[] = [];
  readonly #peaks = { visible: 0, inFlight: 0, oldest: 0 };
  #second: TimelinePoint = emptyPoint(0);
  #pendingRetries = 0;
  readonly #arrivalsEndMs: number;
  #finished = false;
  #lastArrivalAt = 0;

  constructor(model: PlanModel, load: PlanLoad, onProgress?: (virtualMs: number, stored: number, expected: number) => void) {
    this.#model = model;
    this.#load = load;
    this.#onProgress = onProgress;
    this.#queues = new Map(model.queues.map((settings) => [settings.logicalId, new QueueModel(settings)]));
    const ingress = this.#queues.get(model.ingressQueue);
    if (!ingress) throw new Error(`no queue ${model.ingressQueue} in the plan`);
    this.#ingress = ingress;
    this.#pool = new LambdaPool(
      model.lambda,
      model.mappings.map((mapping) => ({ name: mapping.functionName, reservedConcurrency: mapping.reservedConcurrency, usesDatabase: mapping.usesDatabase })),
    );
    const random = seededRandom(model.seed);
    this.#sources = model.mappings.map((mapping) => {
      const queue = this.#queues.get(mapping.queueLogicalId);
      if (!queue) throw new Error(`${mapping.functionName} reads ${mapping.queueLogicalId}, which is no queue of the plan`);
      return new EventSourceModel(mapping, queue, this.#clock, this.#pool, this.#metrics, random);
    });
    this.#ingressSources = this.#sources.filter((source) => source.queue === ingress);
    for (const source of this.#ingressSources) source.countsRows = true;
    this.#edge = model.edge ? new Edge(model.edge) : undefined;
    this.#expected = load.arrivalsPerSecond.reduce((sum, count) => sum + count, 0) + (load.backlog ?? 0);
    this.#arrivalsEndMs = Math.max(load.arrivalsPerSecond.length, ...(load.streams ?? []).map((stream) => stream.arrivalsPerSecond.length)) * SAMPLE_MS;
  }

  run(): PlanRun {
    this.#scheduleArrivals();
    for (const source of this.#sources) source.start();
    const everySecond = () => {
      for (const source of this.#sources) source.scale();
      this.#sample();
      if (!this.#finished) this.#clock.at(this.#clock.now + SAMPLE_MS, everySecond);
    };
    this.#clock.at(SAMPLE_MS, everySecond);
    while (!this.#finished && this.#clock.runNext()) {
      // Every event is its own step on the virtual clock.
    }
    return this.#result();
  }

  #scheduleArrivals(): void {
    const ticksPerSecond = SAMPLE_MS / TICK_MS;
    this.#load.arrivalsPerSecond.forEach((perSecond, second) => {
      for (let within = 0; within < ticksPerSecond; within += 1) {
        // Whole requests per tick that add up to the second's count.
        const requests = Math.floor(((within + 1) * perSecond) / ticksPerSecond) - Math.floor((within * perSecond) / ticksPerSecond);
        if (requests === 0) continue;
        this.#clock.at(second * SAMPLE_MS + within * TICK_MS, () => {
          this.#second.arrivals += requests;
          this.#arrive(requests);
        });
      }
    });
    const backlog = this.#load.backlog;
    if (backlog) this.#clock.at(0, () => this.#send(backlog));
    for (const stream of this.#load.streams ?? []) {
      const queue = this.#queues.get(stream.queueLogicalId);
      if (!queue) throw new Error(`no queue ${stream.queueLogicalId} in the plan for the stream sent to it`);
      const consumers = this.#sources.filter((source) => source.queue === queue);
      stream.arrivalsPerSecond.forEach((count, second) => {
        if (count === 0) return;
        this.#clock.at(second * SAMPLE_MS, () => {
          queue.send(count, this.#clock.now);
          this.#metrics.sqs.send += count;
          for (const source of consumers) source.messagesArrived();
        });
      });
    }
  }

  #arrive(requests: number): void {
    this.#lastArrivalAt = this.#clock.now;
    if (!this.#edge) return this.#send(requests);
    const { accepted, retried } = this.#edge.admit(requests, this.#clock.now);
    this.#second.accepted += accepted;
    this.#second.refused += requests - accepted;
    if (retried > 0) {
      this.#pendingRetries += retried;
      this.#clock.at(this.#clock.now + this.#model.edge!.retryAfterMs, () => {
        this.#pendingRetries -= retried;
        this.#arrive(retried);
      });
    }
    this.#send(accepted);
  }

  #send(count: number): void {
    if (count === 0) return;
    this.#ingress.send(count, this.#clock.now);
    this.#metrics.sqs.send += count;
    for (const source of this.#ingressSources) source.messagesArrived();
  }

  #sample(): void {
    const now = this.#clock.now;
    this.#pool.tick(now);
    const oldestSentAt = this.#ingress.oldestVisibleSentAt();
    const point: TimelinePoint = {
      ...this.#second,
      t: now / 1000,
      queueVisible: this.#ingress.visible,
      queueInFlight: this.#ingress.inFlight,
      oldestAgeSeconds: oldestSentAt === undefined ? 0 : Math.round((now - oldestSentAt) / 1000),
      concurrency: this.#ingressSources.reduce((sum, source) => sum + this.#pool.running(source.settings.functionName), 0),
      pollers: this.#ingressSources.reduce((sum, source) => sum + source.pollers, 0),
      connections: this.#pool.connections,
      deadLettered: this.#ingress.deadLettered,
      stored: this.#metrics.stored,
      throttles: this.#metrics.throttlesThisSecond,
      errors: this.#metrics.errorsThisSecond,
    };
    this.#metrics.throttlesThisSecond = 0;
    this.#metrics.errorsThisSecond = 0;
    this.#timeline.push(point);
    this.#peaks.visible = Math.max(this.#peaks.visible, point.queueVisible);
    this.#peaks.inFlight = Math.max(this.#peaks.inFlight, point.queueInFlight);
    this.#peaks.oldest = Math.max(this.#peaks.oldest, point.oldestAgeSeconds);
    this.#second = emptyPoint(now / 1000 + 1);
    this.#onProgress?.(now, this.#metrics.stored, this.#expected);
    const idle = [...this.#queues.values()].every((queue) => queue.visible === 0 && queue.inFlight === 0);
    if ((now >= this.#arrivalsEndMs && this.#pendingRetries === 0 && idle) || now >= HORIZON_MS) this.#finished = true;
  }

  #result(): PlanRun {
    const metrics = this.#metrics;
    const ingress = this.#ingress;
    const reachable = this.#expected - (this.#edge?.counts.quotaExceeded ?? 0);
    return {
      name: this.#model.name,
      ingressQueue: ingress.settings.name,
      expected: this.#expected,
      stored: metrics.stored,
      lastStoredAtMs: metrics.stored + ingress.deadLettered >= reachable && metrics.lastStoredAt !== undefined ? metrics.lastStoredAt : null,
      lastArrivalAtMs: this.#lastArrivalAt,
      latencyMs: metrics.latencyMs(),
      edge: this.#edge?.counts ?? null,
      queue: {
        peakVisible: Math.max(this.#peaks.visible, ingress.peakVisible),
        peakInFlight: this.#peaks.inFlight,
        peakOldestAgeSeconds: this.#peaks.oldest,
        deadLettered: ingress.deadLettered,
        deadLetterReasons: Object.fromEntries(ingress.deadLetterReasons),
      },
      functions: this.#sources.map((source) => ({
        name: source.settings.functionName,
        queue: source.queue.settings.name,
        handled: source.handled,
        lastHandledAtMs: source.lastHandledAt ?? null,
        ...this.#pool.stats(source.settings.functionName),
        peakPollers: source.peakPollers,
        peakEventPollers: source.peakEventPollers,
        ...(metrics.functions.get(source.settings.functionName) ?? { invocations: 0, billedMs: 0, memoryMegabytes: source.settings.memoryMegabytes }),
      })),
      peakConnections: this.#pool.peakConnections,
      refusedConnections: this.#pool.refusedConnections,
      redeliveriesAbsorbed: metrics.redeliveriesAbsorbed,
      sqsRequests: { ...metrics.sqs },
      timeline: this.#timeline,
      virtualSeconds: this.#clock.now / 1000,
    };
  }
}

function emptyPoint(t: number): TimelinePoint {
  return { t, arrivals: 0, accepted: 0, refused: 0, queueVisible: 0, queueInFlight: 0, oldestAgeSeconds: 0, concurrency: 0, pollers: 0, connections: 0, deadLettered: 0, stored: 0, throttles: 0, errors: 0 };
}
