import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stopChild, waitForOutput } from "../commands/process/childProcess.ts";
import { CommandError } from "../commands/commandError.ts";
import { devNodeFlags } from "../commands/process/devNodeFlags.ts";
import type { LocalStatus } from "../aws/index.ts";

export interface RunningStack {
  apiUrl: string;
  /** The Postgres URL the stack printed, or the one given. */
  databaseUrl: string;
  /** True when this run started the stack (and so will stop it). */
  started: boolean;
  status(): Promise<LocalStatus>;
  stop(): Promise<void>;
}

const DEV_MAIN = fileURLToPath(new URL("../commands/dev.ts", import.meta.url));

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
      throw new CommandError(`a stack already runs at ${apiUrl}; pass --database-url with the Postgres URL it printed`);
    }
    return { apiUrl, databaseUrl, started: false, status, stop: async () => {} };
  } catch (error) {
    if (error instanceof CommandError) throw error;
  }

  const port = new URL(apiUrl).port || "80";
  const child = spawn(process.execPath, [...devNodeFlags(), DEV_MAIN, "--quiet", "--port", port, ...devArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN" },
  });
  const output = await waitForOutput(child, /^ready:/m, "the local stack").catch((error: Error) => {
    throw new CommandError(error.message);
  });
  return {
    apiUrl,
    databaseUrl: databaseUrl ?? /Postgres\s+(postgres:\/\/\S+)/.exec(output)?.[1] ?? "",
    started: true,
    status,
    stop: () => stopChild(child),
  };
}
