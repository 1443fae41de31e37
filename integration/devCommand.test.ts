import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { waitForOutput } from "../dev/commands/process/childProcess.ts";
import { portIsFree } from "../dev/commands/process/ports.ts";
import { freePort } from "../dev/aws/backends/index.ts";
import { getTimesheet } from "./support/credentials.ts";
import { eventually } from "./support/eventually.ts";

const DEV_MAIN = fileURLToPath(new URL("../dev/commands/dev.ts", import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL("..", import.meta.url));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

/** `npm run dev` as a user starts it, on ports and a state folder of its own (never the project's). */
function startDev(ports: { api: number; aws: number; db: number }, stateDir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    [
      DEV_MAIN,
      ...["--quiet", "--backend", "embedded", "--state-dir", stateDir],
      ...["--port", String(ports.api), "--aws-port", String(ports.aws), "--db-port", String(ports.db)],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** `npm run dev` on free ports and a state folder of its own, once it printed ready. */
async function startReadyDev(stateFolderPrefix: string) {
  const ports = { api: await freePort(), aws: await freePort(), db: await freePort() };
  const stateDir = await mkdtemp(join(tmpdir(), stateFolderPrefix));
  const dev = startDev(ports, stateDir);
  await waitForOutput(dev.child, /^ready:/m, "npm run dev");
  return { ports, stateDir, dev };
}

// The command itself, on the embedded backend it is asked for, whatever INTEGRATION_BACKEND says.
describe("npm run dev, as a user runs it", () => {
  it("prints ready, refuses a second copy naming the taken port, and on Ctrl-C frees every port", async () => {
    const { ports, stateDir, dev: first } = await startReadyDev("dev-command-");
    expect(first.output()).toMatch(/^ready:/m);
    expect(first.output()).toContain(`http://127.0.0.1:${ports.api}/punches`);

    const second = startDev(ports, stateDir);
    const [secondExit] = (await once(second.child, "exit")) as [number];
    expect(secondExit).toBe(1);
    expect(second.output()).toContain(`port ${ports.api} (the HTTP API) is taken`);

    first.child.kill("SIGINT");
    const [firstExit] = (await once(first.child, "exit")) as [number];
    expect(firstExit).toBe(0);
    expect(first.output()).toContain("stopped");
    for (const port of Object.values(ports)) expect(await portIsFree(port)).toBe(true);
    await rm(stateDir, { recursive: true, force: true });
  });
});

/** The README's block marked `sh first-punch`, as a newcomer pastes it. */
async function readmeFirstPunch(): Promise<string> {
  const readme = await readFile(join(PROJECT_DIR, "README.md"), "utf8");
  const block = /^```sh first-punch\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no ```sh first-punch block");
  return block;
}

describe("README's first punch, pasted as is", () => {
  it("is accepted with a 202 and appears in the employee's timesheet", async () => {
    const { ports, stateDir, dev } = await startReadyDev("dev-first-punch-");
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    // Only the port differs from what a newcomer runs: the README's URLs name the default one.
    const script = (await readmeFirstPunch()).replaceAll("http://127.0.0.1:3000", apiUrl);
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
      cwd: PROJECT_DIR,
      env: { ...process.env, PONTO_API_URL: apiUrl },
    });
    expect(stdout).toMatch(/^HTTP\/1\.1 202 Accepted/m);
    const punchId = /"punchId":"([^"]+)"/.exec(script)?.[1];
    const day = /"occurredAt":"(\d{4}-\d{2}-\d{2})/.exec(script)?.[1];
    await eventually(
      async () => (await getTimesheet(apiUrl, "e-17", `from=${day}&to=${day}`)).text(),
      (timesheet) => timesheet.includes(punchId!),
      { what: `punch ${punchId} in e-17's timesheet` },
    );
    dev.child.kill("SIGINT");
    await once(dev.child, "exit");
    await rm(stateDir, { recursive: true, force: true });
  });
});
