/**
 * `npm run plan`: the shift change at AWS scale. Packages serverless.yml as `npm run dev` does,
 * reads its queues, event sources and functions from the compiled template, and replays a shift
 * change on a virtual clock (dev/plan/) with the stack's own event-source rules: when the last
 * punch is a row, what the queue, Lambda and the database see, and what it costs; what-ifs side
 * by side.
 */
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { packageServiceCached, type LocalStatus } from "../aws/index.ts";
import { arrivalsFromCsv, arrivalsPerSecond, durationSeconds, type ArrivalShape } from "../plan/arrivals.ts";
import type { PriceTable } from "../plan/cost.ts";
import { reportHtml } from "../plan/htmlReport.ts";
import { clockTime, runPlan, type PlanInput } from "../plan/plan.ts";
import { PLAN_DEFAULTS, shortFunctionName, type PlanOptions, type PlannedService } from "../plan/planModel.ts";
import { readPlannedService } from "../plan/servicePlan.ts";
import { summaryText } from "../plan/summary.ts";
import { CommandError, runCommand } from "./commandError.ts";

const HELP = `Usage: npm run plan -- [options]

Plans a shift change at AWS scale on a virtual clock: serverless.yml's queues, event sources and
functions, with Lambda's own event-source rules (the ones npm run dev runs), API Gateway's and
Lambda's account limits and the database's connection cap. A million punches take seconds.

Load:
  --punches <n>          requests at the API (default 60000)
  --over <time>          how long they take to arrive: 10m, 90s (default 10m)
  --shape <flat|peak>    evenly, or rising to the middle of the window and falling (default peak)
  --arrivals <file.csv>  requests a second instead: "count" or "second,count" a line
  --clocks <n>           clocks sending them, each with its own API key (default 300)
  --syncs <n>            offline clocks syncing a backlog during the window (default 0)
  --sync-punches <n>     punches in each backlog (default 2000)
  --sync-ms <p50,p95>    the sync consumer's time for one backlog (default 0.5 ms a punch, p95 twice it)
  --sync-queue <id>      the queue the claim checks go to (default: the other queue with a consumer)
Handlers:
  --consumer-ms <p50,p95>  a batch's handler time (default 40,120)
  --calibrate [--api <url>]  take it from the running npm run dev's invocation history
  --record-failures <share>  share of records the handler fails (default 0)
  --message-bytes <n>    a message's size: Lambda's 6 MB payload cuts batches, SQS bills 64 KB chunks (default 400)
  --cold-start-ms <n>    added to an execution environment's first invocation (default 250)
Limits (AWS's defaults):
  --api-rate <n> --api-burst <n>   the account's API Gateway throttle (10000, 5000)
  --account-concurrency <n>        Lambda's account concurrency (1000)
  --db-connections <n>             the database's connection cap (100, Postgres's max_connections)
  --sqs-in-flight <n>              SQS's in-flight messages per standard queue (120000)
What-ifs:
  --set "<owner>.<setting>=<value> …"   a run beside the file's own settings, repeatable:
                         consumePunches.maximumConcurrency=20, consumePunches.batchSize=50,
                         consumePunches.provisionedPollers=2,20, consumePunches.reservedConcurrency=5,
                         PunchesQueue.maxReceiveCount=10, database.maxConnections=50, …
Service:
  --config <file>  --stage <name> (default local)  --param <name=value>  --queue <logical id>
Output:
  --json            the whole report as JSON on stdout
  --html <file>     an HTML report with charts over time
  --shift-changes-per-month <n>  for the monthly cost (default 44: two a working day)
  --seed <n>        the handler times' random seed (default 1)
  -h, --help        this text
`;

const projectDir = fileURLToPath(new URL("../..", import.meta.url));
const require = createRequire(import.meta.url);

const FLAGS = {
  punches: { type: "string", default: "60000" },
  over: { type: "string", default: "10m" },
  shape: { type: "string", default: "peak" },
  arrivals: { type: "string" },
  clocks: { type: "string", default: String(PLAN_DEFAULTS.clocks) },
  syncs: { type: "string", default: "0" },
  "sync-punches": { type: "string", default: "2000" },
  "sync-ms": { type: "string" },
  "sync-queue": { type: "string" },
  "consumer-ms": { type: "string", default: "40,120" },
  calibrate: { type: "boolean", default: false },
  api: { type: "string", default: "http://127.0.0.1:3000" },
  "record-failures": { type: "string", default: "0" },
  "cold-start-ms": { type: "string", default: String(PLAN_DEFAULTS.coldStartMs) },
  "receive-ms": { type: "string", default: String(PLAN_DEFAULTS.receiveMs) },
  "api-rate": { type: "string", default: String(PLAN_DEFAULTS.accountThrottle.rateLimit) },
  "api-burst": { type: "string", default: String(PLAN_DEFAULTS.accountThrottle.burstLimit) },
  "account-concurrency": { type: "string", default: String(PLAN_DEFAULTS.accountConcurrency) },
  "db-connections": { type: "string", default: String(PLAN_DEFAULTS.databaseMaxConnections) },
  "sqs-in-flight": { type: "string", default: String(PLAN_DEFAULTS.sqsInFlightLimit) },
  "environment-idle-minutes": { type: "string", default: String(PLAN_DEFAULTS.environmentIdleMinutes) },
  "retry-after": { type: "string", default: "1s" },
  "message-bytes": { type: "string", default: String(PLAN_DEFAULTS.messageBytes) },
  set: { type: "string", multiple: true, default: [] as string[] },
  config: { type: "string", default: "serverless.yml" },
  stage: { type: "string", default: "local" },
  param: { type: "string", multiple: true, default: [] as string[] },
  queue: { type: "string" },
  json: { type: "boolean", default: false },
  html: { type: "string" },
  "shift-changes-per-month": { type: "string", default: "44" },
  seed: { type: "string", default: String(PLAN_DEFAULTS.seed) },
  help: { type: "boolean", short: "h", default: false },
} satisfies ParseArgsConfig["options"];

type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>["values"];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: FLAGS });
  if (values.help) return void console.log(HELP);
  const progress = (line: string) => process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  progress(`packaging ${values.config} (stage ${values.stage})…`);
  const packaged = await packageServiceCached(
    { configPath: resolve(projectDir, values.config), stage: values.stage, params: { databaseNetwork: "public", databaseHost: "plan.invalid", ...paramsOf(values.param) } },
    // One cache for every stage: its key holds the stage, so another stage packages afresh.
    join(projectDir, ".ponto", "plan", "package"),
  );
  const reading = guarded(() => readPlannedService(packaged.template, packaged.service, packaged.stage, values.queue));
  const consumer = reading.planned.model.eventSourceMappings.find((mapping) => mapping.queueLogicalId === reading.planned.ingressQueue);
  const consumerName = reading.planned.model.functions.find((fn) => fn.logicalId === consumer?.functionLogicalId)?.name;
  const consumerMs = values.calibrate ? await calibrated(values.api, consumerName) : pair(values["consumer-ms"], "--consumer-ms");
  const load = loadOf(values);
  const syncs = syncsOf(values, reading.planned, load.arrivals.length);
  const prices = JSON.parse(await readFile(join(projectDir, "dev", "plan", "prices-2026-12.json"), "utf8")) as PriceTable;
  const startedAt = performance.now();
  let lastProgress = 0;
  const input: PlanInput = {
    planned: reading.planned,
    template: packaged.template,
    options: { ...optionsOf(values, reading.usagePlan, consumerMs), ...(syncs && { consumerMs: { "*": consumerMs, [syncs.consumer]: syncs.durationMs } }) },
    load: { arrivalsPerSecond: load.arrivals, ...(syncs && { streams: [syncs.stream] }) },
    ...(syncs && { syncs: syncs.count }),
    whatIfs: values.set,
    prices,
    shiftChangesPerMonth: count(values["shift-changes-per-month"], "--shift-changes-per-month"),
    architectures: reading.architectures,
  };
  const report = guarded(() =>
    runPlan(input, (scenario, virtualMs, stored, expected) => {
      if (performance.now() - lastProgress < 250) return;
      lastProgress = performance.now();
      progress(`${scenario}: ${clockTime(virtualMs)} simulated, ${stored.toLocaleString("en")}/${expected.toLocaleString("en")} stored`);
    }),
  );
  progress(`planned ${report.scenarios.length} scenario${report.scenarios.length === 1 ? "" : "s"} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; ${reading.notes.join("; ")}`);
  process.stderr.write("\n");
  const handlerText =
    `a batch's handler time ${consumerMs.p50}/${consumerMs.p95} ms (p50/p95)${values.calibrate ? ", calibrated" : ""}` +
    (syncs ? `; ${syncs.count} offline clocks syncing ${values["sync-punches"]} punches each, ${syncs.durationMs.p50}/${syncs.durationMs.p95} ms a backlog` : "");
  if (values.json) console.log(JSON.stringify({ load: load.text, handler: handlerText, notes: reading.notes, ...report }, null, 2));
  else console.log(summaryText(report, { text: `${load.text}; ${handlerText}` }));
  if (values.html) {
    const chartJs = await readFile(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
    await writeFile(values.html, reportHtml(report, `${load.text}; ${handlerText}`, chartJs));
    (values.json ? console.error : console.log)(`\nreport: ${values.html}`);
  }
}

/** The arrivals a second, from the CSV or the shape, and how to say them. */
function loadOf(values: Flags): { arrivals: number[]; text: string } {
  if (values.arrivals) {
    const arrivals = guarded(() => arrivalsFromCsv(readFileSync(values.arrivals!, "utf8")));
    const total = arrivals.reduce((sum, value) => sum + value, 0);
    return { arrivals, text: `${total.toLocaleString("en")} punches from ${values.arrivals} over ${clockTime(arrivals.length * 1000)} from ${values.clocks} clocks` };
  }
  const punches = count(values.punches, "--punches");
  return {
    arrivals: arrivalsPerSecond(punches, seconds(values.over, "--over"), shapeOf(values.shape)),
    text: `${punches.toLocaleString("en")} punches over ${values.over} (${values.shape}) from ${values.clocks} clocks`,
  };
}

/** Offline clocks' syncs: their claim checks spread over the window into the sync queue, and its consumer's time. */
function syncsOf(values: Flags, planned: PlannedService, windowSeconds: number) {
  const count = whole(values.syncs, "--syncs", 0);
  if (count === 0) return undefined;
  const { model, service, stage, ingressQueue } = planned;
  const mapping = model.eventSourceMappings.find((candidate) => (values["sync-queue"] ? candidate.queueLogicalId === values["sync-queue"] : candidate.queueLogicalId !== ingressQueue));
  if (!mapping?.queueLogicalId) throw new CommandError(`--syncs: no queue ${values["sync-queue"] ?? "besides the punches'"} has a consumer; name it with --sync-queue`);
  const fn = model.functions.find((candidate) => candidate.logicalId === mapping.functionLogicalId)!;
  const punches = whole(values["sync-punches"], "--sync-punches", 1);
  // serverless.yml's own figure: "A 10,000-punch backlog takes a few seconds".
  const durationMs = values["sync-ms"] ? pair(values["sync-ms"], "--sync-ms") : { p50: punches * 0.5, p95: punches };
  return {
    count,
    consumer: shortFunctionName(fn.name, service, stage),
    durationMs,
    stream: { queueLogicalId: mapping.queueLogicalId, arrivalsPerSecond: arrivalsPerSecond(count, Math.max(1, windowSeconds), "flat") },
  };
}

function optionsOf(values: Flags, usagePlan: PlanOptions["usagePlan"], consumerMs: { p50: number; p95: number }): PlanOptions {
  return {
    clocks: count(values.clocks, "--clocks"),
    retryAfterMs: seconds(values["retry-after"], "--retry-after") * 1000,
    accountThrottle: { rateLimit: count(values["api-rate"], "--api-rate"), burstLimit: count(values["api-burst"], "--api-burst") },
    ...(usagePlan && { usagePlan }),
    accountConcurrency: count(values["account-concurrency"], "--account-concurrency"),
    databaseMaxConnections: count(values["db-connections"], "--db-connections"),
    environmentIdleMinutes: count(values["environment-idle-minutes"], "--environment-idle-minutes"),
    coldStartMs: count(values["cold-start-ms"], "--cold-start-ms", 0),
    receiveMs: count(values["receive-ms"], "--receive-ms", 0),
    consumerMs: { "*": consumerMs },
    recordFailureShare: share(values["record-failures"], "--record-failures"),
    seed: count(values.seed, "--seed", 0),
    sqsInFlightLimit: count(values["sqs-in-flight"], "--sqs-in-flight"),
    messageBytes: count(values["message-bytes"], "--message-bytes"),
  };
}

/** The consumer's p50 and p95 from the running stack's invocation history (GET /_local/status). */
async function calibrated(apiUrl: string, functionName: string | undefined): Promise<{ p50: number; p95: number }> {
  let status: LocalStatus;
  try {
    status = (await (await fetch(`${apiUrl}/_local/status`)).json()) as LocalStatus;
  } catch {
    throw new CommandError(`--calibrate reads the invocation history of a running stack, and none answers at ${apiUrl}: start npm run dev (and send it some punches), or pass --api`);
  }
  const fn = status.functions.find((candidate) => candidate.name === functionName);
  if (!fn || fn.durationP50Ms === null || fn.durationP95Ms === null) {
    throw new CommandError(`--calibrate: ${functionName ?? "the consumer"} has no invocations yet at ${apiUrl}; send some punches first (npm run demo), or give --consumer-ms`);
  }
  return { p50: Math.max(1, fn.durationP50Ms), p95: Math.max(1, fn.durationP95Ms) };
}

function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Error && error.constructor === Error) throw new CommandError(error.message);
    throw error;
  }
}

function paramsOf(entries: string[]): Record<string, string> {
  return Object.fromEntries(
    entries.map((entry) => {
      const at = entry.indexOf("=");
      if (at < 1) throw new CommandError(`--param must be name=value, got "${entry}"`);
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

function whole(value: string, flag: string, minimum: number): number {
  return count(value, flag, minimum);
}

function count(value: string, flag: string, minimum = 1): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) throw new CommandError(`${flag} must be a whole number of at least ${minimum}, got "${value}"`);
  return parsed;
}

function seconds(value: string, flag: string): number {
  try {
    return durationSeconds(value);
  } catch {
    throw new CommandError(`${flag} must be a duration such as 10m, 90s or 1h, got "${value}"`);
  }
}

function pair(value: string, flag: string): { p50: number; p95: number } {
  const [p50, p95, ...rest] = value.split(",").map((part) => Number(part.trim()));
  if (rest.length > 0 || !(p50! > 0) || !(p95! >= p50!)) throw new CommandError(`${flag} must be p50,p95 in milliseconds with p95 ≥ p50, e.g. 40,120; got "${value}"`);
  return { p50: p50!, p95: p95! };
}

function share(value: string, flag: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed < 1)) throw new CommandError(`${flag} must be a share from 0 to below 1, got "${value}"`);
  return parsed;
}

function shapeOf(value: string): ArrivalShape {
  if (value !== "flat" && value !== "peak") throw new CommandError(`--shape must be flat or peak, got "${value}"`);
  return value;
}

runCommand(main);
