import pg from "pg";
import type { LocalAwsOptions } from "../aws/index.ts";
import type { DatabaseServer } from "../aws/backends/index.ts";

/**
 * What only ponto knows, for /_local/status and the console: connections in use on the stage's
 * database, and the punch a traced id became. One connection at most, opened on first use (so
 * a stack nobody looks at opens none) and left out of the count it takes.
 */
export function consoleHooks(server: DatabaseServer, databaseName: () => string): {
  hooks: NonNullable<LocalAwsOptions["appHooks"]>;
  close(): Promise<void>;
} {
  let pool: pg.Pool | undefined;
  const query = (sql: string, values: unknown[]) => {
    if (!pool) {
      pool = new pg.Pool({ ...server, database: databaseName(), max: 1, idleTimeoutMillis: 5_000, application_name: "local console" });
      // A database stopped under a test breaks the idle connection; the next query opens another.
      pool.on("error", () => {});
    }
    return pool.query(sql, values);
  };
  return {
    hooks: {
      async databaseConnections() {
        const { rows } = await query(
          "SELECT count(*)::int AS connections FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [databaseName()],
        );
        return (rows[0] as { connections: number }).connections;
      },
      async findStored(term, requestIds) {
        const { rows } = await query(
          "SELECT * FROM punches WHERE punch_id::text = $1 OR correlation_id = $1 OR correlation_id = ANY($2::text[]) ORDER BY persisted_at LIMIT 20",
          [term, requestIds],
        );
        return rows as Array<Record<string, unknown>>;
      },
    },
    async close() {
      await pool?.end();
    },
  };
}
