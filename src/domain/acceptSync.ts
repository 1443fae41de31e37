import type { FieldError } from "./schemaErrors.ts";
import type { ClaimCheck } from "./syncBacklog.ts";
import { bodyDigest, checkSyncEnvelope, syncIdentity } from "./syncRequest.ts";

/** One POST /punches/batches, as the client sent it. */
export interface SyncRequest {
  body: string | null;
  idempotencyKey: string | undefined;
  /** When the API received it: the receipt time of every punch in the sync. */
  receivedAt: string;
  /** The clock API Gateway authenticated (its app client id): the sync's owner. */
  clockId: string;
}

export interface AcceptSyncPorts {
  /** Where a sync's backlog is kept: what its claim check names. */
  backlogLocation(syncId: string): { bucket: string; key: string };
  /** The digest stored with this sync's backlog, or undefined when there is none. */
  storedDigest(syncId: string): Promise<string | undefined>;
  /**
   * Stores a sync's backlog with its owner. With `ifAbsent`, only when this sync has none yet:
   * "exists" when another request stored one first, so two bodies sent at once with one key cannot both win.
   */
  storeBacklog(syncId: string, body: string, digest: string, options: { ifAbsent: boolean; clockId: string }): Promise<"stored" | "exists">;
  deleteBacklog(syncId: string): Promise<void>;
  sendClaimCheck(claimCheck: ClaimCheck): Promise<void>;
}

export type AcceptOutcome =
  | { decision: "accepted"; syncId: string; deviceId: string; punches: number }
  | { decision: "invalid"; statusCode: 400 | 413; message: string; errors?: FieldError[] }
  /** The Idempotency-Key was used before for a different body. */
  | { decision: "keyReused"; syncId: string }
  | {
      decision: "unavailable";
      syncId: string;
      /** A retry with the same Idempotency-Key names the same sync; without a key it gets a new one. */
      sameOnRetry: boolean;
      error: string;
      /** Why the backlog this request stored could not be removed; the bucket's lifecycle rule will. */
      cleanupError?: string;
    };

/**
 * Accepts an offline clock's backlog: the body goes to the sync bucket as it came and only a
 * claim check is queued. The backlog is stored before its claim check is sent, so a claim check
 * never names a missing object. A retry with the same Idempotency-Key and body names the same
 * sync; if storing or queueing fails the sync is unavailable, and a backlog this request stored
 * is removed, since no claim check names it.
 *
 * @example
 * await acceptSync({ body, idempotencyKey: "k-1", receivedAt: new Date().toISOString() }, ports);
 * // { decision: "accepted", syncId, deviceId: "clock-7", punches: 2 }
 */
export async function acceptSync(request: SyncRequest, ports: AcceptSyncPorts): Promise<AcceptOutcome> {
  const check = checkSyncEnvelope(request.body);
  if (!check.ok) {
    return { decision: "invalid", statusCode: check.statusCode, message: check.message, ...(check.errors && { errors: check.errors }) };
  }
  const { deviceId, punches } = check.envelope;
  const identity = syncIdentity(deviceId, request.idempotencyKey, request.clockId);
  if (!identity.ok) {
    return { decision: "invalid", statusCode: 400, message: "Invalid header", errors: [{ field: "Idempotency-Key", message: identity.message }] };
  }
  const { syncId } = identity;
  const body = request.body!;
  const digest = bodyDigest(body);

  let storedBacklog = false;
  try {
    const stored = request.idempotencyKey === undefined ? undefined : await ports.storedDigest(syncId);
    if (stored !== undefined && stored !== digest) return { decision: "keyReused", syncId };
    if (stored === undefined) {
      const written = await ports.storeBacklog(syncId, body, digest, { ifAbsent: request.idempotencyKey !== undefined, clockId: request.clockId });
      if (written === "exists") {
        // Another request with this key stored its body between the check and the write.
        if ((await ports.storedDigest(syncId)) !== digest) return { decision: "keyReused", syncId };
      } else {
        storedBacklog = true;
      }
    }
    // Sent on every attempt: an earlier one may have been queued without the client hearing of it;
    // the consumer settles a sync once however many claim checks name it.
    await ports.sendClaimCheck({
      syncId,
      deviceId,
      clockId: request.clockId,
      ...ports.backlogLocation(syncId),
      count: punches.length,
      receivedAt: request.receivedAt,
    });
  } catch (error) {
    const unavailable = {
      decision: "unavailable",
      syncId,
      sameOnRetry: request.idempotencyKey !== undefined,
      error: (error as Error).message,
    } as const;
    // A backlog no claim check names would wait forever; one an earlier request stored may
    // already be named by that request's claim check, so it stays.
    if (!storedBacklog) return unavailable;
    try {
      await ports.deleteBacklog(syncId);
      return unavailable;
    } catch (cleanup) {
      return { ...unavailable, cleanupError: (cleanup as Error).message };
    }
  }
  return { decision: "accepted", syncId, deviceId, punches: punches.length };
}
