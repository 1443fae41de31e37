import validatePunchSchema from "./punch.validator.js";
import { fieldErrorsOf, type FieldError } from "./schemaErrors.ts";

export type { FieldError } from "./schemaErrors.ts";

/**
 * One clock-in or clock-out as the clock sends it. `punch.schema.json` is the single schema: API
 * Gateway validates requests against it (the `PunchModel` in serverless.yml), and the consumer
 * checks every message against it again (compiled into `punch.validator.js`), because anything
 * can be sent to a queue.
 */
export interface Punch {
  punchId: string;
  employeeId: string;
  deviceId: string;
  kind: "in" | "out";
  /** The device's clock, ISO 8601 with its offset; hours old after an offline period. */
  occurredAt: string;
}

/** A punch as stored: `receivedAt` is when the server side first accepted it. */
export interface RecordedPunch extends Punch {
  receivedAt: string;
  correlationId?: string;
}

export type PunchValidation = { ok: true; punch: Punch } | { ok: false; errors: FieldError[] };

/**
 * Checks a decoded body against the punch schema, then that `occurredAt` is a real instant
 * (the schema's pattern alone accepts "2026-02-30T25:00Z").
 *
 * @example
 * const result = validatePunch(JSON.parse(body));
 * if (!result.ok) console.log(result.errors); // [{ field: "/kind", message: "must be one of: in, out" }]
 */
export function validatePunch(input: unknown): PunchValidation {
  if (!validatePunchSchema(input)) {
    return { ok: false, errors: fieldErrorsOf(validatePunchSchema.errors) };
  }
  const punch = input as Punch;
  if (!isRealInstant(punch.occurredAt)) {
    return {
      ok: false,
      errors: [{ field: "/occurredAt", message: "must be a real date and time" }],
    };
  }
  return { ok: true, punch };
}

/** Decodes a JSON text and validates it; a body that is not JSON is reported as such. */
export function parsePunch(body: string): PunchValidation {
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch {
    return { ok: false, errors: [{ field: "", message: "must be a JSON document" }] };
  }
  return validatePunch(decoded);
}

/** The calendar date on the device's own clock: the day a worker would say they punched. */
export function localDateOf(occurredAt: string): string {
  return occurredAt.slice(0, 10);
}

function isRealInstant(occurredAt: string): boolean {
  const instant = new Date(occurredAt);
  if (Number.isNaN(instant.getTime())) return false;
  // Date() rolls "02-30" over to March; a real date survives the round trip on its own offset.
  const [year, month, day] = localDateOf(occurredAt).split("-").map(Number);
  const probe = new Date(Date.UTC(year!, month! - 1, day!));
  return probe.getUTCMonth() === month! - 1 && probe.getUTCDate() === day;
}
