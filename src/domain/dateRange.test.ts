import { describe, expect, it } from "vitest";
import { parseDateRange, widenByOneDay } from "./dateRange.ts";

describe("parseDateRange", () => {
  it("accepts an inclusive range of calendar dates", () => {
    expect(parseDateRange("2026-11-01", "2026-11-30")).toEqual({ ok: true, range: { from: "2026-11-01", to: "2026-11-30" } });
  });

  it("names both missing parameters", () => {
    const result = parseDateRange(undefined, "");
    expect(!result.ok && result.errors.map(({ field }) => field)).toEqual(["from", "to"]);
  });

  it("rejects dates that do not exist", () => {
    const result = parseDateRange("2026-02-30", "2026-03-01");
    expect(!result.ok && result.errors).toEqual([{ field: "from", message: "must be a date as YYYY-MM-DD" }]);
  });

  it("rejects a range that ends before it starts", () => {
    expect(parseDateRange("2026-11-02", "2026-11-01").ok).toBe(false);
  });

  it("rejects a range too long for one request", () => {
    expect(parseDateRange("2026-01-01", "2026-12-31").ok).toBe(false);
  });
});

describe("widenByOneDay", () => {
  it("adds the day before and the day after, across month ends", () => {
    expect(widenByOneDay({ from: "2026-12-01", to: "2026-12-31" })).toEqual({ from: "2026-11-30", to: "2027-01-01" });
  });
});
