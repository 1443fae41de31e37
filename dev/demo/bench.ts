/**
 * `npm run bench`: the demo's shift change with fixed parameters, on a fresh stack each run,
 * repeated; prints each run and the medians. The figures to compare across changes.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { embeddedBackend, freePort } from "../aws/index.ts";
import { CommandError } from "../commandError.ts";
import { compareDrains, type DrainResult } from "./drainComparison.ts";
import { runShiftChange, type ShiftChangeReport } from "./shiftChangeRun.ts";
import { useOrStartStack } from "./stackProcess.ts";
import { percentile } from "./percentile.ts";

const FIXED = { punches: 20_000, clocks: 300, duplicateShare: 0.02, invalidShare: 0.01 };
const BASELINE_BACKLOG = 10_000;

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    backend: { type: "string", default: "embedded" },
    api: { type: "string", default: "http://127.0.0.1:3000" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run bench -- [--runs 3] [--backend embedded] [--api http://127.0.0.1:3000]

Runs ${FIXED.punches} punches from ${FIXED.clocks} clocks (2% duplicates, 1% invalid) on a fresh
stack per run, and prints the medians; then drains a ${BASELINE_BACKLOG}-punch backlog with the kit's
consumer and with plain serverless-offline-sqs, and prints the ratio.`);
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new CommandError(`--runs must be a whole number above 0, got "${values.runs}"`);

const reports: ShiftChangeReport[] = [];
for (let run = 1; run <= runs; run += 1) {
  const stack = await useOrStartStack(values.api, ["--backend", values.backend]);
  if (!stack.started) throw new CommandError(`a stack already runs at ${values.api}: the bench needs a fresh one per run; stop it first`);
  try {
    const report = await runShiftChange(stack, { ...FIXED, runId: `bench-${randomBytes(3).toString("hex")}` });
    reports.push(report);
    console.log(`run ${run}: ${summary(figures(report))}`);
  } finally {
    await stack.stop();
  }
}

const all = reports.map(figures);
const median = (pick: (row: ReturnType<typeof figures>) => number) => percentile(all.map(pick).sort((a, b) => a - b), 50);
console.log(`\nmedian of ${runs}: ${summary({
  requestsPerSecond: median((row) => row.requestsPerSecond),
  p99: median((row) => row.p99),
  drainSeconds: median((row) => row.drainSeconds),
  rowsPerSecond: median((row) => row.rowsPerSecond),
  memoryMiB: median((row) => row.memoryMiB),
  lost: Math.max(...all.map((row) => row.lost)),
  redeliveriesAbsorbed: Math.max(...all.map((row) => row.redeliveriesAbsorbed)),
})}`);
console.log("targets: ingest >= 2000 req/s; all stored within 15 s; lost 0; stack under 400 MiB");

// The same standing backlog, drained by the kit's runner and by plain serverless-offline-sqs.
const backend = await embeddedBackend({ aws: await freePort(), database: await freePort() }).start();
try {
  const { kit, baseline } = await compareDrains(backend, BASELINE_BACKLOG);
  const rate = (result: DrainResult) =>
    result.rowsPerSecond === null ? "did not finish" : `${result.rowsPerSecond} rows/s (${((result.durationMs ?? 0) / 1000).toFixed(1)} s)`;
  console.log(`\ndrain of a ${BASELINE_BACKLOG}-punch backlog: kit ${rate(kit)}, ${baseline.consumer} ${rate(baseline)}`);
  if (kit.rowsPerSecond !== null && baseline.rowsPerSecond !== null) {
    console.log(`drain-rate ratio, kit / serverless-offline-sqs: ${(kit.rowsPerSecond / baseline.rowsPerSecond).toFixed(2)}`);
  }
} finally {
  await backend.stop();
}

function figures(report: ShiftChangeReport) {
  return {
    requestsPerSecond: report.ingest.requestsPerSecond,
    p99: report.ingest.latencyMs.p99,
    drainSeconds: report.drain.durationMs === null ? Number.POSITIVE_INFINITY : report.drain.durationMs / 1000,
    rowsPerSecond: report.drain.rowsPerSecond ?? 0,
    memoryMiB: Math.round(report.resources.peakStackMemoryBytes / 1048576),
    lost: report.correctness.lost,
    redeliveriesAbsorbed: report.correctness.redeliveriesAbsorbed,
  };
}

function summary(row: ReturnType<typeof figures>): string {
  return (
    `ingest ${row.requestsPerSecond} req/s (p99 ${row.p99} ms), all stored after ${row.drainSeconds.toFixed(1)} s ` +
    `(${row.rowsPerSecond} rows/s), peak ${row.memoryMiB} MiB, lost ${row.lost}, ${row.redeliveriesAbsorbed} redeliveries absorbed`
  );
}
