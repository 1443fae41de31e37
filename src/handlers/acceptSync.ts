import type { APIGatewayProxyHandler } from "aws-lambda";
import { sendClaimCheck } from "../adapters/claimCheckQueue.ts";
import { backlogKey, deleteBacklog, putBacklog, storedBacklogDigest } from "../adapters/syncBucket.ts";
import { syncIntakeConfigFromEnv } from "../config.ts";
import { acceptSync, type AcceptSyncPorts } from "../domain/acceptSync.ts";
import { logger } from "../logger.ts";
import { clockIdOf } from "./authorizerClaims.ts";
import { headerOf, json, urlOnThisApi } from "./httpResponses.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const config = syncIntakeConfigFromEnv();
const ports: AcceptSyncPorts = {
  backlogLocation: (syncId) => ({ bucket: config.bucket, key: backlogKey(syncId) }),
  storedDigest: (syncId) => storedBacklogDigest(config.bucket, syncId),
  storeBacklog: (syncId, body, digest, options) => putBacklog(config.bucket, syncId, body, digest, options),
  deleteBacklog: (syncId) => deleteBacklog(config.bucket, syncId),
  sendClaimCheck: (claimCheck) => sendClaimCheck(config.queueUrl, claimCheck),
};

/** POST /punches/batches: an offline clock's backlog; 202 with where to ask for the outcome. */
export const handler: APIGatewayProxyHandler = async (event) => {
  const clockId = clockIdOf(event);
  // API Gateway's authorizer runs first; without its claims the method was deployed unprotected.
  if (clockId === undefined) return json(403, { message: "only an authenticated clock may send a sync" });
  const outcome = await acceptSync(
    {
      body: event.body,
      idempotencyKey: headerOf(event, "idempotency-key"),
      receivedAt: new Date(event.requestContext.requestTimeEpoch).toISOString(),
      clockId,
    },
    ports,
  );
  switch (outcome.decision) {
    case "invalid":
      return json(outcome.statusCode, { message: outcome.message, ...(outcome.errors && { errors: outcome.errors }) });
    case "keyReused":
      return json(422, {
        message: "this Idempotency-Key was already used for a different body: a new sync needs a new key",
        syncId: outcome.syncId,
      });
    case "unavailable":
      logger.error("sync not accepted", { syncId: outcome.syncId, error: outcome.error });
      if (outcome.cleanupError !== undefined) {
        logger.warn("backlog left for the bucket's lifecycle rule to expire", { syncId: outcome.syncId, error: outcome.cleanupError });
      }
      return json(503, {
        message: "The sync could not be stored; retry with the same body and Idempotency-Key",
        ...(outcome.sameOnRetry && { syncId: outcome.syncId }),
      });
    case "accepted":
      logger.info("sync accepted", { syncId: outcome.syncId, deviceId: outcome.deviceId, punches: outcome.punches });
      return json(202, { syncId: outcome.syncId, status: "pending", statusUrl: urlOnThisApi(event, `/punches/batches/${outcome.syncId}`) });
  }
};
