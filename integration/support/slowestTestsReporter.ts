import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

const SHOWN = 10;

/**
 * Ends a run with its ten slowest tests and their times: where CI's minutes go, in every run's
 * output, so a scenario that got slow is seen the day it did.
 */
export default class SlowestTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const timed = testModules
      .flatMap((testModule) => [...testModule.children.allTests()])
      .map((test) => ({ name: `${relative(process.cwd(), test.module.moduleId)} > ${test.fullName}`, ms: test.diagnostic()?.duration ?? 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SHOWN);
    if (timed.length === 0) return;
    console.log(`\nThe ${timed.length} slowest tests:`);
    for (const { name, ms } of timed) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
  }
}
