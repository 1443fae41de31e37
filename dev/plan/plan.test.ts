import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { arrivalsFromCsv, arrivalsPerSecond, durationSeconds } from "./arrivals.ts";
import type { PriceTable } from "./cost.ts";
import { runPlan } from "./plan.ts";
import { testOptions, testService } from "./testService.ts";
import { applyWhatIf } from "./whatIf.ts";

const prices = JSON.parse(readFileSync(new URL("./prices-2026-12.json", import.meta.url), "utf8")) as PriceTable;

describe("arrivals", () => {
  it("spreads a flat window evenly and a peak towards its middle, in whole requests that add up", () => {
    expect(arrivalsPerSecond(10, 4, "flat")).toEqual([3, 2, 3, 2]);
    expect(arrivalsPerSecond(8, 4, "peak")).toEqual([1, 3, 3, 1]);
    const peak = arrivalsPerSecond(60_000, 600, "peak");
    expect(peak.reduce((sum, count) => sum + count, 0)).toBe(60_000);
    expect(Math.max(...peak)).toBe(peak[299]);
  });

  it("reads a CSV of counts a second, with or without the seconds, skipping a header", () => {
    expect(arrivalsFromCsv("second,count\n0,120\n1,340\n3,10\n")).toEqual([120, 340, 0, 10]);
    expect(arrivalsFromCsv("5\n7\n")).toEqual([5, 7]);
    expect(() => arrivalsFromCsv("0,1\nx,y\n")).toThrow(/line 2/);
    expect(durationSeconds("10m")).toBe(600);
  });
});

describe("a what-if beside the file's own settings", () => {
  const { planned } = testService();

  it("names each setting it changes, as a user would edit serverless.yml", () => {
    const whatIf = applyWhatIf(planned, testOptions(), "consume.maximumConcurrency=20 OrdersQueue.maxReceiveCount=10 database.maxConnections=50");
    expect(whatIf.changes).toEqual([
      { setting: "consume.maximumConcurrency", from: "5", to: "20" },
      { setting: "OrdersQueue.maxReceiveCount", from: "5", to: "10" },
      { setting: "database.maxConnections", from: "100", to: "50" },
    ]);
    expect(planned.model.eventSourceMappings[0]!.maximumConcurrency).toBe(5);
  });

  it("drops maximumConcurrency for provisioned pollers, as AWS refuses both, and says so", () => {
    const whatIf = applyWhatIf(planned, testOptions(), "consume.provisionedPollers=2,3");
    expect(whatIf.changes.map((change) => change.setting)).toEqual(["consume.provisionedPollers", "consume.maximumConcurrency"]);
    expect(whatIf.planned.model.eventSourceMappings[0]).toMatchObject({ provisionedPollers: { minimum: 2, maximum: 3 } });
    expect(whatIf.planned.model.eventSourceMappings[0]!.maximumConcurrency).toBeUndefined();
  });

  it("refuses a setting it does not know, listing what it takes", () => {
    expect(() => applyWhatIf(planned, testOptions(), "consume.colour=blue")).toThrow(/unknown setting/);
    expect(() => applyWhatIf(planned, testOptions(), "nothing.batchSize=5")).toThrow(/no function or queue nothing; the service has consume, OrdersQueue/);
  });

  it("runs each what-if on the same load and names the figures that moved", () => {
    const { planned: service, template } = testService();
    const report = runPlan({
      planned: service,
      template,
      options: testOptions(),
      load: { arrivalsPerSecond: arrivalsPerSecond(20_000, 10, "flat") },
      whatIfs: ["consume.maximumConcurrency=20"],
      prices,
      shiftChangesPerMonth: 44,
      architectures: {},
    });
    const [base, wider] = report.scenarios;
    expect(base!.run.functions[0]!.peakConcurrency).toBe(5);
    expect(wider!.run.functions[0]!.peakConcurrency).toBe(20);
    expect(wider!.differences).toContain("peak concurrent batches 5 → 20");
    expect(wider!.differences).toContain("peak database connections 5 → 20");
    expect(wider!.differences.some((line) => line.startsWith("last punch stored "))).toBe(true);
    expect(wider!.run.lastStoredAtMs!).toBeLessThan(base!.run.lastStoredAtMs!);
  });

  it("says when the template's DLQ alarm would fire, and warns as the stack does", () => {
    const { planned: service, template } = testService({ reservedConcurrency: 2, maxReceiveCount: 1, maximumConcurrency: 10, visibilityTimeout: 3, timeout: 3 });
    const report = runPlan({
      planned: service,
      template,
      options: testOptions({ consumerMs: { "*": { p50: 1_000, p95: 1_000 } } }),
      load: { arrivalsPerSecond: [200] },
      whatIfs: [],
      prices,
      shiftChangesPerMonth: 44,
      architectures: {},
    });
    const [scenario] = report.scenarios;
    expect(scenario!.run.queue.deadLettered).toBeGreaterThan(0);
    expect(scenario!.alarms).toEqual([{ alarm: "OrdersDeadLetterAlarm", metric: "ApproximateNumberOfMessagesVisible", firesAtSeconds: expect.any(Number) }]);
    expect(scenario!.warnings.join("\n")).toMatch(/reservedConcurrency 2 with maxReceiveCount 1/);
  });
});
