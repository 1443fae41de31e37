import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { StartedBackend } from "../../dev/backends/backend.ts";
import { startLocalStack, type LocalStack } from "../../dev/localStack.ts";
import { startIntegrationBackend } from "./backendFixture.ts";

export const serviceDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

export interface SuiteStack {
  stack: LocalStack;
  backend: StartedBackend;
  db: pg.Pool;
  /** Function log lines, printed when PONTO_TEST_LOGS=1. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * One suite's own stack, built by the same startLocalStack as `npm run dev`, on a stage of its
 * own so queue names and the database never meet another suite's.
 */
export async function startSuiteStack(suite: string, options: { configFile?: string } = {}): Promise<SuiteStack> {
  const backend = await startIntegrationBackend();
  const logs: string[] = [];
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      backend,
      serviceDir,
      stage: `it-${suite}-${randomBytes(3).toString("hex")}`,
      apiPort: 0,
      ...(options.configFile !== undefined && { configFile: options.configFile }),
      onLog: (functionName, line) => {
        logs.push(`${functionName} ${line}`);
        if (process.env.PONTO_TEST_LOGS === "1") console.log(functionName, line);
      },
    });
  } catch (error) {
    await backend.stop();
    throw error;
  }
  const db = new pg.Pool({ ...stack.database, max: 2 });
  return {
    stack,
    backend,
    db,
    logs,
    async stop() {
      await db.end();
      await stack.stop();
      await backend.stop();
    },
  };
}
