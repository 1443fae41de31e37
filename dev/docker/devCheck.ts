/**
 * The docker backend of `npm run dev`, checked as a user runs it (README, "Two commands"): it
 * reaches `ready`, `npm run token` gives a clock's token, a punch POSTed with the API key it printed
 * is answered 202 and appears in the employee's timesheet, and Ctrl-C stops it with no container
 * or process left behind. A project name of its own (COMPOSE_PROJECT_NAME) and free ports keep it
 * off a developer's own `npm run dev` and its data; its volumes are removed at the end.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../aws/backends/index.ts";
import { waitForOutput } from "../commands/process/childProcess.ts";
import { devNodeFlags } from "../commands/process/devNodeFlags.ts";
import { portIsFree } from "../commands/process/ports.ts";

const run = promisify(execFile);
const projectDir = resolve(import.meta.dirname, "../..");
const READY_TIMEOUT_MS = 240_000;
const STORED_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * Runs the check with the image settings in `env` (PONTO_POSTGRES_IMAGE, …); throws, with the
 * command's output, on the first step that fails.
 */
export async function checkDevOnDocker(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const project = `ponto-devcheck-${process.pid}`;
  const ports = { api: await freePort(), aws: await freePort(), database: await freePort() };
  const stateDir = await mkdtemp(join(tmpdir(), "ponto-devcheck-"));
  const api = `http://127.0.0.1:${ports.api}`;
  let output = "";
  // Its own process group, so that what it started can be looked for once it has exited.
  const dev = spawn(
    process.execPath,
    [
      ...devNodeFlags(),
      join(projectDir, "dev/commands/dev.ts"),
      ...["--backend", "docker", "--quiet", "--fresh", "--state-dir", stateDir],
      ...["--port", String(ports.api), "--aws-port", String(ports.aws), "--db-port", String(ports.database)],
    ],
    { cwd: projectDir, env: { ...process.env, ...env, COMPOSE_PROJECT_NAME: project }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  dev.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // It runs in a process group of its own (below), out of reach of a Ctrl-C at the terminal: that
  // Ctrl-C is passed on, so it stops as a user's would, and the check fails and cleans up.
  const forward = () => dev.kill("SIGINT");
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const fail = (message: string): never => {
    throw new Error(`${message}\n--- npm run dev printed ---\n${output.trim()}`);
  };
  try {
    log(`npm run dev -- --backend docker (COMPOSE_PROJECT_NAME=${project}, API on :${ports.api})`);
    const started = Date.now();
    await withTimeout(waitForOutput(dev, /^ready:/m, "npm run dev"), READY_TIMEOUT_MS, "npm run dev did not print ready").catch((error: Error) => fail(error.message));
    log(`ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const apiKey = /^\s*api key clock-lobby: (\S+)$/m.exec(output)?.[1] ?? fail("npm run dev printed no api key for clock-lobby");

    const clockToken = await token(["--device", "clock-lobby"], api);
    const punch = {
      punchId: randomUUID(),
      employeeId: "e-devcheck",
      deviceId: "clock-lobby",
      kind: "in",
      occurredAt: "2026-11-23T08:00:00-03:00",
    };
    const posted = await fetch(`${api}/punches`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${clockToken}`, "x-api-key": apiKey },
      body: JSON.stringify(punch),
    });
    const postedBody = await posted.text();
    if (posted.status !== 202) fail(`POST /punches answered ${posted.status}: ${postedBody}`);
    log(`POST /punches: 202 ${postedBody}`);

    const employeeToken = await token(["--employee", punch.employeeId], api);
    const timesheetUrl = `${api}/employees/${punch.employeeId}/timesheet?from=2026-11-23&to=2026-11-23`;
    let timesheet = "";
    for (const deadline = Date.now() + STORED_TIMEOUT_MS; !timesheet.includes(punch.punchId); ) {
      if (Date.now() > deadline) fail(`punch ${punch.punchId} not in the timesheet within ${STORED_TIMEOUT_MS / 1000} s: ${timesheet}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
      const answer = await fetch(timesheetUrl, { headers: { authorization: `Bearer ${employeeToken}` } });
      timesheet = await answer.text();
      if (answer.status !== 200) fail(`GET timesheet answered ${answer.status}: ${timesheet}`);
    }
    log(`the punch is stored: GET …/timesheet lists ${punch.punchId}`);

    dev.kill("SIGINT");
    const exitCode = await withTimeout(exitOf(dev), STOP_TIMEOUT_MS, `npm run dev did not exit within ${STOP_TIMEOUT_MS / 1000} s of Ctrl-C`).catch((error: Error) => fail(error.message));
    if (exitCode !== 0 || !/^stopped$/m.test(output)) fail(`npm run dev exited with ${exitCode} after Ctrl-C`);
    const containers = await projectContainers(project);
    if (containers.length > 0) fail(`containers left after Ctrl-C: ${containers.join(", ")}`);
    if (await groupAlive(dev.pid!)) fail(`processes of npm run dev's group ${dev.pid} left after Ctrl-C: ${await groupMembers(dev.pid!)}`);
    for (const port of Object.values(ports)) if (!(await portIsFree(port))) fail(`port ${port} still taken after Ctrl-C`);
    log("Ctrl-C: exit 0, no container, process or port left");
  } finally {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
    if (dev.exitCode === null && dev.signalCode === null) {
      try {
        process.kill(-dev.pid!, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    const left = await projectContainers(project).catch(() => []);
    if (left.length > 0) await run("docker", ["rm", "--force", "--volumes", ...left]).catch(() => {});
    await run("docker", ["volume", "rm", "--force", `${project}_postgres-data`, `${project}_fauxqs-data`]).catch(() => {});
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function token(args: string[], api: string): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [join(projectDir, "dev/commands/token.ts"), ...args, "--api", api], { cwd: projectDir, timeout: 30_000 });
    return stdout.trim();
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run token -- ${args.join(" ")} failed: ${`${stdout}\n${stderr}`.trim()}`, { cause: error });
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolveExit) => child.once("exit", (code) => resolveExit(code)));
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function projectContainers(project: string): Promise<string[]> {
  const { stdout } = await run("docker", ["ps", "--all", "--format", "{{.Names}}", "--filter", `name=^${project}-`]);
  return stdout.split("\n").filter(Boolean);
}

/** Whether any process of the group is left, allowing a moment for children that exit with their parent. */
async function groupAlive(pgid: number): Promise<boolean> {
  for (let waited = 0; waited < 3_000; waited += 250) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
  return true;
}

async function groupMembers(pgid: number): Promise<string> {
  const { stdout } = await run("ps", ["-e", "-o", "pgid=,pid=,args="]).catch(() => ({ stdout: "" }));
  const members = stdout.split("\n").filter((line) => line.trim().split(/\s+/)[0] === String(pgid));
  return members.join("; ") || "(none listed)";
}
