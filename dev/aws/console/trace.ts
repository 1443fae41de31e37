import type { RequestEntry } from "../apigateway/httpApi.ts";
import type { InvocationEntry } from "../lambda/invocationHistory.ts";
import type { BoundedRing } from "../lambda/boundedRing.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import type { PipelineMap } from "./pipelineSampler.ts";

/** Where a trace looks: the API's recent requests, the functions' invocations, the app's stored record. */
export interface TraceSources {
  requests: () => BoundedRing<RequestEntry>;
  functions: readonly FunctionRuntime[];
  findStored?: StoredRecordLookup;
  /** Which queue feeds which function, and which queue has a DLQ: what a failed message's verdict names. */
  pipeline: PipelineMap;
  queues: readonly ProvisionedQueue[];
}

/**
 * The app's stored record(s) for a traced id: what a request became at the end of the pipeline.
 * Given the term and the ids of the requests found for it; returns rows as plain objects.
 */
export type StoredRecordLookup = (term: string, requestIds: string[]) => Promise<Array<Record<string, unknown>>>;

/** One invocation that handled a traced message or request. */
export interface TracedInvocation
  extends Pick<InvocationEntry, "functionName" | "containerId" | "coldStart" | "startedAt" | "durationMs" | "error"> {
  invocationId: number;
  /** Of the traced record: a batch can succeed while reporting this record as failed. */
  outcome: InvocationEntry["outcome"];
  messages: Array<{ messageId: string; receiveCount: number }>;
  batchSize: number;
  /** Its log lines that name the traced ids, or all of them when none does. */
  logs: string[];
}

export interface Trace {
  term: string;
  requests: RequestEntry[];
  messageIds: string[];
  invocations: TracedInvocation[];
  stored: Array<Record<string, unknown>>;
  storedLookup: "found" | "none" | "unavailable" | { error: string };
  /** Where it got to, in a sentence: stored, or where it stopped and why. */
  verdict: string;
}

/**
 * Follows one id through the recent requests, messages and invocations (what the API and the
 * function runtimes keep in memory) to the stored record: the id may be a request id (the
 * correlation id a route passes on), a message id, or any text a request's body holds.
 */
export async function traceOf(term: string, sources: TraceSources): Promise<Trace> {
  const requests = sources.requests().values().filter(
    (request) => request.requestId === term || request.sentMessageIds.includes(term) || request.body.includes(term),
  );
  const requestIds = new Set(requests.map((request) => request.requestId));
  const messageIds = new Set([...requests.flatMap((request) => request.sentMessageIds)]);
  const concerns = (entry: InvocationEntry) =>
    (entry.requestId !== undefined && (entry.requestId === term || requestIds.has(entry.requestId))) ||
    entry.records.some(
      (record) =>
        record.messageId === term ||
        messageIds.has(record.messageId) ||
        record.body.includes(term) ||
        Object.values(record.attributes).some((value) => value === term || requestIds.has(value)),
    );
  const found = sources.functions.flatMap((runtime) => runtime.history.invocations.values().filter(concerns));
  // A message a redrive sent again has a new id: the records found name every id it went by.
  const ids = new Set([term, ...requestIds, ...messageIds]);
  const invocations = found
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((entry): TracedInvocation => {
      const records = entry.records.filter(
        (record) => ids.has(record.messageId) || record.body.includes(term) || Object.values(record.attributes).some((value) => ids.has(value)),
      );
      for (const record of records) messageIds.add(record.messageId);
      const recordFailed = records.some((record) => entry.failedMessageIds.includes(record.messageId));
      const naming = entry.logs.filter((line) => [...ids, ...records.map((record) => record.messageId)].some((id) => line.includes(id)));
      return {
        functionName: entry.functionName,
        invocationId: entry.id,
        containerId: entry.containerId,
        coldStart: entry.coldStart,
        startedAt: entry.startedAt,
        durationMs: entry.durationMs,
        outcome: entry.outcome === "succeeded" && recordFailed ? "failed" : entry.outcome,
        ...(entry.error !== undefined && { error: entry.error }),
        ...(recordFailed && entry.error === undefined && { error: "reported as failed in the batch response (batchItemFailures)" }),
        messages: records.map(({ messageId, receiveCount }) => ({ messageId, receiveCount })),
        batchSize: entry.records.length,
        logs: naming.length > 0 ? naming : entry.logs,
      };
    });

  let stored: Array<Record<string, unknown>> = [];
  let storedLookup: Trace["storedLookup"] = "unavailable";
  if (sources.findStored) {
    try {
      stored = await sources.findStored(term, [...requestIds]);
      storedLookup = stored.length > 0 ? "found" : "none";
    } catch (error) {
      storedLookup = { error: (error as Error).message };
    }
  }
  return {
    term,
    requests,
    messageIds: [...messageIds],
    invocations,
    stored,
    storedLookup,
    verdict: verdictOf(requests, invocations, storedLookup, (functionName) => deadLetterQueuesOf(functionName, sources)),
  };
}

/** The dead-letter queues of the queues that feed a function, by name. */
function deadLetterQueuesOf(functionName: string, { pipeline, queues }: TraceSources): string[] {
  const feeding = new Set(pipeline.eventSources.filter((source) => source.function === functionName).map((source) => source.queue));
  return queues
    .filter((queue) => feeding.has(queue.name) && queue.deadLetterQueueLogicalId !== undefined)
    .map((queue) => queues.find((candidate) => candidate.logicalId === queue.deadLetterQueueLogicalId)?.name ?? queue.deadLetterQueueLogicalId!);
}

/**
 * Where the traced id got to, in a sentence that names only what this stack has: a dead-letter
 * queue where the function's queue has one, a stored record where the app can look one up.
 */
function verdictOf(
  requests: RequestEntry[],
  invocations: TracedInvocation[],
  storedLookup: Trace["storedLookup"],
  deadLetterQueues: (functionName: string) => string[],
): string {
  if (storedLookup === "found") return "stored";
  const last = invocations.at(-1);
  if (last) {
    if (last.outcome === "running") return `being handled by ${last.functionName} (invocation ${last.invocationId})`;
    const dlqs = deadLetterQueues(last.functionName);
    if (last.outcome !== "succeeded") {
      const failure = `the last invocation of ${last.functionName} ${last.outcome === "timed-out" ? "timed out" : `failed: ${last.error ?? "unknown error"}`}`;
      if (last.messages.length === 0) return failure;
      return dlqs.length > 0
        ? `${failure}; the message returns to its queue after the visibility timeout and goes to ${dlqs.join(", ")} after maxReceiveCount receives`
        : `${failure}; the message returns to its queue after the visibility timeout and is retried until it expires (its queue has no dead-letter queue)`;
    }
    if (storedLookup === "unavailable") return `${last.functionName} handled it without error`;
    return `${last.functionName} handled it without error but no stored record was found: read its log lines${dlqs.length > 0 ? ` (a message it set aside waits in ${dlqs.join(", ")})` : ""}`;
  }
  const request = requests.at(-1);
  if (!request) return `no recent request, message or invocation names it (the console keeps the last few thousand)${storedLookup === "unavailable" ? "" : ", and no stored record was found"}`;
  if (request.statusCode === null) return "the request is still being answered";
  if (request.statusCode >= 300) return `the API answered ${request.statusCode}: nothing was queued`;
  if (request.sentMessageIds.length > 0) return "queued: no invocation has received the message yet";
  return `the API answered ${request.statusCode}`;
}
