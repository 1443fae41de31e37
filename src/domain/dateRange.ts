import type { DateRange } from "./timesheet.ts";
import type { FieldError } from "./schemaErrors.ts";

const MAX_DAYS = 62;

export type DateRangeValidation = { ok: true; range: DateRange } | { ok: false; errors: FieldError[] };

/** Reads `from` and `to` (YYYY-MM-DD, inclusive) of a timesheet request. */
export function parseDateRange(from: string | undefined, to: string | undefined): DateRangeValidation {
  const errors: FieldError[] = [];
  for (const [field, value] of [["from", from], ["to", to]] as const) {
    if (value === undefined || value === "") errors.push({ field, message: "is required (YYYY-MM-DD)" });
    else if (!isCalendarDate(value)) errors.push({ field, message: "must be a date as YYYY-MM-DD" });
  }
  if (errors.length > 0 || from === undefined || to === undefined) return { ok: false, errors };

  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days < 0) return { ok: false, errors: [{ field: "to", message: "must not be before from" }] };
  if (days >= MAX_DAYS) {
    return { ok: false, errors: [{ field: "to", message: `must be less than ${MAX_DAYS} days after from` }] };
  }
  return { ok: true, range: { from, to } };
}

/** The day before `date`, and the day after: the margin a timesheet query needs for shifts crossing midnight. */
export function widenByOneDay({ from, to }: DateRange): DateRange {
  return { from: shiftDate(from, -1), to: shiftDate(to, 1) };
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}
