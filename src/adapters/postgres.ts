import pg from "pg";
import type { DatabaseConfig } from "../config.ts";
import { logger } from "../logger.ts";

/** A pool, or one client of it holding a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

let pool: pg.Pool | undefined;

/**
 * The container's connection pool, created on first use and kept while the container lives.
 * One connection: a Lambda container runs one invocation at a time, so the database sees at most
 * as many connections as the function has concurrent containers, which serverless.yml caps.
 */
export function databasePool(config: DatabaseConfig): pg.Pool {
  if (pool) return pool;
  pool = new pg.Pool({
    ...config,
    max: 1,
    // Names the connections in pg_stat_activity, where the throttle can be checked.
    application_name: process.env.AWS_LAMBDA_FUNCTION_NAME ?? "ponto",
    // Fail fast enough to report the batch inside the function timeout when the database is away.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that breaks (the database restarted) is dropped and replaced on next use;
  // without a listener its error would crash the container.
  pool.on("error", (error) => logger.warn("idle database connection lost", { error: error.message }));
  return pool;
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the database
 * refuses that row, and will refuse it again. Anything else (a lost connection) may pass on retry.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
