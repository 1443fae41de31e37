import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { StartedBackend } from "../../dev/aws/backends/index.ts";
import { startPontoStack, type PontoStack } from "../../dev/ponto/pontoStack.ts";
import { startIntegrationBackend } from "./backendFixture.ts";

export const serviceDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

export interface SuiteStack {
  stack: PontoStack;
  backend: StartedBackend;
  /** The application database, for assertions on rows and on pg_stat_activity. */
  db: pg.Pool;
  /** Function log lines; PONTO_TEST_LOGS=1 prints them as they come. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * One suite's own stack, built by the same startPontoStack as `npm run dev`, on a stage of its
 * own so queue names and the database never meet another suite's. Stops its backend too.
 */
export async function startSuiteStack(suite: string, options: { configFile?: string } = {}): Promise<SuiteStack> {
  const backend = await startIntegrationBackend();
  try {
    const suiteStack = await startStackOn(backend, suite, options);
    return {
      ...suiteStack,
      async stop() {
        await suiteStack.stop();
        await backend.stop();
      },
    };
  } catch (error) {
    await backend.stop();
    throw error;
  }
}

/** A stack on a backend the caller owns; its stop() leaves the backend running. */
export async function startStackOn(
  backend: StartedBackend,
  suite: string,
  options: { configFile?: string } = {},
): Promise<SuiteStack> {
  const logs: string[] = [];
  const stack = await startPontoStack({
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
  const db = new pg.Pool({ ...stack.database, max: 2 });
  // Suites that stop the database break idle connections; the pool replaces them on next use.
  db.on("error", () => {});
  return {
    stack,
    backend,
    db,
    logs,
    async stop() {
      await db.end();
      await stack.stop();
    },
  };
}
