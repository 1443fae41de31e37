import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import pg from "pg";
import { enqueueBodies, packageService, readServiceModel } from "../aws/index.ts";
import { EMULATOR_ACCOUNT, freePort, startFauxqsThread, type DatabaseServer, type StartedBackend } from "../aws/backends/index.ts";
import { stopChild, waitForOutput } from "../commands/process/childProcess.ts";
import { prepareDatabase } from "../ponto/database.ts";
import { stageParamsFor, startPontoStack } from "../ponto/pontoStack.ts";
import { shiftChange } from "./shiftChange.ts";

export interface DrainResult {
  consumer: string;
  punches: number;
  /** From the consumer's start, the backlog already waiting, until the last row; null if it never got there. */
  durationMs: number | null;
  rowsPerSecond: number | null;
}

const serviceDir = fileURLToPath(new URL("../..", import.meta.url));
const DRAIN_TIMEOUT_MS = 180_000;

/**
 * One standing backlog drained by the kit's event source runner and by plain serverless-offline-sqs 8.0.0
 * (`serverless offline start`, what a user would otherwise pick), with the same handler, the same
 * serverless.yml and the same Postgres server. The queue is filled before the consumer starts, and
 * the clock runs from its start to the last row: this compares consumers, not HTTP edges.
 */
export async function compareDrains(backend: StartedBackend, punches: number): Promise<{ kit: DrainResult; baseline: DrainResult }> {
  return { kit: await drainWithKit(backend, punches), baseline: await drainWithServerlessOfflineSqs(backend, punches) };
}

async function drainWithKit(backend: StartedBackend, punches: number): Promise<DrainResult> {
  const stage = `kit${randomBytes(3).toString("hex")}`;
  await prefillPunchesQueue(backend.awsEndpoint, stage, punches);
  const stack = await startPontoStack({ backend, serviceDir, stage, apiPort: 0 });
  const startedAt = Date.now();
  try {
    return await timeDrain("kit event source runner", startedAt, stack.database, punches);
  } finally {
    await stack.stop();
  }
}

async function drainWithServerlessOfflineSqs(backend: StartedBackend, punches: number): Promise<DrainResult> {
  const server = backend.database;
  // The plugin parses queue URLs with WHATWG URL, which refuses fauxqs's "sqs.<region>.127.0.0.1"
  // hosts; its own fauxqs names them with localhost instead.
  const port = await freePort();
  const fauxqs = await startFauxqsThread(port, "localhost");
  const endpoint = `http://127.0.0.1:${port}`;
  const stage = `sos${randomBytes(3).toString("hex")}`;
  const configFile = `serverless.baseline-${stage}.yml`;
  const yaml = (await readFile(join(serviceDir, "serverless.yml"), "utf8"))
    .replace(/^plugins:\n(?:  - .*\n)+/m, "plugins:\n  - serverless-esbuild\n  - serverless-offline\n  - serverless-offline-sqs\n")
    .replace(
      /^custom:\n/m,
      `custom:\n  serverless-offline:\n    httpPort: ${await freePort()}\n    lambdaPort: ${await freePort()}\n` +
        `  serverless-offline-sqs:\n    autoCreate: true\n    endpoint: ${endpoint}\n    region: eu-west-1\n` +
        `    accessKeyId: ${EMULATOR_ACCOUNT.credentials.accessKeyId}\n    secretAccessKey: ${EMULATOR_ACCOUNT.credentials.secretAccessKey}\n`,
    );
  await writeFile(join(serviceDir, configFile), yaml);
  const database = `ponto_${stage}`;
  await prepareDatabase(server, database);
  await prefillPunchesQueue(endpoint, stage, punches);
  const params = stageParamsFor(backend);
  const child = spawn(
    fileURLToPath(new URL("../../node_modules/.bin/serverless", import.meta.url)),
    ["offline", "start", "--stage", stage, "--config", configFile, ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)],
    { cwd: serviceDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", POWERTOOLS_LOG_LEVEL: "WARN" } },
  );
  try {
    await waitForOutput(child, /Starting Offline SQS/, "serverless offline");
    const startedAt = Date.now();
    return await timeDrain("serverless-offline-sqs 8.0.0", startedAt, { ...server, database }, punches);
  } finally {
    await stopChild(child, 10_000);
    await fauxqs.stop();
    await rm(join(serviceDir, configFile), { force: true });
  }
}

async function timeDrain(consumer: string, startedAt: number, database: DatabaseServer, punches: number): Promise<DrainResult> {
  const db = new pg.Client(database);
  await db.connect();
  try {
    while (Date.now() - startedAt < DRAIN_TIMEOUT_MS) {
      const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM punches");
      if (Number(rows[0]!.n) >= punches) {
        const durationMs = Date.now() - startedAt;
        return { consumer, punches, durationMs, rowsPerSecond: Math.round((punches / durationMs) * 1_000) };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { consumer, punches, durationMs: null, rowsPerSecond: null };
  } finally {
    await db.end();
  }
}

/**
 * Creates the stage's punches queue (its name from the packaged template, as the consumer will
 * find it) and fills it before any consumer starts, so both drain the same standing backlog.
 */
async function prefillPunchesQueue(awsEndpoint: string, stage: string, punches: number): Promise<void> {
  const { template, region } = await packageService({
    configPath: join(serviceDir, "serverless.yml"),
    stage,
    params: { databaseNetwork: "public", databaseHost: "unused" },
  });
  const queue = readServiceModel(template).queues.find((candidate) => candidate.logicalId === "PunchesQueue")!;
  const sqs = new SQSClient({ endpoint: awsEndpoint, region, credentials: EMULATOR_ACCOUNT.credentials });
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: String(queue.properties.QueueName) }));
    const backlog = shiftChange({ punches, clocks: 50, duplicateShare: 0, invalidShare: 0, runId: `drain-${stage}` });
    await enqueueBodies(sqs, QueueUrl!, backlog.bodies);
  } finally {
    sqs.destroy();
  }
}
