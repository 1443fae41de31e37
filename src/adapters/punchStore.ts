import DataLoader from "dataloader";
import type pg from "pg";
import type { DatabaseConfig } from "../config.ts";
import type { RecordedPunch } from "../domain/punch.ts";
import type { DateRange } from "../domain/timesheet.ts";
import { databasePool, isDataError, type Queryable } from "./postgres.ts";

export type StoreOutcome = "inserted" | "duplicate";

/**
 * Stores punches in one statement; a `punchId` already stored is skipped, so a redelivered or
 * re-sent punch never becomes a second row. `syncId` marks the rows a bulk sync stored. Returns
 * the ids that were new.
 */
export async function storePunches(db: Queryable, punches: readonly RecordedPunch[], syncId: string | null = null): Promise<Set<string>> {
  const column = <K extends keyof RecordedPunch>(key: K) => punches.map((punch) => punch[key] ?? null);
  const result = await db.query<{ punch_id: string }>(
    `INSERT INTO punches (punch_id, employee_id, device_id, kind, occurred_at, occurred_instant, occurred_on,
                          received_at, correlation_id, clock_id, sync_id)
     SELECT id, employee, device, kind, occurred, occurred::timestamptz, left(occurred, 10)::date, received, correlation,
            clock, $9::uuid
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
       AS p(id, employee, device, kind, occurred, received, correlation, clock)
     ON CONFLICT (punch_id) DO NOTHING
     RETURNING punch_id`,
    [
      column("punchId"),
      column("employeeId"),
      column("deviceId"),
      column("kind"),
      column("occurredAt"),
      column("receivedAt"),
      column("correlationId"),
      column("clockId"),
      syncId,
    ],
  );
  return new Set(result.rows.map((row) => row.punch_id));
}

/**
 * A function that stores one punch. Records of a batch are processed in parallel, and their
 * stores in the same tick are coalesced into one INSERT (DataLoader's batching), so a batch of ten
 * costs one round trip on the single connection the container holds, while each record still
 * settles on its own. Nothing connects until the first store.
 *
 * @example
 * const storePunch = coalescingPunchStore(config.database);
 * await storePunch(punch); // "inserted", then "duplicate" for the same punchId
 */
export function coalescingPunchStore(database: DatabaseConfig): (punch: RecordedPunch) => Promise<StoreOutcome> {
  const loader = new DataLoader((punches: readonly RecordedPunch[]) => storeCoalesced(database, punches), {
    cache: false,
    maxBatchSize: 500,
  });
  return (punch) => loader.load(punch);
}

async function storeCoalesced(database: DatabaseConfig, punches: readonly RecordedPunch[]): Promise<Array<StoreOutcome | Error>> {
  try {
    const inserted = await storePunches(databasePool(database), punches);
    return punches.map((punch) => (inserted.has(punch.punchId) ? "inserted" : "duplicate"));
  } catch (error) {
    // One row the database refuses (a data or constraint error) must not fail its neighbours:
    // retry them one by one, so only that record is reported as failed. Anything else, such as
    // a lost connection, fails them all and the batch is retried.
    if (!isDataError(error) || punches.length === 1) throw error;
    return Promise.all(
      punches.map(async (punch) => {
        try {
          return (await storePunches(databasePool(database), [punch])).size === 1 ? "inserted" : "duplicate";
        } catch (rowError) {
          return rowError as Error;
        }
      }),
    );
  }
}

/** An employee's punches whose device-local date falls in the range. */
export async function punchesOf(db: pg.Pool, employeeId: string, range: DateRange): Promise<RecordedPunch[]> {
  const result = await db.query<RecordedPunch>(
    `SELECT punch_id AS "punchId", employee_id AS "employeeId", device_id AS "deviceId", kind,
            occurred_at AS "occurredAt", to_json(received_at) #>> '{}' AS "receivedAt"
     FROM punches
     WHERE employee_id = $1 AND occurred_on BETWEEN $2::date AND $3::date
     ORDER BY occurred_instant`,
    [employeeId, range.from, range.to],
  );
  return result.rows;
}
