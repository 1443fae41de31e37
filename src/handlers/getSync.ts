import type { APIGatewayProxyHandler } from "aws-lambda";
import { databasePool } from "../adapters/postgres.ts";
import { readResult, storedBacklogDigest } from "../adapters/syncBucket.ts";
import { syncOf } from "../adapters/syncRepository.ts";
import { syncStatusConfigFromEnv } from "../config.ts";
import { isSyncId } from "../domain/syncRequest.ts";
import { logger } from "../logger.ts";
import { json } from "./httpResponses.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const config = syncStatusConfigFromEnv();

/**
 * GET /punches/batches/{syncId}: done or failed from the syncs table; from the result object when
 * the database cannot answer (a sync that failed because of it is recorded there); pending while
 * the backlog waits in the bucket.
 */
export const handler: APIGatewayProxyHandler = async (event) => {
  const syncId = event.pathParameters?.syncId ?? "";
  if (!isSyncId(syncId)) {
    return json(400, { message: "Invalid path", errors: [{ field: "syncId", message: "must be the UUID that POST /punches/batches answered" }] });
  }
  const recorded = await syncOf(databasePool(config.database), syncId).catch((error: Error) => {
    logger.warn("the syncs table is unavailable; answering from the bucket", { syncId, error: error.message });
    return undefined;
  });
  const result = recorded ?? (await readResult(config.bucket, syncId));
  if (result) return json(200, result);
  if ((await storedBacklogDigest(config.bucket, syncId)) !== undefined) return json(200, { syncId, status: "pending" });
  return json(404, { message: `there is no sync ${syncId}` });
};
