import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LocalStackError } from "../errors.ts";
import type { LocalStatus } from "../localStatus.ts";

export interface RunningStack {
  apiUrl: string;
  /** The Postgres URL the stack printed, or the one given. */
  databaseUrl: string;
  /** True when this run started the stack (and so will stop it). */
  started: boolean;
  status(): Promise<LocalStatus>;
  stop(): Promise<void>;
}

const DEV_MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
/**
 * As `npm run dev` runs it (package.json): a young generation of 8 MiB semi-spaces measured
 * faster under a burst (more garbage dies young) and a third smaller than V8's default.
 */
const DEV_NODE_FLAGS = ["--max-semi-space-size=8"];

/**
 * Uses the `npm run dev` that answers at apiUrl, or starts one as a child process, exactly as a
 * user would, and waits for its "ready" line.
 */
export async function useOrStartStack(apiUrl: string, devArgs: string[], databaseUrl?: string): Promise<RunningStack> {
  const status = async () => {
    const response = await fetch(`${apiUrl}/_local/status`);
    if (!response.ok) throw new Error(`GET /_local/status answered ${response.status}`);
    return (await response.json()) as LocalStatus;
  };
  try {
    await status();
    if (!databaseUrl) {
      throw new LocalStackError(`a stack already runs at ${apiUrl}; pass --database-url with the Postgres URL it printed`);
    }
    return { apiUrl, databaseUrl, started: false, status, stop: async () => {} };
  } catch (error) {
    if (error instanceof LocalStackError) throw error;
  }

  const port = new URL(apiUrl).port || "80";
  const child = spawn(process.execPath, [...DEV_NODE_FLAGS, DEV_MAIN, "--quiet", "--port", port, ...devArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN" },
  });
  const printedDatabaseUrl = await waitForReady(child);
  return {
    apiUrl,
    databaseUrl: databaseUrl ?? printedDatabaseUrl,
    started: true,
    status,
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    let databaseUrl = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      databaseUrl ||= /Postgres\s+(postgres:\/\/\S+)/.exec(output)?.[1] ?? "";
      if (/^ready:/m.test(output)) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(databaseUrl);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new LocalStackError(`the local stack exited (${code}) before it was ready:\n${output}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
