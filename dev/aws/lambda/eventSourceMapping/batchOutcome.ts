import type { InvocationResult } from "../functionRuntime.ts";

/** Which records of a batch failed: "all" when the whole batch returns to the queue. */
export type BatchOutcome = { failed: "all" } | { failed: ReadonlySet<string> };

/**
 * AWS's rules for what an invocation's outcome means for each record of the batch
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html, "Success and
 * failure conditions"): an invocation that throws or times out fails the whole batch; without
 * ReportBatchItemFailures a successful one deletes every record. With it, an empty or null
 * `batchItemFailures` list, or an empty or null response, is complete success; a null or empty
 * `itemIdentifier`, or one with a wrong key name, is complete failure, as is an identifier that
 * names no record of the batch; otherwise only the named records stay.
 *
 * @example
 * batchOutcome({ status: "succeeded", payload: { batchItemFailures: [{ itemIdentifier: "m2" }] } }, ["m1", "m2"], true);
 * // { failed: Set { "m2" } }
 */
export function batchOutcome(result: InvocationResult, batchMessageIds: readonly string[], reportBatchItemFailures: boolean): BatchOutcome {
  if (result.status !== "succeeded") return { failed: "all" };
  if (!reportBatchItemFailures) return { failed: new Set() };
  const payload = result.payload as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null | undefined;
  const failures = payload?.batchItemFailures ?? [];
  if (!Array.isArray(failures)) return { failed: "all" };
  const batchIds = new Set(batchMessageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    if (typeof failure?.itemIdentifier !== "string" || !batchIds.has(failure.itemIdentifier)) return { failed: "all" };
    failed.add(failure.itemIdentifier);
  }
  return { failed };
}
