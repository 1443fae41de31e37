import type { SyncResult } from "./syncBacklog.ts";

export interface ReadSyncPorts {
  /** The sync's outcome as the database holds it; undefined when it has none (or cannot answer). */
  recorded(syncId: string): Promise<SyncResult | undefined>;
  /** The outcome the consumer left in the bucket. */
  published(syncId: string): Promise<SyncResult | undefined>;
  /** The backlog still waiting for the consumer, with the clock that sent it; undefined when none. */
  waiting(syncId: string): Promise<{ clockId?: string } | undefined>;
}

export type SyncAnswer = { found: true; sync: SyncResult | { syncId: string; status: "pending" } } | { found: false };

/**
 * A sync's status as one clock may see it: its own syncs only. Another clock's sync, and one
 * recorded before clocks authenticated (it has no owner), are not found, so a clock learns nothing
 * of syncs that are not its own, not even that they exist.
 *
 * @example
 * await readSync(syncId, "3n4b5c…", ports); // { found: true, sync: { status: "done", … } }
 */
export async function readSync(syncId: string, clockId: string, ports: ReadSyncPorts): Promise<SyncAnswer> {
  const result = (await ports.recorded(syncId)) ?? (await ports.published(syncId));
  if (result) return result.clockId === clockId ? { found: true, sync: result } : { found: false };
  const waiting = await ports.waiting(syncId);
  return waiting !== undefined && waiting.clockId === clockId ? { found: true, sync: { syncId, status: "pending" } } : { found: false };
}
