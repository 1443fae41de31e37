import type pg from "pg";
import type { AcceptedPunch, ClaimCheck, RejectedPunch, SortedBacklog, SyncResult } from "../domain/syncBacklog.ts";
import { isDataError, type Queryable } from "./postgres.ts";
import { storePunches } from "./punchStore.ts";

/** Rows per INSERT: one round trip each, small enough to keep a statement's parameters modest. */
const CHUNK_SIZE = 500;

/**
 * Stores a sync's punches and its outcome in one transaction, so a sync is done with all its rows
 * or has none of them: a retry after a lost connection starts clean and its counts stay exact.
 * Deliveries of the same claim check (a retried request, an SQS redelivery) wait for each other
 * on an advisory lock; the later one finds the sync done and returns that outcome unchanged.
 */
export async function storeSync(db: pg.Pool, claimCheck: ClaimCheck, backlog: SortedBacklog, startedAt: string): Promise<SyncResult> {
  const client = await db.connect();
  let failure: Error | undefined;
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [claimCheck.syncId]);
    const previous = await syncOf(client, claimCheck.syncId);
    if (previous?.status === "done") {
      await client.query("COMMIT");
      return previous;
    }
    let persisted = 0;
    const refused: RejectedPunch[] = [];
    for (let start = 0; start < backlog.accepted.length; start += CHUNK_SIZE) {
      const chunk = await insertChunk(client, backlog.accepted.slice(start, start + CHUNK_SIZE), claimCheck.syncId);
      persisted += chunk.inserted;
      refused.push(...chunk.refused);
    }
    const accepted = backlog.accepted.length - refused.length;
    const result: SyncResult = {
      syncId: claimCheck.syncId,
      deviceId: backlog.deviceId,
      ...(claimCheck.clockId !== undefined && { clockId: claimCheck.clockId }),
      status: "done",
      counts: {
        received: backlog.received,
        accepted,
        persisted,
        duplicate: accepted - persisted,
        rejected: backlog.rejected.length + refused.length,
      },
      rejected: [...backlog.rejected, ...refused].sort((a, b) => a.index - b.index),
      receivedAt: claimCheck.receivedAt,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    await saveResult(client, result);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    failure = error as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    // A client whose connection broke is discarded rather than handed out again.
    client.release(failure !== undefined && !isDataError(failure) ? failure : undefined);
  }
}

/** Records that a sync failed for good, unless a delivery of it already finished. */
export async function recordFailedSync(db: Queryable, result: SyncResult): Promise<void> {
  await saveResult(db, result, "WHERE syncs.status <> 'done'");
}

export async function syncOf(db: Queryable, syncId: string): Promise<SyncResult | undefined> {
  const { rows } = await db.query<SyncRow>("SELECT * FROM syncs WHERE sync_id = $1", [syncId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    syncId: row.sync_id,
    deviceId: row.device_id,
    ...(row.clock_id !== null && { clockId: row.clock_id }),
    status: row.status,
    counts: {
      received: row.received_count,
      accepted: row.accepted_count,
      persisted: row.persisted_count,
      duplicate: row.duplicate_count,
      rejected: row.rejected.length,
    },
    rejected: row.rejected,
    ...(row.failure_reason !== null && { failureReason: row.failure_reason }),
    receivedAt: row.received_at.toISOString(),
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
  };
}

interface SyncRow {
  sync_id: string;
  device_id: string;
  clock_id: string | null;
  status: SyncResult["status"];
  received_count: number;
  accepted_count: number;
  persisted_count: number;
  duplicate_count: number;
  rejected: RejectedPunch[];
  failure_reason: string | null;
  received_at: Date;
  started_at: Date;
  finished_at: Date;
}

/**
 * Inserts one chunk behind a savepoint. When the database refuses a row (a data or constraint
 * error), the chunk is rolled back and its rows go one by one, so only the refused ones are lost
 * to the sync, each reported with the database's reason.
 */
async function insertChunk(client: pg.PoolClient, chunk: AcceptedPunch[], syncId: string): Promise<{ inserted: number; refused: RejectedPunch[] }> {
  const attempt = async (punches: AcceptedPunch[]) => {
    await client.query("SAVEPOINT chunk");
    try {
      const inserted = await storePunches(client, punches.map((item) => item.punch), syncId);
      await client.query("RELEASE SAVEPOINT chunk");
      return inserted.size;
    } catch (error) {
      if (!isDataError(error)) throw error;
      await client.query("ROLLBACK TO SAVEPOINT chunk");
      return error as Error;
    }
  };
  const whole = await attempt(chunk);
  if (typeof whole === "number") return { inserted: whole, refused: [] };
  let inserted = 0;
  const refused: RejectedPunch[] = [];
  for (const item of chunk) {
    const single = await attempt([item]);
    if (typeof single === "number") inserted += single;
    else refused.push({ index: item.index, punchId: item.punch.punchId, reason: `the database refused it: ${single.message}` });
  }
  return { inserted, refused };
}

async function saveResult(db: Queryable, result: SyncResult, guard = ""): Promise<void> {
  await db.query(
    `INSERT INTO syncs (sync_id, device_id, status, received_count, accepted_count, persisted_count, duplicate_count,
                        rejected, failure_reason, received_at, started_at, finished_at, clock_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (sync_id) DO UPDATE SET
       status = excluded.status, device_id = excluded.device_id, received_count = excluded.received_count,
       accepted_count = excluded.accepted_count, persisted_count = excluded.persisted_count,
       duplicate_count = excluded.duplicate_count, rejected = excluded.rejected, failure_reason = excluded.failure_reason,
       started_at = excluded.started_at, finished_at = excluded.finished_at
     ${guard}`,
    [
      result.syncId,
      result.deviceId,
      result.status,
      result.counts.received,
      result.counts.accepted,
      result.counts.persisted,
      result.counts.duplicate,
      JSON.stringify(result.rejected),
      result.failureReason ?? null,
      result.receivedAt,
      result.startedAt,
      result.finishedAt,
      result.clockId ?? null,
    ],
  );
}
