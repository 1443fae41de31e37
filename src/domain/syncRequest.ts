import { createHash, randomUUID } from "node:crypto";
import type { FieldError } from "./schemaErrors.ts";

/**
 * What one bulk sync may carry. The count keeps a sync inside one consumer invocation; the size
 * stays under Lambda's 6 MB synchronous payload (the whole API event, headers included), which
 * binds before API Gateway's 10 MB.
 */
export const SYNC_LIMITS = { maxPunches: 10_000, maxBodyBytes: 5 * 1024 * 1024 } as const;

/** The body of POST /punches/batches. Each punch is checked later, by the sync consumer. */
export interface SyncEnvelope {
  deviceId: string;
  punches: unknown[];
}

export type EnvelopeCheck =
  | { ok: true; envelope: SyncEnvelope }
  | { ok: false; statusCode: 400 | 413; message: string; errors?: FieldError[] };

/**
 * Checks the envelope only: its size, its shape and how many punches it holds. Punches are left
 * for the consumer, which reports each bad one back without failing the others.
 *
 * @example
 * checkSyncEnvelope('{"deviceId":"clock-7","punches":[]}'); // 400: /punches must hold at least one punch
 */
export function checkSyncEnvelope(body: string | null): EnvelopeCheck {
  const bytes = Buffer.byteLength(body ?? "", "utf8");
  if (bytes > SYNC_LIMITS.maxBodyBytes) {
    return tooLarge(`the body is ${bytes} bytes; a sync takes at most ${SYNC_LIMITS.maxBodyBytes} bytes: split the backlog`);
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(body ?? "");
  } catch {
    return invalid([{ field: "", message: "must be a JSON document" }]);
  }
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) {
    return invalid([{ field: "", message: 'must be an object: { "deviceId": "…", "punches": [ … ] }' }]);
  }
  const { deviceId, punches } = decoded as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof deviceId !== "string" || deviceId.length === 0 || deviceId.length > 128) {
    errors.push({ field: "/deviceId", message: "must be a string of 1 to 128 characters" });
  }
  if (!Array.isArray(punches)) {
    errors.push({ field: "/punches", message: "must be an array of punches" });
  } else if (punches.length === 0) {
    errors.push({ field: "/punches", message: "must hold at least one punch" });
  }
  if (errors.length > 0) return invalid(errors);
  const envelope = decoded as SyncEnvelope;
  if (envelope.punches.length > SYNC_LIMITS.maxPunches) {
    return tooLarge(
      `the sync holds ${envelope.punches.length} punches; a sync takes at most ${SYNC_LIMITS.maxPunches}: split the backlog`,
    );
  }
  return { ok: true, envelope };
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export type SyncIdentity = { ok: true; syncId: string } | { ok: false; message: string };

/**
 * The sync's id. With an Idempotency-Key it is derived from the authenticated clock, the device
 * and the key, so a retry of the same request names the same sync, and another clock using the
 * same key names another one; without a key, every request is a new sync.
 */
export function syncIdentity(deviceId: string, idempotencyKey: string | undefined, clockId: string): SyncIdentity {
  if (idempotencyKey === undefined) return { ok: true, syncId: randomUUID() };
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
    return { ok: false, message: "the Idempotency-Key header must be 1 to 255 visible ASCII characters" };
  }
  const digest = createHash("sha256").update(`${clockId}\n${deviceId}\n${idempotencyKey}`).digest("hex");
  // Formatted as a UUID (version nibble 8: custom) so it fits the uuid columns.
  return {
    ok: true,
    syncId: `${digest.slice(0, 8)}-${digest.slice(8, 12)}-8${digest.slice(13, 16)}-${((parseInt(digest[16]!, 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}-${digest.slice(20, 32)}`,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sync ids are UUIDs, random or derived from an Idempotency-Key. */
export function isSyncId(value: string): boolean {
  return UUID.test(value);
}

/** Identifies a body, to tell a retry from a different request that reuses its Idempotency-Key. */
export function bodyDigest(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

function invalid(errors: FieldError[]): EnvelopeCheck {
  return { ok: false, statusCode: 400, message: "Invalid sync", errors };
}

function tooLarge(message: string): EnvelopeCheck {
  return { ok: false, statusCode: 413, message };
}
