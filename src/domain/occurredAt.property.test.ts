import fc from "fast-check";
import { UNREAL_INSTANTS, occurredAtCandidates as occurredAt } from "../../integration/support/generatedPunches.ts";
import { describe, expect, it } from "vitest";
import { validatePunch, type Punch } from "./punch.ts";

const valid: Punch = {
  punchId: "6f1c1f9e-6a53-4a0e-9a43-2f1f0c4e8b10",
  employeeId: "e-17",
  deviceId: "clock-lobby",
  kind: "in",
  occurredAt: "2026-11-23T08:00:00-03:00",
};

/** The oracle, independent of the schema: a calendar date that exists, a clock time, a real offset. */
function isRealInstant(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, second = 0, , offsetHours = 0, offsetMinutes = 0] = match.map((part) =>
    part === undefined ? undefined : Number(part),
  );
  // setUTCFullYear, unlike Date.UTC, takes years below 100 as they are.
  const lastOfMonth = new Date(0);
  lastOfMonth.setUTCFullYear(year!, month!, 0);
  const daysInMonth = lastOfMonth.getUTCDate();
  return (
    year! >= 1 && month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth &&
    hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 14 && offsetMinutes! <= 59 &&
    !Number.isNaN(new Date(text).getTime())
  );
}

describe("occurredAt: what the API's model accepts, the consumer can store", () => {
  it("accepts exactly the real instants, whatever the generated timestamp", () => {
    fc.assert(
      fc.property(occurredAt, (text) => {
        expect(validatePunch({ ...valid, occurredAt: text }).ok).toBe(isRealInstant(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it.each(UNREAL_INSTANTS)("refuses %s, naming occurredAt in words", (_case, text) => {
    const result = validatePunch({ ...valid, occurredAt: text });
    expect(!result.ok && result.errors).toEqual([
      { field: "/occurredAt", message: "must be a real date and time, ISO 8601 with its offset, as 2026-11-23T08:00:00-03:00" },
    ]);
  });

  it("accepts 29 February of a leap year, and the widest offsets", () => {
    for (const text of ["2024-02-29T08:00:00Z", "2000-02-29T08:00Z", "2026-11-23T08:00:00+14:00", "2026-11-23T08:00:00-12:00"]) {
      expect(validatePunch({ ...valid, occurredAt: text }).ok).toBe(true);
    }
  });
});
