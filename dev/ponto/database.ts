import pg from "pg";
import type { DatabaseServer } from "../aws/backends/index.ts";
import { applyMigrations } from "../../src/adapters/migrations.ts";

/**
 * Creates the application database on the backend's server if it is missing, and migrates it.
 * Returns the migrations it applied.
 */
export async function prepareDatabase(server: DatabaseServer, databaseName: string): Promise<string[]> {
  const admin = new pg.Client(server);
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
  } catch (error) {
    // Two stacks preparing one server at once: the other one created it first.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ ...server, database: databaseName });
  await client.connect();
  try {
    return await applyMigrations(client);
  } finally {
    await client.end();
  }
}
