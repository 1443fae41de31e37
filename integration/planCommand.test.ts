import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQSClient } from "@aws-sdk/client-sqs";
import { enqueueBodies, type LocalStatus } from "../dev/aws/index.ts";
import type { PlanReport } from "../dev/plan/plan.ts";
import { describeOnBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { aPunch } from "./support/punches.ts";
import { serviceDir, startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

/** `npm run plan -- <args>`, as a user runs it; never throws, so a failure's output can be read. */
async function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(serviceDir, "dev/commands/plan.ts"), ...args], { cwd: serviceDir, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// The command packages serverless.yml with the framework, as npm run dev does: the settings it
// plans are the compiled template's (maximumConcurrency 5, batches of 10, the clocks' usage plan).
describe("npm run plan, on serverless.yml as it is", () => {
  let directory: string;
  let answer: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "plan-command-"));
    answer = await plan("--punches", "20000", "--over", "1m", "--set", "consumePunches.maximumConcurrency=20", "--json", "--html", join(directory, "plan.html"));
  }, 120_000);

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("plans the file's own settings beside the what-if, from the compiled template", () => {
    expect(answer.code, answer.stderr).toBe(0);
    const report = JSON.parse(answer.stdout) as PlanReport & { notes: string[] };
    expect(report.notes).toContain("the load goes through POST /punches into PunchesQueue");
    expect(report.scenarios.map((scenario) => scenario.name)).toEqual(["serverless.yml as it is", "consumePunches.maximumConcurrency=20"]);
    const [base, wider] = report.scenarios;
    const consumer = (scenario: typeof base) => scenario!.run.functions.find((fn) => fn.name === "consumePunches")!;
    expect(consumer(base).peakPollers).toBe(5);
    expect(consumer(wider).peakPollers).toBeGreaterThan(5);
    expect(wider!.changes).toEqual([{ setting: "consumePunches.maximumConcurrency", from: "5", to: "20" }]);
    expect(base!.run.stored).toBe(20_000);
    expect(base!.cost.perShiftChange).toBeGreaterThan(0);
  });

  it("writes the HTML report with a chart per series, and says where", async () => {
    const html = await readFile(join(directory, "plan.html"), "utf8");
    for (const chart of ["arrivals", "queue", "concurrency", "connections", "dlq"]) expect(html).toContain(`id="chart-${chart}"`);
    expect(answer.stderr).toContain(`report: ${join(directory, "plan.html")}`);
  });

  it("refuses a what-if it cannot apply with one line that names what the service has", async () => {
    const refused = await plan("--punches", "100", "--set", "consumePunchez.batchSize=50");
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n").at(-1)).toMatch(/^error: --set consumePunchez\.batchSize: no function or queue consumePunchez; the service has .*consumePunches/);
  }, 60_000);
});

describeOnBackend("npm run plan --calibrate", () => {
  let suite: SuiteStack;

  beforeAll(async () => {
    suite = await startSuiteStack("calibrate");
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it("takes the consumer's handler time from the running stack's invocation history", async () => {
    const sqs = new SQSClient(suite.stack.clientConfig);
    try {
      const queue = suite.stack.queues.find((candidate) => candidate.name.endsWith("-punches"))!;
      await enqueueBodies(sqs, queue.url, Array.from({ length: 200 }, () => JSON.stringify(aPunch())));
    } finally {
      sqs.destroy();
    }
    const status = async () => (await (await fetch(`${suite.stack.apiUrl}/_local/status`)).json()) as LocalStatus;
    const consumer = await eventually(
      async () => (await status()).functions.find((fn) => fn.name.endsWith("-consumePunches"))!,
      (fn) => fn.invocations >= 20 && fn.inFlight === 0,
      { what: "the consumer's invocations of the 200 punches", timeoutMs: 30_000 },
    );
    const answer = await plan("--stage", suite.stack.stage, "--calibrate", "--api", suite.stack.apiUrl, "--punches", "1000", "--over", "10s", "--json");
    expect(answer.code, answer.stderr).toBe(0);
    const report = JSON.parse(answer.stdout) as { handler: string };
    expect(report.handler).toBe(`a batch's handler time ${consumer.durationP50Ms}/${consumer.durationP95Ms} ms (p50/p95), calibrated`);
  }, 120_000);
});
