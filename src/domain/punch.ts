import punchSchema from "./punch.schema.json" with { type: "json" };
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

/**
 * A punch as stored: `receivedAt` is when the server side first accepted it, `clockId` the clock
 * that sent it as API Gateway authenticated it (its app client id), whatever `deviceId` the body claims.
 */
export interface RecordedPunch extends Punch {
  receivedAt: string;
  correlationId?: string;
  clockId?: string;
}

/** occurredAt's pattern encodes the calendar; quoting it would help nobody. */
const PATTERN_MESSAGES = { "/occurredAt": "must be a real date and time, ISO 8601 with its offset, as 2026-11-23T08:00:00-03:00" };

export type PunchValidation = { ok: true; punch: Punch } | { ok: false; errors: FieldError[] };

/**
 * Checks a decoded body against the punch schema. Its pattern for `occurredAt` admits only real
 * instants (no 30 February, no hour 25), so what API Gateway's model accepts, the consumer does too.
 *
 * @example
 * const result = validatePunch(JSON.parse(body));
 * if (!result.ok) console.log(result.errors); // [{ field: "/kind", message: "must be one of: in, out" }]
 */
export function validatePunch(input: unknown): PunchValidation {
  if (!validatePunchSchema(input)) return { ok: false, errors: fieldErrorsOf(validatePunchSchema.errors, PATTERN_MESSAGES) };
  return { ok: true, punch: input as Punch };
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

const EMPLOYEE_ID = punchSchema.properties.employeeId;
const EMPLOYEE_ID_PATTERN = new RegExp(EMPLOYEE_ID.pattern);

/**
 * An employee id as a punch may carry it (the schema's rule), so a path parameter that no punch
 * could name is refused before it reaches the database.
 *
 * @example
 * isEmployeeId("e-17"); // true
 * isEmployeeId("e\u0000"); // false
 */
export function isEmployeeId(value: string): boolean {
  return value.length >= EMPLOYEE_ID.minLength && value.length <= EMPLOYEE_ID.maxLength && EMPLOYEE_ID_PATTERN.test(value);
}

/** The calendar date on the device's own clock: the day a worker would say they punched. */
export function localDateOf(occurredAt: string): string {
  return occurredAt.slice(0, 10);
}
