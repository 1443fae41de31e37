import type { APIGatewayProxyHandler } from "aws-lambda";
import { sendClaimCheck } from "../adapters/claimCheckQueue.ts";
import { backlogKey, deleteBacklog, putBacklog, storedBacklogDigest } from "../adapters/syncBucket.ts";
import { syncIntakeConfigFromEnv } from "../config.ts";
import { bodyDigest, checkSyncEnvelope, syncIdentity } from "../domain/syncRequest.ts";
import { logger } from "../logger.ts";
import { headerOf, json, urlOnThisApi } from "./httpResponses.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const config = syncIntakeConfigFromEnv();

/**
 * POST /punches/batches: an offline clock's backlog. The body goes to the sync bucket as it came,
 * only a claim check goes through the queue, and the answer is 202 with where to ask for the
 * outcome. The object is written before its claim check is sent, so a claim check never names a
 * missing object; if either step fails the client gets a 503 and what this request wrote is
 * removed, and its retry with the same Idempotency-Key names the same sync.
 */
export const handler: APIGatewayProxyHandler = async (event) => {
  const check = checkSyncEnvelope(event.body);
  if (!check.ok) return json(check.statusCode, { message: check.message, ...(check.errors && { errors: check.errors }) });
  const { deviceId, punches } = check.envelope;
  const idempotencyKey = headerOf(event, "idempotency-key");
  const identity = syncIdentity(deviceId, idempotencyKey);
  if (!identity.ok) return json(400, { message: "Invalid header", errors: [{ field: "Idempotency-Key", message: identity.message }] });
  const { syncId } = identity;
  const body = event.body!;
  const digest = bodyDigest(body);

  let wroteBacklog = false;
  try {
    const stored = idempotencyKey === undefined ? undefined : await storedBacklogDigest(config.bucket, syncId);
    if (stored !== undefined && stored !== digest) {
      return json(422, {
        message: "this Idempotency-Key was already used for a different body: a new sync needs a new key",
        syncId,
      });
    }
    if (stored === undefined) {
      await putBacklog(config.bucket, syncId, body, digest);
      wroteBacklog = true;
    }
    // Sent on every attempt: an earlier one may have been queued without the client hearing of it;
    // the consumer settles a sync once however many claim checks name it.
    await sendClaimCheck(config.queueUrl, {
      syncId,
      deviceId,
      bucket: config.bucket,
      key: backlogKey(syncId),
      count: punches.length,
      receivedAt: new Date(event.requestContext.requestTimeEpoch).toISOString(),
    });
  } catch (error) {
    logger.error("sync not accepted", { syncId, error: (error as Error).message });
    // A backlog no claim check names would wait forever; one an earlier request stored is its claim check's.
    if (wroteBacklog) {
      await deleteBacklog(config.bucket, syncId).catch((cleanup: Error) =>
        logger.warn("backlog left for the bucket's lifecycle rule to expire", { syncId, error: cleanup.message }),
      );
    }
    return json(503, {
      message: "The sync could not be stored; retry with the same body and Idempotency-Key",
      ...(idempotencyKey !== undefined && { syncId }),
    });
  }
  logger.info("sync accepted", { syncId, deviceId, punches: punches.length });
  return json(202, { syncId, status: "pending", statusUrl: urlOnThisApi(event, `/punches/batches/${syncId}`) });
};
