import type { InvocationEntry } from "./invocationHistory.ts";

type FailedInvocation = { status: "failed"; error: { errorType: string; errorMessage: string } } | { status: "timed-out" };

/**
 * The line Lambda writes to a function's log when an invocation fails: "Invoke Error" with the
 * error's type and message, or "Task timed out after N.NN seconds", as CloudWatch shows them. A
 * JSON line, so the terminal renders it with the request or messages it concerned and any
 * correlation id the records carry; the stack and the event stay in the console's trace.
 *
 * @example
 * invokeErrorLine({ status: "failed", error: { errorType: "TypeError", errorMessage: "x is undefined" } }, entry, 6);
 * // {"timestamp":"…","level":"ERROR","message":"Invoke Error TypeError: x is undefined","messageIds":"m1,m2"}
 */
export function invokeErrorLine(result: FailedInvocation, entry: Pick<InvocationEntry, "records" | "requestId">, timeoutSeconds: number, now = new Date()): string {
  const message =
    result.status === "timed-out" ? `Task timed out after ${timeoutSeconds.toFixed(2)} seconds` : `Invoke Error ${result.error.errorType}: ${result.error.errorMessage}`;
  const correlationIds = [...new Set(entry.records.map((record) => record.attributes.correlationId).filter((id) => id !== undefined))];
  return JSON.stringify({
    timestamp: now.toISOString(),
    level: "ERROR",
    message,
    ...(correlationIds.length > 0 && { correlationId: correlationIds.join(",") }),
    ...(entry.requestId !== undefined && { requestId: entry.requestId }),
    ...(entry.records.length > 0 && { messageIds: entry.records.map((record) => record.messageId).join(",") }),
  });
}
