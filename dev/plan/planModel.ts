import { MAX_IN_FLIGHT_MESSAGES, MAX_INVOCATION_PAYLOAD_BYTES, UNRESERVED_CONCURRENCY_MINIMUM, type ServiceModel, type Throttle } from "../aws/rules.ts";
import { durationSampler, seededRandom } from "./random.ts";
import type { PlanModel } from "./simulation.ts";

/** What the plan needs beyond serverless.yml: the load's clocks, the handler's time, AWS's account limits. */
export interface PlanOptions {
  clocks: number;
  /** A clock sends a refused punch again after this long. */
  retryAfterMs: number;
  /** API Gateway's throttle for the account in the Region. */
  accountThrottle: Throttle;
  /** The usage plan each clock's key is held to; none when the method needs no key. */
  usagePlan?: Throttle & { quotaPerDay?: number };
  accountConcurrency: number;
  databaseMaxConnections: number;
  environmentIdleMinutes: number;
  coldStartMs: number;
  receiveMs: number;
  /** A batch's handler time, per function's short name; "*" for the rest. */
  consumerMs: Record<string, { p50: number; p95: number }>;
  recordFailureShare: number;
  seed: number;
  /** SQS's in-flight limit per standard queue. */
  sqsInFlightLimit: number;
  /** A message's size as its consumer receives it: what fits Lambda's 6 MB payload, and SQS's 64 KB chunks. */
  messageBytes: number;
}

/**
 * What npm run plan assumes unless told otherwise: AWS's documented defaults where AWS documents
 * one (API Gateway's account throttle, Lambda's account concurrency), Postgres's own
 * max_connections, and for what AWS publishes no figure (a cold start, a receive's round trip,
 * how long an idle execution environment is kept) a middling guess, each a flag.
 */
export const PLAN_DEFAULTS = {
  clocks: 300,
  retryAfterMs: 1_000,
  accountThrottle: { rateLimit: 10_000, burstLimit: 5_000 },
  accountConcurrency: 1_000,
  databaseMaxConnections: 100,
  environmentIdleMinutes: 10,
  coldStartMs: 250,
  receiveMs: 10,
  recordFailureShare: 0,
  seed: 1,
  sqsInFlightLimit: MAX_IN_FLIGHT_MESSAGES,
  messageBytes: 400,
} as const satisfies Omit<PlanOptions, "consumerMs" | "usagePlan">;

/** The service as the plan reads it: the compiled template's model, and where the API sends the arrivals. */
export interface PlannedService {
  model: ServiceModel;
  service: string;
  stage: string;
  /** Logical id of the queue the API writes to. */
  ingressQueue: string;
}

/** Environment variables that say a function talks to a relational database. */
const DATABASE_VARIABLES = /^(PGHOST|DATABASE_URL|DATABASE_HOST|DB_HOST|MYSQL_HOST)$/;
const IDLE_SCALE_DOWN_MS = 60_000;
const LONG_POLL_MS = 20_000;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * A function's short name, as serverless.yml's `functions:` key: the FunctionName less the
 * framework's `<service>-<stage>-` prefix.
 *
 * @example
 * shortFunctionName("ponto-local-consumePunches", "ponto", "local"); // "consumePunches"
 */
export function shortFunctionName(functionName: string, service: string, stage: string): string {
  const prefix = `${service}-${stage}-`;
  return functionName.startsWith(prefix) ? functionName.slice(prefix.length) : functionName;
}

/**
 * What the simulation runs, from the service's model and the options: every enabled SQS event
 * source mapping, its queue (visibility timeout, maxReceiveCount, DLQ) and its function (timeout,
 * memory, reserved concurrency), the mapping's batching and scaling as the template has them.
 */
export function planModelOf(planned: PlannedService, options: PlanOptions, name: string): PlanModel {
  const { model, service, stage } = planned;
  const reserved = model.functions.reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);
  if (reserved > options.accountConcurrency - UNRESERVED_CONCURRENCY_MINIMUM) {
    throw new Error(
      `the functions reserve ${reserved} of the account's ${options.accountConcurrency} concurrent executions; AWS keeps ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved and refuses more (PutFunctionConcurrency)`,
    );
  }
  const random = seededRandom(options.seed + 1);
  const mappings = model.eventSourceMappings
    .filter((mapping) => mapping.enabled)
    .map((mapping) => {
      const fn = model.functions.find((candidate) => candidate.logicalId === mapping.functionLogicalId);
      if (!fn) throw new Error(`the mapping of ${mapping.queueLogicalId} invokes ${mapping.functionLogicalId}, which is no function of the template`);
      // An sqs event on an existing queue: the plan models the template's queues only.
      if (mapping.queueLogicalId === undefined) throw new Error(`${fn.name} reads ${JSON.stringify(mapping.existingQueueArn)}, a queue the template does not define; the plan models the template's queues only`);
      const { queueLogicalId } = mapping;
      const short = shortFunctionName(fn.name, service, stage);
      const durations = options.consumerMs[short] ?? options.consumerMs["*"]!;
      return {
        queueLogicalId,
        functionName: short,
        ...(fn.reservedConcurrency !== undefined && { reservedConcurrency: fn.reservedConcurrency }),
        usesDatabase: Object.keys(fn.environment).some((variable) => DATABASE_VARIABLES.test(variable)),
        batchSize: mapping.batchSize,
        maximumBatchingWindowMs: mapping.maximumBatchingWindowSeconds * 1_000,
        reportBatchItemFailures: mapping.reportBatchItemFailures,
        scaling: {
          maximumConcurrency: mapping.maximumConcurrency,
          provisionedPollers: mapping.provisionedPollers,
          reservedConcurrency: fn.reservedConcurrency,
        },
        timeoutMs: fn.timeoutSeconds * 1_000,
        memoryMegabytes: fn.memoryMegabytes,
        batchDurationMs: durationSampler(durations, random),
        maxRecordsPerInvocation: Math.max(1, Math.floor(MAX_INVOCATION_PAYLOAD_BYTES / options.messageBytes)),
        recordFailureShare: options.recordFailureShare,
        coldStartMs: options.coldStartMs,
        receiveMs: options.receiveMs,
        idleScaleDownMs: IDLE_SCALE_DOWN_MS,
        longPollMs: LONG_POLL_MS,
      };
    });
  return {
    name,
    edge: { account: options.accountThrottle, ...(options.usagePlan && { usagePlan: options.usagePlan }), clocks: options.clocks, retryAfterMs: options.retryAfterMs },
    ingressQueue: planned.ingressQueue,
    queues: model.queues.map((queue) => ({
      logicalId: queue.logicalId,
      name: String(queue.properties.QueueName ?? queue.logicalId),
      visibilityTimeoutMs: Number(queue.properties.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS) * 1_000,
      ...(queue.maxReceiveCount !== undefined && { maxReceiveCount: queue.maxReceiveCount }),
      hasDeadLetterQueue: queue.deadLetterQueueLogicalId !== undefined,
      maxInFlight: options.sqsInFlightLimit,
    })),
    mappings,
    lambda: {
      accountConcurrency: options.accountConcurrency,
      databaseMaxConnections: options.databaseMaxConnections,
      environmentIdleMs: options.environmentIdleMinutes * 60_000,
    },
    seed: options.seed,
  };
}
