import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { estimateCost, type PriceTable } from "./cost.ts";
import type { PlanRun } from "./simulation.ts";

const prices = JSON.parse(readFileSync(new URL("./prices-2026-12.json", import.meta.url), "utf8")) as PriceTable;

/** A run with round counts, so each line's arithmetic can be checked by hand. */
const run = {
  expected: 1_000_000,
  edge: { requests: 1_000_000, accepted: 1_000_000, usagePlanThrottled: 0, accountThrottled: 0, quotaExceeded: 0 },
  sqsRequests: { send: 1_000_000, receive: 1_000_000, emptyReceive: 400_000, delete: 100_000 },
  functions: [{ name: "consume", invocations: 100_000, billedMs: 4_000_000, memoryMegabytes: 512 }],
} as unknown as PlanRun;

describe("the cost of a shift change, from the dated price table", () => {
  const cost = estimateCost(prices, { run, architectures: { consume: "arm64" }, idlePollers: 5, messageBytes: 300, shiftChangesPerMonth: 44, provisionedMode: false });
  const costOf = (what: string) => cost.lines.find((line) => line.what.startsWith(what))!.cost;

  it("dates its prices and names their pages", () => {
    expect(prices.date).toBe("2026-12-02");
    expect(prices.sources.map((source) => source.url)).toContain("https://aws.amazon.com/lambda/pricing/");
  });

  it("charges API Gateway's REST requests, SQS's requests with the empty receives, Lambda's requests and GB-seconds", () => {
    expect(costOf("REST requests")).toBeCloseTo(3.5, 10); // 1 M × $3.50 per million
    expect(costOf("requests:")).toBeCloseTo(1.0, 10); // 2.5 M × $0.40 per million
    expect(costOf("consume requests")).toBeCloseTo(0.02, 10); // 0.1 M × $0.20 per million
    expect(costOf("consume duration")).toBeCloseTo(2_000 * 0.0000133334, 10); // 4,000 s × 0.5 GB at the Arm rate
    expect(cost.perShiftChange).toBeCloseTo(3.5 + 1 + 0.02 + 2_000 * 0.0000133334, 10);
  });

  it("adds a month of them and the idle long polls between: five pollers, one receive each 20 s", () => {
    const idle = ((5 * 30 * 86_400) / 20 / 1e6) * 0.4;
    expect(cost.idlePollingPerMonth).toBeCloseTo(idle, 10);
    expect(cost.perMonth).toBeCloseTo(cost.perShiftChange * 44 + idle, 10);
  });

  it("charges each offline sync two API requests, and its backlog and outcome put to S3 and read back", () => {
    const withSyncs = estimateCost(prices, { run, architectures: {}, idlePollers: 0, messageBytes: 300, shiftChangesPerMonth: 1, syncs: 1_000, provisionedMode: false });
    expect(withSyncs.lines.find((line) => line.service === "API Gateway")!.quantity).toBe(1_002_000);
    expect(withSyncs.lines.filter((line) => line.service === "S3").map((line) => line.cost)).toEqual([2 * 0.005, 2 * 0.0004]);
  });

  it("counts a message above 64 KB as a request per chunk, and says what it leaves out", () => {
    const big = estimateCost(prices, { run, architectures: {}, idlePollers: 0, messageBytes: 100_000, shiftChangesPerMonth: 1, provisionedMode: true });
    expect(big.lines.find((line) => line.service === "SQS")!.quantity).toBe(2 * 2_500_000);
    expect(big.leftOut).toContain("provisioned mode's event poller units (no rate in the price table)");
  });
});
