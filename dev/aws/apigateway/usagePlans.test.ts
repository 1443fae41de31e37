import { describe, expect, it } from "vitest";
import { quotaPeriodStart, UsagePlans } from "./usagePlans.ts";

const plan = { logicalId: "Plan", name: "plan", throttle: { rateLimit: 2, burstLimit: 3 }, quota: { limit: 5, period: "DAY" as const, offset: 0 } };
const start = Date.parse("2026-11-23T10:00:00Z");

describe("usage plans", () => {
  it("lets a key's burst through at once, then refills its bucket at the rate", async () => {
    const usage = await UsagePlans.start([plan], []);
    const key = await usage.createKey("device-1");
    const at = (ms: number) => usage.admit(key.value, start + ms);
    expect([at(0), at(0), at(0), at(0)].map((check) => (check.admitted ? "ok" : check.refusal))).toEqual(["ok", "ok", "ok", "THROTTLED"]);
    expect(at(499).admitted).toBe(false);
    expect(at(500).admitted).toBe(true);
  });

  it("refuses a key over its quota until the next UTC day, counting only what it let through", async () => {
    const usage = await UsagePlans.start([{ ...plan, throttle: { rateLimit: 1, burstLimit: 1 } }], []);
    const key = await usage.createKey("device-2");
    const outcomes = Array.from({ length: 12 }, (_, second) => usage.admit(key.value, start + second * 500));
    expect(outcomes.filter((check) => check.admitted)).toHaveLength(5);
    expect(outcomes.at(-1)).toEqual({ admitted: false, refusal: "QUOTA_EXCEEDED" });
    expect(usage.admit(key.value, Date.parse("2026-11-24T00:00:00Z")).admitted).toBe(true);
  });

  it("refuses a missing, unknown or disabled key as INVALID_API_KEY", async () => {
    const usage = await UsagePlans.start([plan], [{ logicalId: "Off", name: "off", value: "disabled-key-value-000000000", enabled: false, usagePlanLogicalIds: ["Plan"] }]);
    for (const value of [undefined, "nope", "disabled-key-value-000000000"]) expect(usage.admit(value, start)).toEqual({ admitted: false, refusal: "INVALID_API_KEY" });
  });

  it("starts weeks on the offset's weekday and months on the offset's day, in UTC", () => {
    const wednesday = Date.parse("2026-11-25T12:00:00Z");
    expect(new Date(quotaPeriodStart({ limit: 1, period: "WEEK", offset: 1 }, wednesday)).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(new Date(quotaPeriodStart({ limit: 1, period: "MONTH", offset: 0 }, wednesday)).toISOString()).toBe("2026-11-01T00:00:00.000Z");
  });
});
