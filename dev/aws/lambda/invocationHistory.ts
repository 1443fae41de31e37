import { BoundedRing, nearestRank } from "./boundedRing.ts";

/** One SQS record of an invocation's event, as the console's trace needs it. */
export interface InvocationRecordSummary {
  messageId: string;
  receiveCount: number;
  /** String message attributes (a correlation id travels here). */
  attributes: Record<string, string>;
  /** The body, cut to BODY_CHARS: enough to find an id in it. */
  body: string;
}

/** One invocation of a function, from its start to its outcome, with the lines it wrote. */
export interface InvocationEntry {
  id: number;
  functionName: string;
  containerId: number;
  coldStart: boolean;
  startedAt: number;
  durationMs: number | null;
  outcome: "running" | "succeeded" | "failed" | "timed-out";
  error?: string;
  /** The SQS records it was given; empty for other events. */
  records: InvocationRecordSummary[];
  /** Of a Lambda proxy event: API Gateway's request id. */
  requestId?: string;
  /** Records a partial batch response reported as failed. */
  failedMessageIds: string[];
  logs: string[];
}

/** A line a function wrote, with what the console filters on. */
export interface LogEntry {
  seq: number;
  time: number;
  functionName: string;
  containerId: number;
  invocationId: number | null;
  line: string;
  level: string | null;
  correlationId: string | null;
}

const INVOCATIONS_KEPT = 2_000;
const LOG_LINES_KEPT = 2_000;
const DURATIONS_KEPT = 1_000;
const LINES_PER_INVOCATION = 50;
const BODY_CHARS = 400;
let nextLogSeq = 1;

/**
 * What one function did lately: its last invocations (records, outcome, duration, log lines),
 * its last log lines and durations, in bounded rings so a long-running stack holds a fixed amount.
 * The function runtime feeds it; the console reads it.
 */
export class InvocationHistory {
  readonly invocations = new BoundedRing<InvocationEntry>(INVOCATIONS_KEPT);
  readonly logs = new BoundedRing<LogEntry>(LOG_LINES_KEPT);
  readonly #durations = new BoundedRing<number>(DURATIONS_KEPT);
  /** Each container's latest invocation: lines it writes belong there, even those that arrive after its reply. */
  readonly #latestOf = new Map<number, InvocationEntry>();

  readonly functionName: string;

  constructor(functionName: string) {
    this.functionName = functionName;
  }

  begin(id: number, containerId: number, coldStart: boolean, event: unknown, requestId?: string): InvocationEntry {
    const entry: InvocationEntry = {
      id,
      functionName: this.functionName,
      containerId,
      coldStart,
      startedAt: Date.now(),
      durationMs: null,
      outcome: "running",
      failedMessageIds: [],
      logs: [],
      ...summariseEvent(event),
      ...(requestId !== undefined && { requestId }),
    };
    this.invocations.push(entry);
    this.#latestOf.set(containerId, entry);
    return entry;
  }

  finish(entry: InvocationEntry, result: { status: string; payload?: unknown; error?: { errorType: string; errorMessage: string } }): void {
    entry.durationMs = Date.now() - entry.startedAt;
    entry.outcome = result.status === "succeeded" ? "succeeded" : result.status === "timed-out" ? "timed-out" : "failed";
    if (result.error) entry.error = `${result.error.errorType}: ${result.error.errorMessage}`;
    const failures = (result.payload as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null | undefined)?.batchItemFailures;
    if (Array.isArray(failures)) entry.failedMessageIds = failures.map((failure) => String(failure?.itemIdentifier));
    this.#durations.push(entry.durationMs);
  }

  log(containerId: number, line: string): void {
    const invocation = this.#latestOf.get(containerId);
    if (invocation && invocation.logs.length < LINES_PER_INVOCATION) invocation.logs.push(line);
    const fields = jsonFields(line);
    this.logs.push({
      seq: nextLogSeq++,
      time: Date.now(),
      functionName: this.functionName,
      containerId,
      invocationId: invocation?.id ?? null,
      line,
      level: typeof fields?.level === "string" ? fields.level.toUpperCase() : null,
      correlationId: stringField(fields, "correlationId") ?? stringField(fields, "correlation_id"),
    });
  }

  /** A container that ended keeps nothing here. */
  forgetContainer(containerId: number): void {
    this.#latestOf.delete(containerId);
  }

  /** p50 and p95 of the last durations, in milliseconds. */
  durationPercentiles(): { durationP50Ms: number | null; durationP95Ms: number | null } {
    const sorted = this.#durations.values().sort((a, b) => a - b);
    return { durationP50Ms: nearestRank(sorted, 0.5), durationP95Ms: nearestRank(sorted, 0.95) };
  }
}

/** The SQS records or the API Gateway request id of an event, whatever invoked the function. */
function summariseEvent(event: unknown): Pick<InvocationEntry, "records" | "requestId"> {
  const shaped = event as {
    Records?: Array<{ messageId?: string; body?: string; attributes?: { ApproximateReceiveCount?: string }; messageAttributes?: Record<string, { stringValue?: string }> }>;
    requestContext?: { requestId?: string };
  } | null;
  const records = Array.isArray(shaped?.Records)
    ? shaped.Records.filter((record) => typeof record?.messageId === "string").map((record) => ({
        messageId: record.messageId!,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
        attributes: Object.fromEntries(
          Object.entries(record.messageAttributes ?? {})
            .filter(([, value]) => typeof value?.stringValue === "string")
            .map(([name, value]) => [name, value.stringValue!]),
        ),
        body: String(record.body ?? "").slice(0, BODY_CHARS),
      }))
    : [];
  const requestId = shaped?.requestContext?.requestId;
  return { records, ...(typeof requestId === "string" && { requestId }) };
}

function jsonFields(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function stringField(fields: Record<string, unknown> | undefined, name: string): string | null {
  const value = fields?.[name];
  return typeof value === "string" ? value : null;
}
