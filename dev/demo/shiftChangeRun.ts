import { availableParallelism } from "node:os";
import pg from "pg";
import { runOfflineSyncs, type SyncsReport } from "./offlineSyncs.ts";
import { percentile } from "./percentile.ts";
import { ingestCeiling, type IngestCeiling } from "./ingestCeiling.ts";
import { fireBurst } from "./requestBurst.ts";
import { offlineBacklogs, shiftChange, type ShiftChangeSettings } from "./shiftChange.ts";
import { remoteClocks } from "../ponto/clockCredentials.ts";
import type { RunningStack } from "./stackProcess.ts";
import type { LocalStatus } from "../aws/index.ts";

export interface TimelinePoint {
  /** Milliseconds since the first request. */
  t: number;
  accepted: number;
  persisted: number;
  queueDepth: number;
  consumerConcurrency: number;
  databaseConnections: number;
}

export interface ShiftChangeReport {
  settings: ShiftChangeSettings;
  ingest: {
    requests: number;
    durationMs: number;
    requestsPerSecond: number;
    /** The same burst against a server that does no work, when asked for (see ingestCeiling.ts). */
    ceiling?: IngestCeiling;
    latencyMs: { p50: number; p95: number; p99: number; max: number };
    statusCodes: Record<string, number>;
  };
  drain: {
    /** From the first request until every accepted punch was in Postgres; null if it never was. */
    durationMs: number | null;
    rowsPerSecond: number | null;
    peakConsumerConcurrency: number;
    peakDatabaseConnections: number;
    /** How the consumer's event source scaled: its mode, its bounds, and the most pollers it ran. */
    eventSource: EventSourceScaling | null;
  };
  correctness: {
    sent: number;
    accepted: number;
    rejectedAtEdge: number;
    expectedRows: number;
    persisted: number;
    inDeadLetterQueue: number;
    lost: number;
    /** Requests that resent a punch already sent: each is a message of its own, stored as no second row. */
    duplicatesResent: number;
    /** Records the consumer received beyond one per accepted message: retries after a failure or timeout. */
    redeliveriesAbsorbed: number;
    /** Punches accepted more than once: their rows should each carry one of their own requests' correlation ids. */
    resentPunchesStored: number;
    /** Of those, rows whose correlation id is one of that punch's own accepted requests (all, unless a row was overwritten). */
    rowsKeepingOwnRequest: number;
    /** Of those, rows that kept the first request sent; a later one can win when both wait in the queue at once. */
    rowsKeepingFirstRequest: number;
  };
  /** The offline clocks' bulk syncs, when the run had any. */
  syncs?: SyncsReport & { expectedRejected: number };
  resources: {
    peakStackMemoryBytes: number;
    /**
     * CPU the stack's processes used from the first request until every punch was stored, and
     * the load generator's (this process, autocannon and the sampling) while it sent: on a
     * machine of `cores`, the burst cannot be stored faster than their sum over the cores.
     */
    cpu: { stackSeconds: number | null; loadGeneratorSeconds: number; cores: number };
  };
  timeline: TimelinePoint[];
}

export interface EventSourceScaling {
  mode: "standard" | "provisioned";
  /** Concurrent batches: the idle floor and the ceiling (maximumConcurrency, or ten per maximum event poller). */
  pollerLimits: { minimum: number; maximum: number };
  peakPollers: number;
  /** Provisioned mode: MinimumPollers, MaximumPollers, and the most event pollers in use. */
  eventPollers?: { minimum: number; maximum: number; peak: number };
}

const SAMPLE_EVERY_MS = 250;

/**
 * Fires a shift change at the stack's real HTTP endpoint with autocannon (one connection per
 * clock), samples the pipeline while it ingests and drains, and checks that every accepted punch
 * was stored exactly once.
 */
export async function runShiftChange(
  stack: RunningStack,
  settings: ShiftChangeSettings,
  {
    drainTimeoutMs = 120_000,
    onProgress,
    measureCeiling = false,
  }: { drainTimeoutMs?: number; onProgress?: (point: TimelinePoint, expected: number) => void; measureCeiling?: boolean } = {},
): Promise<ShiftChangeReport> {
  const plan = shiftChange(settings);
  const offline = offlineBacklogs(settings, plan);
  // Every valid punch, live or synced, must end up stored once.
  const expectedIds = new Set([...plan.validPunchIds, ...offline.validPunchIds]);
  const runEmployees = `${settings.runId}-%`;
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  const initialStatus = await stack.status();
  const punchesQueueOf = (status: LocalStatus) => status.queues.find((queue) => queue.logicalId === "PunchesQueue");
  const consumer = initialStatus.eventSources.find((source) => source.queue === punchesQueueOf(initialStatus)?.name)?.function ?? "";

  const statusCodes: Record<string, number> = {};
  const latencies: number[] = [];
  let accepted = 0;
  const timeline: TimelinePoint[] = [];
  let peakMemory = initialStatus.memory.bytes;
  let scaling: EventSourceScaling | null = null;
  const noteScaling = (status: LocalStatus) => {
    const source = status.eventSources.find((candidate) => candidate.function === consumer);
    if (!source) return;
    scaling = {
      mode: source.mode,
      pollerLimits: source.pollerLimits,
      peakPollers: Math.max(scaling?.peakPollers ?? 0, source.pollers),
      ...(source.eventPollers && {
        eventPollers: {
          minimum: source.eventPollers.minimum,
          maximum: source.eventPollers.maximum,
          peak: Math.max(scaling?.eventPollers?.peak ?? 0, source.eventPollers.current),
        },
      }),
    };
  };
  /** The correlation id API Gateway gave each accepted request, by the request's place in the plan. */
  const acceptedCorrelations: Array<string | undefined> = [];
  // Each simulated clock authenticates as a real one: its own token and API key (see the end of
  // this file). Provisioned before the clock starts: the figures time the shift change, not the set-up.
  const clockHeaders = await clockHeadersOf(stack.apiUrl, plan.bodies);
  // Before the burst, while the stack idles: the same requests, the same load generator.
  const ceiling = measureCeiling
    ? await ingestCeiling({ bodies: plan.bodies, headers: clockHeaders, connections: settings.clocks })
    : undefined;
  const stackCpuAtStart = (await stack.status()).cpu.seconds;
  const startedAt = Date.now();
  const loadCpuAtStart = process.cpuUsage();

  const countRows = async () =>
    Number((await db.query("SELECT count(*) AS n FROM punches WHERE employee_id LIKE $1", [runEmployees])).rows[0].n);
  const sample = async (): Promise<TimelinePoint> => {
    const [status, persisted, connections] = await Promise.all([
      stack.status(),
      countRows(),
      db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", [consumer]),
    ]);
    peakMemory = Math.max(peakMemory, status.memory.bytes);
    noteScaling(status);
    const queue = punchesQueueOf(status);
    const point = {
      t: Date.now() - startedAt,
      accepted,
      persisted,
      queueDepth: (queue?.visible ?? 0) + (queue?.inFlight ?? 0),
      consumerConcurrency: status.functions.find((fn) => fn.name === consumer)?.inFlight ?? 0,
      databaseConnections: Number(connections.rows[0].n),
    };
    timeline.push(point);
    onProgress?.(point, expectedIds.size);
    return point;
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sample().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();

  // The offline clocks come back while the burst is under way.
  const syncs = offline.bodies.length === 0 ? undefined : new Promise((resolve) => setTimeout(resolve, 500)).then(() =>
    runOfflineSyncs(stack.apiUrl, offline.bodies, settings.runId, drainTimeoutMs),
  );
  await fireBurst({
    url: stack.apiUrl,
    bodies: plan.bodies,
    headers: clockHeaders,
    connections: settings.clocks,
    onResponse: (statusCode, latencyMs) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      latencies.push(latencyMs);
      if (statusCode === 202) accepted += 1;
    },
    onAnswer: (index, statusCode, body) => {
      if (statusCode !== 202) return;
      const correlationId = (JSON.parse(body) as { correlationId?: string }).correlationId;
      if (correlationId !== undefined) acceptedCorrelations[index] = correlationId;
    },
  });
  const ingestMs = Date.now() - startedAt;
  const loadCpu = process.cpuUsage(loadCpuAtStart);

  let drainMs: number | null = null;
  let stackCpuSeconds: number | null = null;
  const drainDeadline = Date.now() + drainTimeoutMs;
  while (Date.now() < drainDeadline) {
    if ((await countRows()) >= expectedIds.size) {
      drainMs = Date.now() - startedAt;
      stackCpuSeconds = (await stack.status()).cpu.seconds - stackCpuAtStart;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const syncsReport = await syncs;
  sampling = false;
  await sampler;
  await sample();

  const ids = [...expectedIds];
  // No punch can have a second row (punch_id is the primary key): what can go wrong is a lost one.
  const stored = await db.query<{ total: string; ours: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE punch_id = ANY($2::uuid[])) AS ours
     FROM punches WHERE employee_id LIKE $1`,
    [runEmployees, ids],
  );
  const resends = await resentPunchRows(db, plan.bodies, acceptedCorrelations);
  await db.end();
  const finalStatus = await stack.status();
  const persisted = Number(stored.rows[0]!.total);
  const inDeadLetterQueue = punchesQueueOf(finalStatus)?.deadLetterQueue?.visible ?? 0;
  latencies.sort((a, b) => a - b);
  const latency = (p: number) => Math.round(percentile(latencies, p));

  return {
    settings,
    ingest: {
      requests: plan.bodies.length,
      durationMs: ingestMs,
      requestsPerSecond: Math.round((plan.bodies.length / ingestMs) * 1000),
      ...(ceiling !== undefined && { ceiling }),
      latencyMs: { p50: latency(50), p95: latency(95), p99: latency(99), max: Math.round(latencies.at(-1) ?? 0) },
      statusCodes,
    },
    drain: {
      durationMs: drainMs,
      rowsPerSecond: drainMs === null ? null : Math.round((persisted / drainMs) * 1000),
      peakConsumerConcurrency: Math.max(0, ...timeline.map((point) => point.consumerConcurrency)),
      peakDatabaseConnections: Math.max(0, ...timeline.map((point) => point.databaseConnections)),
      eventSource: scaling,
    },
    correctness: {
      sent: plan.bodies.length,
      accepted,
      rejectedAtEdge: plan.bodies.length - accepted,
      expectedRows: expectedIds.size,
      persisted,
      inDeadLetterQueue,
      lost: expectedIds.size - Number(stored.rows[0]!.ours) - inDeadLetterQueue,
      duplicatesResent: plan.duplicates,
      ...resends,
      redeliveriesAbsorbed: Math.max(0, (finalStatus.eventSources.find((source) => source.function === consumer)?.records ?? accepted) - accepted),
    },
    ...(syncsReport && { syncs: { ...syncsReport, expectedRejected: offline.invalid } }),
    resources: {
      peakStackMemoryBytes: peakMemory,
      cpu: { stackSeconds: stackCpuSeconds, loadGeneratorSeconds: (loadCpu.user + loadCpu.system) / 1e6, cores: availableParallelism() },
    },
    timeline,
  };
}

/**
 * Authorization and x-api-key for each body, from its clock: every simulated clock is provisioned
 * on the stack (an app client and an API key in the template's usage plan), as on AWS.
 */
async function clockHeadersOf(apiUrl: string, bodies: readonly string[]): Promise<Array<Record<string, string>>> {
  const clocks = remoteClocks(apiUrl);
  const deviceOf = bodies.map((body) => {
    const deviceId = (JSON.parse(body) as { deviceId?: unknown }).deviceId;
    return typeof deviceId === "string" ? deviceId : "clock-lobby";
  });
  const devices = [...new Set(deviceOf)];
  const headers = new Map<string, Record<string, string>>();
  // A few at a time: provisioning signs a token per clock.
  for (let start = 0; start < devices.length; start += 20) {
    await Promise.all(devices.slice(start, start + 20).map(async (deviceId) => headers.set(deviceId, (await clocks.credentialsFor(deviceId)).headers)));
  }
  return deviceOf.map((deviceId) => headers.get(deviceId)!);
}

/**
 * The rows of punches accepted more than once, checked against the requests that carried them: a
 * row must keep the correlation id of one of its own requests, never be overwritten by another.
 */
async function resentPunchRows(
  db: pg.Pool,
  bodies: readonly string[],
  acceptedCorrelations: ReadonlyArray<string | undefined>,
): Promise<{ resentPunchesStored: number; rowsKeepingOwnRequest: number; rowsKeepingFirstRequest: number }> {
  const requestsOf = new Map<string, string[]>();
  bodies.forEach((body, index) => {
    const correlationId = acceptedCorrelations[index];
    if (correlationId === undefined) return;
    const { punchId } = JSON.parse(body) as { punchId: string };
    requestsOf.set(punchId, [...(requestsOf.get(punchId) ?? []), correlationId]);
  });
  const resent = [...requestsOf].filter(([, correlations]) => correlations.length > 1);
  const { rows } = await db.query<{ punch_id: string; correlation_id: string | null }>(
    "SELECT punch_id, correlation_id FROM punches WHERE punch_id = ANY($1::uuid[])",
    [resent.map(([punchId]) => punchId)],
  );
  const kept = new Map(rows.map((row) => [row.punch_id, row.correlation_id]));
  return {
    resentPunchesStored: rows.length,
    rowsKeepingOwnRequest: resent.filter(([punchId, correlations]) => correlations.includes(kept.get(punchId) ?? "")).length,
    rowsKeepingFirstRequest: resent.filter(([punchId, correlations]) => kept.get(punchId) === correlations[0]).length,
  };
}
