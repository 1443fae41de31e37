import type { SQSEvent, SQSBatchResponse, Context } from "aws-lambda";
import { handler as consumePunches } from "../../src/handlers/consumePunches.ts";

/*
 * The punches consumer held to at least HOLD_BATCH_MS a batch, as a slower database would hold
 * it: a service variant (serviceVariant.ts) runs it where a drain must be bound by the cap and the
 * handler's time rather than by this machine's CPU, e.g. to check npm run plan against npm run demo.
 */
const holdMs = Number(process.env.HOLD_BATCH_MS ?? 0);

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse | void> {
  const startedAt = Date.now();
  const response = await consumePunches(event, context, () => {});
  const left = holdMs - (Date.now() - startedAt);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return response;
}
