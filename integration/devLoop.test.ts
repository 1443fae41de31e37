import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStatus } from "../dev/aws/index.ts";
import { freePort } from "../dev/aws/backends/index.ts";
import { waitForOutput } from "../dev/commands/process/childProcess.ts";
import { getTimesheet } from "./support/credentials.ts";
import { eventually } from "./support/eventually.ts";
import { aPunch, postPunch } from "./support/punches.ts";

const PROJECT_DIR = fileURLToPath(new URL("..", import.meta.url));
const DEV_MAIN = join(PROJECT_DIR, "dev/commands/dev.ts");
const RELOAD_FIXTURE = fileURLToPath(new URL("./fixtures/reload", import.meta.url));
const running = new Set<ChildProcess>();
const temporary: string[] = [];

afterAll(async () => {
  for (const child of running) if (child.pid !== undefined) killGroup(child);
  await Promise.all(temporary.map((path) => rm(path, { recursive: true, force: true })));
});

interface Dev {
  child: ChildProcess;
  apiUrl: string;
  awsEndpoint: string;
  output: () => string;
}

interface Ports {
  api: number;
  aws: number;
  db: number;
}

async function freePorts(): Promise<Ports> {
  return { api: await freePort(), aws: await freePort(), db: await freePort() };
}

async function temporaryFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  temporary.push(folder);
  return folder;
}

/**
 * `npm run dev` on the embedded backend, its state in a folder of the test's, in a process group of
 * its own so that a `kill -9` can take it whole, Postgres included, as a closed terminal would.
 */
async function startDev(ports: Ports, stateDir: string, extra: string[] = []): Promise<Dev> {
  const args = ["--quiet", "--backend", "embedded", "--port", String(ports.api), "--aws-port", String(ports.aws), "--db-port", String(ports.db)];
  const child = spawn(process.execPath, [DEV_MAIN, ...args, "--state-dir", stateDir, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitForOutput(child, /^ready:/m, "npm run dev");
  return { child, apiUrl: `http://127.0.0.1:${ports.api}`, awsEndpoint: `http://127.0.0.1:${ports.aws}`, output: () => output };
}

async function pressCtrlC(dev: Dev): Promise<void> {
  const exited = once(dev.child, "exit");
  dev.child.kill("SIGINT");
  const [code] = (await exited) as [number];
  expect(code).toBe(0);
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function timesheetPunchIds(apiUrl: string, employeeId: string): Promise<string[]> {
  const response = await getTimesheet(apiUrl, employeeId, "from=2026-11-23&to=2026-11-23");
  // Stored punches appear in days or, unpaired, in unmatched: any punch id in the answer counts.
  return JSON.stringify(await response.json()).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
}

async function storePunch(apiUrl: string): Promise<{ punchId: string; employeeId: string }> {
  const punch = aPunch();
  expect((await postPunch(apiUrl, punch)).status).toBe(202);
  await eventually(() => timesheetPunchIds(apiUrl, punch.employeeId), (ids) => ids.includes(punch.punchId), { what: `punch ${punch.punchId} stored` });
  return punch;
}

async function status(apiUrl: string): Promise<LocalStatus> {
  return (await (await fetch(`${apiUrl}/_local/status`)).json()) as LocalStatus;
}

/** A copy of serverless.yml beside it whose punches consumer is switched off, so punches stay queued. */
async function writeConsumerOffVariant(): Promise<string> {
  const yaml = await readFile(join(PROJECT_DIR, "serverless.yml"), "utf8");
  const pattern = /(consumePunches:[\s\S]*?maximumConcurrency: \d+)/;
  if (!pattern.test(yaml)) throw new Error("serverless.yml no longer sets consumePunches's maximumConcurrency");
  const configFile = `serverless.variant-${randomBytes(4).toString("hex")}.yml`;
  await writeFile(join(PROJECT_DIR, configFile), yaml.replace(pattern, "$1\n          enabled: false"));
  temporary.push(join(PROJECT_DIR, configFile));
  return configFile;
}

describe("npm run dev keeps its state between runs", () => {
  let ports: Ports;
  let stateDir: string;
  const kept: Array<{ punchId: string; employeeId: string }> = [];
  let queued: { punchId: string; employeeId: string };

  beforeAll(async () => {
    ports = await freePorts();
    stateDir = join(await temporaryFolder("ponto-dev-state-"), "local");
  });

  it("has a punch stored before Ctrl-C in the timesheet after the next start", async () => {
    const first = await startDev(ports, stateDir);
    expect(first.output()).toContain(`state: new, kept in ${stateDir}`);
    kept.push(await storePunch(first.apiUrl));
    await pressCtrlC(first);

    const second = await startDev(ports, stateDir);
    expect(second.output()).toContain(`state: continuing from ${stateDir}`);
    expect(await timesheetPunchIds(second.apiUrl, kept[0]!.employeeId)).toContain(kept[0]!.punchId);
    await pressCtrlC(second);
  });

  it("has a punch stored before a kill -9 of the process group in the timesheet after the next start, the stale lock removed", async () => {
    const killed = await startDev(ports, stateDir);
    kept.push(await storePunch(killed.apiUrl));
    const exited = once(killed.child, "exit");
    killGroup(killed.child);
    await exited;
    // The worst case of a stale lock: its pid since taken by a live process that is no postgres (this one).
    const lockFile = join(stateDir, "postgres", "postmaster.pid");
    const [, ...rest] = (await readFile(lockFile, "utf8")).split("\n");
    await writeFile(lockFile, [String(process.pid), ...rest].join("\n"));

    const next = await startDev(ports, stateDir);
    expect(next.output()).toMatch(/state: removed a stale .*postmaster\.pid/);
    for (const punch of kept) expect(await timesheetPunchIds(next.apiUrl, punch.employeeId)).toContain(punch.punchId);
    await pressCtrlC(next);
  });

  it("consumes after the restart a punch still queued at Ctrl-C, and keeps the DLQ", async () => {
    const consumerOff = await startDev(ports, stateDir, ["--config", await writeConsumerOffVariant()]);
    queued = aPunch();
    expect((await postPunch(consumerOff.apiUrl, queued)).status).toBe(202);
    const before = await status(consumerOff.apiUrl);
    const punches = before.queues.find((queue) => queue.logicalId === "PunchesQueue")!;
    expect(punches.visible).toBe(1);
    const sqs = new SQSClient({ endpoint: before.awsEndpoint, region: before.region, credentials: before.credentials });
    await sqs.send(new SendMessageCommand({ QueueUrl: punches.deadLetterQueue!.url, MessageBody: '{"parked":"before the restart"}' }));
    sqs.destroy();
    await pressCtrlC(consumerOff);

    const consumerOn = await startDev(ports, stateDir);
    await eventually(() => timesheetPunchIds(consumerOn.apiUrl, queued.employeeId), (ids) => ids.includes(queued.punchId), {
      what: "the queued punch consumed after the restart",
    });
    const after = await status(consumerOn.apiUrl);
    expect(after.queues.find((queue) => queue.logicalId === "PunchesQueue")!.deadLetterQueue!.visible).toBe(1);
    await pressCtrlC(consumerOn);
  });

  it("starts with none of them after --fresh, and says so", async () => {
    const fresh = await startDev(ports, stateDir, ["--fresh"]);
    expect(fresh.output()).toContain("state: --fresh, starting empty");
    for (const punch of [...kept, queued]) expect(await timesheetPunchIds(fresh.apiUrl, punch.employeeId)).toEqual([]);
    const punches = (await status(fresh.apiUrl)).queues.find((queue) => queue.logicalId === "PunchesQueue")!;
    expect(punches.visible + punches.inFlight + punches.deadLetterQueue!.visible).toBe(0);
    await pressCtrlC(fresh);
  });
});

describe("npm run dev reloads a saved handler", () => {
  it("answers with the new code within 1 s of the save, while an invocation started before it completes on the old", async () => {
    const serviceDir = await temporaryFolder("ponto-dev-reload-");
    await cp(RELOAD_FIXTURE, serviceDir, { recursive: true });
    const dev = await startDev(await freePorts(), join(serviceDir, ".state"), ["--config", join(serviceDir, "serverless.yml")]);
    const greet = async (holdMs = 0) => ((await (await fetch(`${dev.apiUrl}/greeting?holdMs=${holdMs}`)).json()) as { greeting: string }).greeting;
    expect(await greet()).toBe("hello");

    const startedBeforeTheSave = greet(1_500);
    // The held invocation has its container (and its code) before the file changes.
    await eventually(() => status(dev.apiUrl), (current) => current.functions[0]!.inFlight === 1, { intervalMs: 20, what: "the held invocation" });
    await writeFile(join(serviceDir, "greeting.ts"), 'export const greeting = "hello again";\n');
    const saved = Date.now();
    await eventually(greet, (greeting) => greeting === "hello again", { timeoutMs: 1_000, intervalMs: 20, what: "the new greeting" });
    expect(Date.now() - saved).toBeLessThan(1_000);
    expect(await startedBeforeTheSave).toBe("hello");
    expect(dev.output()).toMatch(/reloaded .*greet.*: greeting\.ts changed/);

    await pressCtrlC(dev);
  });

  it("creates and consumes a queue added to serverless.yml while the stack runs, and keeps the rows written before", async () => {
    const configFile = `serverless.variant-${randomBytes(4).toString("hex")}.yml`;
    const configPath = join(PROJECT_DIR, configFile);
    temporary.push(configPath);
    const yaml = await readFile(join(PROJECT_DIR, "serverless.yml"), "utf8");
    await writeFile(configPath, yaml);
    const dev = await startDev(await freePorts(), join(await temporaryFolder("ponto-dev-reapply-"), "local"), ["--config", configFile]);
    const before = await storePunch(dev.apiUrl);

    // As a developer would add it: a queue, and the punches consumer reading it too.
    const consumerEvents = /(consumePunches:[\s\S]*?events:\n)/;
    const resources = /(\n  Resources:\n)/;
    if (!consumerEvents.test(yaml) || !resources.test(yaml)) throw new Error("serverless.yml no longer has consumePunches's events or resources.Resources");
    await writeFile(
      configPath,
      yaml
        .replace(consumerEvents, '$1      - sqs:\n          arn: { "Fn::GetAtt": [ExtraPunchesQueue, Arn] }\n          batchSize: 10\n')
        .replace(resources, "$1    ExtraPunchesQueue:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: ${self:service}-${sls:stage}-extra-punches\n"),
    );
    await eventually(async () => dev.output(), (output) => /serverless\.yml applied in place, data kept: .*queue ponto-local-extra-punches created/.test(output), {
      what: "the new queue applied in place",
      // A reapply packages serverless.yml again (a child process and esbuild): seconds alone, and
      // up to half a minute while the other suites' files run beside it on two cores.
      timeoutMs: 60_000,
    });
    const current = await status(dev.apiUrl);
    const extra = current.queues.find((queue) => queue.logicalId === "ExtraPunchesQueue");
    expect(extra).toBeDefined();
    expect(current.eventSources.map((source) => source.queue)).toContain(extra!.name);

    const punch = aPunch();
    const sqs = new SQSClient({ endpoint: current.awsEndpoint, region: current.region, credentials: current.credentials });
    await sqs.send(new SendMessageCommand({ QueueUrl: extra!.url, MessageBody: JSON.stringify(punch) }));
    sqs.destroy();
    await eventually(() => timesheetPunchIds(dev.apiUrl, punch.employeeId), (ids) => ids.includes(punch.punchId), { what: "the punch from the new queue stored" });
    expect(await timesheetPunchIds(dev.apiUrl, before.employeeId)).toContain(before.punchId);
    await pressCtrlC(dev);
  });
});

describe("npm run dev -- --inspect", () => {
  it("stops at a breakpoint set through the inspector protocol in src/handlers/getTimesheet.ts when a timesheet is requested", async () => {
    const dev = await startDev(await freePorts(), join(await temporaryFolder("ponto-dev-inspect-"), "local"), ["--inspect=127.0.0.1:0"]);
    const inspectorUrl = /^inspector: (ws:\S+)/m.exec(dev.output())?.[1];
    expect(inspectorUrl).toBeDefined();
    const handlerSource = await readFile(join(PROJECT_DIR, "src/handlers/getTimesheet.ts"), "utf8");
    const breakpointLine = handlerSource.split("\n").findIndex((line) => line.includes("const employeeId = event.pathParameters"));
    expect(breakpointLine).toBeGreaterThan(0);

    const pauses: Array<{ url: string; lineNumber: number }> = [];
    const scriptUrls = new Map<string, string>();
    const socket = new WebSocket(inspectorUrl!);
    await new Promise<void>((resolve, reject) => {
      if (socket.readyState === WebSocket.OPEN) resolve();
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error(`no inspector at ${inspectorUrl}`)));
    });
    let nextId = 1;
    const send = (method: string, params: Record<string, unknown> = {}) => socket.send(JSON.stringify({ id: nextId++, method, params }));
    const toWorker = (sessionId: string, method: string, params: Record<string, unknown> = {}) =>
      send("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id: nextId++, method, params }) });
    socket.addEventListener("message", (message: MessageEvent) => {
      const { method, params } = JSON.parse(String(message.data)) as { method?: string; params?: Record<string, unknown> };
      if (method === "NodeWorker.attachedToWorker") {
        // Each execution environment is a worker: break in it before the handler module loads.
        const sessionId = params!.sessionId as string;
        toWorker(sessionId, "Debugger.enable");
        toWorker(sessionId, "Debugger.setBreakpointByUrl", { urlRegex: "src/handlers/getTimesheet\\.ts$", lineNumber: breakpointLine });
        toWorker(sessionId, "Runtime.runIfWaitingForDebugger");
      }
      if (method === "NodeWorker.receivedMessageFromWorker") {
        const sessionId = params!.sessionId as string;
        const inner = JSON.parse(params!.message as string) as { method?: string; params?: Record<string, unknown> };
        if (inner.method === "Debugger.scriptParsed") scriptUrls.set(`${sessionId}/${inner.params!.scriptId}`, inner.params!.url as string);
        if (inner.method === "Debugger.paused") {
          const [frame] = inner.params!.callFrames as Array<{ location: { scriptId: string; lineNumber: number } }>;
          pauses.push({ url: scriptUrls.get(`${sessionId}/${frame!.location.scriptId}`) ?? "", lineNumber: frame!.location.lineNumber });
          toWorker(sessionId, "Debugger.resume");
        }
      }
    });
    send("NodeWorker.enable", { waitForDebuggerOnStart: true });

    const response = await getTimesheet(dev.apiUrl, "e-17", "from=2026-11-23&to=2026-11-23");
    expect(response.status).toBe(200);
    expect(pauses).toContainEqual({ url: expect.stringMatching(/src\/handlers\/getTimesheet\.ts$/), lineNumber: breakpointLine });
    socket.close();
    await pressCtrlC(dev);
  });
});
