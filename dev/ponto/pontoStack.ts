import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DatabaseConfig } from "../../src/config.ts";
import { startLocalAws, type LocalAws, type LocalAwsOptions } from "../aws/index.ts";
import { type StartedBackend } from "../aws/backends/index.ts";
import { localClocks, type Clocks, type PeopleTokens } from "./clockCredentials.ts";
import { consoleHooks } from "./consoleHooks.ts";
import { prepareDatabase } from "./database.ts";

/** ponto on the local AWS, and the database its functions use. */
export interface PontoStack extends LocalAws {
  /** The application database, as the functions connect to it. */
  database: DatabaseConfig;
  /** Local clocks, provisioned on demand: an app client and an API key each (see clockCredentials.ts). */
  clocks: Clocks;
  /** Access tokens for employees and managers, as their sign-in gets them. */
  tokens: PeopleTokens;
}

export type PontoStackOptions = Omit<LocalAwsOptions, "params" | "beforeFunctionsStart" | "appHooks">;

/** ponto's own folder: its serverless.yml and the variants the suites write beside it. */
const PONTO_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** True for ponto's own service; another serverless.yml run with --config gets none of ponto's parts. */
export function isPontoService(serviceDir: string): boolean {
  return resolve(serviceDir) === resolve(PONTO_DIR);
}

/**
 * Brings ponto's serverless.yml up on the local AWS: the backend's Postgres goes in as the stage
 * params a deploy passes, and the databases the functions name (PGDATABASE) are created and
 * migrated before any of them runs. Another service (npm run dev --config) runs as it is: ponto's
 * migrations and its console hooks (connections, the punch a trace ends in) are ponto's alone.
 */
export async function startPontoStack(options: PontoStackOptions): Promise<PontoStack> {
  const server = options.backend.database;
  const ponto = isPontoService(options.serviceDir);
  const databaseNames = new Set<string>();
  const appHooks = consoleHooks(server, () => [...databaseNames][0] ?? server.database);
  const stack = await startLocalAws({
    ...options,
    ...(ponto && { appHooks: appHooks.hooks }),
    params: stageParamsFor(options.backend),
    async beforeFunctionsStart(functions) {
      if (!ponto) return;
      for (const { environment } of functions) if (environment.PGDATABASE) databaseNames.add(environment.PGDATABASE);
      if (databaseNames.size > 0) options.onStep?.(`migrating database ${[...databaseNames].join(", ")}`);
      for (const name of databaseNames) await prepareDatabase(server, name);
    },
  });
  const [database = server.database] = databaseNames;
  const stopAws = stack.stop;
  // Assigned, not spread: the stack's queues, functions and routes are getters that follow a reapply.
  const { tokens, ...clocks } = localClocks(stack);
  return Object.assign(stack, {
    database: { ...server, database },
    clocks,
    tokens,
    async stop() {
      await stopAws();
      await appHooks.close();
    },
  });
}

/**
 * serverless.yml's params for a backend's Postgres. The local AWS emulates no VPC: the functions
 * reach the database directly.
 */
export function stageParamsFor(backend: StartedBackend): Record<string, string> {
  return {
    databaseNetwork: "public",
    databaseHost: backend.database.host,
    databasePort: String(backend.database.port),
    databaseUser: backend.database.user,
    databasePassword: backend.database.password,
  };
}
