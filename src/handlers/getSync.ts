import type { APIGatewayProxyHandler } from "aws-lambda";
import { databasePool } from "../adapters/postgres.ts";
import { readResult, storedBacklog } from "../adapters/syncBucket.ts";
import { syncOf } from "../adapters/syncRepository.ts";
import { syncStatusConfigFromEnv } from "../config.ts";
import { readSync, type ReadSyncPorts } from "../domain/readSync.ts";
import { isSyncId } from "../domain/syncRequest.ts";
import { logger } from "../logger.ts";
import { clockIdOf } from "./authorizerClaims.ts";
import { json } from "./httpResponses.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const config = syncStatusConfigFromEnv();
const ports: ReadSyncPorts = {
  // A sync that failed because of the database is recorded in the bucket too.
  recorded: (syncId) =>
    syncOf(databasePool(config.database), syncId).catch((error: Error) => {
      logger.warn("the syncs table is unavailable; answering from the bucket", { syncId, error: error.message });
      return undefined;
    }),
  published: (syncId) => readResult(config.bucket, syncId),
  waiting: (syncId) => storedBacklog(config.bucket, syncId),
};

/**
 * GET /punches/batches/{syncId}: done or failed from the syncs table (or the result object when
 * the database cannot answer); pending while the backlog waits in the bucket. A clock sees its
 * own syncs only: another clock's is a 404.
 */
export const handler: APIGatewayProxyHandler = async (event) => {
  const syncId = event.pathParameters?.syncId ?? "";
  if (!isSyncId(syncId)) {
    return json(400, { message: "Invalid path", errors: [{ field: "syncId", message: "must be the UUID that POST /punches/batches answered" }] });
  }
  const clockId = clockIdOf(event);
  const answer = clockId === undefined ? { found: false as const } : await readSync(syncId, clockId, ports);
  return answer.found ? json(200, answer.sync) : json(404, { message: `there is no sync ${syncId}` });
};
