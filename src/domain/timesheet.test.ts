import { describe, expect, it } from "vitest";
import type { RecordedPunch } from "./punch.ts";
import { timesheetFor } from "./timesheet.ts";

let sequence = 0;
function punch(kind: "in" | "out", occurredAt: string): RecordedPunch {
  sequence += 1;
  return {
    punchId: `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`,
    employeeId: "e-17",
    deviceId: "clock-1",
    kind,
    occurredAt,
    receivedAt: occurredAt,
  };
}

const week = { from: "2026-11-23", to: "2026-11-27" };

describe("timesheetFor", () => {
  it("pairs in and out into intervals and totals hours per day", () => {
    const sheet = timesheetFor(
      "e-17",
      [
        punch("in", "2026-11-23T08:00:00-03:00"),
        punch("out", "2026-11-23T12:00:00-03:00"),
        punch("in", "2026-11-23T13:00:00-03:00"),
        punch("out", "2026-11-23T17:30:00-03:00"),
        punch("in", "2026-11-24T09:00:00-03:00"),
        punch("out", "2026-11-24T15:00:00-03:00"),
      ],
      week,
    );
    expect(sheet.days.map(({ date, minutes, hours }) => ({ date, minutes, hours }))).toEqual([
      { date: "2026-11-23", minutes: 510, hours: 8.5 },
      { date: "2026-11-24", minutes: 360, hours: 6 },
    ]);
    expect(sheet.totalHours).toBe(14.5);
    expect(sheet.unmatched).toEqual([]);
  });

  it("orders by occurredAt, not by arrival, so a late sync still pairs", () => {
    const lateOut = punch("out", "2026-11-23T17:00:00-03:00");
    const earlyIn = punch("in", "2026-11-23T09:00:00-03:00");
    const sheet = timesheetFor("e-17", [lateOut, earlyIn], week);
    expect(sheet.days[0]?.intervals[0]).toMatchObject({ in: { punchId: earlyIn.punchId }, out: { punchId: lateOut.punchId }, minutes: 480 });
  });

  it("compares instants across offsets", () => {
    const sheet = timesheetFor(
      "e-17",
      [punch("in", "2026-11-23T08:00:00-03:00"), punch("out", "2026-11-23T12:00:00Z")],
      week,
    );
    expect(sheet.days[0]?.minutes).toBe(60);
  });

  it("reports an in followed by another in as unmatched instead of guessing an out", () => {
    const forgotten = punch("in", "2026-11-23T08:00:00-03:00");
    const sheet = timesheetFor(
      "e-17",
      [forgotten, punch("in", "2026-11-23T13:00:00-03:00"), punch("out", "2026-11-23T17:00:00-03:00")],
      week,
    );
    expect(sheet.unmatched).toEqual([
      expect.objectContaining({ punchId: forgotten.punchId, reason: "in without a following out" }),
    ]);
    expect(sheet.totalHours).toBe(4);
  });

  it("reports an out with no in before it, and an in left open at the end", () => {
    const sheet = timesheetFor(
      "e-17",
      [punch("out", "2026-11-23T12:00:00-03:00"), punch("in", "2026-11-24T08:00:00-03:00")],
      week,
    );
    expect(sheet.unmatched.map(({ reason }) => reason)).toEqual(["out without a preceding in", "in without a following out"]);
    expect(sheet.days).toEqual([]);
  });

  it("counts a night shift for the day it started, even when it ends after the range", () => {
    const sheet = timesheetFor(
      "e-17",
      [punch("in", "2026-11-27T22:00:00-03:00"), punch("out", "2026-11-28T06:00:00-03:00")],
      week,
    );
    expect(sheet.days).toEqual([expect.objectContaining({ date: "2026-11-27", minutes: 480 })]);
  });

  it("leaves out intervals that started outside the range", () => {
    const sheet = timesheetFor(
      "e-17",
      [punch("in", "2026-11-22T22:00:00-03:00"), punch("out", "2026-11-23T06:00:00-03:00")],
      week,
    );
    expect(sheet.days).toEqual([]);
    expect(sheet.unmatched).toEqual([]);
  });
});
