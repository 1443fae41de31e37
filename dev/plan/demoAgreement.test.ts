import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PLAN_DEFAULTS, planModelOf } from "./planModel.ts";
import { simulate } from "./simulation.ts";
import { testService } from "./testService.ts";

/**
 * What `npm run demo` measured on the kit (fixtures/demoHeld200ms.json, recorded as the file
 * says): a shift change whose drain is bound by the cap and the handler's time, not by the CPU.
 * The planner, given the same settings and the same arrivals, must agree: drain time within 15%,
 * peak concurrency equal (issue 30's second "Done when").
 */
const recorded = JSON.parse(readFileSync(new URL("./fixtures/demoHeld200ms.json", import.meta.url), "utf8")) as {
  runs: Array<{ command: string; consumerMs: { p50: number; p95: number }; arrivalsPerSecond: number[]; drainMs: number; peakConcurrency: number }>;
};

describe("the planner against the kit, where both apply", () => {
  for (const [index, demo] of recorded.runs.entries()) {
    it(`predicts run ${index + 1}'s drain within 15% and its peak concurrency exactly (${demo.consumerMs.p50}/${demo.consumerMs.p95} ms a batch)`, () => {
      // The same settings as the variant the demo ran: batchSize 10, maximumConcurrency 5, the clocks' plan.
      const { planned } = testService({ maximumConcurrency: 5 });
      const model = planModelOf(planned, { ...PLAN_DEFAULTS, usagePlan: { rateLimit: 10, burstLimit: 50, quotaPerDay: 20_000 }, consumerMs: { "*": demo.consumerMs } }, "demo");
      const run = simulate(model, { arrivalsPerSecond: demo.arrivalsPerSecond });
      expect(run.stored).toBe(10_000);
      expect(Math.abs(run.lastStoredAtMs! - demo.drainMs) / demo.drainMs).toBeLessThan(0.15);
      expect(run.functions[0]!.peakConcurrency).toBe(demo.peakConcurrency);
    });
  }
});
