import pg from "pg";
import { databaseConfigFromEnv } from "../config.ts";

let pool: pg.Pool | undefined;

/**
 * The container's connection pool, created on first use and kept while the container lives.
 * One connection: a Lambda container runs one invocation at a time, so the database sees at most
 * as many connections as the function has concurrent containers, which serverless.yml caps.
 */
export function databasePool(): pg.Pool {
  pool ??= new pg.Pool({
    ...databaseConfigFromEnv(),
    max: 1,
    // Fail fast enough to report the batch inside the function timeout when the database is away.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  return pool;
}
