/**
 * `npm run demo`: the seed's load test, locally. Starts the stack unless one runs, fires a shift
 * change through the real HTTP endpoint, watches it drain, and writes a report (JSON and HTML).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CommandError, runCommand } from "../commands/commandError.ts";
import { writeServiceVariant, type ServiceVariant } from "../ponto/serviceVariant.ts";
import { eventSourceLine, writeReportFiles } from "./reportFiles.ts";
import { runShiftChange, type ShiftChangeReport } from "./shiftChangeRun.ts";
import { screenshotReport } from "./screenshotReport.ts";
import { useOrStartStack } from "./stackProcess.ts";

const HELP = `Usage: npm run demo -- [options]

Fires a shift change at the local stack and reports what happened.

Options:
  --punches <n>        requests to send (default 20000)
  --clocks <n>         simulated time clocks, one HTTP connection each (default 300)
  --duplicates <share> share of requests that resend a punch, 0-1 (default 0.02)
  --invalid <share>    share of requests that break the schema, 0-1 (default 0.01)
  --offline-clocks <n> clocks that come back online during the burst and sync their backlog
                       through POST /punches/batches (default 0)
  --backlog <n>        punches in each offline clock's backlog, up to 10000 (default 2000)
  --concurrency-cap <n> the consumer's maximumConcurrency for this run (default: serverless.yml's);
                       the demo runs a copy of serverless.yml with that one number changed
  --provisioned-pollers <min,max>
                       run the consumer's event source in provisioned mode between these
                       numbers of event pollers (AWS: min 2-200, max 2-10000; ten batches each)
                       instead of maximumConcurrency, in a copy of serverless.yml
  --consumer-batch-ms <n>
                       hold each batch of the consumer to at least this long (a slower
                       database), in a copy of serverless.yml: a drain bound by the cap and
                       the handler's time, as npm run plan predicts it
  --backend <name>     backend of the stack the demo starts: auto, docker, embedded (default auto)
  --api <url>          where the stack answers, or will (default http://127.0.0.1:3000)
  --database-url <url> the stack's Postgres, when using one already running (printed by npm run dev)
  --out <dir>          where the report goes (default reports/<time>)
  --screenshot         also render the HTML in headless Chromium and save report.png
  -h, --help           this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      punches: { type: "string", default: "20000" },
      clocks: { type: "string", default: "300" },
      duplicates: { type: "string", default: "0.02" },
      invalid: { type: "string", default: "0.01" },
      "offline-clocks": { type: "string", default: "0" },
      backlog: { type: "string", default: "2000" },
      "concurrency-cap": { type: "string" },
      "provisioned-pollers": { type: "string" },
      "consumer-batch-ms": { type: "string" },
      backend: { type: "string", default: "auto" },
      api: { type: "string", default: "http://127.0.0.1:3000" },
      "database-url": { type: "string" },
      out: { type: "string", default: join("reports", new Date().toISOString().replace(/[:.]/g, "-")) },
      screenshot: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return void console.log(HELP);

  const settings = {
    punches: count(values.punches, "--punches"),
    clocks: count(values.clocks, "--clocks"),
    duplicateShare: share(values.duplicates, "--duplicates"),
    invalidShare: share(values.invalid, "--invalid"),
    runId: `demo-${randomBytes(3).toString("hex")}`,
    offlineClocks: count(values["offline-clocks"], "--offline-clocks", 0),
    backlogPunches: backlogOption(values.backlog),
  };
  const cap = values["concurrency-cap"];
  const pollers = values["provisioned-pollers"];
  if (cap !== undefined && pollers !== undefined) {
    throw new CommandError("--concurrency-cap and --provisioned-pollers cannot be used together: AWS refuses maximumConcurrency in provisioned mode");
  }
  const batchMs = values["consumer-batch-ms"];
  const variantSettings: ServiceVariant = {
    ...(cap !== undefined && { maximumConcurrency: capOption(cap) }),
    ...(pollers !== undefined && { provisionedPollers: pollersOption(pollers) }),
    ...(batchMs !== undefined && { consumerBatchMs: count(batchMs, "--consumer-batch-ms") }),
  };
  const variant = Object.keys(variantSettings).length === 0 ? undefined : await writeServiceVariant(variantSettings);
  // A stack the demo starts keeps its state apart: a burst does not land in the developer's own data.
  const stateDir = await mkdtemp(join(tmpdir(), "ponto-demo-"));
  const stack = await useOrStartStack(
    values.api,
    ["--backend", values.backend, "--state-dir", stateDir, ...(variant ? ["--config", variant.configFile] : [])],
    values["database-url"],
  ).finally(() => variant?.remove());
  if (variant && !stack.started) {
    throw new CommandError("--concurrency-cap, --provisioned-pollers and --consumer-batch-ms apply to a stack the demo starts; stop the running `npm run dev` first");
  }
  console.log(stack.started ? `started a local stack at ${stack.apiUrl}` : `using the stack already running at ${stack.apiUrl}`);
  const stopStack = () => stack.stop().then(() => rm(stateDir, { recursive: true, force: true }));
  const stop = () => void stopStack().then(() => process.exit(130));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  try {
    console.log(
      `shift change: ${settings.punches} punches from ${settings.clocks} clocks` +
        (settings.offlineClocks ? `, and ${settings.offlineClocks} offline clocks syncing ${settings.backlogPunches} punches each` : "") +
        ` (${settings.runId})`,
    );
    const report = await runShiftChange(stack, settings, { onProgress: printProgress });
    process.stdout.write("\n");
    printReport(report);
    const files = await writeReportFiles(report, values.out);
    console.log(`\nreport: ${files.html}\n        ${files.json}`);
    if (values.screenshot) {
      const png = join(values.out, "report.png");
      const { paintedShare } = await screenshotReport(files.html, png);
      if (paintedShare < 0.01) throw new CommandError(`the chart in ${files.html} rendered blank (see ${png})`);
      console.log(`        ${png} (chart painted: ${(paintedShare * 100).toFixed(1)}% of its canvas)`);
    }
    const syncsFailed = report.syncs !== undefined && (report.syncs.done < report.syncs.clocks || report.syncs.rejected !== report.syncs.expectedRejected);
    const rowOverwritten = report.correctness.rowsKeepingOwnRequest < report.correctness.resentPunchesStored;
    if (report.correctness.lost > 0 || rowOverwritten || syncsFailed) process.exitCode = 1;
  } finally {
    await stopStack();
  }
}

function printProgress(point: { t: number; accepted: number; persisted: number; queueDepth: number; consumerConcurrency: number }, expected: number): void {
  const line =
    `${(point.t / 1000).toFixed(1).padStart(5)} s  accepted ${String(point.accepted).padStart(6)}  ` +
    `stored ${String(point.persisted).padStart(6)}/${expected}  queue ${String(point.queueDepth).padStart(6)}  ` +
    `consumers ${point.consumerConcurrency}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  else if (Math.round(point.t / 250) % 8 === 0) console.log(line);
}

function printReport({ ingest, drain, correctness, syncs, resources }: ShiftChangeReport): void {
  const seconds = (ms: number | null) => (ms === null ? "never" : `${(ms / 1000).toFixed(1)} s`);
  console.log(`
ingest       ${ingest.requestsPerSecond} requests/s over ${seconds(ingest.durationMs)}; latency p50 ${ingest.latencyMs.p50} ms, p95 ${ingest.latencyMs.p95} ms, p99 ${ingest.latencyMs.p99} ms
             status codes ${Object.entries(ingest.statusCodes).map(([code, n]) => `${code}: ${n}`).join(", ")}
drain        all stored ${seconds(drain.durationMs)} after the first request (${drain.rowsPerSecond ?? "-"} rows/s); peak ${drain.peakConsumerConcurrency} concurrent batches, ${drain.peakDatabaseConnections} Postgres connections
             event source ${drain.eventSource ? eventSourceLine(drain.eventSource) : "-"}
correctness  sent ${correctness.sent}, accepted ${correctness.accepted}, rejected at the edge ${correctness.rejectedAtEdge}; expected ${correctness.expectedRows} rows, stored ${correctness.persisted}, in DLQ ${correctness.inDeadLetterQueue}
             lost ${correctness.lost}; ${correctness.duplicatesResent} resent punches and ${correctness.redeliveriesAbsorbed} redeliveries absorbed (punch_id is the primary key: no second row can exist)
             ${correctness.resentPunchesStored} punches accepted more than once: ${correctness.rowsKeepingOwnRequest} rows keep one of their own requests, ${correctness.rowsKeepingFirstRequest} the first one sent${
    syncs
      ? `
syncs        ${syncs.clocks} offline clocks: ${syncs.accepted} accepted, ${syncs.done} done, ${syncs.failed} failed; done in ${syncs.timeToDoneMs ? `${seconds(syncs.timeToDoneMs.p50)} (p50), ${seconds(syncs.timeToDoneMs.max)} (max)` : "never"}
             ${syncs.punches} punches: ${syncs.persisted} stored, ${syncs.duplicate} already stored, ${syncs.rejected} rejected (${syncs.expectedRejected} sent invalid)`
      : ""
  }
resources    peak memory of the local stack ${Math.round(resources.peakStackMemoryBytes / 1048576)} MiB`);
}

function count(value: string, flag: string, minimum = 1): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) {
    throw new CommandError(`${flag} must be a whole number of at least ${minimum}, got "${value}"`);
  }
  return parsed;
}

function backlogOption(value: string): number {
  const parsed = count(value, "--backlog");
  if (parsed > 10_000) throw new CommandError(`--backlog must be at most 10000, what one sync takes, got "${value}"`);
  return parsed;
}

/** maximumConcurrency as AWS accepts it. */
function capOption(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 2 || parsed > 1_000) {
    throw new CommandError(`--concurrency-cap must be a whole number from 2 to 1000 (AWS's range for maximumConcurrency), got "${value}"`);
  }
  return parsed;
}

/** ProvisionedPollerConfig as AWS accepts it for SQS: "2,3" is MinimumPollers 2, MaximumPollers 3. */
function pollersOption(value: string): { minimum: number; maximum: number } {
  const [minimum, maximum, ...rest] = value.split(",").map((part) => Number(part.trim()));
  const valid =
    rest.length === 0 && Number.isInteger(minimum) && Number.isInteger(maximum) &&
    minimum! >= 2 && minimum! <= 200 && maximum! >= minimum! && maximum! <= 10_000;
  if (!valid) {
    throw new CommandError(
      `--provisioned-pollers must be min,max with min 2-200 and max from min to 10000 (AWS's ranges for SQS), got "${value}"`,
    );
  }
  return { minimum: minimum!, maximum: maximum! };
}

function share(value: string, flag: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed < 1)) throw new CommandError(`${flag} must be a share from 0 to below 1 (0.02 is 2%), got "${value}"`);
  return parsed;
}

runCommand(main);
