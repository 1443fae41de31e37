import { validatePunch, type RecordedPunch } from "./punch.ts";
import { describeFieldErrors } from "./schemaErrors.ts";
import { checkSyncEnvelope, isSyncId } from "./syncRequest.ts";

/** The message on the syncs queue: where the backlog is, not the backlog (SQS takes 1 MiB). */
export interface ClaimCheck {
  syncId: string;
  deviceId: string;
  bucket: string;
  key: string;
  count: number;
  /** When the API accepted the sync: the receipt time of every punch in it. */
  receivedAt: string;
  /** The clock that sent it, as API Gateway authenticated it; absent on claim checks queued before clocks authenticated. */
  clockId?: string;
}

export interface RejectedPunch {
  /** Position in the synced `punches` array. */
  index: number;
  punchId?: string;
  reason: string;
}

export interface SyncCounts {
  /** Punches in the body. */
  received: number;
  /** Punches that passed the schema, and the database's own checks (it has no year 0000). */
  accepted: number;
  /** New rows. */
  persisted: number;
  /** Accepted punches whose punchId was already stored (sent live, or by an earlier sync). */
  duplicate: number;
  rejected: number;
}

export interface SyncResult {
  syncId: string;
  deviceId: string;
  /** The clock that sent it: the only one its status is answered to. */
  clockId?: string;
  status: "done" | "failed";
  counts: SyncCounts;
  rejected: RejectedPunch[];
  failureReason?: string;
  receivedAt: string;
  startedAt: string;
  finishedAt: string;
}

export interface AcceptedPunch {
  index: number;
  punch: RecordedPunch;
}

export interface SortedBacklog {
  deviceId: string;
  received: number;
  accepted: AcceptedPunch[];
  rejected: RejectedPunch[];
}

/** A sync that no retry can fix: its claim check or its object is unusable. */
export class UnrecoverableSyncError extends Error {
  override name = "UnrecoverableSyncError";
}

/**
 * Reads a claim-check message; anything else on the queue is unrecoverable.
 *
 * @example
 * parseClaimCheck('{"syncId":"…","deviceId":"clock-7","bucket":"b","key":"incoming/….json","count":2,"receivedAt":"…"}');
 */
export function parseClaimCheck(body: string): ClaimCheck {
  let decoded: Partial<Record<keyof ClaimCheck, unknown>>;
  try {
    decoded = JSON.parse(body) as typeof decoded;
  } catch {
    throw new UnrecoverableSyncError("the claim check is not JSON");
  }
  const strings = ["syncId", "deviceId", "bucket", "key", "receivedAt"] as const;
  const missing = [
    ...strings.filter((name) => typeof decoded?.[name] !== "string" || decoded[name] === ""),
    ...(typeof decoded?.count === "number" ? [] : ["count"]),
  ];
  if (missing.length > 0) throw new UnrecoverableSyncError(`the claim check lacks ${missing.join(", ")}`);
  if (!isSyncId(decoded.syncId as string)) throw new UnrecoverableSyncError("the claim check's syncId is not a UUID");
  return decoded as ClaimCheck;
}

/**
 * Splits a synced body into the punches to store and the ones to report back. Each punch is
 * checked on its own against the same schema as the live path, so one bad punch costs only itself.
 */
export function sortBacklog(body: string, claimCheck: ClaimCheck): SortedBacklog {
  const check = checkSyncEnvelope(body);
  if (!check.ok) {
    throw new UnrecoverableSyncError(`the stored backlog is not a sync: ${check.errors ? describeFieldErrors(check.errors) : check.message}`);
  }
  const accepted: AcceptedPunch[] = [];
  const rejected: RejectedPunch[] = [];
  check.envelope.punches.forEach((item, index) => {
    const validation = validatePunch(item);
    if (validation.ok) {
      accepted.push({
        index,
        punch: {
          ...validation.punch,
          receivedAt: claimCheck.receivedAt,
          correlationId: claimCheck.syncId,
          ...(claimCheck.clockId !== undefined && { clockId: claimCheck.clockId }),
        },
      });
    } else {
      rejected.push({ index, ...punchIdOf(item), reason: `invalid punch: ${describeFieldErrors(validation.errors)}` });
    }
  });
  return { deviceId: check.envelope.deviceId, received: check.envelope.punches.length, accepted, rejected };
}

function punchIdOf(item: unknown): { punchId?: string } {
  const punchId = (item as { punchId?: unknown } | null)?.punchId;
  return typeof punchId === "string" ? { punchId } : {};
}
