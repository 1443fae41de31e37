/**
 * fauxqs on a thread of its own: the local API, the SQS pollers and the emulator would otherwise
 * share one event loop, and under a burst the emulator starves the pollers that drain it.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import { startFauxqs } from "fauxqs";

const { port, urlHost, dataDir } = workerData as { port: number; urlHost: string; dataDir?: string };
if (dataDir !== undefined) keepStateWithoutSyncingEachWrite();
const server = await startFauxqs({ port, host: urlHost, logger: false, ...(dataDir !== undefined && { dataDir }) });
parentPort!.postMessage({ port: server.port });
parentPort!.on("message", async (message: string) => {
  if (message === "stop") {
    await server.stop();
    parentPort!.postMessage({ stopped: true });
  }
});

/**
 * fauxqs keeps its state in SQLite in WAL mode, writing each message three times (sent, received,
 * deleted), each its own transaction; with SQLite's default `synchronous = FULL` every one waits
 * for an fsync, and a burst spent 90% of this thread there (about 1 ms a message: 735 rows/s).
 * `synchronous = NORMAL`, SQLite's advice for WAL, syncs at checkpoints only: a committed write
 * still survives the process being killed (`kill -9`, a lost terminal), which is what the kept
 * state promises; only an OS crash or power loss can lose the last ones. fauxqs has no option for
 * it, so the pragma follows its own `journal_mode = WAL` on its connection; this thread runs
 * nothing else that opens SQLite.
 */
function keepStateWithoutSyncingEachWrite(): void {
  const exec = DatabaseSync.prototype.exec;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    exec.call(this, sql);
    if (/^\s*PRAGMA\s+journal_mode\s*=\s*WAL\s*;?\s*$/i.test(sql)) exec.call(this, "PRAGMA synchronous = NORMAL");
  };
}
